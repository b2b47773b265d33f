import { pointerToSegments } from './json-source.js';

/** RFC 6901 syntax: empty, or `/`-separated tokens where `~` is only ever `~0` or `~1`. */
const POINTER_RE = /^(\/([^~/]|~[01])*)*$/;

export function isJsonPointer(pointer: string): boolean {
  return POINTER_RE.test(pointer);
}

// The same few pointers (a profile's fields, the datasets' paths) are read in every answer of a run:
// splitting each once saves most of a read (0.43 -> 0.06 us). Bounded, so odd pointers cannot grow it
// without end; the arrays are shared, so nothing may change them.
const SEGMENTS_MAX = 10_000;
const segmentsCache = new Map<string, readonly (string | number)[] | null>();

/** pointerToSegments, remembered; null for a malformed pointer. */
export function segmentsOf(pointer: string): readonly (string | number)[] | null {
  let segs = segmentsCache.get(pointer);
  if (segs === undefined) {
    try {
      segs = pointerToSegments(pointer);
    } catch {
      segs = null;
    }
    if (segmentsCache.size < SEGMENTS_MAX) segmentsCache.set(pointer, segs);
  }
  return segs;
}

const validPointers = new Set<string>();

/** isJsonPointer for a pointer read in every answer: valid ones are remembered (bounded like the segments). */
export function isKnownJsonPointer(pointer: string): boolean {
  if (validPointers.has(pointer)) return true;
  if (!POINTER_RE.test(pointer)) return false;
  if (validPointers.size < SEGMENTS_MAX) validPointers.add(pointer);
  return true;
}

/** An array index token per RFC 6901: `0` or digits without a leading zero (never `-`). */
function arrayIndex(seg: string | number, length: number): number | undefined {
  if (typeof seg !== 'number') return undefined;
  return seg < length ? seg : undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The value at a JSON Pointer. Only own properties count, so `/constructor` or `/__proto__` on a plain
 * object is "not found" rather than a prototype member.
 */
export function getAtPointer(value: unknown, pointer: string): { found: boolean; value?: unknown } {
  const segs = segmentsOf(pointer);
  if (segs === null) throw new Error(`not a JSON Pointer: ${pointer}`);
  let cur = value;
  for (const seg of segs) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(seg, cur.length);
      if (i === undefined) return { found: false };
      cur = cur[i];
    } else if (isObject(cur)) {
      const key = String(seg);
      if (!Object.hasOwn(cur, key)) return { found: false };
      cur = cur[key];
    } else {
      return { found: false };
    }
  }
  return { found: true, value: cur };
}

/**
 * A copy of `value` without the member at `pointer` (array elements are spliced out, as JSON Patch
 * `remove` does). Only the containers along the path are copied; the input is never mutated. An absent
 * path returns the input unchanged (ignorePaths name fields that only some responses have). The root
 * pointer `""` removes everything: the result is `undefined`.
 */
export function removeAtPointer(value: unknown, pointer: string): unknown {
  const segs = pointerToSegments(pointer);
  if (segs.length === 0) return undefined;
  return removeAt(value, segs, 0);
}

function removeAt(cur: unknown, segs: (string | number)[], depth: number): unknown {
  const seg = segs[depth];
  const last = depth === segs.length - 1;
  if (Array.isArray(cur)) {
    const i = arrayIndex(seg, cur.length);
    if (i === undefined) return cur;
    if (last) return [...cur.slice(0, i), ...cur.slice(i + 1)];
    const child = removeAt(cur[i], segs, depth + 1);
    if (child === cur[i]) return cur;
    const copy = cur.slice();
    copy[i] = child;
    return copy;
  }
  if (isObject(cur)) {
    const key = String(seg);
    if (!Object.hasOwn(cur, key)) return cur;
    if (last) {
      // fromEntries defines properties, so a JSON key named "__proto__" stays an ordinary key.
      return Object.fromEntries(Object.entries(cur).filter(([k]) => k !== key));
    }
    const child = removeAt(cur[key], segs, depth + 1);
    if (child === cur[key]) return cur;
    return { ...cur, [key]: child };
  }
  return cur;
}

/** Remove every pointer in turn (absent ones are skipped). */
export function removeAtPointers(value: unknown, pointers: readonly string[]): unknown {
  let out = value;
  for (const p of pointers) out = removeAtPointer(out, p);
  return out;
}
