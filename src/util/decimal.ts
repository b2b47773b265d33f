/**
 * Exact decimal values of JSON numbers, for the few a double cannot hold (an integer beyond 2^53,
 * more than 15 significant digits, a literal past the double's range). Such a number is kept as
 * `JSON.rawJSON(source)` (Node 24): it prints as written and is compared here on its digits, never
 * through floating arithmetic. Every other number stays a double: its shortest form (String(n)) is
 * then exactly the value written (JSON.parse keeps any decimal of at most 15 digits in range).
 */

interface RawJson {
  readonly rawJSON: string;
}
const J = JSON as unknown as { rawJSON(text: string): RawJson; isRawJSON(v: unknown): v is RawJson };

/** A number kept as written (see exactReviver). */
export function isRawNumber(v: unknown): v is RawJson {
  return typeof v === 'object' && v !== null && J.isRawJSON(v);
}

/** A JSON number's value, normalised: sign, digits without leading or trailing zeros, exponent. */
export interface Decimal {
  negative: boolean;
  /** "" for zero. */
  digits: string;
  /** value = digits × 10^exp */
  exp: bigint;
}

const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** The exact value of a number literal (JSON's or String(double)'s form), or null when it is none (Infinity, NaN). */
export function parseDecimal(text: string): Decimal | null {
  const m = NUMBER.exec(text);
  if (!m) return null;
  const frac = m[3] ?? '';
  let digits = (m[2] + frac).replace(/^0+/, '');
  let exp = BigInt(m[4] ?? '0') - BigInt(frac.length);
  const kept = digits.replace(/0+$/, '');
  exp += BigInt(digits.length - kept.length);
  digits = kept;
  if (digits === '') return { negative: false, digits: '', exp: 0n };
  return { negative: m[1] === '-', digits, exp };
}

/** The exact value of a JSON number held either way, or null (not a number, or a double that is not finite). */
export function decimalOf(v: unknown): Decimal | null {
  if (typeof v === 'number') return Number.isFinite(v) ? parseDecimal(String(v)) : null;
  if (isRawNumber(v)) return parseDecimal(v.rawJSON);
  return null;
}

/** -1, 0 or 1 as a < b, a = b, a > b, exactly. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const sa = a.digits === '' ? 0 : a.negative ? -1 : 1;
  const sb = b.digits === '' ? 0 : b.negative ? -1 : 1;
  if (sa !== sb) return sa < sb ? -1 : 1;
  if (sa === 0) return 0;
  // Same sign: compare magnitudes by the place of the leading digit, then digit by digit.
  const la = a.exp + BigInt(a.digits.length);
  const lb = b.exp + BigInt(b.digits.length);
  let mag = 0;
  if (la !== lb) mag = la < lb ? -1 : 1;
  else {
    const n = Math.max(a.digits.length, b.digits.length);
    const da = a.digits.padEnd(n, '0');
    const db = b.digits.padEnd(n, '0');
    mag = da === db ? 0 : da < db ? -1 : 1;
  }
  return sa < 0 ? -mag : mag;
}

/** Whether two JSON numbers (doubles or kept as written) are the same decimal value; false when either is none. */
export function numbersEqual(a: unknown, b: unknown): boolean {
  const da = decimalOf(a);
  const db = decimalOf(b);
  return da !== null && db !== null && compareDecimal(da, db) === 0;
}

/** Whether the double JSON.parse made of `source` is not the number written there. */
export function doubleLoses(source: string, value: number): boolean {
  const written = parseDecimal(source);
  const read = Number.isFinite(value) ? parseDecimal(String(value)) : null;
  return written === null || read === null || compareDecimal(written, read) !== 0;
}

/** A JSON.parse reviver that keeps, as written, each number its double would change (Node 24's source text access). */
export function exactReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value !== 'number' || context?.source === undefined) return value;
  return doubleLoses(context.source, value) ? J.rawJSON(context.source) : value;
}

/**
 * Calls `visit` with each number literal of a JSON text, outside strings, that a double changes, and its
 * offset; stops early when `visit` returns true. Only literals long enough to be one are judged: 16 or
 * more characters (15 significant digits always survive a double) or with an exponent (the only way
 * out of the double's range in fewer), and those exactly (doubleLoses), so Python's and JavaScript's
 * shortest forms of doubles (0.6000000000000001) pass. A hex digest or an id in a string is no number.
 * Text that is not JSON may be judged either way (an unterminated string ends the scan); it is parsed
 * after this, and refused there.
 */
