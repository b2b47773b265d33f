import { doubleLoses, scanInexactNumbers } from '../../util/decimal.js';
import { lineStarts, positionAt } from '../../util/json-source.js';

/**
 * A number written in a dataset that a JSON number (an IEEE double) cannot hold: an integer beyond
 * 2^53, a decimal of more than 15 significant digits that its double changes, or a literal past the
 * double's range (1e400 reads as Infinity, sent as null; 1e-400 as 0).
 */
export interface InexactNumber {
  line: number;
  column: number;
  /** As written. */
  literal: string;
  /** What it is read as: an integer in full digits, a decimal as its double's shortest form, else `Infinity`, `-Infinity` or `0`. */
  readAs: string;
  /** `input`: inside a case's input, sent to the engine as read; `other`: another field, read as a double there. */
  where?: 'input' | 'other';
}

/**
 * Where a number at an offset of the text is used: `exact` (a value of equals or range, compared as
 * written: not listed), `input` or `other`.
 */
export type NumberPlace = (offset: number) => 'exact' | 'input' | 'other';

const MAX_LISTED = 20;

/**
 * Number literals a double changes, in a JSON text, outside strings: integers beyond 2^53 (doubles
 * skip integers there), decimals of more than 15 significant digits, literals out of the double's
 * range. Such a value in a case's input reaches the engine rounded (1e400 as null); equals and range
 * compare their own values as written (util/decimal.ts), but any other field reads the double. The
 * user must be told where, since only the text still has the digits. With `place`, the numbers it
 * says are compared exactly are left out. At most 20 are listed; `count` has them all.
 */
export function inexactNumbers(text: string, place?: NumberPlace): { found: InexactNumber[]; count: number } {
  const found: InexactNumber[] = [];
  let count = 0;
  let starts: number[] | undefined;
  scanInexactNumbers(text, (literal, offset) => {
    const readAs = inexactReading(literal);
    if (readAs === null) return;
    const where = place?.(offset);
    if (where === 'exact') return;
    count++;
    if (found.length >= MAX_LISTED) return;
    starts ??= lineStarts(text);
    const { line, column } = positionAt(starts, offset);
    found.push(where ? { line, column, literal, readAs, where } : { line, column, literal, readAs });
  });
  return { found, count };
}

/** What a number literal reads as when a double cannot hold it (see InexactNumber.readAs), else null. */
function inexactReading(literal: string): string | null {
  const value = Number(literal);
  if (!doubleLoses(literal, value)) return null;
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  return /^-?\d+$/.test(literal) ? BigInt(value).toString() : String(value);
}

/** What to say about one such number. */
export function inexactMessage(x: InexactNumber): string {
  const exact = 'equals and range compare their own values as written, but';
  const use =
    x.where === 'input'
      ? 'this one is in a case\'s input: it is sent to the engine as'
      : x.where === 'other'
        ? 'this one is read here as'
        : 'elsewhere it is read, and sent to the engine in an input, as';
  if (!/^-?\d+$/.test(x.literal) && (x.readAs === '0' || !Number.isFinite(Number(x.readAs)))) {
    const sent = x.readAs === '0' ? '0' : `${x.readAs} (sent as null: JSON has no Infinity)`;
    return `the number ${x.literal} is beyond the range of a JSON number (a double): ${exact} ${use} ${sent}. Write it as a string to keep it`;
  }
  const what = /^-?\d+$/.test(x.literal) ? 'integer' : 'number';
  const digits = what === 'integer' ? 'is beyond 2^53' : 'has more significant digits than a double holds';
  return `the ${what} ${x.literal} ${digits}: ${exact} ${use} ${x.readAs}. Write it as a string to keep every digit`;
}
