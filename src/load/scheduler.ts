import { performance } from 'node:perf_hooks';
import type { ArrivalSchedule } from './schedule.js';

/**
 * The open-model loop (DESIGN §4.3): request i is due at t0 + schedule.timeOf(i) and is started then,
 * whether or not earlier ones have answered. One timer for the whole run, never one per request: each
 * tick starts every request that is due by now (a batch at high rates), then sleeps until the next one
 * is due: setTimeout when that is a millisecond or more away (timers have ms granularity), setImmediate
 * when it is closer (I/O still runs between ticks). A request due while `maxInFlight` are in flight is
 * dropped and counted (k6's dropped_iterations): queueing it would hide the engine's slowness.
 */

export interface SchedulerHooks {
  /** Start request i, due at `intendedMs`, now at `actualMs` (both from t0). Call `release()` when it ends. */
  start(i: number, intendedMs: number, actualMs: number): void;
  /** Requests [from, from + count) were due but could not start (too many in flight). */
  dropped(from: number, count: number, atMs: number): void;
}

export interface SchedulerOptions {
  schedule: ArrivalSchedule;
  maxInFlight: number;
  signal: AbortSignal;
  hooks: SchedulerHooks;
  clock?: () => number;
}

/** Longest a saturated loop waits for a free slot before it looks again (drops are still counted). */
const PARKED_MAX_MS = 50;

export class OpenModelScheduler {
  inFlight = 0;
  /** Index of the next request to start (requests before it were started or dropped). */
  next = 0;
  t0 = 0;
  private readonly clock: () => number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private sendingDone = false;
  /** Waiting for a free slot (every one of maxInFlight is in flight). */
  private parked = false;
  private resolveDone: (() => void) | undefined;
  private readonly onAbort = () => this.stopSending();

  constructor(private readonly opts: SchedulerOptions) {
    this.clock = opts.clock ?? (() => performance.now());
  }

  /** Elapsed ms since the start. */
  now(): number {
    return this.clock() - this.t0;
  }

  /** Runs the schedule; settles when every request was started or dropped and none is in flight. */
  run(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.resolveDone = resolve;
      this.t0 = this.clock();
      if (this.opts.signal.aborted) return this.stopSending();
      this.opts.signal.addEventListener('abort', this.onAbort, { once: true });
      this.tick();
    });
  }

  /** A started request has ended (answered, failed, timed out or cancelled). */
  release(): void {
    this.inFlight--;
    if (this.sendingDone) {
      if (this.inFlight === 0) this.finish();
    } else if (this.parked) {
      // A slot is free again: start what is due on the next turn (not in the middle of a callback).
      this.parked = false;
      this.immediate = setImmediate(this.tick);
    }
  }

  private readonly tick = (): void => {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.parked = false;
    if (this.sendingDone) return;
    const { schedule, maxInFlight, hooks } = this.opts;
    const due = schedule.dueBy(this.now());
    while (this.next < due) {
      if (this.inFlight >= maxInFlight) {
        const count = due - this.next;
        hooks.dropped(this.next, count, this.now());
        this.next = due;
        break;
      }
      const i = this.next++;
      this.inFlight++;
      hooks.start(i, schedule.timeOf(i), this.now());
    }
    if (this.next >= schedule.total) return this.stopSending();
    const wait = schedule.timeOf(this.next) - this.now();
    if (wait >= 1) {
      this.timer = setTimeout(this.tick, Math.floor(wait));
    } else if (this.inFlight >= maxInFlight) {
      // Saturated: spinning would only count drops. The next release() wakes the loop, and the drops
      // due meanwhile are counted then, in one step; a timer bounds the wait when nothing comes back.
      this.parked = true;
      this.timer = setTimeout(this.tick, PARKED_MAX_MS);
    } else {
      this.immediate = setImmediate(this.tick);
    }
  };

  private stopSending(): void {
    if (this.sendingDone) return;
    this.sendingDone = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.opts.signal.removeEventListener('abort', this.onAbort);
    if (this.inFlight === 0) this.finish();
  }

  private finish(): void {
    const r = this.resolveDone;
    this.resolveDone = undefined;
    r?.();
  }
}
