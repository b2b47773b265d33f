import { LoadRecorder, errorClass, type RecordedRun } from './recorder.js';
import type { ArrivalSchedule } from './schedule.js';
import { OpenModelScheduler } from './scheduler.js';
import type { EngineErrorKind } from '../engine/types.js';
import { InFlightTable, type Cancellable, type FlightSink, type LoadRequest, type LoadTransport, type TimedFlight } from './transport.js';

/**
 * The built-in generator: schedule + transport + timeouts + recorder. Answers are judged as they come
 * (`judge`), so nothing keeps the answers themselves.
 */

/** How long after a period's end its progress line is made: the period's last sends are counted in. */
const TICK_AFTER_MS = 5;

export interface ProgressSnapshot {
  elapsedMs: number;
  sent: number;
  completed: number;
  total: number;
  errors: number;
  /** Answers that failed their case's assertions so far. */
  failures: number;
  dropped: number;
  inFlight: number;
  /** Requests sent in the last whole second. */
  sentLastSecond: number;
  /** Cumulative p95 of latency from the intended send time (ms), null before the first answer. */
  p95Ms: number | null;
}

export interface GeneratorOptions {
  schedule: ArrivalSchedule;
  maxInFlight: number;
  timeoutMs: number;
  transport: LoadTransport;
  /** Request i of the run (pure: the same i gives the same request). */
  requestAt(i: number): LoadRequest;
  /** Checks one answer; true passed, false failed, null not checked. Must not throw. */
  judge?(req: LoadRequest, body: unknown, latencyMs: number): boolean | null;
  signal: AbortSignal;
  /** Called about once a second while the run lasts. */
  onProgress?(p: ProgressSnapshot): void;
  progressEveryMs?: number;
  /**
   * Asked with each progress tick (k6's abortOnFail): a reason stops the load there, as a cancellation
   * does (nothing more is sent, requests in flight are cut off), but it is the run's own verdict.
   */
  abortWhen?(elapsedMs: number, recorder: LoadRecorder): string | null;
}

export interface GeneratorResult extends RecordedRun {
  recorder: LoadRecorder;
  cancelled: boolean;
  /** Why abortWhen stopped the load, and when (ms from the start). */
  aborted: { reason: string; atMs: number } | null;
}

