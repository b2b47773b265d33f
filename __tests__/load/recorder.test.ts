import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/load/histogram.js';
import { LoadRecorder, errorClass } from '../../src/load/recorder.js';

describe('latency histogram', () => {
  it('keeps 3 significant digits, and exact min, max and mean', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 10_000; i++) h.record(i / 10); // 0.1 .. 1000 ms, uniform
    const s = h.stats()!;
    expect(s.min).toBe(0.1);
    expect(s.max).toBe(1000);
    expect(s.avg).toBeCloseTo(500.05, 3);
    for (const [p, want] of [
      ['med', 500],
      ['p(90)', 900],
      ['p(95)', 950],
      ['p(99)', 990],
    ] as const) {
      expect(Math.abs(s[p] - want) / want).toBeLessThan(1e-3);
    }
  });

  it('bins the distribution for the report chart: every request in one bin, the shape kept', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 900; i++) h.record(5 + (i % 10)); // 5-14 ms
    for (let i = 0; i < 100; i++) h.record(400 + i); // a stall: 400-499 ms
    const bins = h.bins(10);
    expect(bins).toHaveLength(10);
    expect(bins[0].from).toBe(5);
    expect(bins[9].to).toBe(499);
    expect(bins.reduce((n, b) => n + b.count, 0)).toBe(1000);
    expect(bins[0].count).toBe(900);
    expect(bins.slice(1, 7).every((b) => b.count === 0)).toBe(true);
    expect(bins[7].count + bins[8].count + bins[9].count).toBe(100);
    expect(new LatencyHistogram().bins()).toEqual([]);
  });

  it('sub-millisecond values keep their precision (recorded in µs)', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 100; i++) h.record(0.123);
    expect(h.percentile(50)).toBeCloseTo(0.123, 3);
  });

  it('has no stats before a sample, and clamps nonsense', () => {
    const h = new LatencyHistogram();
    expect(h.stats()).toBeNull();
    expect(h.percentile(95)).toBeNull();
    h.record(-5);
    h.record(Number.NaN);
    h.record(10 * 3600_000); // 10 h: recorded as 1 h, max kept exact
    expect(h.count).toBe(3);
    expect(h.stats()!.min).toBe(0);
    expect(h.max).toBe(10 * 3600_000);
  });
});

describe('load recorder', () => {
  it('measures from the intended send time, and separately from the actual one', () => {
    const r = new LoadRecorder();
    // due at 0, sent at 300 (the generator lagged), answered at 310
    r.onSent(300, 300);
    r.onCompleted(310, 0, 300, null, undefined, true);
    const run = r.finish(310);
    expect(run.metrics.http_req_duration!.max).toBe(310);
    expect(run.metrics.http_req_duration_uncorrected!.max).toBe(10);
    expect(run.metrics.scheduler_lag_ms!.max).toBe(300);
    expect(run.metrics.checks).toEqual({ rate: 1, passes: 1, fails: 0 });
  });

  it("counts errors by class, http_req_failed as k6 names it, and k6's counters", () => {
    const r = new LoadRecorder();
    for (let i = 0; i < 10; i++) r.onSent(i * 100, 0);
    r.onDropped(950, 5);
    const errs = ['timeout', 'connection', 'non_2xx', 'invalid_json', null, null, null, null, null, null] as const;
    errs.forEach((e, i) => r.onCompleted(i * 100 + 50, i * 100, i * 100, e, e ? `${e} happened` : undefined, e ? null : i % 2 === 0));
    const run = r.finish(1000);
    expect(run.errors).toEqual({ timeout: 1, connection: 1, non_2xx: 1, invalid_json: 1 });
    expect(run.errorSamples.timeout).toBe('timeout happened');
    expect(run.metrics.http_req_failed).toEqual({ rate: 0.4, passes: 4, fails: 6 });
    expect(run.metrics.http_reqs).toEqual({ count: 10, rate: 10 });
    expect(run.metrics.dropped_iterations).toEqual({ count: 5, rate: 5 });
    expect(run.metrics.checks).toEqual({ rate: 0.5, passes: 3, fails: 3 });
  });

  it('keeps one timeline row per second, empty seconds included (a stall shows as a gap)', () => {
    const r = new LoadRecorder();
    // second 0: 3 fast answers; seconds 1-2: nothing completes; second 3: one slow answer (stalled)
    for (const t of [100, 200, 300]) {
      r.onSent(t, 0);
      r.onCompleted(t + 5, t, t, null, undefined, null);
    }
    r.onSent(1100, 0);
    r.onSent(1200, 0);
    r.onCompleted(3100, 1100, 1100, 'timeout', 'slow', null);
    r.onCompleted(3150, 1200, 1200, null, undefined, null);
    const run = r.finish(3200);
    expect(run.timeline.map((row) => [row.second, row.sent, row.completed, row.errors])).toEqual([
      [0, 3, 3, 0],
      [1, 2, 0, 0],
      [2, 0, 0, 0],
      [3, 0, 2, 1],
    ]);
    expect(run.timeline[0].p95Ms).toBe(5);
    expect(run.timeline[3].maxMs).toBe(2000);
    expect(run.timeline[1].p50Ms).toBeNull();
  });

  it('classifies adapter error kinds into the four classes (and keeps the rest apart)', () => {
    expect(errorClass('http_status', 502)).toBe('non_2xx');
    expect(errorClass('engine_error', 500)).toBe('non_2xx');
    expect(errorClass('engine_error')).toBe('engine_error');
    expect(errorClass('invalid_json')).toBe('invalid_json');
    expect(errorClass('too_large')).toBe('too_large');
    expect(errorClass('process_exit')).toBe('process_exit');
  });
});
