import fs from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import { InputError } from '../util/errors.js';
import { parseJsonSource } from '../util/json-source.js';
import { LEGACY_CLOSING, caseText, headerOfClosing, headerOfLegacyOpening, opensCases } from './layout.js';
import { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION, type SnapshotCase, type SnapshotHeader } from './types.js';

/** A snapshot case without its answer (answers are read on demand). */
export type SnapshotEntry = Omit<SnapshotCase, 'answer'>;

export interface OpenSnapshot {
  /** As it may be printed (relative). */
  shownAs: string;
  header: SnapshotHeader;
  entries: SnapshotEntry[];
  /** The stored canonical answer of entry `i` (undefined for an error entry). */
  readAnswer(i: number): unknown;
  /** The line of the file entry `i` starts on (for errors about it). */
  lineOf(i: number): number;
  close(): void;
}

/** Whole-file parsing (pretty-printed or hand-edited snapshots) is refused above this size. */
const MAX_WHOLE_PARSE_BYTES = 256 * 1024 * 1024;

/**
 * Opens a snapshot. The layout the writer makes (one case per line) is indexed line by line, keeping
 * only each line's offset, so a snapshot of 100k answers costs memory for its metadata alone. Any
 * other valid JSON layout (after `jq .`, say) is parsed whole. Every problem is an InputError naming
 * the file and line.
 */
export function openSnapshot(file: string, shownAs = file): OpenSnapshot {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'snapshot file not found' : `cannot read the snapshot: ${(err as Error).message}`, { file: shownAs });
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new InputError('is a folder, not a snapshot file', { file: shownAs });
    const lined = tryLineLayout(fd, shownAs);
    if (lined) return lined;
    const whole = wholeFile(fd, shownAs);
    fs.closeSync(fd);
    return whole;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------

interface Line {
  text: string;
  offset: number;
  length: number;
  no: number;
}

/** Lines of a file with their byte offsets, read in chunks (a line may be megabytes long). */
function* lines(fd: number): Generator<Line> {
  const chunk = Buffer.alloc(1 << 20);
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let position = 0;
  let lineStart = 0;
  let no = 0;
  for (;;) {
    const n = fs.readSync(fd, chunk, 0, chunk.length, position);
    if (n === 0) break;
    let from = 0;
    for (let i = 0; i < n; i++) {
      if (chunk[i] !== 10) continue;
      const piece = chunk.subarray(from, i);
      const whole = carryBytes ? Buffer.concat([...carry, piece]) : piece;
      no++;
      yield { text: whole.toString('utf8'), offset: lineStart, length: whole.length + 1, no };
      carry = [];
      carryBytes = 0;
      lineStart = position + i + 1;
      from = i + 1;
    }
    if (from < n) {
      carry.push(Buffer.from(chunk.subarray(from, n)));
      carryBytes += n - from;
    }
    position += n;
  }
  if (carryBytes) {
    no++;
    const whole = Buffer.concat(carry);
    yield { text: whole.toString('utf8'), offset: lineStart, length: whole.length, no };
  }
}

/**
 * The layout the writer makes (src/snapshot/layout.ts: header last, or header first as written up to
 * 2.0.0), indexed line by line; null when the file is laid out otherwise.
 */
function tryLineLayout(fd: number, shownAs: string): OpenSnapshot | null {
  const it = lines(fd);
  const first = it.next();
  if (first.done) return null;
  const headerFirst = opensCases(first.value.text) ? null : headerOfLegacyOpening(first.value.text);
  if (!opensCases(first.value.text) && headerFirst === null) return null;
  if (headerFirst !== null) checkHeader(headerFirst as SnapshotHeader, shownAs, () => 1);
  let header = headerFirst as SnapshotHeader | null;
  const entries: SnapshotEntry[] = [];
  const where: { offset: number; length: number; line: number }[] = [];
  let closed = false;
  for (const line of it) {
    if (closed) {
      if (line.text.trim() !== '') return null;
      continue;
    }
    if (headerFirst !== null ? line.text === LEGACY_CLOSING : line.text.startsWith('],')) {
      if (headerFirst === null) {
        const h = headerOfClosing(line.text);
        if (h === null) return null;
        checkHeader(h as SnapshotHeader, shownAs, () => line.no);
        header = h as SnapshotHeader;
      }
      closed = true;
      continue;
    }
    const text = caseText(line.text);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (err) {
      // The layout is ours, so this line is a damaged case (a truncated copy, a bad edit).
      throw new InputError(`case ${entries.length + 1} is not valid JSON (the file is damaged or was edited): ${(err as Error).message}`, {
        file: shownAs,
        line: line.no,
        pointer: `/cases/${entries.length}`,
      });
    }
    entries.push(checkCase(value, entries.length, shownAs, line.no));
    where.push({ offset: line.offset, length: line.length, line: line.no });
  }
  if (!closed || header === null) {
    // Our opening line but no closing one: cut short (a copy that did not finish, a full disk).
    if (headerFirst === null) throw new InputError('the snapshot ends before its header (the file is truncated)', { file: shownAs, pointer: '/kind' });
    return null;
  }
  checkCount(header, entries.length, shownAs);
  return {
    shownAs,
    header,
    entries,
    readAnswer(i) {
      const w = where[i];
      const buf = Buffer.alloc(w.length);
      fs.readSync(fd, buf, 0, w.length, w.offset);
      return (JSON.parse(caseText(buf.toString('utf8').trimEnd())) as SnapshotCase).answer;
    },
    lineOf: (i) => where[i].line,
    close() {
      fs.closeSync(fd);
    },
  };
}

