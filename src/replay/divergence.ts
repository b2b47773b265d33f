import { segmentsToPointer } from '../util/json-source.js';
import { ignoreBelow, originalIndex, type IgnoreTree } from './ignore-paths.js';
import { firstDifferingChar, textSimilarity } from './similarity.js';

/**
 * Where two answers first differ, in canonical order (members by sorted name, items by index).
 *
 * The answers compared are canonical forms, with their ignorePaths left out; given those paths
 * (`ignore`), pointers name the value in the answers as the engine sent them: with `/items/1` ignored,
 * item 1 of the canonical form is item 2 of the answer. Without them, pointers are into the values given.
 */
export interface Divergence {
  /** JSON Pointer of the first differing value ("" when the whole answers differ in type). */
  pointer: string;
  /** Inside a string: the index of the first differing character. */
  charIndex?: number;
}

/** One differing leaf of two answers: `left` the earlier answer (snapshot, baseline), `right` the later. */
export interface ValueDiff {
  pointer: string;
  kind: 'changed' | 'added' | 'removed';
  /** Absent for `added`. Long texts and big values are shortened (see `preview`). */
  left?: unknown;
  /** Absent for `removed`. */
  right?: unknown;
  charIndex?: number;
  /** Both sides text: normalized Levenshtein similarity (null when too long to compute). */
  similarity?: number | null;
}

type Kind = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean' | 'other';

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  return t === 'object' || t === 'string' || t === 'number' || t === 'boolean' ? t : 'other';
}

/**
 * The first divergence between two parsed answers, or null when they are equal. `ignore`: the paths
 * both answers had left out (see Divergence), so that the pointer is into the answers as sent.
 */
export function firstDivergence(a: unknown, b: unknown, ignore: IgnoreTree = null): Divergence | null {
  let found = null as Divergence | null;
  walkPairs(a, b, ignore, {
    missing: (at) => {
      found = { pointer: segmentsToPointer(at) };
      return true;
    },
    leaf: (x, y, at) => {
      const d = leafDivergence(x, y, at);
      if (d) found = d;
      return d !== null;
    },
  });
  return found;
}

function leafDivergence(a: unknown, b: unknown, at: (string | number)[]): Divergence | null {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return { pointer: segmentsToPointer(at) };
  if (ka === 'string') return a === b ? null : { pointer: segmentsToPointer(at), charIndex: firstDifferingChar(a as string, b as string) };
  return Object.is(a, b) || a === b ? null : { pointer: segmentsToPointer(at) };
}

function mergedKeys(x: object, y: object): string[] {
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
}

/** What the walk of two values reports; each returns true to stop the walk. */
interface PairVisitor {
  /** An item or member one side has and the other has not (`at`: its pointer segments). */
  missing(at: (string | number)[], left: { has: boolean; value: unknown }, right: { has: boolean; value: unknown }): boolean;
  /** Two values that are not both arrays or both objects. */
  leaf(x: unknown, y: unknown, at: (string | number)[]): boolean;
}

/** One container pair being walked: its child names (null for arrays) and the next child. */
interface Frame {
  x: unknown[] | Record<string, unknown>;
  y: unknown[] | Record<string, unknown>;
  ig: IgnoreTree;
  keys: string[] | null;
  /** Items or members to visit: for arrays the longer length. */
  n: number;
  i: number;
}

/**
 * Both values walked together in canonical order (members by sorted name, items by index), with an
 * explicit stack: answers nested thousands of levels deep have a canonical form, and a recursive walk
 * ran out of stack before it. `at` holds the pointer segments of the pair visited (as sent, see
 * Divergence); array items past the shorter list are `missing`.
 */
function walkPairs(a: unknown, b: unknown, ignore: IgnoreTree, v: PairVisitor): void {
  const at: (string | number)[] = [];
  const stack: Frame[] = [];
  // Push a frame for two containers of one kind, or visit them as a leaf pair; true: stop.
  const enter = (x: unknown, y: unknown, ig: IgnoreTree): boolean => {
    const kx = kindOf(x);
    if (kx === kindOf(y)) {
      if (kx === 'array') {
        const xa = x as unknown[];
        const ya = y as unknown[];
        stack.push({ x: xa, y: ya, ig, keys: null, n: Math.max(xa.length, ya.length), i: 0 });
        return false;
      }
      if (kx === 'object') {
        const keys = mergedKeys(x as object, y as object);
        stack.push({ x: x as Record<string, unknown>, y: y as Record<string, unknown>, ig, keys, n: keys.length, i: 0 });
        return false;
      }
    }
    return v.leaf(x, y, at);
  };
  if (enter(a, b, ignore)) return;
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i >= f.n) {
      stack.pop();
      if (stack.length > 0) at.pop(); // the segment that led into this frame
      continue;
    }
    const i = f.i++;
    let seg: string | number;
    let x: unknown;
    let y: unknown;
    let next: IgnoreTree;
    if (f.keys === null) {
      const xa = f.x as unknown[];
      const ya = f.y as unknown[];
      seg = originalIndex(f.ig, i);
      if (i >= xa.length || i >= ya.length) {
        at.push(seg);
        const stop = v.missing(at, { has: i < xa.length, value: xa[i] }, { has: i < ya.length, value: ya[i] });
        at.pop();
        if (stop) return;
        continue;
      }
      x = xa[i];
      y = ya[i];
      next = ignoreBelow(f.ig, String(seg));
    } else {
      const k = (seg = f.keys[i]);
      const xo = f.x as Record<string, unknown>;
      const yo = f.y as Record<string, unknown>;
      const hx = Object.hasOwn(xo, k);
      const hy = Object.hasOwn(yo, k);
      if (!hx || !hy) {
        at.push(k);
        const stop = v.missing(at, { has: hx, value: hx ? xo[k] : undefined }, { has: hy, value: hy ? yo[k] : undefined });
        at.pop();
        if (stop) return;
        continue;
      }
      x = xo[k];
      y = yo[k];
      next = ignoreBelow(f.ig, k);
    }
    at.push(seg);
    const before = stack.length;
    if (enter(x, y, next)) return;
    if (stack.length === before) at.pop(); // a leaf pair: its segment is done
  }
}

