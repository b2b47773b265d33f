import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { AnswerObservation, AnswerObserver } from '../runner/answers.js';
import { canonicalJson, noCanonicalForm, sha256Hex, sha256HexOf } from '../replay/canonical.js';
import { compileIgnorePaths, unionPaths, type IgnoreTree } from '../replay/ignore-paths.js';
import { CASES_OPENING, CASE_SEPARATOR, casesClosing } from './layout.js';
import { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION, type SnapshotCase, type SnapshotHeader, type SnapshotWritten } from './types.js';
import { SpoolIndex } from './case-index.js';
import { volatilePathsFor } from '../engine/profiles/index.js';
import type { ProfileName } from '../settings/types.js';
import { writeExactly } from '../util/fs.js';

type IgnoreEntry = { paths: string[]; tree: IgnoreTree; error?: string };
const NO_PATHS: readonly string[] = [];

/** Spool chunk: entries are written into it as bytes and the chunk goes to the spool file when full. */
const CHUNK_BYTES = 1 << 20;
/** The answer's UTF-8 scratch: room for any answer up to 64 KB of text. */
const UTF8_BYTES = 192 << 10;

export interface SnapshotWriterOptions {
  /** Final path of the snapshot (absolute). */
  file: string;
  /** The config's replay.ignorePaths; each case adds its dataset's. */
  configIgnorePaths: readonly string[];
  /**
   * The profile whose per-call members each answer's canonical form also leaves out (replay.ignoreVolatile;
   * `auto`: by the answer's shape). Absent: none.
   */
  volatileFrom?: ProfileName;
}

/** Everything of the header but what the writer knows itself. */
export type SnapshotHeaderInput = Omit<SnapshotHeader, 'schemaVersion' | 'kind' | 'caseCount' | 'canonical'>;

/**
 * Builds a snapshot from SIM's answers as they arrive (an AnswerObserver). Each case's first attempt
 * is canonicalised and hashed at once and its line appended to a spool file beside the snapshot, so
 * memory stays flat whatever the suite size: only a (case index -> spool offset) map and the latencies
 * are kept. `finish` puts the snapshot in place by a rename: a crashed run never leaves half a snapshot.
 *
 * The spool is laid out as the snapshot is (src/snapshot/layout.ts: the opening, case lines joined by
 * `,\n`, the header last), so when answers came in case order (an in-process engine, or one worker)
 * the spool plus its closing line is the snapshot, hashed as it was written, and is renamed into
 * place; otherwise each line is read back in case order into a new file. Either way the bytes are the
 * same. Lines go into the spool chunk as bytes (no per-answer line string, no joined batch string).
 */
export class SnapshotWriter implements AnswerObserver {
  readonly name = 'snapshot';
  private readonly spoolPath: string;
  private fd: number | null = null;
  private chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  private utf8 = Buffer.allocUnsafe(UTF8_BYTES);
  private used = OPENING.copy(this.chunk, 0);
  /** sha256 of the spool so far, while it is the snapshot's prefix (answers in case order). */
  private readonly spoolSha = createHash('sha256');
  /** The spool's CRC-32 as it is written, for the bundle's zip entry (which would otherwise read the whole file for it once more). */
  private spoolCrc = 0;
  private spoolBytes = 0;
  private readonly where = new SpoolIndex();
  /** Highest case index spooled so far; spool order is case order while each new one is higher. */
  private lastIndex = -1;
  private inOrder = true;
  private readonly lines: SnapshotLines;
  private readonly latencies: number[] = [];
  private answered = 0;
  private errored = 0;
  private done = false;

  constructor(private readonly opts: SnapshotWriterOptions) {
    this.spoolPath = spoolPath(opts.file);
    this.lines = new SnapshotLines(opts);
  }

  /** Cases recorded so far. */
  get cases(): number {
    return this.where.size;
  }

  get counts(): { answered: number; errored: number; latencies: readonly number[] } {
    return { answered: this.answered, errored: this.errored, latencies: this.latencies };
  }

  observe(o: AnswerObservation): void {
    // The snapshot holds each case's first attempt; repeats have seeds of their own.
    if (this.done || o.repeat !== 0 || this.where.has(o.caseIndex)) return;
    const { entry, canonical } = this.lines.describe(o);
    if (canonical === null || !o.result.ok) {
      this.errored++;
      this.append(o.caseIndex, JSON.stringify(entry), -1);
      return;
    }
    this.appendAnswered(o.caseIndex, JSON.stringify(entry), canonical, o.result.raw, o.result.latencyMs);
  }

