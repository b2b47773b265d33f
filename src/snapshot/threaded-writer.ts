import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AnswerObservation } from '../runner/answers.js';
import { CaseIndexSet } from './case-index.js';
import type { SnapshotSink } from './sink.js';
import { SNAPSHOT_THREAD_ROLE, type FromThread, type SnapshotCounts, type ThreadAnswer, type ThreadInit, type ThreadLine, type ToThread } from './thread-protocol.js';
import type { SnapshotWritten } from './types.js';
import { SnapshotLines, spoolPath, type SnapshotHeaderInput, type SnapshotWriterOptions } from './writer.js';

/**
 * A batch goes to the thread at 16 answers or 64 KB of answer text, whichever comes first. The texts
 * wait in this thread's young generation until then, and must die there: a text that lives through
 * two scavenges is promoted, and old-space garbage is collected only when the heap has grown to about
 * four times what is live. After V8 shrinks the new space (its memory reducer does on a starved
 * machine), batches of 128 Toron answers (800 KB) outlived two scavenges: at 100k cases with a 1 MB
 * semi-space, 756 MB was promoted and the process peaked at 690 MB; at 16 answers, 86 MB and 408 MB.
 * A message per 16 answers costs a few microseconds each: about 50 ms per 100k cases.
 */
const BATCH_ANSWERS = 16;
const BATCH_TEXT = 64 << 10;
/**
 * Batches posted and not yet written before SIM is asked to wait (AnswerObserver.ready): at most
 * 16 MB of answer text (4096 answers). Without a bound a fast engine would queue its whole suite here.
 */
const MAX_PENDING_BATCHES = 256;
/**
 * How SIM's thread shares the lines' work with the writer thread, by how far the writer is behind
 * (answers posted and not yet spooled). Below `canonicalFrom` the writer gets the raw text and does
 * everything: parse it again, canonical form, both hashes, spool. From there on SIM's thread, which
 * holds the parsed body already, makes the canonical form and the entry, and the writer hashes and
 * spools: no second parse (about a quarter of the writer's time on 7 KB Toron answers). From `hashFrom` on
 * SIM's thread hashes too and the writer only spools (a writer slowed by its disk).
 * At 100k cases against the in-process reference engine both threads were busy all of SIM with the old
 * split (the writer behind, SIM's thread preparing the overflow, every line it left parsed twice).
 * Moving by how far behind the writer is keeps both busy without a fixed split, which would be wrong
 * for other engines and machines. Either way the bytes are the same (SnapshotLines).
 */
export interface LineSplit {
  canonicalFrom: number;
  hashFrom: number;
}

const DEFAULT_SPLIT: LineSplit = { canonicalFrom: 64, hashFrom: 1024 };

/**
 * The posted form of an answer, made by constructors rather than object literals. V8 gives each object
 * literal an allocation site and, once it has seen nearly all of a site's objects survive a scavenge,
 * allocates that site's later objects in the old generation (pretenuring). At SIM's start, while the
 * writer thread is starting, a hundred of these can sit in batches through a scavenge; tenured, each
 * later one would live in the old generation and keep its 7 KB raw text alive through every scavenge
 * until a full collection. What was seen (`--trace-pretenuring-statistics`, 100k cases): two sites
 * tenured at SIM's start with 103 of 103 objects alive (the old literal and its nested case fit), the
 * heap then growing 1.25 MB per scavenge instead of 0.15, a peak of 548 MB against 415-460: 3 such runs
 * in about 200, none in 135 since. Objects made by `new` have no allocation site.
 */
class PostedAnswer implements ThreadAnswer {
  readonly case: ThreadAnswer['case'];
  constructor(
    c: ThreadAnswer['case'],
    readonly caseIndex: number,
    readonly seed: number,
    readonly passed: boolean,
    readonly result: ThreadAnswer['result'],
  ) {
    this.case = c;
  }
}

class PostedCase {
  constructor(
    readonly dataset: string,
    readonly id: string,
    readonly input: Record<string, unknown>,
    readonly ignorePaths: readonly string[],
    readonly location: { file: string; line: number },
  ) {}
}

