import type { RunEvent, Sink } from '../runner/events.js';
import type { Store } from './store.js';
import type { SimResultRow } from './types.js';

export interface StoreSinkOptions {
  /** Case results per transaction. Default 1000. */
  batchSize?: number;
  /** Where write failures go (once each kind); the run never fails because of history. */
  onError?: (message: string) => void;
  /** Longest a case result waits in the buffer (checked as results come). Default 1000 ms. */
  maxDelayMs?: number;
  /** The clock (ms); tests pass their own. */
  now?: () => number;
}

/**
 * Feeds the history store from the event stream: each WAR ROOM finding in its own transaction as it is
 * raised (a crash keeps every finding already raised), SIM case results buffered and written in
 * batches (one transaction per full batch or per second, the rest when a stage finishes, on `done` or
 * on close). The run row itself is opened
 * and closed by the runner (beginRun/finishRun), which knows the engine and the outcome.
 */
export class StoreSink implements Sink {
  readonly name = 'store';
  private buffer: SimResultRow[] = [];
  private readonly batchSize: number;
  private readonly reported = new Set<string>();
  private written = { events: 0, cases: 0 };
  private readonly maxDelayMs: number;
  private readonly now: () => number;
  private lastFlush: number;

  constructor(
    private readonly store: Store,
    private readonly opts: StoreSinkOptions = {},
  ) {
    this.batchSize = Math.max(1, Math.floor(opts.batchSize ?? 1000));
    this.maxDelayMs = opts.maxDelayMs ?? 1000;
    this.now = opts.now ?? (() => performance.now());
    this.lastFlush = this.now();
  }

  handle(e: RunEvent): void {
    switch (e.type) {
      case 'warroom':
        this.guard('event', () => {
          this.written.events += this.store.recordEvents([{ ...e.finding, seq: e.seq }]);
        });
        return;
      case 'case':
        if (e.stage !== 'sim') return;
        this.buffer.push({
          runId: e.runId,
          dataset: e.dataset,
          caseId: e.caseId,
          repeat: e.repeat,
          passed: e.passed,
          latencyMs: Number.isFinite(e.latencyMs) ? e.latencyMs : null,
          errorKind: e.errorKind ?? null,
          message: e.error ?? null,
          location: e.location ?? null,
        });
        // A full batch, or a slow run's results a second old: a process killed mid-stage (a server,
        // SIGKILL) loses at most that much of its history, not the whole stage's.
        if (this.buffer.length >= this.batchSize || this.now() - this.lastFlush >= this.maxDelayMs) this.flush();
        return;
      case 'subsystem':
        // A stage's results are in the history once it finishes: a run killed in a later stage (a long
        // load) keeps them, as the ABORTED notice promises, instead of losing the unflushed batch.
        if (e.state === 'finished') this.flush();
        return;
      case 'done':
        this.flush();
        return;
      default:
        return;
    }
  }

  /** Writes the buffered case results now. */
  flush(): void {
    this.lastFlush = this.now();
    if (this.buffer.length === 0) return;
    // Taken out first: a batch that cannot be written is reported and dropped, not retried forever.
    const batch = this.buffer;
    this.buffer = [];
    this.guard('cases', () => {
      this.written.cases += this.store.recordSimResults(batch);
    });
  }

  close(): void {
    this.flush();
  }

  /** What reached the database (for the run log and tests). */
  stats(): { events: number; cases: number; pending: number } {
    return { ...this.written, pending: this.buffer.length };
  }

  private guard(kind: string, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      if (this.reported.has(kind)) return;
      this.reported.add(kind);
      const message = `history database: could not record ${kind === 'event' ? 'a WAR ROOM event' : 'case results'}: ${(err as Error).message}`;
      if (this.opts.onError) this.opts.onError(message);
      else throw new Error(message);
    }
  }
}
