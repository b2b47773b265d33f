import { parseTree, findNodeAtLocation, printParseErrorCode, visit, type Node } from 'jsonc-parser';
import { InputError } from './errors.js';

/**
 * A text that is not the JSON it should be (a syntax error, a member named twice): an InputError that also
 * keeps the offset and the bare message, so that a caller who knows the file's layout can say more (a
 * dataset names the case the error is in).
 */
export class JsonTextError extends InputError {
  constructor(
    readonly detail: string,
    readonly offset: number,
    where: { file: string; line: number; column: number; pointer?: string },
  ) {
    super(detail, where);
  }
}

/** A parsed JSON file that can say on which line any of its values starts. */
export interface JsonSource {
  file: string;
  value: unknown;
  /** 1-based line of the value at a JSON Pointer; the nearest existing ancestor's line when it is absent. */
  lineOf(pointer: string): number;
  /** lineOf(`${array}/${index}`) for an array of the top levels, without making and looking up the pointer (100k cases). */
  lineOfItem(array: string, index: number): number;
}

/** Line starts of a text, for offset -> line/column: after LF, CRLF, or a lone CR (old Mac files). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  if (text.indexOf('\r') < 0) {
    // No CR at all (nearly every file): the engine's own search finds the line feeds, 10x faster than
    // looking at each character (26 ms for a 13 MB dataset of 100k cases).
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

export function positionAt(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - starts[lo] + 1 };
}

export function pointerToSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new Error(`not a JSON Pointer: ${pointer}`);
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    // An array index as a number; a longer run of digits (no array is that long) stays the member name it
    // is, a double would round it: "12345678901234567890" must not become ...567000.
    .map((s) => (/^(0|[1-9][0-9]{0,14})$/.test(s) ? Number(s) : s));
}

export function segmentsToPointer(segments: (string | number)[]): string {
  return segments.map((s) => '/' + String(s).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

/** Pointers this shallow are indexed in the first pass; deeper ones build the full tree on demand. */
const INDEXED_DEPTH = 2;

/**
 * Parse strict JSON (no comments, no trailing commas). A syntax error throws an InputError with
 * file:line:column. `file` is the path as it should be printed (relative).
 *
 * Good files (what every run reads) take the fast path: JSON.parse, then one plain character scan of
 * the known-valid text records where every value of the top two levels starts (`/name`, `/cases/17`):
 * that is all a dataset of 100k cases asks for on the good path. A text JSON.parse refuses goes through
 * jsonc-parser's visitor, which names the first problem. The full node tree, which costs several times
 * more, is only built when a deeper pointer is asked for (errors).
 */
export function parseJsonSource(text: string, file: string): JsonSource {
  // Before any parser: the careful one (jsonc-parser) recurses, and overflows on deep enough text.
  const structure = scanStructure(text);
  if (structure.deepAt >= 0) {
    const pos = positionAt(lineStarts(text), structure.deepAt);
    throw new InputError(`nested deeper than ${MAX_JSON_DEPTH} levels`, { file, line: pos.line, column: pos.column });
  }
  let value: unknown;
  let shallow: Map<string, number>;
  let items = NO_ITEMS;
  let starts: number[];
  try {
    value = JSON.parse(text);
    starts = lineStarts(text);
    ({ shallow, items } = shallowOffsets(text));
  } catch {
    ({ value, shallow, starts } = checkedParse(text, file));
  }
  if (structure.keys !== memberCount(value)) rejectDuplicate(text, file, starts);
  let tree: Node | undefined;
  const deepOffset = (pointer: string): number => {
    tree ??= parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
    if (!tree) return 0;
    let segs = pointerToSegments(pointer);
    let node: Node | undefined;
    while (!(node = findNodeAtLocation(tree, segs)) && segs.length > 0) segs = segs.slice(0, -1);
    return node?.parent?.type === 'property' ? node.parent.offset : (node ?? tree).offset;
  };
  const lineOf = (pointer: string): number => {
    const known = shallow.get(pointer) ?? itemOffset(items, pointer);
    return positionAt(starts, known ?? deepOffset(pointer)).line;
  };
  return {
    file,
    value,
    lineOf,
    lineOfItem(array: string, index: number): number {
      const at = items.get(array)?.[index];
      return at !== undefined ? positionAt(starts, at).line : lineOf(`${array}/${index}`);
    },
  };
}

/** Item offsets by the pointer of their array (the top levels of a text JSON.parse accepted). */
type ItemOffsets = Map<string, number[]>;
const NO_ITEMS: ItemOffsets = new Map();