class PostedRaw {
  readonly ok = true;
  constructor(
    readonly raw: string,
    /** The body's JSON text when `raw` does not parse to it (ThreadAnswer); undefined otherwise. */
    readonly bodyText: string | undefined,
    readonly latencyMs: number,
  ) {}
}

/**
 * The script of the writer thread: beside the bundle that runs this code (dist/snapshot-thread/ next
 * to dist/index.js, or one folder up from dist/cli/index.js), or thread-main.ts when run from source
 * (through tsx, a dev dependency). Null when none is there: the snapshot is then written in-thread.
 */
export function snapshotThreadScript(): { file: string; execArgv?: string[] } | null {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const file = fileURLToPath(new URL(['.', 'thread-main.ts'].join('/'), here));
    if (!fs.existsSync(file)) return null;
    // By URL: a bare `tsx` would be looked up from the working directory, a user's project.
    const tsx = new URL(['..', '..', 'node_modules', 'tsx', 'dist', 'loader.mjs'].join('/'), here).href;
    const loaded = process.execArgv.some((a) => a.includes('tsx'));
    return loaded ? { file } : { file, execArgv: [...process.execArgv, '--import', tsx] };
  }
  // Built as a variable, so that the bundler does not take the path for an asset to copy.
  for (const rel of ['snapshot-thread/index.js', '../snapshot-thread/index.js']) {
    const file = fileURLToPath(new URL(rel, here));
    // No execArgv: the thread inherits the process's flags. Passed explicitly, a V8 flag such as
    // --max-old-space-size (common on CI runners) makes the Worker constructor throw.
    if (fs.existsSync(file)) return { file };
  }
  return null;
}

/**
 * A SnapshotWriter on a thread of its own: SIM's thread posts each first attempt (its raw text, or its
 * line made here while the thread is behind: LineSplit), and the hashing and writing happen on another
 * core. Same bytes as the in-thread writer: the thread runs that writer.
 */
