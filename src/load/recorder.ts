import type { EngineErrorKind } from '../engine/types.js';
import { LatencyHistogram, type TrendStats } from './histogram.js';

/**
 * Everything one built-in load run measures, in k6's vocabulary (DESIGN §4.3), plus the per-second
 * timeline for the report's charts. Times are ms from the run's start (t0).
 * - http_req_duration: completion minus the *intended* send time (coordinated-omission-correct);
 * - http_req_duration_uncorrected: completion minus the actual send time (what k6 itself measures);
 * - scheduler_lag_ms: actual minus intended send time (how far behind the generator was).
 * Every completed request counts in the latencies, failed ones too, as k6 does (a refused connection
 * is fast; http_req_failed is what catches it).
 */

/** The four classes the issue names, then whatever else an adapter reported. */
export type ErrorClass = 'timeout' | 'connection' | 'non_2xx' | 'invalid_json' | 'too_large' | 'process_exit' | 'protocol' | 'engine_error';
export const MAIN_ERROR_CLASSES = ['timeout', 'connection', 'non_2xx', 'invalid_json'] as const;

export function errorClass(kind: EngineErrorKind, status?: number): ErrorClass {
  switch (kind) {
    case 'timeout':
      return 'timeout';
    case 'connection':
      return 'connection';
    case 'http_status':
      return 'non_2xx';
    case 'invalid_json':
      return 'invalid_json';
    case 'engine_error':
      // The in-process engine's refusals carry the status its server would have sent.
      return status !== undefined && (status < 200 || status >= 300) ? 'non_2xx' : 'engine_error';
    case 'too_large':
    case 'process_exit':
    case 'protocol':
      return kind;
    case 'aborted':
      return 'connection';
  }
}

export interface TimelineRow {
  /** Second of the run (0-based) whose completions this row holds. */
  second: number;
  /** Requests sent in that second. */
  sent: number;
  /** Requests completed in that second (= the completion rate, per s). */
  completed: number;
  errors: number;
  dropped: number;
  /** Latency from the intended send time of the requests completed in that second (ms). */
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
  /** Worst scheduler lag of the requests sent in that second (ms). */
  lagMaxMs: number;
}

export interface CounterStats {
  count: number;
  rate: number;
}

export interface RateStats {
  rate: number;
  /** k6's naming: for http_req_failed, `passes` counts FAILED requests. */
  passes: number;
  fails: number;
}

export interface LoadMetrics {
  http_reqs: CounterStats;
  iterations: CounterStats;
  dropped_iterations: CounterStats;
  http_req_duration: TrendStats | null;
  http_req_duration_uncorrected: TrendStats | null;
  scheduler_lag_ms: TrendStats | null;
  http_req_failed: RateStats;
  /** Answers checked against their case's assertions; null when none was checked. */
  checks: RateStats | null;
}

export interface RecordedRun {
  metrics: LoadMetrics;
  /** Seconds from the first send to the last completion. */
  durationMs: number;
  sent: number;
  completed: number;
  /** Requests cut off by cancellation (not in any metric). */
  interrupted: number;
  errors: Record<string, number>;
  /** The first message seen per error class. */
  errorSamples: Record<string, string>;
  timeline: TimelineRow[];
  /** Peak requests in flight. */
  maxInFlight: number;
  /** Latency from the intended send time, as equal-width bins (ms), for the report's chart. */
  histogram: { from: number; to: number; count: number }[];
}

export class LoadRecorder {
  readonly duration = new LatencyHistogram();
  readonly uncorrected = new LatencyHistogram();
  readonly lag = new LatencyHistogram();
  sent = 0;
  completed = 0;
  failed = 0;
  dropped = 0;
  interrupted = 0;
  checksPassed = 0;
  checksFailed = 0;
  maxInFlight = 0;
  readonly errors: Record<string, number> = Object.fromEntries(MAIN_ERROR_CLASSES.map((c) => [c, 0]));
  readonly errorSamples: Record<string, string> = {};
  readonly timeline: TimelineRow[] = [];

  // Per-second bookkeeping. Completions arrive in time order, so one open window suffices for them;
  // sends and drops are counted by their own second.
  private readonly window = new LatencyHistogram();
  private windowSecond = 0;
  private windowErrors = 0;
  private readonly sentPerSecond: number[] = [];
  private readonly droppedPerSecond: number[] = [];
  private readonly lagMaxPerSecond: number[] = [];
  private lastCompletionMs = 0;
  private lastSendMs = 0;

  onSent(actualMs: number, lagMs: number): void {
    this.sent++;
    const s = Math.floor(actualMs / 1000);
    this.sentPerSecond[s] = (this.sentPerSecond[s] ?? 0) + 1;
    if (lagMs > (this.lagMaxPerSecond[s] ?? 0)) this.lagMaxPerSecond[s] = lagMs;
    this.lag.record(lagMs);
    this.lastSendMs = actualMs;
  }

  onDropped(atMs: number, count: number): void {
    this.dropped += count;
    const s = Math.floor(atMs / 1000);
    this.droppedPerSecond[s] = (this.droppedPerSecond[s] ?? 0) + count;
  }

  onInFlight(n: number): void {
    if (n > this.maxInFlight) this.maxInFlight = n;
  }

