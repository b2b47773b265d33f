import { segmentsOf } from '../../util/json-pointer.js';

/** Small readers shared by the profiles: they never throw on odd input, they report what they saw. */

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value at a JSON Pointer, or undefined when absent (a malformed pointer reads as absent). Own
 * properties only, as util/json-pointer: `/constructor` is not found on a plain object.
 */
export function at(body: unknown, pointer: string): unknown {
  const segs = segmentsOf(pointer);
  if (segs === null) return undefined;
  let cur = body;
  for (const seg of segs) {
    if (Array.isArray(cur)) {
      if (typeof seg !== 'number' || seg >= cur.length) return undefined;
      cur = cur[seg];
    } else if (isRecord(cur)) {
      const key = String(seg);
      if (!Object.hasOwn(cur, key)) return undefined;
      cur = cur[key];
    } else {
      return undefined;
    }
  }
  return cur;
}

export function finiteNumber(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function bool(v: unknown): boolean | null {
  return typeof v === 'boolean' ? v : null;
}

/** A non-empty object or list counts as "a result is there"; {} , [], null and absent do not. */
export function nonEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return v !== undefined && v !== null && v !== '' && v !== false;
}

/** Items of a list, or keys of an object (evidence clusters are keyed by layer). */
export function countOf(v: unknown): number {
  if (Array.isArray(v)) return v.length;
  if (isRecord(v)) return Object.keys(v).length;
  return 0;
}

/** "A->B->C" or ["A","B","C"] as a list of trimmed names; null when neither. */
export function tierList(v: unknown): string[] | null {
  if (typeof v === 'string') {
    return v
      .split('->')
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v.map((s) => s.trim());
  return null;
}

export function describe(v: unknown): string {
  if (v === undefined) return 'absent';
  if (v === null) return 'null';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string (${JSON.stringify(v.length > 40 ? `${v.slice(0, 37)}...` : v)})`;
  return `${typeof v} ${String(v)}`;
}

/** Normalise a score by its declared scale; non-numbers stay null (never guessed from the value). */
export function normalise(raw: unknown, scale: 1 | 100): number | null {
  const n = finiteNumber(raw);
  return n === null ? null : n / scale;
}

/** Why a reported contradiction count is unreadable (null: it is a count, a whole number 0 or more). */
export function countProblem(pointer: string, v: unknown): string | null {
  if (v === undefined) return `the contradiction count ${pointer} is missing`;
  const n = finiteNumber(v);
  if (n === null) return `the contradiction count ${pointer} is ${describe(v)}, not a number`;
  if (!Number.isInteger(n) || n < 0) return `the contradiction count ${pointer} is ${describe(v)}, not a count (a whole number, 0 or more)`;
  return null;
}
