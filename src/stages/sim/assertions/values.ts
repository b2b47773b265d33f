import { escapeControls } from '../../../util/printable.js';
import { isRawNumber, numbersEqual } from '../../../util/decimal.js';
/** Small value helpers shared by the assertion families: short rendering, JSON equality, list values. */

export const MAX_SHOWN = 200;

/**
 * Characters that print as a plain space or as nothing on most terminals and in HTML: a failure
 * message must show them, or `contains "a b"` failing on "a\u00a0b" reads as the same text twice.
 * Only messages escape them: ids and logs may hold them as they are.
 */
const LOOK_ALIKE_SPACES = /[\u00a0\u00ad\u034f\u115f\u1160\u1680\u180e\u2000-\u200a\u202f\u205f\u3000\u3164\uffa0]/g;

/** A value as it appears in a message: JSON text, cut to ~200 characters so reports stay readable. */
export function short(value: unknown, max = MAX_SHOWN): string {
  let json: string | undefined;
  try {
    json = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    // Nested too deeply for JSON.stringify (the stack runs out): a message must still be written.
    return `(${typeName(value)} nested too deeply to show)`;
  }
  // JSON escapes C0 controls; DEL, C1, line separators and bidi controls it leaves raw.
  const text = json === undefined ? String(json) : escapeControls(json).replace(LOOK_ALIKE_SPACES, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (text.length <= max) return text;
  // Never cut an emoji (a surrogate pair) in half: a lone surrogate becomes U+FFFD in the reports.
  const cut = text.charCodeAt(max - 1) >= 0xd800 && text.charCodeAt(max - 1) <= 0xdbff ? max - 1 : max;
  return `${text.slice(0, cut)}… (${text.length} chars)`;
}

export function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (isRawNumber(value)) return 'a number';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return `a ${typeof value}`;
  }
  return typeof value;
}

/**
 * Equality of JSON values: key order does not matter, array order does, and 0 equals -0 (JSON cannot
 * tell them apart, but util.isDeepStrictEqual can). A number a double cannot hold, kept as written
 * (util/decimal.ts), is compared exactly on its digits, with any number (`1` equals `1.0`).
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isRawNumber(a) || isRawNumber(b)) return numbersEqual(a, b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = Object.keys(ao);
  if (keys.length !== Object.keys(bo).length) return false;
  for (const k of keys) if (!Object.hasOwn(bo, k) || !jsonEqual(ao[k], bo[k])) return false;
  return true;
}

/**
 * promptfoo's list syntax for contains-any / contains-all: fields split on commas and trimmed; a field
 * in double quotes keeps its commas and spaces (`""` or `\"` is a quote inside it); empty fields are
 * dropped. Throws on an unterminated quote or text after a closing quote.
 */
export function parseCommaList(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  const n = text.length;
  while (i < n) {
    while (i < n && (text[i] === ',' || /\s/.test(text[i]))) i++;
    if (i >= n) break;
    if (text[i] === '"') {
      let field = '';
      let closed = false;
      i++;
      while (i < n) {
        const c = text[i];
        if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
          field += text[i + 1];
          i += 2;
        } else if (c === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (c === '"') {
          closed = true;
          i++;
          break;
        } else {
          field += c;
          i++;
        }
      }
      if (!closed) throw new Error('unterminated quoted field');
      while (i < n && /\s/.test(text[i])) i++;
      if (i < n && text[i] !== ',') throw new Error(`expected a comma after the quoted field "${field}"`);
      out.push(field);
    } else {
      const start = i;
      while (i < n && text[i] !== ',') i++;
      const field = text.slice(start, i).trim();
      if (field !== '') out.push(field);
    }
  }
  return out;
}