  /** One finished request. `error` is its class, or null; `check`: its answer passed (null: not checked). */
  onCompleted(completionMs: number, intendedMs: number, actualMs: number, error: ErrorClass | null, message: string | undefined, check: boolean | null): void {
    this.rollTo(completionMs);
    this.completed++;
    const latency = completionMs - intendedMs;
    this.duration.record(latency);
    this.uncorrected.record(completionMs - actualMs);
    this.window.record(latency);
    if (error !== null) {
      this.failed++;
      this.windowErrors++;
      this.errors[error] = (this.errors[error] ?? 0) + 1;
      if (message !== undefined && this.errorSamples[error] === undefined) this.errorSamples[error] = message;
    }
    if (check === true) this.checksPassed++;
    else if (check === false) this.checksFailed++;
    if (completionMs > this.lastCompletionMs) this.lastCompletionMs = completionMs;
  }

  onInterrupted(): void {
    this.interrupted++;
  }

  /** Closes every per-second window that ended before `elapsedMs`. */
  rollTo(elapsedMs: number): void {
    const s = Math.floor(elapsedMs / 1000);
    while (this.windowSecond < s) this.closeWindow();
  }

  /** Cumulative p95 (ms) so far, for progress lines. */
  p95SoFar(): number | null {
    const p = this.duration.percentile(95);
    return p === null ? null : Math.round(p * 10) / 10;
  }

  sentIn(second: number): number {
    return this.sentPerSecond[second] ?? 0;
  }

  finish(endMs: number): RecordedRun {
    const durationMs = Math.max(endMs, this.lastCompletionMs, this.lastSendMs);
    // The last, partial second too (when anything happened in it).
    this.rollTo(durationMs);
    if (this.window.count > 0 || this.sentIn(this.windowSecond) > 0 || (this.droppedPerSecond[this.windowSecond] ?? 0) > 0) this.closeWindow();
    const secs = Math.max(durationMs / 1000, 1e-3);
    const rate = (n: number) => Math.round((n / secs) * 1e6) / 1e6;
    const checked = this.checksPassed + this.checksFailed;
    return {
      metrics: {
        http_reqs: { count: this.completed, rate: rate(this.completed) },
        iterations: { count: this.completed, rate: rate(this.completed) },
        dropped_iterations: { count: this.dropped, rate: rate(this.dropped) },
        http_req_duration: this.duration.stats(),
        http_req_duration_uncorrected: this.uncorrected.stats(),
        scheduler_lag_ms: this.lag.stats(),
        http_req_failed: {
          rate: this.completed ? round6(this.failed / this.completed) : 0,
          passes: this.failed,
          fails: this.completed - this.failed,
        },
        checks: checked ? { rate: round6(this.checksPassed / checked), passes: this.checksPassed, fails: this.checksFailed } : null,
      },
      durationMs: Math.round(durationMs),
      sent: this.sent,
      completed: this.completed,
      interrupted: this.interrupted,
      errors: { ...this.errors },
      errorSamples: { ...this.errorSamples },
      timeline: this.timeline,
      maxInFlight: this.maxInFlight,
      histogram: this.duration.bins(),
    };
  }

  /** A value for a threshold: any aggregation of any metric, percentiles straight from the histograms. */
  valueOf(name: string, aggregation: string, percentile: number | undefined, durationMs: number): number | null {
    const secs = Math.max(durationMs / 1000, 1e-3);
    const trend = name === 'http_req_duration' ? this.duration : name === 'http_req_duration_uncorrected' ? this.uncorrected : name === 'scheduler_lag_ms' ? this.lag : null;
    if (trend) {
      if (percentile !== undefined) return trend.percentile(percentile);
      const st = trend.stats();
      if (!st) return null;
      return aggregation === 'avg' ? st.avg : aggregation === 'min' ? st.min : aggregation === 'max' ? st.max : aggregation === 'med' ? st.med : null;
    }
    const counters: Record<string, number> = { http_reqs: this.completed, iterations: this.completed, dropped_iterations: this.dropped };
    if (name in counters) return aggregation === 'count' ? counters[name] : counters[name] / secs;
    if (name === 'http_req_failed') return this.completed ? this.failed / this.completed : null;
    if (name === 'checks') {
      const checked = this.checksPassed + this.checksFailed;
      return checked ? this.checksPassed / checked : null;
    }
    return null;
  }

  private closeWindow(): void {
    const s = this.windowSecond;
    const r1 = (x: number | null) => (x === null ? null : Math.round(x * 10) / 10);
    this.timeline.push({
      second: s,
      sent: this.sentPerSecond[s] ?? 0,
      completed: this.window.count,
      errors: this.windowErrors,
      dropped: this.droppedPerSecond[s] ?? 0,
      p50Ms: r1(this.window.percentile(50)),
      p95Ms: r1(this.window.percentile(95)),
      p99Ms: r1(this.window.percentile(99)),
      maxMs: r1(this.window.max),
      lagMaxMs: Math.round((this.lagMaxPerSecond[s] ?? 0) * 10) / 10,
    });
    this.window.reset();
    this.windowErrors = 0;
    this.windowSecond++;
  }
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
