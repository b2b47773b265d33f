import { parseTree, findNodeAtLocation, printParseErrorCode, visit, type Node } from 'jsonc-parser';
import { InputError } from './errors.js';

/** A parsed JSON file that can say on which line any of its values starts. */
export interface JsonSource {
  file: string;
  value: unknown;
  /** 1-based line of the value at a JSON Pointer; the nearest existing ancestor's line when it is absent. */
  lineOf(pointer: string): number;
}

/** Line starts of a text, for offset -> line/column. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
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
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
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
 * One streaming pass checks the syntax and records where every value of the top two levels starts
 * (`/name`, `/cases/17`): that is all a dataset of 100k cases asks for on the good path. The full node
 * tree, which costs several times more, is only built when a deeper pointer is asked for (errors).
 */
export function parseJsonSource(text: string, file: string): JsonSource {
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
    const pos = positionAt(starts, err ? err.offset : 0);
    const what = err ? printParseErrorCode(err.code) : 'empty document';
    throw new InputError(`invalid JSON (${what})`, { file, line: pos.line, column: pos.column });
  }
  // jsonc-parser is lenient in places JSON.parse is not (e.g. control characters); JSON.parse has the last word.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String(e));
    const pos = positionAt(starts, m ? Number(m[1]) : 0);
    throw new InputError(`invalid JSON (${(e as Error).message})`, { file, line: pos.line, column: pos.column });
  }
  let tree: Node | undefined;
  const deepOffset = (pointer: string): number => {
    tree ??= parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
    if (!tree) return 0;
    let segs = pointerToSegments(pointer);
    let node: Node | undefined;
    while (!(node = findNodeAtLocation(tree, segs)) && segs.length > 0) segs = segs.slice(0, -1);
    return node?.parent?.type === 'property' ? node.parent.offset : (node ?? tree).offset;
  };
  return {
    file,
    value,
    lineOf(pointer: string): number {
      const known = shallow.get(pointer);
      return positionAt(starts, known ?? deepOffset(pointer)).line;
    },
  };
}
