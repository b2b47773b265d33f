import path from 'node:path';
import { runPipeline } from '../runner/runner.js';
import type { RunEvent, Sink } from '../runner/events.js';
import type { Settings } from '../settings/types.js';
import { errorMessage } from '../util/errors.js';
import { EventLog } from './event-log.js';
import { applyEvent, isFinished, newLiveState, type LiveState } from './run-state.js';
import { instanceToken, sseFrame } from './sse-frame.js';
import { DEFAULT_SSE_LIMITS, SseHub, type SseLimits } from './sse-hub.js';

export interface RunManagerOptions {
  /** Runs at the same time; more are queued. */
  maxConcurrent: number;
  /** Runs waiting for a slot; more are refused (HTTP 429). */
  maxQueued: number;
  /** Finished runs whose event log stays in memory (older ones stream from SQLite). */
  keepFinished: number;
  /** Budget of one run's event log while it runs, in characters of SSE frames. */
  logMaxChars: number;
  /** Budget of a finished run's event log (kept for late subscribers and resumes). */
  finishedLogMaxChars: number;
  sse: SseLimits;
  env: NodeJS.ProcessEnv;
  /** The server's own lines: a run queued, started, finished. */
  onLog?: (line: string) => void;
}

export const DEFAULT_RUN_MANAGER: Omit<RunManagerOptions, 'env'> = {
  maxConcurrent: 2,
  maxQueued: 8,
  keepFinished: 20,
  logMaxChars: 32 * 1024 * 1024,
  finishedLogMaxChars: 2 * 1024 * 1024,
  sse: DEFAULT_SSE_LIMITS,
};

export class CapacityError extends Error {
  constructor(readonly running: number, readonly queued: number) {
    super(`too many runs: ${running} running and ${queued} queued, the server's limit; try again when one finishes`);
    this.name = 'CapacityError';
  }
}

export class ConflictError extends Error {
  constructor(runId: string) {
    super(`run ${runId} is already queued or running`);
    this.name = 'ConflictError';
  }
}

/** A run the server started: its settings, live state, event log and SSE clients. */
export class ManagedRun {
  readonly state: LiveState;
  readonly log: EventLog;
  readonly hub: SseHub;
  readonly controller = new AbortController();
  /** Resolves when the run has finalised (reports written, history recorded), a run cancelled in the queue too. */
  settled: Promise<void> = Promise.resolve();
  settledFlag = false;
  /** Cancelled while queued: it stays CANCELLED whatever its finalising run says (see RunManager.cancel). */
  cancelledInQueue = false;
  /**
   * The token of this instance of the run id in its SSE ids (see instanceToken): set when the runner
   * is called, from the start time it records in the history. null while queued (no events yet).
   */
  instance: string | null = null;

  constructor(
    readonly settings: Settings,
    opts: Pick<RunManagerOptions, 'logMaxChars' | 'sse'>,
  ) {
    this.state = newLiveState(settings.runId, new Date());
    this.log = new EventLog(opts.logMaxChars);
    this.hub = new SseHub(this.log, opts.sse);
  }

  get runId(): string {
    return this.settings.runId;
  }

  get outDir(): string {
    return path.resolve(this.settings.cwd, this.settings.out);
  }

  /** The sink the runner feeds: state, log and a flush request; never a socket, never an await. */
  sink(): Sink {
    const outDir = this.outDir;
    return {
      name: 'sse',
      handle: (e: RunEvent) => {
        applyEvent(this.state, e);
        if (this.cancelledInQueue) this.state.status = 'CANCELLED';
        this.log.append(e.seq, e.type, sseFrame(e, outDir, this.instance ?? '0'));
        this.hub.notify();
      },
    };
  }

  /** A `done` the runner never sent (it threw). */
  synthesizeDone(reportDir: string): void {
    if (this.log.hasDone()) return;
    const e: RunEvent = { type: 'done', verdict: 'ERROR', exitCode: 2, reportDir, runId: this.runId, seq: this.log.lastSeq + 1, time: new Date().toISOString() };
    this.sink().handle(e);
  }
}

/**
 * Runs started over the API: a cap on concurrent runs, a bounded queue behind it, and the recent
 * finished runs kept in memory for late SSE subscribers.
 */
export class RunManager {
  private readonly runs = new Map<string, ManagedRun>();
  private readonly queue: ManagedRun[] = [];
  private readonly running = new Set<ManagedRun>();
  /** Runs cancelled in the queue, writing their record (report folder, history row). */
  private readonly finalising = new Set<ManagedRun>();
  private readonly finished: string[] = [];
  private closing = false;

  constructor(private readonly opts: RunManagerOptions) {}

  /** Queues a run and starts it when a slot is free. Returns its queue position (0: started now). */
  submit(settings: Settings): { run: ManagedRun; position: number } {
    if (this.closing) throw new CapacityError(this.running.size, this.queue.length);
    const existing = this.runs.get(settings.runId);
    if (existing && !existing.settledFlag) throw new ConflictError(settings.runId);
    if (this.running.size >= this.opts.maxConcurrent && this.queue.length >= this.opts.maxQueued) {
      throw new CapacityError(this.running.size, this.queue.length);
    }
    if (existing) this.forget(existing.runId);
    const run = new ManagedRun(settings, this.opts);
    this.runs.set(run.runId, run);
    this.queue.push(run);
    const position = this.queue.length;
    this.pump();
    return { run, position: run.state.status === 'QUEUED' ? position : 0 };
  }

