import { performance } from 'node:perf_hooks';
import type { ArrivalSchedule } from './schedule.js';

/**
 * The open-model loop (DESIGN §4.3): request i is due at t0 + schedule.timeOf(i) and is started then,
 * whether or not earlier ones have answered. One timer for the whole run, never one per request: each
 * tick starts every request that is due by now (a batch at high rates), then sleeps until the next one
 * is due: setTimeout when that is a millisecond or more away (timers have ms granularity), setImmediate
 * when it is closer (I/O still runs between ticks). A request due while `maxInFlight` are in flight is
 * dropped and counted (k6's dropped_iterations): queueing it would hide the engine's slowness. When a
 * slot frees, it goes to the newest request due, never to one that waited for it: that one's wait
 * would be the generator's, yet counted as the engine's latency (from its intended send time).
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
  /** The pending timer is the saturated loop's backstop (PARKED_MAX_MS), not a wait for a due time. */
  private timerIsPark = false;
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

  /**
   * A started request has ended (answered, failed, timed out or cancelled). `refillNow`: the caller is
   * at a point where starting another request is safe (an answer was delivered); otherwise a slot freed
   * at saturation is refilled on the next turn.
   */
  release(refillNow = false): void {
    this.inFlight--;
    if (this.sendingDone) {
      if (this.inFlight === 0) this.finish();
    } else if (this.parked) {
      this.parked = false;
      // (Never re-entrant: a tick clears `parked` before it starts anything, so a request that ends as
      // it starts frees its slot for the tick's own loop instead.)
      if (refillNow) {
        // Saturated, and requests are due: the freed slot is refilled now, from the callback that freed
        // it, as a closed-model tool sends its next request from the response callback. Waiting for the
        // next turn would leave the slot empty for a turn and cost a wake-up per answer; over HTTP it
        // would also hand undici a socket that it treats as idle, which it validates with one more turn
        // of its own before writing on it (a request queued on a connection as its answer ends is
        // written on undici's usual next turn instead).
        this.tick();
      } else {
        // Errors, timeouts and cancellations may come from inside the transport's own error handling
        // (undici's, say): no re-entry there, the next turn starts what is due.
        this.immediate ??= setImmediate(this.onImmediate);
      }
    }
  }

  // Each wake-up forgets its own handle first: a handle that is set is one still pending.
  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.tick();
  };

  private readonly onImmediate = (): void => {
    this.immediate = undefined;
    this.tick();
  };

  /**
   * Starts what is due, then arranges the next wake-up. A wake-up that is already pending is kept, not
   * cancelled and made again: at saturation a tick runs on nearly every turn of the event loop, and a
   * timer made and cleared per tick was measurable. An extra wake-up is harmless (a tick starts only
   * what is due by then).
   */
  private tick(): void {
    this.parked = false;
    if (this.sendingDone) return;
    // A cancellation may reach a release() (and so a tick) before the abort listener here ran.
    if (this.opts.signal.aborted) return this.stopSending();
    const { schedule, maxInFlight, hooks } = this.opts;
    // One clock read per request, not three: the time read before a start is that start's actual send
    // time, and the one read after it serves the next start (or the wait below).
    let now = this.now();
    const due = schedule.dueBy(now);
    // More due than free slots: the older ones came due while every slot was taken (or while the loop
    // was held up); they are dropped, and the newest take the slots.
    const over = due - this.next - Math.max(0, maxInFlight - this.inFlight);
    if (over > 0) {
      hooks.dropped(this.next, over, now);
      this.next += over;
    }
    while (this.next < due) {
      if (this.inFlight >= maxInFlight) {
        const count = due - this.next;
        hooks.dropped(this.next, count, now);
        this.next = due;
        break;
      }
      const i = this.next++;
      this.inFlight++;
      hooks.start(i, schedule.timeOf(i), now);
      now = this.now();
    }
    if (this.sendingDone) return;
    if (this.next >= schedule.total) return this.stopSending();
    const wait = schedule.timeOf(this.next) - now;
    if (wait >= 1) {
      if (this.timer) clearTimeout(this.timer);
      this.timerIsPark = false;
      this.timer = setTimeout(this.onTimer, Math.floor(wait));
    } else if (this.inFlight >= maxInFlight) {
      // Saturated: spinning would only count drops. The next release() wakes the loop, and the drops
      // due meanwhile are counted then, in one step; a timer bounds the wait when nothing comes back.
      this.parked = true;
      if (!this.timer || !this.timerIsPark) {
        if (this.timer) clearTimeout(this.timer);
        this.timerIsPark = true;
        this.timer = setTimeout(this.onTimer, PARKED_MAX_MS);
      }
    } else {
      this.immediate ??= setImmediate(this.onImmediate);
    }
  }

  private stopSending(): void {
    if (this.sendingDone) return;
    this.sendingDone = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.opts.signal.removeEventListener('abort', this.onAbort);
    if (this.inFlight === 0) this.finish();
  }

  private finish(): void {
    const r = this.resolveDone;
    this.resolveDone = undefined;
    r?.();
  }
}
