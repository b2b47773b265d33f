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

/** A tier path for a message: its names as JSON, the first 12 at most. */
export function shownPath(names: readonly string[]): string {
  const short = names.slice(0, 12).map((n) => (n.length > 40 ? `${n.slice(0, 37)}...` : n));
  return names.length > 12 ? `${JSON.stringify(short).slice(0, -1)},...+${names.length - 12}]` : JSON.stringify(short);
}

/**
 * What is wrong with a tier path as the engine wrote it (null: nothing). Tiers are the names T<n>;
 * other stage names (2.5h's T1_SUMMARY, CDG, JUDICIAL, ...) are not judged. Tier 1 always runs, and
 * tiers run in order, each once (one may be skipped: T2 when no audit ran).
 */
export function tierPathProblem(pointer: string, raw: unknown, required: boolean): string | null {
  if (raw === undefined || raw === null) return required ? `the tier path ${pointer} is missing` : null;
  if (Array.isArray(raw)) {
    const bad = raw.findIndex((x) => typeof x !== 'string');
    if (bad >= 0) return `the tier path ${pointer} has an item that is no tier name: ${pointer}/${bad} is ${describe(raw[bad])}`;
  } else if (typeof raw !== 'string') {
    return `the tier path ${pointer} is ${describe(raw)}, not a list of tier names`;
  }
  const names = tierList(raw) ?? [];
  if (names.length === 0) return `the tier path ${pointer} is empty`;
  const seen = new Set<number>();
  let last = 0;
  for (const name of names) {
    const m = /^T(\d+)$/.exec(name);
    if (!m) continue;
    const k = Number(m[1]);
    if (seen.has(k)) return `the tier path names ${name} twice (${shownPath(names)})`;
    if (k < last) return `the tier path runs ${name} after T${last} (${shownPath(names)})`;
    seen.add(k);
    last = k;
  }
  if (!seen.has(1)) return `the tier path has no T1 (${shownPath(names)})`;
  return null;
}
