import { parseTree, findNodeAtLocation, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
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

/**
 * Parse strict JSON (no comments, no trailing commas). A syntax error throws an InputError with
 * file:line:column. `file` is the path as it should be printed (relative).
 */
export function parseJsonSource(text: string, file: string): JsonSource {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const starts = lineStarts(text);
  if (errors.length > 0 || tree === undefined) {
    const e = errors[0];
    const pos = positionAt(starts, e ? e.offset : 0);
    const what = e ? printParseErrorCode(e.error) : 'empty document';
    throw new InputError(`invalid JSON (${what})`, { file, line: pos.line, column: pos.column });
  }
  // jsonc-parser is lenient in places JSON.parse is not (e.g. control characters); JSON.parse has the last word.
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const m = /position (\d+)/.exec(String(err));
    const pos = positionAt(starts, m ? Number(m[1]) : 0);
    throw new InputError(`invalid JSON (${(err as Error).message})`, { file, line: pos.line, column: pos.column });
  }
  return {
    file,
    value,
    lineOf(pointer: string): number {
      let segs = pointerToSegments(pointer);
      let node: Node | undefined;
      while (!(node = findNodeAtLocation(tree, segs)) && segs.length > 0) segs = segs.slice(0, -1);
      const at = node?.parent?.type === 'property' ? node.parent.offset : (node ?? tree).offset;
      return positionAt(starts, at).line;
    },
  };
}