  /** Spools a line made elsewhere (SnapshotLines.prepare): the same bytes observe would have written. */
  appendPrepared(p: PreparedLine): void {
    if (this.done || this.where.has(p.caseIndex)) return;
    if (p.answer === null) {
      this.errored++;
      this.append(p.caseIndex, p.meta, -1);
    } else if (p.raw !== undefined) this.appendAnswered(p.caseIndex, p.meta, p.answer, p.raw, p.latencyMs!);
    else {
      const answerBytes = this.encode(p.answer);
      this.answered++;
      this.latencies.push(p.latencyMs!);
      this.append(p.caseIndex, p.meta, answerBytes);
    }
  }

  /** An answered case's line from its entry text without the hashes (answeredMeta), hashed here. */
  private appendAnswered(caseIndex: number, entryText: string, canonical: string, raw: string, latencyMs: number): void {
    // The canonical answer's UTF-8 bytes (in this.utf8), encoded once: they are hashed and copied into
    // the spool. Text with characters beyond Latin-1 (Japanese in an answer) is held as UTF-16, and each
    // encoding of 7 KB of it costs more than hashing it; hashing the string and writing it again took
    // three (with Buffer.byteLength), a third of this thread's time.
    const answerBytes = this.encode(canonical);
    const hash = sha256HexOf(this.utf8.subarray(0, answerBytes));
    // An engine that sends compact JSON with sorted members sends its canonical form: one hash serves.
    const rawHash = raw === canonical ? hash : sha256Hex(raw);
    this.answered++;
    this.latencies.push(latencyMs);
    this.append(caseIndex, answeredMeta(entryText, hash, rawHash, raw.length), answerBytes);
  }

  /** The line: the entry's JSON with the answer (this.utf8's first `answerBytes`, canonical JSON text already) last and verbatim. */
  private append(caseIndex: number, meta: string, answerBytes: number): void {
    const sep = this.where.size > 0 ? SEPARATOR.length : 0;
    const metaBytes = Buffer.byteLength(meta);
    const length = answerBytes < 0 ? metaBytes : metaBytes - 1 + ANSWER_KEY.length + answerBytes + 1;
    this.reserve(sep + length);
    const c = this.chunk;
    let at = this.used;
    if (sep) at += SEPARATOR.copy(c, at);
    const offset = this.spoolBytes + at;
    if (answerBytes < 0) at += c.write(meta, at, 'utf8');
    else {
      at += c.write(meta, at, metaBytes - 1, 'utf8');
      at += ANSWER_KEY.copy(c, at);
      at += this.utf8.copy(c, at, 0, answerBytes);
      c[at++] = 0x7d; // }
    }
    this.used = at;
    this.where.set(caseIndex, offset, length);
    if (caseIndex < this.lastIndex) this.inOrder = false;
    else this.lastIndex = caseIndex;
  }

  /**
   * Writes `<file>` (cases in case order) and returns what was written; null when no answer was
   * observed (nothing to snapshot). Idempotent: later calls return null.
   */
  finish(header: SnapshotHeaderInput): SnapshotWritten | null {
    if (this.done) return null;
    this.done = true;
    if (this.where.size === 0) {
      this.cleanup();
      return null;
    }
    const full: SnapshotHeader = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      kind: SNAPSHOT_KIND,
      ...header,
      canonical: { form: 'RFC 8785', hash: 'sha256', ignorePaths: [...this.opts.configIgnorePaths] },
      caseCount: this.where.size,
    };
    const closing = Buffer.from(casesClosing(full));
    fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
    const written = this.inOrder ? this.finishInPlace(closing) : this.finishByCopy(closing);
    this.cleanup();
    return { file: this.opts.file, ...written, cases: full.caseCount, createdAt: header.createdAt, settingsHash: header.settingsHash };
  }

  /**
   * The spool is the snapshot but for its closing line: appended and renamed into place. No fsync, as
   * for the run's other files: it cost 0.9 s at 100k cases, and a snapshot cut short by a crash of the
   * machine lacks its last line, the header, so the reader refuses it rather than misread it.
   */
  private finishInPlace(closing: Buffer): { sha256: string; bytes: number; crc32: number } {
    this.reserve(closing.length);
    closing.copy(this.chunk, this.used);
    this.used += closing.length;
    this.flush();
    try {
      fs.renameSync(this.spoolPath, this.opts.file);
    } catch (err) {
      this.cleanup();
      throw err;
    }
    return { sha256: this.spoolSha.digest('hex'), bytes: this.spoolBytes, crc32: this.spoolCrc };
  }

  /** Answers came out of case order: each line is read back by its offset, in case order, into a new file. */
  private finishByCopy(closing: Buffer): { sha256: string; bytes: number; crc32: number } {
    this.flush();
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    const sha = createHash('sha256');
    let crc32 = 0;
    let bytes = 0;
    const out = fs.openSync(tmp, 'w');
    try {
      const put = (buf: Buffer) => {
        writeExactly(out, buf);
        sha.update(buf);
        crc32 = zlib.crc32(buf, crc32);
        bytes += buf.length;
      };
      put(OPENING);
      let buf = Buffer.alloc(64 * 1024);
      let first = true;
      for (const { offset, length } of this.where.inCaseOrder()) {
        const sep = first ? 0 : SEPARATOR.length;
        first = false;
        if (buf.length < length + sep) buf = Buffer.alloc(length + sep);
        if (sep) SEPARATOR.copy(buf, 0);
        readExactly(this.fd!, buf, length, offset, sep);
        put(buf.subarray(0, sep + length));
      }
      put(closing);
    } catch (err) {
      fs.closeSync(out);
      fs.rmSync(tmp, { force: true });
      this.cleanup();
      throw err;
    }
    fs.closeSync(out);
    fs.renameSync(tmp, this.opts.file);
    return { sha256: sha.digest('hex'), bytes, crc32 };
  }

