import { describe, expect, it } from 'vitest';
import { histogramChart, linePath, rateBar, scoreBar, timelineChart, trendChart } from '../../src/report/charts.js';

describe('linePath', () => {
  it('draws through the points and breaks at gaps', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 10.04, y: 2.26 }])).toBe('M0,1L10,2.3');
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 3 }, { x: 4, y: 4 }])).toBe('M0,1L1,2M3,3L4,4');
    // a lone point is drawn as a short dash
    expect(linePath([{ x: 10, y: 5 }])).toBe('M7,5L13,5');
    expect(linePath([])).toBe('');
  });
});

describe('histogramChart', () => {
  it('puts one bar per bin on a linear latency axis with d3 ticks', () => {
    const c = histogramChart([
      { from: 0, to: 10, count: 5 },
      { from: 10, to: 20, count: 20 },
      { from: 20, to: 30, count: 0 },
    ])!;
    expect(c.bars).toHaveLength(3);
    // The tallest bar reaches the top of the plot; an empty bin has no height.
    const tallest = c.bars[1];
    expect(tallest.y).toBe(c.plot.y);
    expect(c.bars[2].h).toBe(0);
    expect(c.bars[0].x).toBe(c.plot.x);
    expect(c.xTicks.map((t) => t.label)).toContain('10 ms');
    expect(c.yTicks[0].label).toBe('0');
    expect(c.series[0].d).toMatch(/^M[\d.]+,[\d.]+L/);
    expect(c.bars[1].title).toBe('10 ms–20 ms: 20');
  });

  it('returns null without usable bins', () => {
    expect(histogramChart([])).toBeNull();
    expect(histogramChart([{ from: 5, to: 1, count: 3 }])).toBeNull();
  });

  it('marks percentiles inside the range only', () => {
    const c = histogramChart([{ from: 0, to: 100, count: 1 }], { rules: [{ ms: 50, label: 'p50' }, { ms: 500, label: 'p99' }] })!;
    expect(c.rules.map((r) => r.label)).toEqual(['p50']);
    expect(c.rules[0].orient).toBe('v');
  });
});

describe('timelineChart', () => {
  const rows = Array.from({ length: 5 }, (_, t) => ({ t, p50: 10 + t, p95: 50 + t, p99: 90 + t, rate: 20, errors: t === 2 ? 3 : 0 }));

  it('draws p50/p95/p99 lines, rate and error bars, and the p95 limit', () => {
    const c = timelineChart(rows, { thresholdMs: 150 })!;
    expect(c.series.map((s) => s.cls)).toEqual(['p50', 'p95', 'p99']);
    for (const s of c.series) expect(s.d.split('L')).toHaveLength(5);
    expect(c.bars.filter((b) => b.cls === 'rate')).toHaveLength(5);
    expect(c.bars.filter((b) => b.cls === 'errors')).toHaveLength(1);
    expect(c.rules).toEqual([expect.objectContaining({ orient: 'h', cls: 'threshold' })]);
    // The latency axis reaches the threshold, so the limit line is inside the plot.
    expect(c.rules[0].pos).toBeGreaterThanOrEqual(c.plot.y);
    expect(c.y2Ticks.at(-1)!.label).toMatch(/\/s$/);
  });

  it('names a p95 limit far above the latencies in the title instead of flattening the lines', () => {
    const c = timelineChart(rows, { thresholdMs: 5000 })!;
    expect(c.rules).toEqual([]);
    expect(c.title).toBe('Latency and rate per second (p95 limit 5000 ms, above this range)');
    expect(Math.min(...c.series[2].d.split(/[ML]/).filter(Boolean).map((xy) => Number(xy.split(',')[1])))).toBeLessThan(c.plot.y + c.plot.h / 2);
  });

  it('keeps rate bars in the lower part of the plot', () => {
    const c = timelineChart(rows)!;
    const top = Math.min(...c.bars.filter((b) => b.cls === 'rate').map((b) => b.y));
    expect(top).toBeGreaterThan(c.plot.y + c.plot.h * 0.3);
  });

  it('returns null for an empty timeline', () => {
    expect(timelineChart([])).toBeNull();
  });
});

describe('trendChart', () => {
  it('needs two runs with the metric', () => {
    expect(trendChart('x', [{ runId: 'a', startedAt: '', value: 1 }], { unit: 'ms' })).toBeNull();
    expect(trendChart('x', [{ runId: 'a', startedAt: '', value: 1 }, { runId: 'b', startedAt: '', value: null }], { unit: 'ms' })).toBeNull();
  });

  it('plots a point per run, labels the current one, and fixes 0..100 for scores', () => {
    const c = trendChart(
      'det',
      [
        { runId: 'a', startedAt: 's1', value: 50 },
        { runId: 'b', startedAt: 's2', value: null },
        { runId: 'c', startedAt: 's3', value: 100, current: true },
      ],
      { unit: 'score', rules: [{ value: 90, cls: 'band-pass-line', label: 'PASS' }] },
    )!;
    expect(c.series[0].points).toHaveLength(2);
    expect(c.series[0].points![1].y).toBe(c.plot.y);
    expect(c.series[0].points![0].title).toBe('a (s1): 50');
    expect(c.xTicks.at(-1)).toMatchObject({ label: 'this run', anchor: 'end' });
    expect(c.yTicks.at(-1)!.label).toBe('100');
    // A gap for the run without the metric: two lone points, two dashes.
    expect(c.series[0].d.match(/M/g)).toHaveLength(2);
  });
});

describe('scoreBar', () => {
  it('has the FAIL, WARN and PASS bands at 70 and 90 and a marker at the score', () => {
    const b = scoreBar(62);
    // Lines that are not whole numbers, or equal (no WARN band): bounds said as "below", never pass - 1.
    expect(scoreBar(92, { warn: 70, pass: 92.5 }).legend).toBe('FAIL below 70, WARN 70 to below 92.5, PASS 92.5 and above');
    expect(scoreBar(92, { warn: 90, pass: 90 }).legend).toBe('FAIL below 90, PASS 90 and above');
    expect(scoreBar(92, { warn: 90, pass: 90 }).bands.map((x) => x.cls)).toEqual(['band-fail', 'band-pass']);
    expect(b.bands.map((x) => x.cls)).toEqual(['band-fail', 'band-warn', 'band-pass']);
    expect(b.bands[1].x).toBeCloseTo(b.bands[0].x + b.bands[0].w, 1);
    expect(b.marker!.x).toBeGreaterThan(b.bands[0].x);
    expect(b.marker!.x).toBeLessThan(b.bands[1].x);
    expect(b.marker!.label).toBe('62');
    expect(b.ticks.map((t) => t.label)).toEqual(['0', '70', '90', '100']);
    expect(scoreBar(null).marker).toBeNull();
    expect(scoreBar(150).marker!.x).toBe(b.bands[2].x + b.bands[2].w);
  });
});

describe('rateBar', () => {
  it('scales to 100 and colours by rate', () => {
    expect(rateBar(1)).toEqual({ w: 100, cls: 'rate-full' });
    expect(rateBar(0.96)).toEqual({ w: 96, cls: 'rate-high' });
    expect(rateBar(0.5)).toEqual({ w: 50, cls: 'rate-low' });
    expect(rateBar(null).w).toBe(0);
  });
});