export async function runGenerator(opts: GeneratorOptions): Promise<GeneratorResult> {
  const recorder = new LoadRecorder();
  // Deadlines are in the scheduler's time (ms from the run's start), like every other time here.
  const table = new InFlightTable(opts.timeoutMs, () => scheduler.now());
  // The load stops on the caller's cancellation or on an abortWhen reason; only the first is "cancelled".
  const stop = new AbortController();
  const follow = () => stop.abort(opts.signal.reason);
  if (opts.signal.aborted) follow();
  else opts.signal.addEventListener('abort', follow, { once: true });
  let aborted: GeneratorResult['aborted'] = null;

  const scheduler: OpenModelScheduler = new OpenModelScheduler({
    schedule: opts.schedule,
    maxInFlight: opts.maxInFlight,
    signal: stop.signal,
    hooks: {
      start(i, intendedMs, actualMs) {
        const req = opts.requestAt(i);
        recorder.onSent(actualMs, actualMs - intendedMs);
        recorder.onInFlight(scheduler.inFlight);
        const f = new Flight(shared, req, intendedMs, actualMs, actualMs + opts.timeoutMs);
        f.handle = opts.transport.start(req, f);
        if (!f.finished) table.add(f);
      },
      dropped(_from, count, atMs) {
        recorder.onDropped(atMs, count);
      },
    },
  });
  const shared: Shared = { recorder, scheduler, table, judge: opts.judge, timeoutMs: opts.timeoutMs, refillFromAnswer: opts.transport.answersFromIo === true };

  const onAbort = () => {
    // Requests cut off by cancellation are in no metric: their latency was never known.
    table.cancelAll();
  };
  stop.signal.addEventListener('abort', onAbort, { once: true });

  const progress = () => {
    const elapsed = scheduler.now();
    recorder.rollTo(elapsed);
    // The last whole second: the current one is still filling.
    const second = Math.floor(elapsed / 1000) - 1;
    opts.onProgress?.({
      elapsedMs: Math.round(elapsed),
      sent: recorder.sent,
      completed: recorder.completed,
      total: opts.schedule.total,
      errors: recorder.failed,
      failures: recorder.checksFailed,
      dropped: recorder.dropped,
      inFlight: scheduler.inFlight,
      sentLastSecond: second >= 0 ? recorder.sentIn(second) : recorder.sent,
      p95Ms: recorder.p95SoFar(),
    });
  };
  const tick = () => {
    progress();
    if (!opts.abortWhen || stop.signal.aborted) return;
    const atMs = scheduler.now();
    const reason = opts.abortWhen(atMs, recorder);
    if (reason === null) return;
    aborted = { reason, atMs: Math.round(atMs) };
    stop.abort(new Error(reason));
  };
  // Each tick falls just after a whole period of the scheduler's own clock, so "the last whole second"
  // is the one that just ended. A setInterval armed before the scheduler started ran on the event loop's
  // cached time, which lags after a busy start: its ticks fell just before each boundary, and every line
  // reported the second before last (on a ramp, one step behind).
  const period = opts.progressEveryMs ?? 1000;
  let ticker: NodeJS.Timeout | undefined;
  const armTick = () => {
    const now = scheduler.now();
    ticker = setTimeout(() => {
      tick();
      armTick();
    }, (Math.floor(now / period) + 1) * period + TICK_AFTER_MS - now);
    ticker.unref();
  };
  const running = scheduler.run(); // sets the scheduler's t0 at once
  armTick();

  try {
    await running;
  } finally {
    clearTimeout(ticker);
    table.close();
    stop.signal.removeEventListener('abort', onAbort);
    opts.signal.removeEventListener('abort', follow);
  }
  // One last line with the final counts: a live view keeps the last progress it saw, which would
  // otherwise be the one from up to a second before the end (e.g. 98 of 400 done).
  progress();
  const endMs = scheduler.now();
  const run = recorder.finish(endMs);
  return { ...run, recorder, cancelled: opts.signal.aborted, aborted };
}

interface Shared {
  recorder: LoadRecorder;
  scheduler: OpenModelScheduler;
  table: InFlightTable;
  judge: GeneratorOptions['judge'];
  timeoutMs: number;
  refillFromAnswer: boolean;
}

/** One request in flight: its transport's sink and its entry in the in-flight table, in one object. */
class Flight implements FlightSink, TimedFlight {
  finished = false;
  handle: Cancellable | null = null;
  tablePrev: TimedFlight | null = null;
  tableNext: TimedFlight | null = null;

  constructor(
    private readonly g: Shared,
    private readonly req: LoadRequest,
    private readonly intendedMs: number,
    private readonly actualMs: number,
    readonly deadline: number,
  ) {}

  answered(body: unknown): void {
    if (!this.begin()) return;
    const now = this.g.scheduler.now();
    let check: boolean | null = null;
    if (this.g.judge) {
      try {
        check = this.g.judge(this.req, body, now - this.intendedMs);
      } catch {
        check = false;
      }
    }
    this.g.recorder.onCompleted(now, this.intendedMs, this.actualMs, null, undefined, check);
    // The transport is done with the exchange: when its answers come from I/O, the next request may
    // start from here (scheduler.release).
    this.g.scheduler.release(this.g.refillFromAnswer);
  }

  failed(kind: EngineErrorKind, message: string, status: number | undefined): void {
    if (!this.begin()) return;
    this.g.recorder.onCompleted(this.g.scheduler.now(), this.intendedMs, this.actualMs, errorClass(kind, status), message, null);
    this.g.scheduler.release();
  }

  timeout(): void {
    this.handle?.cancel();
    this.failed('timeout', `no answer within the load timeout of ${this.g.timeoutMs} ms (load.timeoutMs)`, undefined);
  }

  interrupt(): void {
    if (this.finished) return;
    this.finished = true;
    this.handle?.cancel();
    this.g.recorder.onInterrupted();
    this.g.scheduler.release();
  }

  /** The first end of this request wins (an answer racing its timeout, say). */
  private begin(): boolean {
    if (this.finished) return false;
    this.finished = true;
    this.g.table.delete(this);
    return true;
  }
}
