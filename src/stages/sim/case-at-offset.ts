import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { InputError } from '../../util/errors.js';
import { escapeControls } from '../../util/printable.js';
import { JsonTextError } from '../../util/json-source.js';

/** Where an offset of a dataset's text is among its cases, as far as a tolerant parse can tell. */
export type CasePlace =
  | { within: true; index: number; id?: string }
  | { within: false; after: { index: number; id?: string } };

/**
 * The case of `text` whose text holds `offset`, or else the last case before it (an error between two
 * cases: a missing comma is found at the start of the next one, an extra one after the last). jsonc-parser
 * reads past syntax errors, so cases after the error, and an id written after it, are still found.
 * Undefined when the offset is not inside the `cases` list.
 */
export function caseAtOffset(text: string, offset: number): CasePlace | undefined {
  const tree = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const list = tree && findNodeAtLocation(tree, ['cases']);
  if (!list || list.type !== 'array' || offset < list.offset || offset >= list.offset + list.length) return undefined;
  let before: { index: number; id?: string } | undefined;
  const items = list.children ?? [];
  for (let index = 0; index < items.length; index++) {
    const item = items[index];
    if (offset < item.offset) break;
    const place = { index, id: idOf(item) };
    if (offset < item.offset + item.length) return { within: true, ...place };
    before = place;
  }
  return before && { within: false, after: before };
}

function idOf(item: Node): string | undefined {
  if (item.type !== 'object') return undefined;
  const id = findNodeAtLocation(item, ['id']);
  return id?.type === 'string' && typeof id.value === 'string' ? id.value : undefined;
}

/**
 * A dataset's JSON text error, naming the case it is in (DESIGN §3.4: every error about a dataset names
 * the file, the line and the case id). Errors outside the cases are returned as they are.
 */
export function withCaseOf(err: JsonTextError, text: string): InputError {
  const place = caseAtOffset(text, err.offset);
  if (!place) return err;
  const where = { file: err.file!, line: err.line, column: err.column };
  if (place.within) return new InputError(err.detail, { ...where, pointer: err.pointer ?? `/cases/${place.index}`, caseId: place.id });
  const { index, id } = place.after;
  const after = id === undefined ? `/cases/${index}` : `case ${escapeControls(JSON.stringify(id))} (/cases/${index})`;
  return new InputError(`${err.detail}, after ${after}`, { ...where, pointer: err.pointer });
}
