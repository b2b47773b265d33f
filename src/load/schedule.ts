import { parseDuration } from '../settings/duration.js';
import type { LoadSettings } from '../settings/types.js';
import { InputError } from '../util/errors.js';

/**
 * When each request of an open-model run is due (DESIGN §4.3), as k6's arrival-rate executors plan
 * them: the rate is piecewise linear in time, and request i is due at the moment the integral of the
 * rate (the arrivals so far) reaches i. Constant rate: request i at i / rate. A ramp from r0 to r1 over
 * d: arrivals follow r0·t + (r1 - r0)·t² / 2d, solved for t. Everything is O(1) per request (a handful
 * of segments), so the scheduler can ask "how many are due by now" on every tick without iterating.
 */

export interface RampStage {
  /** Milliseconds. */
  durationMs: number;
  /** Requests per second at the end of the stage. */
  target: number;
}

export interface ArrivalSchedule {
  readonly executor: 'constant-arrival-rate' | 'ramping-arrival-rate';
  readonly durationMs: number;
  /** Requests planned in the whole run. */
  readonly total: number;
  /** When request i is due, in ms from the start. */
  timeOf(i: number): number;
  /** How many requests are due at or before `elapsedMs` (never more than `total`). */
  dueBy(elapsedMs: number): number;
  /** The planned rate (requests/s) at `elapsedMs`. */
  rateAt(elapsedMs: number): number;
}

interface Segment {
  startMs: number;
  durationMs: number;
  /** Rates in requests per millisecond. */
  from: number;
  to: number;
  /** Arrivals (the integral) before this segment starts. */
  before: number;
  /** Arrivals within it. */
  count: number;
}

const EPS = 1e-9;

export function constantSchedule(ratePerSec: number, durationMs: number): ArrivalSchedule {
  return build('constant-arrival-rate', [{ durationMs, from: ratePerSec, to: ratePerSec }]);
}

/** k6's ramping-arrival-rate: each stage moves the rate linearly from the previous target to its own. */
export function rampingSchedule(startRate: number, stages: RampStage[]): ArrivalSchedule {
  let prev = startRate;
  const parts = stages.map((s) => {
    const p = { durationMs: s.durationMs, from: prev, to: s.target };
    prev = s.target;
    return p;
  });
  return build('ramping-arrival-rate', parts);
}

/** The schedule that load settings describe; InputError (with the config pointer) on nonsense. */
export function scheduleFromSettings(load: Pick<LoadSettings, 'rate' | 'duration' | 'stages'> & { startRate?: number }): ArrivalSchedule {
  if (load.stages.length === 0) {
    if (!(load.rate > 0) || !Number.isFinite(load.rate)) {
      throw new InputError(`load.rate must be a number above 0 (got ${load.rate})`, { pointer: '/load/rate' });
    }
    const ms = parseDuration(load.duration);
    const s = constantSchedule(load.rate, ms);
    if (s.total === 0) throw new InputError(`load: rate ${load.rate}/s for ${load.duration} sends no request`, { pointer: '/load/duration' });
    return s;
  }
  const stages = load.stages.map((st, i) => {
    if (!(st.target >= 0) || !Number.isFinite(st.target)) {
      throw new InputError(`load.stages[${i}].target must be a number >= 0 (got ${st.target})`, { pointer: `/load/stages/${i}/target` });
    }
    return { durationMs: parseDuration(st.duration), target: st.target };
  });
  const s = rampingSchedule(load.startRate ?? 0, stages);
  if (s.total === 0) throw new InputError('load.stages send no request (every target is 0, or the stages last 0 s)', { pointer: '/load/stages' });
  return s;
}

function build(executor: ArrivalSchedule['executor'], parts: { durationMs: number; from: number; to: number }[]): ArrivalSchedule {
  const segments: Segment[] = [];
  let startMs = 0;
  let before = 0;
  for (const p of parts) {
    const from = p.from / 1000;
    const to = p.to / 1000;
    const count = ((from + to) / 2) * p.durationMs;
    segments.push({ startMs, durationMs: p.durationMs, from, to, before, count });
    startMs += p.durationMs;
    before += count;
  }
  const durationMs = startMs;
  // Request i exists when it is due strictly before the end (k6 starts no iteration at t = duration).
  const total = Math.max(0, Math.ceil(before - EPS));

  // Both run a few times per request: indexed loops, and a constant rate (one segment) skips them.
  const last = segments[segments.length - 1];
  function segmentAtCount(i: number): Segment {
    // Few segments: a scan is cheaper than a search. Zero-arrival segments are skipped; a request on a
    // boundary belongs to the segment that ends there (the integral reaches it first there).
    for (let k = 0; k < segments.length - 1; k++) {
      const s = segments[k];
      if (s.count > 0 && i <= s.before + s.count + EPS) return s;
    }
    return last;
  }
  function segmentAtTime(t: number): Segment {
    for (let k = 0; k < segments.length - 1; k++) {
      const s = segments[k];
      if (t < s.startMs + s.durationMs) return s;
    }
    return last;
  }
  function arrivalsBy(t: number): number {
    if (t <= 0) return 0;
    if (t >= durationMs) return before;
    const s = segmentAtTime(t);
    const tau = t - s.startMs;
    const a = s.durationMs > 0 ? (s.to - s.from) / (2 * s.durationMs) : 0;
    return s.before + s.from * tau + a * tau * tau;
  }

  // The first request is due when the first segment with arrivals begins (a ramp may start at rate 0).
  const first = segments.find((s) => s.count > 0)?.startMs ?? 0;

  function timeOf(i: number): number {
    if (i <= 0) return first;
    const s = segmentAtCount(i);
    const n = i - s.before;
    const a = s.durationMs > 0 ? (s.to - s.from) / (2 * s.durationMs) : 0;
    // n = from·τ + a·τ²  →  τ = 2n / (from + sqrt(from² + 4an)): stable when a is 0 or negative.
    const disc = Math.max(0, s.from * s.from + 4 * a * n);
    const denom = s.from + Math.sqrt(disc);
    const tau = denom > 0 ? (2 * n) / denom : 0;
    return s.startMs + Math.min(tau, s.durationMs);
  }

  return {
    executor,
    durationMs,
    total,
    timeOf,
    dueBy(elapsedMs: number): number {
      if (elapsedMs < first) return 0;
      if (elapsedMs >= durationMs) return total;
      // The integral, within float tolerance, gives the count to a step; timeOf settles the step, so a
      // request is never called due a hair before the time it reports (a scheduler would start it early).
      let n = Math.min(total, Math.floor(arrivalsBy(elapsedMs) + EPS) + 1);
      while (n > 0 && timeOf(n - 1) > elapsedMs) n--;
      while (n < total && timeOf(n) <= elapsedMs) n++;
      return n;
    },
    rateAt(t: number): number {
      if (t < 0 || t >= durationMs || segments.length === 0) return 0;
      const s = segmentAtTime(t);
      const f = s.durationMs > 0 ? (t - s.startMs) / s.durationMs : 1;
      return (s.from + (s.to - s.from) * f) * 1000;
    },
  };
}
