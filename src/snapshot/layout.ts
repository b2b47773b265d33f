import type { SnapshotHeader } from './types.js';

/**
 * The line layout of a snapshot file: one case a line, the header on the last line.
 *
 *   {"cases":[
 *   {"dataset":"...","id":"...",...,"answer":{...}},
 *   ...
 *   ],"schemaVersion":1,"kind":"toron-testops.snapshot",...header...,"caseCount":86}
 *
 * The header goes last because it holds what is only known at the end (metrics, case count): with it
 * last, a run whose answers came in case order has its spool file become the snapshot by a rename,
 * instead of a 700 MB copy at 100k cases. Snapshots written header first (toron-testops up to 2.0.0)
 * are read as well.
 */
export const CASES_OPENING = '{"cases":[\n';
/** Before each case line but the first. */
export const CASE_SEPARATOR = ',\n';

/** The end of the file: the header's members after the case list. */
export function casesClosing(header: SnapshotHeader): string {
  return `\n],${JSON.stringify(header).slice(1)}\n`;
}

/** The first line of a snapshot (without its newline) in the header-last layout. */
export function opensCases(firstLine: string): boolean {
  return firstLine === CASES_OPENING.slice(0, -1);
}

/** The header of a closing line (`],"schemaVersion":...}`), or null when the line is not one. */
export function headerOfClosing(line: string): unknown {
  if (!line.startsWith('],')) return null;
  try {
    return JSON.parse(`{${line.slice(2)}`);
  } catch {
    return null;
  }
}

const LEGACY_OPENING_END = ',"cases":[';

/** The header of a header-first snapshot's first line (`{...header...,"cases":[`), or null. */
export function headerOfLegacyOpening(line: string): unknown {
  if (!line.startsWith('{') || !line.endsWith(LEGACY_OPENING_END)) return null;
  try {
    return JSON.parse(`${line.slice(0, -LEGACY_OPENING_END.length)}}`);
  } catch {
    return null;
  }
}

/** The closing line of a header-first snapshot. */
export const LEGACY_CLOSING = ']}';

/** A case line's JSON text without its separating comma. */
export function caseText(line: string): string {
  return line.endsWith(',') ? line.slice(0, -1) : line;
}