function wholeFile(fd: number, shownAs: string): OpenSnapshot {
  const size = fs.fstatSync(fd).size;
  if (size > MAX_WHOLE_PARSE_BYTES) {
    throw new InputError(
      `the snapshot is ${Math.round(size / 2 ** 20)} MiB and not in the one-case-a-line layout toron-testops writes; ` +
        `files of this size are only read in that layout (re-create it with toron-testops, or keep the original file)`,
      { file: shownAs },
    );
  }
  const text = fs.readFileSync(fd, 'utf8');
  const src = parseJsonSource(text, shownAs);
  const root = src.value as Record<string, unknown>;
  if (!root || typeof root !== 'object' || Array.isArray(root)) {
    throw new InputError('a snapshot is a JSON object (with "kind": "toron-testops.snapshot")', { file: shownAs, line: 1 });
  }
  const header = { ...root } as unknown as SnapshotHeader & { cases?: unknown };
  delete header.cases;
  checkHeader(header, shownAs, (p) => src.lineOf(p));
  const cases = root.cases;
  if (!Array.isArray(cases)) throw new InputError('"cases" must be an array', { file: shownAs, line: src.lineOf('/cases'), pointer: '/cases' });
  const entries = cases.map((c, i) => checkCase(c, i, shownAs, src.lineOfItem('/cases', i)));
  checkCount(header, entries.length, shownAs);
  return {
    shownAs,
    header,
    entries,
    readAnswer: (i) => (cases[i] as SnapshotCase).answer,
    lineOf: (i) => src.lineOfItem('/cases', i),
    close() {},
  };
}

function checkHeader(h: SnapshotHeader, shownAs: string, lineOf: (pointer: string) => number): void {
  const bad = (message: string, pointer: string) => {
    throw new InputError(message, { file: shownAs, line: lineOf(pointer), pointer });
  };
  if (!h || typeof h !== 'object' || h.kind !== SNAPSHOT_KIND) {
    bad(`not a toron-testops snapshot ("kind" must be "${SNAPSHOT_KIND}"; give a snapshot file, a report folder, its report.json or a bundle.zip)`, '/kind');
  }
  if (typeof h.schemaVersion !== 'number' || h.schemaVersion > SNAPSHOT_SCHEMA_VERSION) {
    // The header names the toron-testops that wrote it: say which to use (a plain version only, it is input).
    const by = typeof h.tool?.version === 'string' && /^[0-9A-Za-z.+-]{1,40}$/.test(h.tool.version) ? h.tool.version : null;
    bad(
      `snapshot schemaVersion ${JSON.stringify(h.schemaVersion)}${by ? `, written by toron-testops ${by},` : ''} is not one this toron-testops (${pkg.version}) reads (up to ${SNAPSHOT_SCHEMA_VERSION}): ` +
        // Advice only when it helps: a header claiming this very version (or none) was edited or is not ours.
        (by && by !== pkg.version ? `use toron-testops ${by} or newer` : by ? 'the header does not match what this version writes (was the file edited?)' : 'use a newer toron-testops'),
      '/schemaVersion',
    );
  }
  if (typeof h.runId !== 'string' || h.runId === '') bad('"runId" must be a non-empty string', '/runId');
  const rev = (h.tool as { formatRevision?: unknown } | undefined)?.formatRevision;
  if (rev !== undefined && !(typeof rev === 'number' && Number.isSafeInteger(rev) && rev >= 1)) bad('"tool.formatRevision" must be a positive integer', '/tool');
  const ip = h.canonical?.ignorePaths;
  if (!Array.isArray(ip) || ip.some((p) => typeof p !== 'string')) bad('"canonical.ignorePaths" must be a list of JSON Pointers', '/canonical');
  if (!h.engine || typeof h.engine !== 'object') bad('"engine" must be an object', '/engine');
}

function checkCase(v: unknown, i: number, shownAs: string, line: number): SnapshotEntry {
  const at = `/cases/${i}`;
  const bad = (message: string, field = '') => {
    throw new InputError(message, { file: shownAs, line, pointer: at + field });
  };
  if (!v || typeof v !== 'object' || Array.isArray(v)) bad('a snapshot case must be an object');
  const c = v as SnapshotCase;
  if (typeof c.dataset !== 'string' || typeof c.id !== 'string') bad('a snapshot case needs "dataset" and "id" strings');
  const where = { file: shownAs, line, pointer: at, caseId: c.id };
  if (typeof c.seed !== 'number' || !Number.isFinite(c.seed)) throw new InputError('"seed" must be a number', where);
  if (!c.input || typeof c.input !== 'object' || Array.isArray(c.input)) throw new InputError('"input" must be an object', where);
  if (!Array.isArray(c.ignorePaths) || c.ignorePaths.some((p) => typeof p !== 'string')) throw new InputError('"ignorePaths" must be a list of JSON Pointers', where);
  if (c.status !== 'ok' && c.status !== 'error') throw new InputError('"status" must be "ok" or "error"', where);
  if (c.status === 'ok' && (typeof c.hash !== 'string' || !('answer' in c))) throw new InputError('an "ok" case needs "hash" and "answer"', where);
  const { answer: _answer, ...entry } = c;
  return entry;
}

function checkCount(h: SnapshotHeader, n: number, shownAs: string): void {
  if (typeof h.caseCount === 'number' && h.caseCount !== n) {
    throw new InputError(`the snapshot says it holds ${h.caseCount} cases but has ${n}: the file is truncated or was edited`, { file: shownAs, pointer: '/caseCount' });
  }
}
