import { hash } from 'node:crypto';
import { stepIgnore, type IgnoreNode, type IgnoreTree } from './ignore-paths.js';

/**
 * The canonical form c(y) of an answer (DESIGN §4.1): the parsed JSON with ignorePaths removed,
 * serialised the RFC 8785 (JCS) way: object members sorted by the UTF-16 code units of their names
 * (what Array.prototype.sort does by default), no whitespace, numbers and strings as ECMAScript's
 * JSON.stringify writes them (which is exactly what JCS prescribes for both).
 *
 * Written by hand rather than with the `canonicalize` package: JCS on JavaScript values is these few
 * lines, and dropping ignored members during the same walk saves copying a 50 KB answer first.
 * Values JSON cannot hold follow JSON.stringify (undefined members are left out, undefined or
 * non-finite array items and non-finite numbers become null, `toJSON` is honoured), so the canonical
 * form of an in-process answer equals that of its serialised-then-parsed bytes.
 */
export function canonicalJson(value: unknown, ignore: IgnoreTree = null): string {
  const sorted = sortedCopy(value, ignore);
  if (sorted !== UNSORTABLE) return JSON.stringify(sorted) ?? 'null';
  return canonicalJsonByWalk(value, ignore);
}

/**
 * The same text written member by member. `canonicalJson` takes this path only for the values a
 * sorted copy cannot stand for (see sortedCopy); tests hold the two paths to one result.
 */
export function canonicalJsonByWalk(value: unknown, ignore: IgnoreTree = null): string {
  const out = ignore ? writeIgnoring(value, ignore) : write(value);
  return out === undefined ? 'null' : out;
}

const UNSORTABLE = Symbol('unsortable');

/**
 * Member names in code-unit order (what the default sort gives), sorted in place. Objects of an
 * answer have a few names each; for those an insertion sort allocates nothing, where
 * Array.prototype.sort allocates a work array per call: 30% of all SIM allocation at 100k cases.
 */
function sortNames(names: string[]): string[] {
  if (names.length > 24) return names.sort();
  for (let i = 1; i < names.length; i++) {
    const name = names[i];
    let j = i - 1;
    while (j >= 0 && names[j] > name) {
      names[j + 1] = names[j];
      j--;
    }
    names[j + 1] = name;
  }
  return names;
}
/** An array index as a member name: objects list those first, in numeric order, whatever the insertion order. */
const INDEX_NAME = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * A copy of the value whose objects have their members inserted in JCS order and ignored members
 * left out, so that the engine's own JSON.stringify writes the canonical text: copying and native
 * serialising take about half the time of concatenating the text in JavaScript (30 against 60 us for
 * a 7 KB Toron answer), and SIM canonicalises every answer it snapshots.
 * UNSORTABLE where insertion order cannot set the member order: a member named like an array index
 * (objects enumerate those first, numerically) or `__proto__` (assigning it sets the prototype).
 */
function sortedCopy(v: unknown, ignore: IgnoreTree): unknown {
  if (typeof v !== 'object' || v === null) return v;
  const j = viaToJSON(v);
  if (j) return sortedCopy(j.value, ignore);
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (let i = 0; i < v.length; i++) {
      let next: IgnoreTree = null;
      if (ignore) {
        const step = below(ignore, String(i));
        if (step === DROP) continue;
        next = step;
      }
      const item = sortedCopy(v[i], next);
      if (item === UNSORTABLE) return UNSORTABLE;
      out.push(item);
    }
    return out;
  }
  const rec = v as Record<string, unknown>;
  const keys = sortNames(Object.keys(rec));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const c0 = k.charCodeAt(0);
    if ((c0 <= 57 && c0 >= 48 && INDEX_NAME.test(k)) || (c0 === 95 && k === '__proto__')) return UNSORTABLE;
    let next: IgnoreTree = null;
    if (ignore) {
      const step = below(ignore, k);
      if (step === DROP) continue;
      next = step;
    }
    const member = sortedCopy(rec[k], next);
    if (member === UNSORTABLE) return UNSORTABLE;
    out[k] = member;
  }
  return out;
}

/** sha256 of a text, hex (the one-shot hash: no Hash object per answer). */
export function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

/** sha256 of bytes, hex: sha256Hex of the text they encode in UTF-8. */
export function sha256HexOf(bytes: Uint8Array): string {
  return hash('sha256', bytes, 'hex');
}