/** Drops everything (a cancelled run's partial snapshot must not become a baseline). */
  discard(): void {
    this.done = true;
    this.cleanup();
  }

  /** `text` as UTF-8 at the start of this.utf8 (grown to fit); returns its length in bytes. */
  private encode(text: string): number {
    // At most 3 bytes per UTF-16 unit: room checked without measuring the text first.
    if (this.utf8.length < text.length * 3) this.utf8 = Buffer.allocUnsafe(Math.max(text.length * 3, UTF8_BYTES));
    else if (this.utf8.length > UTF8_BYTES && text.length * 3 <= UTF8_BYTES) this.utf8 = Buffer.allocUnsafe(UTF8_BYTES); // not kept after one huge answer
    return this.utf8.write(text, 0, 'utf8');
  }

  /** Room for `bytes` more in the chunk: the chunk goes to the spool first if they do not fit. */
  private reserve(bytes: number): void {
    if (this.used + bytes <= this.chunk.length) return;
    this.flush();
    if (bytes > this.chunk.length) this.chunk = Buffer.allocUnsafe(bytes);
  }

  private flush(): void {
    if (this.used === 0) return;
    if (this.fd === null) {
      fs.mkdirSync(path.dirname(this.spoolPath), { recursive: true });
      this.fd = fs.openSync(this.spoolPath, 'w+');
    }
    const bytes = this.chunk.subarray(0, this.used);
    writeExactly(this.fd, bytes, this.spoolBytes);
    if (this.inOrder) {
      this.spoolSha.update(bytes);
      this.spoolCrc = zlib.crc32(bytes, this.spoolCrc);
    }
    this.spoolBytes += this.used;
    this.used = 0;
    // A chunk grown for one huge answer is not kept for the rest of the run.
    if (this.chunk.length > CHUNK_BYTES) this.chunk = Buffer.allocUnsafe(CHUNK_BYTES);
  }

  private cleanup(): void {
    this.used = 0;
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.spoolPath, { force: true });
  }
}

/** An answer's snapshot line made away from the writer (SnapshotLines.prepare), to be spooled as it is. */
export interface PreparedLine {
  caseIndex: number;
  /** The entry's JSON, without the answer; without its hashes too while `raw` is set. */
  meta: string;
  /** The canonical answer's JSON text; null for an entry with an error. */
  answer: string | null;
  /** The answer's latency, for the snapshot's latencies; null for an entry with an error. */
  latencyMs: number | null;
  /** The raw answer text, when the writer is to take the hashes (of it and of `answer`) and put them into `meta`. */
  raw?: string;
}

/**
 * The entry text of an answered case, from the entry's JSON without its hashes: the hashes and the raw
 * size are its last members (SnapshotCase's order), so they are appended rather than written into an
 * entry object that is serialised again. Hex digests and a whole number need no escaping.
 */
export function answeredMeta(entryText: string, hash: string, rawHash: string, bytes: number): string {
  return `${entryText.slice(0, -1)},"hash":"${hash}","rawHash":"${rawHash}","bytes":${bytes}}`;
}