export class ThreadedSnapshotWriter implements SnapshotSink {
  readonly name = 'snapshot';
  readonly threaded = true;
  private readonly worker: Worker;
  private batch: (ThreadAnswer | ThreadLine)[] = [];
  private readonly lines: SnapshotLines;
  /** Answer text (UTF-16 units) in `batch`. */
  private batchText = 0;
  private pendingBatches = 0;
  /** Answers posted to the thread, and (shared with it) answers it has spooled. */
  private posted = 0;
  private readonly spooled = new Int32Array(new SharedArrayBuffer(4));
  private waiters: (() => void)[] = [];
  private readonly replies = new Map<number, { resolve: (m: Extract<FromThread, { type: 'reply' }>) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private seen = new CaseIndexSet();
  private dead: Error | null = null;
  private closed = false;

  constructor(
    private readonly options: SnapshotWriterOptions,
    script: { file: string; execArgv?: string[] },
    private readonly split: LineSplit = DEFAULT_SPLIT,
  ) {
    this.lines = new SnapshotLines(options);
    const init: ThreadInit = { role: SNAPSHOT_THREAD_ROLE, options, spooled: this.spooled.buffer as SharedArrayBuffer };
    this.worker = new Worker(script.file, { workerData: init, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
    // Held only while someone waits on it: a run that never gets to finish (a crash elsewhere) must
    // not be kept alive by an idle writer thread.
    this.worker.unref();
    this.worker.on('message', (m: FromThread) => {
      if (m.type === 'ack') {
        this.pendingBatches--;
        this.wake();
      } else {
        const r = this.replies.get(m.id);
        this.replies.delete(m.id);
        this.hold();
        r?.resolve(m);
      }
    });
    const fail = (err: Error) => {
      this.dead ??= err;
      for (const r of this.replies.values()) r.reject(err);
      this.replies.clear();
      this.pendingBatches = 0;
      this.wake();
    };
    this.worker.on('error', fail);
    this.worker.on('exit', (code) => {
      if (!this.closed) fail(new Error(`the snapshot writer thread stopped (exit code ${code})`));
    });
  }

  get cases(): number {
    return this.seen.size;
  }

  observe(o: AnswerObservation): void {
    // A dead thread takes nothing more: its answers would only pile up here (finish reports the death).
    if (this.closed || this.dead || o.repeat !== 0 || this.seen.has(o.caseIndex)) return;
    this.seen.add(o.caseIndex);
    const c = o.case;
    const r = o.result;
    const behind = this.posted - Atomics.load(this.spooled, 0);
    const line = behind >= this.split.canonicalFrom ? this.prepare(o, behind >= this.split.hashFrom) : null;
    if (line) {
      this.batch.push(line);
      this.batchText += line.meta.length + (line.answer?.length ?? 0) + (line.raw?.length ?? 0);
    } else {
      this.batch.push(
        new PostedAnswer(
          new PostedCase(c.dataset, c.id, c.input, c.ignorePaths, c.location),
          o.caseIndex,
          o.seed,
          o.passed,
          r.ok
            ? new PostedRaw(r.raw, r.bodyRedacted ? JSON.stringify(r.body) : undefined, r.latencyMs)
            : { ok: false, error: { kind: r.error.kind, message: r.error.message }, latencyMs: r.latencyMs },
        ),
      );
      if (r.ok) this.batchText += r.raw.length;
    }
    if (this.batch.length >= BATCH_ANSWERS || this.batchText >= BATCH_TEXT) this.post();
  }

  /** The answer's line made here; null if that failed (the thread then makes it, and reports what fails). */
  private prepare(o: AnswerObservation, hashed: boolean): ThreadLine | null {
    try {
      return { ...this.lines.prepare(o, hashed), prepared: true };
    } catch {
      return null;
    }
  }

  /** Answers observed and not yet posted to the thread. */
  get held(): number {
    return this.batch.length;
  }

  ready(): Promise<void> | null {
    if (this.dead || this.pendingBatches < MAX_PENDING_BATCHES) return null;
    const wait = new Promise<void>((resolve) => this.waiters.push(resolve));
    this.hold();
    return wait;
  }

  async counts(): Promise<SnapshotCounts> {
    this.post();
    const m = await this.request((id) => ({ type: 'counts', id }));
    return m.counts!;
  }

  async finish(header: SnapshotHeaderInput): Promise<SnapshotWritten | null> {
    if (this.closed) return null;
    this.post();
    try {
      const m = await this.request((id) => ({ type: 'finish', id, header }));
      if (m.error !== undefined) throw new Error(m.error);
      return m.written ?? null;
    } finally {
      await this.close();
    }
  }

  async discard(): Promise<void> {
    if (this.closed) return;
    this.batch = [];
    this.batchText = 0;
    try {
      await this.request((id) => ({ type: 'discard', id }));
    } catch {
      // A thread that died cannot discard: its spool is removed from here.
      fs.rmSync(spoolPath(this.options.file), { force: true });
    } finally {
      await this.close();
    }
  }

  private post(): void {
    if (this.batch.length === 0 || this.dead) return;
    this.send({ type: 'answers', batch: this.batch });
    this.posted += this.batch.length;
    this.batch = [];
    this.batchText = 0;
    this.pendingBatches++;
  }

  private send(m: ToThread): void {
    this.worker.postMessage(m);
  }

  private request(make: (id: number) => ToThread): Promise<Extract<FromThread, { type: 'reply' }>> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      this.hold();
      this.send(make(id));
    });
  }

  private wake(): void {
    if (this.pendingBatches >= MAX_PENDING_BATCHES && !this.dead) return;
    const w = this.waiters;
    this.waiters = [];
    this.hold();
    for (const resolve of w) resolve();
  }

  /** The thread keeps the process alive exactly while a request or SIM waits on it. */
  private hold(): void {
    if (this.closed) return;
    if (this.replies.size > 0 || this.waiters.length > 0) this.worker.ref();
    else this.worker.unref();
  }

  private async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await this.worker.terminate();
  }
}
