import { isJsonPointer } from '../util/json-pointer.js';
import { pointerToSegments } from '../util/json-source.js';

/**
 * ignorePaths compiled once into a tree of segments, so the canonical serialiser can drop members
 * while it walks the answer instead of copying the answer first (answers are 50 KB and more).
 *
 * Pointers are RFC 6901, with one extension: a segment that is exactly `*` matches every member of an
 * object or array at that level (`/state_snapshot/T1_RAW/* /latency_ms`, without the space), because
 * real answers carry per-call values inside lists. All pointers refer to the answer as it came: removing
 * `/items/0` and `/items/2` removes the first and the third element, not the first and the fourth.
 */
export interface IgnoreNode {
  /** This node names a member to drop. */
  end: boolean;
  children: Map<string, IgnoreNode>;
  wildcard: IgnoreNode | null;
}

export type IgnoreTree = IgnoreNode | null;

function node(): IgnoreNode {
  return { end: false, children: new Map(), wildcard: null };
}

/** Throws a plain Error naming the bad pointer; callers wrap it with the file or flag it came from. */
export function compileIgnorePaths(pointers: readonly string[]): IgnoreTree {
  if (pointers.length === 0) return null;
  const root = node();
  for (const p of pointers) {
    if (p === '' || !isJsonPointer(p)) {
      throw new Error(`ignorePaths: ${JSON.stringify(p)} is not a JSON Pointer to a member (like "/metrics/request_id")`);
    }
    let cur = root;
    for (const seg of pointerToSegments(p)) {
      const key = String(seg);
      if (key === '*') {
        cur.wildcard ??= node();
        cur = cur.wildcard;
      } else {
        let next = cur.children.get(key);
        if (!next) cur.children.set(key, (next = node()));
        cur = next;
      }
    }
    cur.end = true;
  }
  return root;
}

/**
 * The ignore nodes that apply to member `key` below `at` (at most two: the named one and the wildcard).
 * `drop` when any of them ends there.
 */
export function stepIgnore(at: IgnoreNode, key: string): { drop: boolean; next: IgnoreTree } {
  const named = at.children.get(key);
  const wild = at.wildcard;
  if (!named && !wild) return { drop: false, next: null };
  if (named?.end || wild?.end) return { drop: true, next: null };
  if (named && wild) return { drop: false, next: merged(named, wild) };
  return { drop: false, next: (named ?? wild)! };
}

/**
 * What applies below the member or item named `key` (as the answer was sent): the ignore node, or null
 * when nothing is ignored below it. For walks over answers whose ignored members are left out already.
 */
export function ignoreBelow(at: IgnoreTree, key: string): IgnoreTree {
  return at ? stepIgnore(at, key).next : null;
}

const ARRAY_INDEX = /^(?:0|[1-9][0-9]{0,14})$/;
const droppedCache = new WeakMap<IgnoreNode, readonly number[]>();

/** The array items `at` leaves out, by index in the answer as sent, ascending. */
function droppedIndices(at: IgnoreNode): readonly number[] {
  let d = droppedCache.get(at);
  if (!d) {
    d = [...at.children]
      .filter(([k, n]) => n.end && ARRAY_INDEX.test(k))
      .map(([k]) => Number(k))
      .sort((a, b) => a - b);
    droppedCache.set(at, d);
  }
  return d;
}

/**
 * The index in the answer as sent of item `i` of an array whose ignored items (`at`) are left out.
 * Canonical forms drop ignored items, so the items after one move up; a reader of a divergence or a
 * diff looks for the item in the engine's real answer. Depends on the ignore paths only (not on the
 * array), so it maps both answers compared alike, and an index past the end of the shorter one too.
 */
export function originalIndex(at: IgnoreTree, i: number): number {
  // A wildcard that ends here leaves no item: there is no index to map.
  if (!at || at.wildcard?.end) return i;
  let j = i;
  for (const d of droppedIndices(at)) {
    if (d > j) break;
    j++;
  }
  return j;
}

// A named member under a wildcard level is walked with both subtrees, merged once per pair (answers
// repeat the same shapes, so the same pairs come back for every item of a list).
const mergeCache = new WeakMap<IgnoreNode, WeakMap<IgnoreNode, IgnoreNode>>();

function merged(a: IgnoreNode, b: IgnoreNode): IgnoreNode {
  let inner = mergeCache.get(a);
  if (!inner) mergeCache.set(a, (inner = new WeakMap()));
  let m = inner.get(b);
  if (!m) inner.set(b, (m = mergeNodes(a, b)));
  return m;
}

function mergeNodes(a: IgnoreNode, b: IgnoreNode): IgnoreNode {
  const out = node();
  out.end = a.end || b.end;
  for (const [k, v] of a.children) out.children.set(k, v);
  for (const [k, v] of b.children) {
    const mine = out.children.get(k);
    out.children.set(k, mine ? mergeNodes(mine, v) : v);
  }
  out.wildcard = a.wildcard && b.wildcard ? mergeNodes(a.wildcard, b.wildcard) : (a.wildcard ?? b.wildcard);
  return out;
}

/** Sorted, de-duplicated union: the ignore set of a case (config paths + the dataset's). */
export function unionPaths(...lists: (readonly string[] | undefined)[]): string[] {
  const set = new Set<string>();
  for (const l of lists) for (const p of l ?? []) set.add(p);
  return [...set].sort();
}