/**
 * What a case's snapshot line says: its entry (everything but the answer's hash) and its canonical
 * answer. Shared by the writer and by whoever prepares lines for it on another thread, so that both
 * write the same bytes.
 */
export class SnapshotLines {
  private readonly ignoreCache = new Map<readonly string[], Map<string, IgnoreEntry>>();

  constructor(private readonly opts: SnapshotWriterOptions) {}

  /**
   * The entry of an observed answer and its canonical text (null when the entry records an error). An
   * answered entry is still without its hashes and size: answeredMeta appends them to its JSON.
   */
  describe(o: AnswerObservation): { entry: SnapshotCase; canonical: string | null } {
    const volatile = this.opts.volatileFrom && o.result.ok ? volatilePathsFor(this.opts.volatileFrom, o.result.body) : NO_PATHS;
    const ignore = this.ignoreFor(o.case.ignorePaths, volatile);
    const entry: SnapshotCase = {
      dataset: o.case.dataset,
      id: o.case.id,
      repeat: o.repeat,
      seed: o.seed,
      input: o.case.input,
      ignorePaths: ignore.paths,
      location: o.case.location,
      status: 'ok',
      latencyMs: round2(o.result.latencyMs),
    };
    const r = o.result;
    let unreadable: string | undefined;
    if (r.ok && ignore.error === undefined) {
      try {
        return { entry, canonical: canonicalJson(r.body, ignore.tree) };
      } catch (err) {
        // An answer nested deeper than the walk's stack (thousands of levels), or holding a BigInt:
        // the case is kept as an error, so that the rest of the suite still gets its snapshot.
        unreadable = noCanonicalForm(err);
      }
    }
    entry.status = 'error';
    entry.error = !r.ok
      ? { kind: r.error.kind, message: r.error.message }
      : unreadable !== undefined
        ? { kind: 'unreadable', message: unreadable }
        : { kind: 'ignore_paths', message: ignore.error! };
    return { entry, canonical: null };
  }

  /**
   * The line of an observed first attempt, ready for SnapshotWriter.appendPrepared: whole when `hashed`,
   * else with the hashes left to the writer (the raw text goes along for its hash).
   */
  prepare(o: AnswerObservation, hashed: boolean): PreparedLine {
    const { entry, canonical } = this.describe(o);
    const r = o.result;
    if (canonical === null || !r.ok) return { caseIndex: o.caseIndex, meta: JSON.stringify(entry), answer: null, latencyMs: null };
    const entryText = JSON.stringify(entry);
    if (!hashed) return { caseIndex: o.caseIndex, meta: entryText, answer: canonical, latencyMs: r.latencyMs, raw: r.raw };
    const hash = sha256Hex(canonical);
    const meta = answeredMeta(entryText, hash, r.raw === canonical ? hash : sha256Hex(r.raw), r.raw.length);
    return { caseIndex: o.caseIndex, meta, answer: canonical, latencyMs: r.latencyMs };
  }

  private ignoreFor(casePaths: readonly string[], volatile: readonly string[]): IgnoreEntry {
    // A few distinct volatile lists (a profile's constant), then the case's list by its text (the
    // writer thread gets each case's list as a fresh copy).
    let byCase = this.ignoreCache.get(volatile);
    if (!byCase) this.ignoreCache.set(volatile, (byCase = new Map()));
    const caseKey = casePaths.length === 1 ? casePaths[0] : casePaths.join('\u0000');
    let hit = byCase.get(caseKey);
    if (!hit) {
      const paths = unionPaths(this.opts.configIgnorePaths, casePaths, volatile);
      try {
        hit = { paths, tree: compileIgnorePaths(paths) };
      } catch (err) {
        hit = { paths, tree: null, error: (err as Error).message };
      }
      byCase.set(caseKey, hit);
    }
    return hit;
  }
}

/** Where the writer of `file` keeps its spool (beside it: the rename into place stays on one file system). */
export function spoolPath(file: string): string {
  return `${file}.${process.pid}.spool`;
}

const ANSWER_KEY = Buffer.from(',"answer":');
const OPENING = Buffer.from(CASES_OPENING);
const SEPARATOR = Buffer.from(CASE_SEPARATOR);

function readExactly(fd: number, buf: Buffer, length: number, position: number, at = 0): void {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, at + got, length - got, position + got);
    if (n === 0) throw new Error(`snapshot spool ended early (wanted ${length} bytes at ${position})`);
    got += n;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