  get(runId: string): ManagedRun | undefined {
    return this.runs.get(runId);
  }

  /** Every run in memory: queued, running and the recent finished ones. */
  all(): ManagedRun[] {
    return [...this.runs.values()];
  }

  /** Queued and running runs, oldest first. */
  active(): ManagedRun[] {
    return [...this.runs.values()].filter((r) => !r.settledFlag);
  }

  queuePosition(run: ManagedRun): number {
    const i = this.queue.indexOf(run);
    return i < 0 ? 0 : i + 1;
  }

  counts(): { running: number; queued: number; maxConcurrent: number; maxQueued: number } {
    return { running: this.running.size, queued: this.queue.length, maxConcurrent: this.opts.maxConcurrent, maxQueued: this.opts.maxQueued };
  }

  /**
   * Stops a run: a queued one leaves the queue and is CANCELLED; a running one finalises with what it
   * has (ERROR, cancelled). A 202-accepted run always ends in the history: a queued one is finalised
   * by the runner with its signal already aborted (no engine started, every stage SKIPPED), which writes
   * its report folder and history row like any cancelled run's.
   */
  cancel(runId: string, why = 'cancelled over the API'): 'cancelled' | 'cancelling' | 'finished' | null {
    const run = this.runs.get(runId);
    if (!run) return null;
    if (run.settledFlag || isFinished(run.state)) return 'finished';
    run.state.cancelRequested = true;
    const i = this.queue.indexOf(run);
    if (i >= 0) {
      this.queue.splice(i, 1);
      run.cancelledInQueue = true;
      run.state.status = 'CANCELLED';
      run.state.finishedAt = new Date().toISOString();
      run.controller.abort(new Error(`${why} while queued`));
      this.finalising.add(run);
      this.opts.onLog?.(`run ${run.runId} cancelled while queued (${why})`);
      run.settled = this.record(run).finally(() => {
        this.finalising.delete(run);
        run.state.status = 'CANCELLED';
      });
      return 'cancelled';
    }
    run.controller.abort(new Error(why));
    return 'cancelling';
  }

  /** Refuses new runs, cancels the queue, stops the running ones and waits for them all to write their reports. */
  async close(): Promise<void> {
    this.closing = true;
    for (const run of [...this.queue]) this.cancel(run.runId, 'the server is shutting down');
    for (const run of [...this.running]) run.controller.abort(new Error('the server is shutting down'));
    const pending = [...this.running, ...this.finalising];
    await Promise.all(pending.map((r) => r.settled));
    for (const run of this.runs.values()) run.hub.closeAll();
  }

  private pump(): void {
    while (!this.closing && this.running.size < this.opts.maxConcurrent && this.queue.length > 0) {
      this.start(this.queue.shift()!);
    }
  }

  private start(run: ManagedRun): void {
    this.running.add(run);
    run.state.status = 'RUNNING';
    run.state.startedAt = new Date().toISOString();
    this.opts.onLog?.(`run ${run.runId} started`);
    run.settled = this.record(run).finally(() => {
      this.running.delete(run);
      this.pump();
    });
  }

  /** The run through the runner (which always finalises: report folder, history row), then retired. */
  private record(run: ManagedRun): Promise<void> {
    const startedAt = new Date();
    run.instance = instanceToken(startedAt.toISOString());
    return runPipeline(run.settings, { sinks: [run.sink()], signal: run.controller.signal, env: this.opts.env, startedAt })
      .then(
        (outcome) => {
          this.opts.onLog?.(`run ${run.runId} finished: ${run.cancelledInQueue ? 'CANCELLED (while queued)' : outcome.verdict}`);
        },
        (err) => {
          // runPipeline finalises on its own; this is a bug in it, reported on the run's stream too.
          this.opts.onLog?.(`run ${run.runId} failed inside the runner: ${errorMessage(err)}`);
          run.synthesizeDone(path.join('reports', run.runId));
        },
      )
      .finally(() => {
        run.settledFlag = true;
        this.retire(run);
      });
  }

  /** Keeps the last `keepFinished` finished runs in memory, each within the smaller finished budget. */
  private retire(run: ManagedRun): void {
    run.log.shrink(this.opts.finishedLogMaxChars);
    this.finished.push(run.runId);
    while (this.finished.length > this.opts.keepFinished) {
      const old = this.finished.shift()!;
      const r = this.runs.get(old);
      if (r && r.settledFlag) this.forget(old);
    }
  }

  private forget(runId: string): void {
    const r = this.runs.get(runId);
    if (!r) return;
    r.hub.closeAll();
    this.runs.delete(runId);
    const i = this.finished.indexOf(runId);
    if (i >= 0) this.finished.splice(i, 1);
  }
}