/**
 * Every differing leaf, in canonical order, at most `limit` of them (`total` counts them all). Arrays
 * are compared item by item: a rotated list shows as one change per moved item, which is what a reader
 * of a replay diff wants to see. `ignore`: as for firstDivergence, pointers are into the answers as sent.
 */
export function diffValues(
  a: unknown,
  b: unknown,
  opts: { limit?: number; previewChars?: number; ignore?: IgnoreTree } = {},
): { diffs: ValueDiff[]; total: number } {
  const limit = opts.limit ?? 20;
  const chars = opts.previewChars ?? 160;
  const diffs: ValueDiff[] = [];
  let total = 0;
  walkPairs(a, b, opts.ignore ?? null, {
    missing: (at, left, right) => {
      total++;
      if (diffs.length < limit) {
        const pointer = segmentsToPointer(at);
        diffs.push(left.has ? { pointer, kind: 'removed', left: preview(left.value, chars) } : { pointer, kind: 'added', right: preview(right.value, chars) });
      }
      return false;
    },
    leaf: (x, y, at) => {
      const kx = kindOf(x);
      if (kx === kindOf(y) && (x === y || Object.is(x, y))) return false;
      total++;
      if (diffs.length >= limit) return false;
      const pointer = segmentsToPointer(at);
      if (kx === 'string' && typeof y === 'string') {
        const charIndex = firstDifferingChar(x as string, y);
        diffs.push({
          pointer,
          kind: 'changed',
          left: excerpt(x as string, charIndex, chars),
          right: excerpt(y, charIndex, chars),
          charIndex,
          similarity: textSimilarity(x as string, y),
        });
      } else {
        diffs.push({ pointer, kind: 'changed', left: preview(x, chars), right: preview(y, chars) });
      }
      return false;
    },
  });
  return { diffs, total };
}

/** A value as a diff shows it: itself when short, else its JSON text cut to `chars` with an ellipsis. */
export function preview(v: unknown, chars = 160): unknown {
  if (typeof v === 'string') return excerpt(v, 0, chars);
  if (v === null || typeof v !== 'object') return v;
  const text = JSON.stringify(v);
  if (text.length <= chars) return v;
  const end = isHigh(text.charCodeAt(chars - 1)) ? chars - 1 : chars;
  return `${text.slice(0, end)}…`;
}

/** A long text around `at`: some context before, the rest after, with ellipses where cut. */
export function excerpt(s: string, at: number, chars = 160): string {
  if (s.length <= chars) return s;
  const before = Math.min(at, Math.floor(chars / 4));
  let start = at - before;
  let end = Math.min(s.length, start + chars);
  // Cut between characters, not between the halves of a surrogate pair (an emoji): a half alone is
  // no text, and reports write it as U+FFFD.
  if (start > 0 && isLow(s.charCodeAt(start)) && isHigh(s.charCodeAt(start - 1))) start++;
  if (end < s.length && isHigh(s.charCodeAt(end - 1)) && isLow(s.charCodeAt(end))) end--;
  if (end < start) end = start;
  return `${start > 0 ? '…' : ''}${s.slice(start, end)}${end < s.length ? '…' : ''}`;
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * A pointer as a message shows it: whole up to `max` characters, else its start and its end (where
 * the differing leaf is) around "…(N chars)…". Member names can be as long as a prompt (an engine
 * that keys a cache by it) and a deep answer's pointer megabytes long; messages go to the console,
 * logs, annotations and report.html. report.json keeps the whole pointer.
 * A line feed in a member name is shown as \x0a, as escapeControls shows the other controls (which
 * keeps line feeds for multi-line messages): shown as it is, an engine's member name could forge a
 * line of run.log or of the console ("… INFO [runner] done: PASS").
 */
export function shortPointer(pointer: string, max = 200): string {
  if (pointer.length <= max) return pointer.replace(/\n/g, '\\x0a');
  let head = Math.ceil(max * 0.6);
  let tail = pointer.length - (max - head);
  // Never between the halves of a surrogate pair.
  if (/[\ud800-\udbff]/.test(pointer[head - 1])) head--;
  if (/[\udc00-\udfff]/.test(pointer[tail])) tail++;
  return `${pointer.slice(0, head)}…(${pointer.length} chars)…${pointer.slice(tail)}`.replace(/\n/g, '\\x0a');
}
