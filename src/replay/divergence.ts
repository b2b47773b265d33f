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
  return diverge(a, b, [], ignore);
}

function diverge(a: unknown, b: unknown, at: (string | number)[], ig: IgnoreTree): Divergence | null {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) return { pointer: segmentsToPointer(at) };
  switch (ka) {
    case 'string':
      return a === b ? null : { pointer: segmentsToPointer(at), charIndex: firstDifferingChar(a as string, b as string) };
    case 'array': {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const sent = originalIndex(ig, i);
        at.push(sent);
        const d = diverge(x[i], y[i], at, ignoreBelow(ig, String(sent)));
        at.pop();
        if (d) return d;
      }
      return x.length === y.length ? null : { pointer: segmentsToPointer([...at, originalIndex(ig, n)]) };
    }
    case 'object': {
      const x = a as Record<string, unknown>;
      const y = b as Record<string, unknown>;
      for (const k of mergedKeys(x, y)) {
        if (!Object.hasOwn(x, k) || !Object.hasOwn(y, k)) return { pointer: segmentsToPointer([...at, k]) };
        at.push(k);
        const d = diverge(x[k], y[k], at, ignoreBelow(ig, k));
        at.pop();
        if (d) return d;
      }
      return null;
    }
    default:
      return Object.is(a, b) || a === b ? null : { pointer: segmentsToPointer(at) };
  }
}

function mergedKeys(x: object, y: object): string[] {
  return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort();
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
  const add = (d: ValueDiff) => {
    total++;
    if (diffs.length < limit) diffs.push(d);
  };
  const walk = (x: unknown, y: unknown, at: (string | number)[], ig: IgnoreTree): void => {
    const kx = kindOf(x);
    const ky = kindOf(y);
    if (kx === ky && kx === 'array') {
      const xa = x as unknown[];
      const ya = y as unknown[];
      for (let i = 0; i < Math.max(xa.length, ya.length); i++) {
        const sent = originalIndex(ig, i);
        if (i >= xa.length) add({ pointer: segmentsToPointer([...at, sent]), kind: 'added', right: preview(ya[i], chars) });
        else if (i >= ya.length) add({ pointer: segmentsToPointer([...at, sent]), kind: 'removed', left: preview(xa[i], chars) });
        else {
          at.push(sent);
          walk(xa[i], ya[i], at, ignoreBelow(ig, String(sent)));
          at.pop();
        }
      }
      return;
    }
    if (kx === ky && kx === 'object') {
      const xo = x as Record<string, unknown>;
      const yo = y as Record<string, unknown>;
      for (const k of mergedKeys(xo, yo)) {
        if (!Object.hasOwn(yo, k)) add({ pointer: segmentsToPointer([...at, k]), kind: 'removed', left: preview(xo[k], chars) });
        else if (!Object.hasOwn(xo, k)) add({ pointer: segmentsToPointer([...at, k]), kind: 'added', right: preview(yo[k], chars) });
        else {
          at.push(k);
          walk(xo[k], yo[k], at, ignoreBelow(ig, k));
          at.pop();
        }
      }
      return;
    }
    if (kx === ky && (x === y || Object.is(x, y))) return;
    const pointer = segmentsToPointer(at);
    if (kx === 'string' && ky === 'string') {
      const charIndex = firstDifferingChar(x as string, y as string);
      add({
        pointer,
        kind: 'changed',
        left: excerpt(x as string, charIndex, chars),
        right: excerpt(y as string, charIndex, chars),
        charIndex,
        similarity: textSimilarity(x as string, y as string),
      });
      return;
    }
    add({ pointer, kind: 'changed', left: preview(x, chars), right: preview(y, chars) });
  };
  walk(a, b, [], opts.ignore ?? null);
  return { diffs, total };
}

/** A value as a diff shows it: itself when short, else its JSON text cut to `chars` with an ellipsis. */
export function preview(v: unknown, chars = 160): unknown {
  if (typeof v === 'string') return excerpt(v, 0, chars);
  if (v === null || typeof v !== 'object') return v;
  const text = JSON.stringify(v);
  return text.length <= chars ? v : `${text.slice(0, chars)}…`;
}

/** A long text around `at`: some context before, the rest after, with ellipses where cut. */
export function excerpt(s: string, at: number, chars = 160): string {
  if (s.length <= chars) return s;
  const before = Math.min(at, Math.floor(chars / 4));
  const start = at - before;
  const end = Math.min(s.length, start + chars);
  return `${start > 0 ? '…' : ''}${s.slice(start, end)}${end < s.length ? '…' : ''}`;
}