/** The offset of `pointer` when it names an item of an indexed array (`/cases/17`). */
function itemOffset(items: ItemOffsets, pointer: string): number | undefined {
  if (items.size === 0) return undefined;
  const slash = pointer.lastIndexOf('/');
  const index = pointer.slice(slash + 1);
  if (!/^(?:0|[1-9][0-9]{0,9})$/.test(index)) return undefined;
  return items.get(pointer.slice(0, slash))?.[Number(index)];
}

/** The old careful path, for texts JSON.parse refuses: the first problem with its line and column. */
function checkedParse(text: string, file: string): { value: unknown; shallow: Map<string, number>; starts: number[] } {
  const starts = lineStarts(text);
  const shallow = new Map<string, number>();
  let firstError: { offset: number; code: number } | null = null;
  let depth = 0;
  let pendingKeyOffset = -1; // offset of the property name, where a property's line starts
  const record = (offset: number, path: () => (string | number)[]) => {
    if (depth > INDEXED_DEPTH) return;
    const p = path();
    if (p.length <= INDEXED_DEPTH) shallow.set(segmentsToPointer(p), pendingKeyOffset >= 0 ? pendingKeyOffset : offset);
    pendingKeyOffset = -1;
  };
  visit(
    text,
    {
      onObjectBegin: (offset, _l, _sl, _sc, path) => {
        record(offset, path);
        depth++;
      },
      onObjectEnd: () => void depth--,
      onArrayBegin: (offset, _l, _sl, _sc, path) => {
        record(offset, path);
        depth++;
      },
      onArrayEnd: () => void depth--,
      onObjectProperty: (_p, offset) => {
        if (depth <= INDEXED_DEPTH) pendingKeyOffset = offset;
      },
      onLiteralValue: (_v, offset, _l, _sl, _sc, path) => record(offset, path),
      onError: (code, offset) => {
        if (!firstError) firstError = { offset, code };
      },
    },
    { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false },
  );
  const err = firstError as { offset: number; code: number } | null;
  if (err || text.trim() === '') {
    const offset = err ? err.offset : 0;
    const pos = positionAt(starts, offset);
    const what = err ? printParseErrorCode(err.code) : 'empty document';
    throw new JsonTextError(`invalid JSON (${what})`, offset, { file, line: pos.line, column: pos.column });
  }
  // jsonc-parser is lenient in places JSON.parse is not (e.g. control characters); JSON.parse has the last word.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String(e));
    const offset = m ? Number(m[1]) : 0;
    const pos = positionAt(starts, offset);
    throw new JsonTextError(`invalid JSON (${(e as Error).message})`, offset, { file, line: pos.line, column: pos.column });
  }
  return { value, shallow, starts };
}

const QUOTE = 34;
const BACKSLASH = 92;

function isSpace(c: number): boolean {
  return c === 32 || c === 10 || c === 13 || c === 9;
}

/**
 * Where each value of the top INDEXED_DEPTH levels of a text JSON.parse accepted starts, by pointer:
 * a member at the offset of its name, an array item or the root at its own first character (what the
 * visitor of checkedParse records). The text is known valid, so this only tracks strings and nesting.
 */
