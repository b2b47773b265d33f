import { lineStarts, positionAt } from '../../util/json-source.js';

/**
 * A number written in a dataset that a JSON number (an IEEE double) cannot hold: an integer beyond
 * 2^53, or a literal past the double's range (1e400 reads as Infinity, sent as null; 1e-400 as 0).
 */
export interface InexactNumber {
  line: number;
  column: number;
  /** As written. */
  literal: string;
  /** What it is read as: an integer in full digits (equal to `literal` when the double holds it exactly), else `Infinity`, `-Infinity` or `0`. */
  readAs: string;
}

const MAX_LISTED = 20;

/**
 * Integer literals beyond 2^53 and literals out of the double's range in a JSON text, outside strings.
 * Past 2^53 doubles skip integers, so such a value in a case's input reaches the engine rounded, and
 * an assertion on it passes on a neighbouring number (`equals 9007199254740993` holds on
 * 9007199254740992); 1e400 is sent as null. The user must be told where, since only the text still
 * has the digits. At most 20 are listed; `count` has them all.
 */
export function inexactNumbers(text: string): { found: InexactNumber[]; count: number } {
  const found: InexactNumber[] = [];
  let count = 0;
  // 2^53 has 16 digits and the double's range ends near 1e308: a text with no run of 16 digits and no
  // three-digit exponent has none (the common case costs one scan).
  if (!/\d{16}|[eE][+-]?\d{3}/.test(text)) return { found, count };
  let starts: number[] | undefined;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      // Skip a string, escapes included (the text already parsed, so it is terminated).
      for (i++; i < n && text.charCodeAt(i) !== 0x22; i++) if (text.charCodeAt(i) === 0x5c) i++;
      continue;
    }
    if (c !== 0x2d && (c < 0x30 || c > 0x39)) continue;
    let j = i + 1;
    while (j < n && /[0-9.eE+-]/.test(text[j])) j++;
    const literal = text.slice(i, j);
    i = j - 1;
    const readAs = inexactReading(literal);
    if (readAs === null) continue;
    count++;
    if (found.length >= MAX_LISTED) continue;
    starts ??= lineStarts(text);
    const { line, column } = positionAt(starts, j - literal.length);
    found.push({ line, column, literal, readAs });
  }
  return { found, count };
}

/** What a number literal reads as when a double cannot hold it (see InexactNumber.readAs), else null. */
function inexactReading(literal: string): string | null {
  const value = Number(literal);
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return /[1-9]/.test(literal.split(/[eE]/)[0]) ? '0' : null;
  if (!/^-?\d{16,}$/.test(literal) || Number.isSafeInteger(value)) return null;
  return BigInt(value).toString();
}

/** What to say about one such number. */
export function inexactMessage(x: InexactNumber): string {
  if (!/^-?\d+$/.test(x.literal)) {
    const sent = x.readAs === '0' ? '0' : 'null (JSON has no Infinity)';
    return `the number ${x.literal} is beyond the range of a JSON number (a double): it is read as ${x.readAs} and sent to the engine as ${sent}. Write it as a string to keep it`;
  }
  const held =
    x.readAs === x.literal
      ? 'is beyond 2^53, where a JSON number (a double) no longer holds every integer: its neighbours read as the same number'
      : `cannot be held by a JSON number (a double): it is read, sent to the engine and compared as ${x.readAs}`;
  return `the integer ${x.literal} ${held}. Write it as a string to keep every digit`;
}
