import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { AnswerObservation, AnswerObserver } from '../runner/answers.js';
import { canonicalJson, sha256Hex } from '../replay/canonical.js';
import { compileIgnorePaths, unionPaths, type IgnoreTree } from '../replay/ignore-paths.js';
import { SNAPSHOT_KIND, SNAPSHOT_SCHEMA_VERSION, type SnapshotCase, type SnapshotHeader, type SnapshotWritten } from './types.js';

const FLUSH_BYTES = 1 << 20;

export interface SnapshotWriterOptions {
  /** Final path of the snapshot (absolute). */
  file: string;
  /** The config's replay.ignorePaths; each case adds its dataset's. */
  configIgnorePaths: readonly string[];
}

/** Everything of the header but what the writer knows itself. */
export type SnapshotHeaderInput = Omit<SnapshotHeader, 'schemaVersion' | 'kind' | 'caseCount' | 'canonical'>;

/**
 * Builds a snapshot from SIM's answers as they arrive (an AnswerObserver). Each case's first attempt
 * is canonicalised and hashed at once and its line appended to a spool file beside the snapshot, so
 * memory stays flat whatever the suite size: only a (case index -> spool offset) map and the latencies
 * are kept. `finish` writes the snapshot in case order (the spool is in completion order), then
 * renames it into place: a crashed run never leaves half a snapshot.
 */
export class SnapshotWriter implements AnswerObserver {
  readonly name = 'snapshot';
  private readonly spoolPath: string;
  private fd: number | null = null;
  private pending: string[] = [];
  private pendingBytes = 0;
  private spoolBytes = 0;
  private readonly where = new Map<number, { offset: number; length: number }>();
  private readonly ignoreCache = new Map<string, { paths: string[]; tree: IgnoreTree; error?: string }>();
  private readonly latencies: number[] = [];
  private answered = 0;
  private errored = 0;
  private done = false;

  constructor(private readonly opts: SnapshotWriterOptions) {
    this.spoolPath = `${opts.file}.${process.pid}.spool`;
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
    const ignore = this.ignoreFor(o.case.ignorePaths);
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
    let answer: string | undefined;
    const r = o.result;
    if (r.ok && ignore.error === undefined) {
      answer = canonicalJson(r.body, ignore.tree);
      entry.hash = sha256Hex(answer);
      const raw = r.raw;
      entry.rawHash = sha256Hex(raw);
      entry.bytes = raw.length;
      this.answered++;
      this.latencies.push(r.latencyMs);
    } else {
      entry.status = 'error';
      entry.error = r.ok ? { kind: 'ignore_paths', message: ignore.error! } : { kind: r.error.kind, message: r.error.message };
      this.errored++;
    }
    // The answer goes last and verbatim: it is canonical JSON text already.
    const meta = JSON.stringify(entry);
    const line = (answer === undefined ? meta : `${meta.slice(0, -1)},"answer":${answer}}`) + '\n';
    const length = Buffer.byteLength(line);
    this.where.set(o.caseIndex, { offset: this.spoolBytes + this.pendingBytes, length });
    this.pending.push(line);
    this.pendingBytes += length;
    if (this.pendingBytes >= FLUSH_BYTES) this.flush();
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
    this.flush();
    const full: SnapshotHeader = {
      schemaVersion: SNAPSHOT_SCHEMA_VERSION,
      kind: SNAPSHOT_KIND,
      ...header,
      canonical: { form: 'RFC 8785', hash: 'sha256', ignorePaths: [...this.opts.configIgnorePaths] },
      caseCount: this.where.size,
    };
    const tmp = `${this.opts.file}.${process.pid}.tmp`;
    const sha = createHash('sha256');
    let bytes = 0;
    fs.mkdirSync(path.dirname(this.opts.file), { recursive: true });
    const out = fs.openSync(tmp, 'w');
    try {
      const put = (text: string | Buffer) => {
        const buf = typeof text === 'string' ? Buffer.from(text) : text;
        fs.writeSync(out, buf);
        sha.update(buf);
        bytes += buf.length;
      };
      put(`${JSON.stringify(full).slice(0, -1)},"cases":[\n`);
      const order = [...this.where.keys()].sort((a, b) => a - b);
      let buf = Buffer.alloc(64 * 1024);
      for (let i = 0; i < order.length; i++) {
        const { offset, length } = this.where.get(order[i])!;
        if (buf.length < length) buf = Buffer.alloc(length);
        readExactly(this.fd!, buf, length, offset);
        // Each spooled line ends in \n; all but the last case take a comma before it.
        put(i < order.length - 1 ? Buffer.concat([buf.subarray(0, length - 1), COMMA_NL]) : buf.subarray(0, length));
      }
      put(']}\n');
      fs.fsyncSync(out);
    } catch (err) {
      fs.closeSync(out);
      fs.rmSync(tmp, { force: true });
      this.cleanup();
      throw err;
    }
    fs.closeSync(out);
    fs.renameSync(tmp, this.opts.file);
    this.cleanup();
    return {
      file: this.opts.file,
      sha256: sha.digest('hex'),
      cases: full.caseCount,
      bytes,
      createdAt: header.createdAt,
      settingsHash: header.settingsHash,
    };
  }

  /** Drops everything (a cancelled run's partial snapshot must not become a baseline). */
  discard(): void {
    this.done = true;
    this.cleanup();
  }

  private ignoreFor(casePaths: readonly string[]): { paths: string[]; tree: IgnoreTree; error?: string } {
    const paths = unionPaths(this.opts.configIgnorePaths, casePaths);
    const key = paths.join('\u0000');
    let hit = this.ignoreCache.get(key);
    if (!hit) {
      try {
        hit = { paths, tree: compileIgnorePaths(paths) };
      } catch (err) {
        hit = { paths, tree: null, error: (err as Error).message };
      }
      this.ignoreCache.set(key, hit);
    }
    return hit;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    if (this.fd === null) {
      fs.mkdirSync(path.dirname(this.spoolPath), { recursive: true });
      this.fd = fs.openSync(this.spoolPath, 'w+');
    }
    const data = this.pending.join('');
    this.pending = [];
    fs.writeSync(this.fd, data);
    this.spoolBytes += this.pendingBytes;
    this.pendingBytes = 0;
  }

  private cleanup(): void {
    this.pending = [];
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
    fs.rmSync(this.spoolPath, { force: true });
  }
}

const COMMA_NL = Buffer.from(',\n');

function readExactly(fd: number, buf: Buffer, length: number, position: number): void {
  let got = 0;
  while (got < length) {
    const n = fs.readSync(fd, buf, got, length - got, position + got);
    if (n === 0) throw new Error(`snapshot spool ended early (wanted ${length} bytes at ${position})`);
    got += n;
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