function shallowOffsets(text: string): { shallow: Map<string, number>; items: ItemOffsets } {
  const out = new Map<string, number>();
  // Array items go in a list per array, not the map: a pointer string and a map entry per case cost
  // more than the scan of the case itself.
  const items: ItemOffsets = new Map();
  const n = text.length;
  let i = 0;
  const skipSpace = () => {
    while (i < n && isSpace(text.charCodeAt(i))) i++;
  };
  /** From an opening quote to just past the closing one: the next quote not escaped by an odd run of backslashes. */
  const skipString = () => {
    let end = text.indexOf('"', i + 1);
    for (;;) {
      if (end < 0) {
        i = n;
        return;
      }
      let b = end - 1;
      while (text.charCodeAt(b) === BACKSLASH) b--;
      if ((end - 1 - b) % 2 === 0) break;
      end = text.indexOf('"', end + 1);
    }
    i = end + 1;
  };
  /** Past a whole value of any depth. */
  const skipValue = () => {
    const c = text.charCodeAt(i);
    if (c === QUOTE) return skipString();
    if (c !== 123 && c !== 91) {
      // number, true, false, null: up to the next delimiter
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 44 || d === 125 || d === 93 || isSpace(d)) return;
        i++;
      }
      return;
    }
    let depth = 0;
    while (i < n) {
      const d = text.charCodeAt(i);
      if (d === QUOTE) {
        skipString();
        continue;
      }
      i++;
      if (d === 123 || d === 91) depth++;
      else if (d === 125 || d === 93) {
        if (--depth === 0) return;
      }
    }
  };
  /** Records the value at `i` (key offset `at`, or its own start) unless its array does, then walks or skips it. */
  const value = (pointer: string, at: number, depth: number, recorded = false) => {
    if (!recorded) out.set(pointer, at >= 0 ? at : i);
    const c = text.charCodeAt(i);
    if (depth >= INDEXED_DEPTH || (c !== 123 && c !== 91)) return skipValue();
    i++;
    skipSpace();
    if (c === 91) {
      const list: number[] = [];
      items.set(pointer, list);
      for (let k = 0; text.charCodeAt(i) !== 93; k++) {
        list.push(i);
        // Only arrays of the last indexed level hold values nobody walks: their items need no pointer.
        if (depth + 1 >= INDEXED_DEPTH) skipValue();
        else value(`${pointer}/${k}`, -1, depth + 1, true);
        skipSpace();
        if (text.charCodeAt(i) === 44) i++;
        skipSpace();
      }
    } else {
      while (text.charCodeAt(i) !== 125) {
        const keyAt = i;
        skipString();
        const raw = text.slice(keyAt + 1, i - 1);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(keyAt, i)) as string) : raw;
        skipSpace();
        i++; // :
        skipSpace();
        value(`${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, keyAt, depth + 1);
        skipSpace();
        if (text.charCodeAt(i) === 44) i++;
        skipSpace();
      }
    }
    i++;
  };
  skipSpace();
  value('', -1, 0);
  return { shallow: out, items };
}

/**
 * Deeper than this, a file is refused: every walk of a value (assertions, canonical forms, snapshots)
 * recurses, and a stack overflow would say nothing of where. No dataset or config needs a tenth of it.
 */
export const MAX_JSON_DEPTH = 1000;

/**
 * What JSON.parse lets through silently: a member named twice in one object. The last one wins, so an
 * assertion or a setting written first would just disappear. The good path costs the structure scan
 * and one count of the parsed members; only a file whose counts differ is walked again, to name it.
 */
function rejectDuplicate(text: string, file: string, starts: number[]): void {
  const dup = firstDuplicate(text);
  if (!dup) return;
  const pos = positionAt(starts, dup.offset);
  throw new JsonTextError(`member "${dup.name}" appears twice in one object (JSON would keep only the last; remove or rename one)`, dup.offset, {
    file,
    line: pos.line,
    column: pos.column,
    pointer: dup.pointer,
  });
}

/**
 * Member names (strings followed by a colon; exact for valid JSON) and where nesting first passes
 * MAX_JSON_DEPTH. Any text is scanned, valid or not: an unterminated string ends the scan.
 */
function scanStructure(text: string): { keys: number; deepAt: number } {
  let keys = 0;
  let depth = 0;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // To the closing quote: the next quote not escaped by an odd run of backslashes.
      let end = text.indexOf('"', i + 1);
      for (;;) {
        if (end < 0) return { keys, deepAt: -1 };
        let b = end - 1;
        while (text.charCodeAt(b) === BACKSLASH) b--;
        if ((end - 1 - b) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end;
      let j = end + 1;
      while (j < n && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === 58) keys++;
    } else if (c === 123 || c === 91) {
      if (++depth > MAX_JSON_DEPTH) return { keys, deepAt: i };
    } else if (c === 125 || c === 93) depth--;
  }
  return { keys, deepAt: -1 };
}

/** Own members over all objects of a parsed value (no recursion: depth is bounded only after this). */
function memberCount(root: unknown): number {
  let n = 0;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const x of v) if (typeof x === 'object' && x !== null) stack.push(x);
    } else {
      for (const k in v) {
        n++;
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push(x);
      }
    }
  }
  return n;
}

function firstDuplicate(text: string): { name: string; offset: number; pointer: string } | null {
  const open: Set<string>[] = [];
  let found: { name: string; offset: number; pointer: string } | null = null;
  visit(
    text,
    {
      onObjectBegin: () => void open.push(new Set()),
      onObjectEnd: () => void open.pop(),
      onObjectProperty: (name, offset, _l, _sl, _sc, path) => {
        const names = open[open.length - 1];
        if (found || !names) return;
        if (names.has(name)) found = { name, offset, pointer: segmentsToPointer([...path(), name]) };
        names.add(name);
      },
    },
    { disallowComments: true, allowTrailingComma: false },
  );
  return found;
}