/** Canonical text and its hash, in one call. */
export function canonicalHash(value: unknown, ignore: IgnoreTree = null): { canonical: string; hash: string } {
  const canonical = canonicalJson(value, ignore);
  return { canonical, hash: sha256Hex(canonical) };
}

// Member names repeat across answers (every Toron answer has the same few hundred): quoting each once
// is a measurable part of the walk. Bounded, so odd answers with random keys cannot grow it forever,
// and short names only: a map keyed by the prompt has names as long as prompts, a new one per case,
// and 20,000 of 5 KB kept 218 MB alive for the rest of the run.
const QUOTED_MAX = 20_000;
const QUOTED_NAME_MAX = 128;
const quoted = new Map<string, string>();

function quote(name: string): string {
  let q = quoted.get(name);
  if (q === undefined) {
    q = JSON.stringify(name);
    if (quoted.size < QUOTED_MAX && name.length <= QUOTED_NAME_MAX) quoted.set(name, q);
  }
  return q;
}

/** A non-plain object (Date, a class instance) may carry `toJSON`; parsed JSON never does. */
function viaToJSON(v: object): { value: unknown } | null {
  const proto = Object.getPrototypeOf(v);
  if (proto === Object.prototype || proto === null || proto === Array.prototype) return null;
  const toJSON = (v as { toJSON?: unknown }).toJSON;
  return typeof toJSON === 'function' ? { value: toJSON.call(v, '') } : null;
}

function scalar(v: unknown): string | undefined | null {
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      // For finite numbers String() and JSON.stringify agree (ECMAScript Number::toString: JCS's rule).
      return Number.isFinite(v) ? '' + v : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: a BigInt is not JSON');
    case 'object':
      return v === null ? 'null' : null; // null: a container, walked by the caller
    default:
      return undefined; // undefined, functions, symbols: left out like JSON.stringify does
  }
}

/** The walk without ignorePaths: the common case, kept free of the per-member ignore lookups. */
function write(v: unknown): string | undefined {
  const s = scalar(v);
  if (s !== null) return s;
  const o = v as object;
  const j = viaToJSON(o);
  if (j) return write(j.value);
  if (Array.isArray(o)) {
    let out = '[';
    for (let i = 0; i < o.length; i++) {
      const item = write(o[i]);
      out += (i === 0 ? '' : ',') + (item === undefined ? 'null' : item);
    }
    return out + ']';
  }
  const rec = o as Record<string, unknown>;
  const keys = sortNames(Object.keys(rec));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const member = write(rec[keys[i]]);
    if (member === undefined) continue;
    out += (first ? '' : ',') + quote(keys[i]) + ':' + member;
    first = false;
  }
  return out + '}';
}

function writeIgnoring(v: unknown, ignore: IgnoreNode): string | undefined {
  const s = scalar(v);
  if (s !== null) return s;
  const o = v as object;
  const j = viaToJSON(o);
  if (j) return writeIgnoring(j.value, ignore);
  if (Array.isArray(o)) {
    let out = '[';
    let first = true;
    for (let i = 0; i < o.length; i++) {
      const next = below(ignore, String(i));
      if (next === DROP) continue;
      const item = next ? writeIgnoring(o[i], next) : write(o[i]);
      out += (first ? '' : ',') + (item === undefined ? 'null' : item);
      first = false;
    }
    return out + ']';
  }
  const rec = o as Record<string, unknown>;
  const keys = sortNames(Object.keys(rec));
  let out = '{';
  let first = true;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const next = below(ignore, k);
    if (next === DROP) continue;
    const member = next ? writeIgnoring(rec[k], next) : write(rec[k]);
    if (member === undefined) continue;
    out += (first ? '' : ',') + quote(k) + ':' + member;
    first = false;
  }
  return out + '}';
}

const DROP = 'drop';

/** What applies below member `key`: DROP it, walk it with these ignore paths, or (null) plainly. */
function below(at: IgnoreNode, key: string): IgnoreNode | null | typeof DROP {
  const named = at.children.get(key);
  const wild = at.wildcard;
  if (named === undefined && wild === null) return null;
  const step = stepIgnore(at, key);
  return step.drop ? DROP : step.next;
}

/**
 * Why an answer has no canonical form, from what the walk threw: nested deeper than its stack (a
 * runaway trace thousands of levels deep), or holding what JSON cannot (a BigInt). The snapshot keeps
 * such an answer as an 'unreadable' error and replay counts it as no answer, in these words.
 */
export function noCanonicalForm(err: unknown): string {
  return `the answer has no canonical form: ${err instanceof RangeError ? 'nested too deeply' : (err as Error).message}`;
}