export function scanInexactNumbers(text: string, visit: (literal: string, offset: number) => boolean | void): void {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = afterString(text, i);
      if (i < 0) return;
      continue;
    }
    if (c === MINUS || (c >= ZERO && c <= NINE)) {
      let j = i + 1;
      let exponent = false;
      for (; j < n; j++) {
        const d = text.charCodeAt(j);
        if (d === LOWER_E || d === UPPER_E) exponent = true;
        else if (!((d >= ZERO && d <= NINE) || d === POINT || d === PLUS || d === MINUS)) break;
      }
      if (j - i >= 16 || exponent) {
        const literal = text.slice(i, j);
        if (doubleLoses(literal, Number(literal)) && visit(literal, i) === true) return;
      }
      i = j;
      continue;
    }
    i++;
  }
}

/** Whether a JSON text holds a number a double cannot (scanInexactNumbers): never wrong in that direction. */
export function mayHoldInexactNumber(text: string): boolean {
  let found = false;
  scanInexactNumbers(text, () => (found = true));
  return found;
}

const QUOTE = 34;
const BACKSLASH = 92;
const MINUS = 45;
const PLUS = 43;
const POINT = 46;
const ZERO = 48;
const NINE = 57;
const LOWER_E = 101;
const UPPER_E = 69;

/** Just past the closing quote of the string opening at `at`; -1 when it is not closed. */
function afterString(text: string, at: number): number {
  let end = text.indexOf('"', at + 1);
  while (end >= 0) {
    // Escaped when an odd run of backslashes stands before it.
    let b = end - 1;
    while (text.charCodeAt(b) === BACKSLASH) b--;
    if ((end - 1 - b) % 2 === 0) return end + 1;
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/**
 * JSON.parse, keeping the numbers a double would change as written (only when the text may hold one).
 * A reviver walks the value recursively: JSON nested too deeply for that is parsed plainly (doubles).
 */
export function parseJsonExact(text: string): unknown {
  if (!mayHoldInexactNumber(text)) return JSON.parse(text);
  try {
    return JSON.parse(text, exactReviver as (k: string, v: unknown) => unknown);
  } catch (err) {
    if (err instanceof RangeError) return JSON.parse(text);
    throw err;
  }
}

/** Whether an answer's raw text needs the exact re-parse (answerWithExactNumbers): most answers do not. */
export function answerNeedsExactParse(raw: string | undefined): raw is string {
  return raw !== undefined && mayHoldInexactNumber(raw);
}

/**
 * The engine's parsed answer with each number a double changed replaced by the number as its raw
 * text writes it. Only numbers are taken from the raw text, and only where the body holds the same
 * double there: the body may have been redacted or reshaped since, and its strings stay as they are.
 * The body itself when the raw text needs no exact parse or does not parse.
 */
export function answerWithExactNumbers(body: unknown, raw: string | undefined): unknown {
  if (!answerNeedsExactParse(raw)) return body;
  let exact: unknown;
  try {
    exact = JSON.parse(raw.replace(/^\uFEFF/, ''), exactReviver as (k: string, v: unknown) => unknown);
  } catch {
    return body;
  }
  return overlay(body, exact, 0);
}

function overlay(body: unknown, exact: unknown, depth: number): unknown {
  if (typeof body === 'number') return isRawNumber(exact) && Object.is(Number(exact.rawJSON), body) ? exact : body;
  if (typeof body !== 'object' || body === null || typeof exact !== 'object' || exact === null || depth > 10000) return body;
  if (Array.isArray(body)) {
    if (!Array.isArray(exact) || exact.length !== body.length) return body;
    let out: unknown[] | null = null;
    for (let i = 0; i < body.length; i++) {
      const v = overlay(body[i], exact[i], depth + 1);
      if (v !== body[i]) (out ??= body.slice())[i] = v;
    }
    return out ?? body;
  }
  if (Array.isArray(exact)) return body;
  const b = body as Record<string, unknown>;
  const e = exact as Record<string, unknown>;
  let out: Record<string, unknown> | null = null;
  for (const k of Object.keys(b)) {
    if (!Object.hasOwn(e, k)) continue;
    const v = overlay(b[k], e[k], depth + 1);
    if (v !== b[k]) (out ??= { ...b })[k] = v;
  }
  return out ?? body;
}
