import { scaleLinear } from 'd3-scale';

/**
 * Chart geometry for report.html: pure data (paths, bars, ticks) that the template draws as inline
 * SVG. Numbers only ever come from here, labels are escaped by the template, so no engine text can
 * reach the SVG markup unescaped.
 */
export interface Tick {
  pos: number;
  label: string;
  /** SVG text-anchor; default middle (the last tick of a chart ends at the edge instead). */
  anchor?: 'start' | 'middle' | 'end';
}

export interface Series {
  d: string;
  cls: string;
  label: string;
  /** Dots with a hover title (small series, e.g. trends). */
  points?: { x: number; y: number; title: string }[];
}

export interface Bar {
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
  title: string;
}

export interface Rule {
  orient: 'h' | 'v';
  pos: number;
  cls: string;
  label: string;
}

export interface Chart {
  title: string;
  width: number;
  height: number;
  /** Plot area inside the margins. */
  plot: { x: number; y: number; w: number; h: number };
  xTicks: Tick[];
  yTicks: Tick[];
  /** A right-hand axis (e.g. request rate beside latency). */
  y2Ticks: Tick[];
  xLabel: string;
  yLabel: string;
  y2Label: string;
  series: Series[];
  bars: Bar[];
  /** Reference lines: horizontal ('h', at y = pos) or vertical ('v', at x = pos). */
  rules: Rule[];
}

const W = 640;
const H = 260;
const M = { top: 24, right: 56, bottom: 40, left: 56 };

function frame(title: string, size: { w: number; h: number; m: typeof M } = { w: W, h: H, m: M }): Chart {
  const { w, h, m } = size;
  return {
    title,
    width: w,
    height: h,
    plot: { x: m.left, y: m.top, w: w - m.left - m.right, h: h - m.top - m.bottom },
    xTicks: [],
    yTicks: [],
    y2Ticks: [],
    xLabel: '',
    yLabel: '',
    y2Label: '',
    series: [],
    bars: [],
    rules: [],
  };
}

/** Round to 0.1 px: enough for a screen and keeps the HTML small. */
function r(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * `v` with `digits` decimals, rounded down: a share under a gate line (89.97 against 90) must not show
 * as the line. The 1e-6 absorbs float error only (0.29 x 100 is 28.999999999999996).
 */
export function fixedDown(v: number, digits: number): string {
  const k = 10 ** digits;
  return (Math.floor(v * k + 1e-6) / k).toFixed(digits);
}

function finite(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/**
 * An SVG path through the points; a gap (non-finite y) starts a new segment. A segment of one point
 * (a one-second load run, a run between two gaps) becomes a short dash, so it is still drawn.
 */
export function linePath(points: { x: number; y: number | null }[]): string {
  const segments: { x: number; y: number }[][] = [];
  let current: { x: number; y: number }[] | null = null;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y) || !Number.isFinite(p.x)) {
      current = null;
      continue;
    }
    if (!current) segments.push((current = []));
    current.push({ x: p.x, y: p.y });
  }
  return segments
    .map((seg) =>
      seg.length === 1
        ? `M${r(seg[0].x - 3)},${r(seg[0].y)}L${r(seg[0].x + 3)},${r(seg[0].y)}`
        : seg.map((p, i) => `${i ? 'L' : 'M'}${r(p.x)},${r(p.y)}`).join(''),
    )
    .join('');
}

export function formatMs(ms: number): string {
  if (ms >= 10_000) return `${r(ms / 1000)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 1) return `${Math.round(ms * 10) / 10} ms`;
  return `${Math.round(ms * 100) / 100} ms`;
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/** Latency histogram: one bar per bin on a linear latency axis, count on y. */
export function histogramChart(bins: HistogramBin[], opts: { title?: string; rules?: { ms: number; label: string }[] } = {}): Chart | null {
  const clean = bins.filter((b) => finite(b.from) && finite(b.to) && finite(b.count) && b.to >= b.from && b.count >= 0);
  if (clean.length === 0) return null;
  const c = frame(opts.title ?? 'Latency histogram');
  const lo = Math.min(...clean.map((b) => b.from));
  const hi = Math.max(...clean.map((b) => b.to));
  const x = scaleLinear().domain([lo, hi > lo ? hi : lo + 1]).range([c.plot.x, c.plot.x + c.plot.w]).nice();
  const maxCount = Math.max(1, ...clean.map((b) => b.count));
  const y = scaleLinear().domain([0, maxCount]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
  c.xTicks = x.ticks(6).map((t) => ({ pos: r(x(t)), label: formatMs(t) }));
  c.yTicks = y.ticks(5).filter(Number.isInteger).map((t) => ({ pos: r(y(t)), label: compactCount(t) }));
  c.xLabel = 'latency';
  c.yLabel = 'requests';
  c.bars = clean.map((b) => {
    const x0 = x(b.from);
    const x1 = Math.max(x(b.to), x0 + 1);
    return {
      x: r(x0),
      y: r(y(b.count)),
      w: r(Math.max(1, x1 - x0 - 0.5)),
      h: r(y(0) - y(b.count)),
      cls: 'bar',
      title: `${formatMs(b.from)}–${formatMs(b.to)}: ${b.count}`,
    };
  });
  // The outline of the bars as a path too: the chart has a non-empty path even for one bin.
  c.series = [{ d: outlinePath(c.bars, y(0)), cls: 'outline', label: 'requests' }];
  for (const rule of opts.rules ?? []) {
    if (!finite(rule.ms) || rule.ms < x.domain()[0] || rule.ms > x.domain()[1]) continue;
    c.rules.push({ orient: 'v', pos: r(x(rule.ms)), cls: 'marker', label: rule.label });
  }
  return c;
}

function outlinePath(bars: Bar[], base: number): string {
  if (bars.length === 0) return '';
  let d = `M${bars[0].x},${r(base)}`;
  for (const b of bars) d += `L${b.x},${b.y}L${r(b.x + b.w)},${b.y}`;
  const last = bars[bars.length - 1];
  return d + `L${r(last.x + last.w)},${r(base)}`;
}

export function compactCount(n: number): string {
  if (Math.abs(n) >= 1e6) return `${Math.round(n / 1e5) / 10}M`;
  if (Math.abs(n) >= 1e4) return `${Math.round(n / 1e2) / 10}k`;
  return String(Math.round(n * 100) / 100);
}

export interface TimelinePoint {
  t: number;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
  rate?: number | null;
  errors?: number | null;
}

/**
 * The load timeline: p50/p95/p99 latency per second on the left axis, requests per second (bars) on
 * the right axis, errors per second as red bars on the same right axis.
 */
export function timelineChart(points: TimelinePoint[], opts: { thresholdMs?: number | null } = {}): Chart | null {
  const pts = points.filter((p) => finite(p.t)).sort((a, b) => a.t - b.t);
  if (pts.length === 0) return null;
  const c = frame('Latency and rate per second');
  const t0 = pts[0].t;
  const t1 = pts[pts.length - 1].t;
  const x = scaleLinear().domain([t0, t1 > t0 ? t1 + 1 : t0 + 1]).range([c.plot.x, c.plot.x + c.plot.w]);
  const lat = pts.flatMap((p) => [p.p50, p.p95, p.p99]).filter(finite);
  const top = Math.max(1, ...lat);
  // The p95 limit joins the axis only when it is near the data: a 450 ms limit above 10 ms latencies
  // would flatten every line onto the floor, so it is named in the title instead.
  const limit = finite(opts.thresholdMs) ? opts.thresholdMs : null;
  const limitShown = limit !== null && limit <= top * 2;
  const maxLat = limitShown ? Math.max(top, limit) : top;
  const y = scaleLinear().domain([0, maxLat]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
  const maxRate = Math.max(1, ...pts.map((p) => (finite(p.rate) ? p.rate : 0)));
  // Rate bars use the lower 60% of the plot, so the latency lines stay readable above them.
  const y2 = scaleLinear().domain([0, maxRate / 0.6]).range([c.plot.y + c.plot.h, c.plot.y]).nice();
  c.xTicks = x.ticks(8).filter(Number.isInteger).map((t) => ({ pos: r(x(t)), label: `${t}s` }));
  c.yTicks = y.ticks(5).map((t) => ({ pos: r(y(t)), label: formatMs(t) }));
  c.y2Ticks = y2.ticks(5).map((t) => ({ pos: r(y2(t)), label: `${compactCount(t)}/s` }));
  c.xLabel = 'seconds since start';
  c.yLabel = 'latency';
  c.y2Label = 'requests/s';
  const slot = Math.max(1, (x(t0 + 1) - x(t0)) * 0.8);
  for (const p of pts) {
    if (finite(p.rate) && p.rate > 0) {
      c.bars.push({ x: r(x(p.t)), y: r(y2(p.rate)), w: r(slot), h: r(y2(0) - y2(p.rate)), cls: 'rate', title: `${p.t}s: ${compactCount(p.rate)} req/s` });
    }
    if (finite(p.errors) && p.errors > 0) {
      c.bars.push({ x: r(x(p.t)), y: r(y2(p.errors)), w: r(slot), h: r(y2(0) - y2(p.errors)), cls: 'errors', title: `${p.t}s: ${p.errors} errors` });
    }
  }
  const mid = (p: TimelinePoint) => x(p.t) + slot / 2;
  for (const [key, cls, label] of [
    ['p50', 'p50', 'p50'],
    ['p95', 'p95', 'p95'],
    ['p99', 'p99', 'p99'],
  ] as const) {
    const d = linePath(pts.map((p) => ({ x: mid(p), y: finite(p[key]) ? y(p[key] as number) : null })));
    if (d) c.series.push({ d, cls, label });
  }
  if (limit !== null && limitShown) c.rules.push({ orient: 'h', pos: r(y(limit)), cls: 'threshold', label: `p95 limit ${formatMs(limit)}` });
  else if (limit !== null) c.title += ` (p95 limit ${formatMs(limit)}, above this range)`;
  return c;
}

export interface TrendPoint {
  runId: string;
  startedAt: string;
  value: number | null;
  current?: boolean;
}

/** A metric over the last runs (oldest first); null when fewer than two runs have the metric. */
export function trendChart(title: string, points: TrendPoint[], opts: { unit: 'pct' | 'ms' | 'score'; rules?: { value: number; cls: string; label: string }[] }): Chart | null {
  if (points.filter((p) => finite(p.value)).length < 2) return null;
  // Small multiples: drawn at the size they are shown, so their labels stay legible.
  const c = frame(title, { w: 380, h: 180, m: { top: 16, right: 16, bottom: 36, left: 48 } });
  const x = scaleLinear().domain([0, Math.max(1, points.length - 1)]).range([c.plot.x, c.plot.x + c.plot.w]);
  const values = points.map((p) => p.value).filter(finite);
  const fixed = opts.unit === 'pct' || opts.unit === 'score';
  const y = scaleLinear()
    .domain(fixed ? [0, 100] : [0, Math.max(1, ...values)])
    .range([c.plot.y + c.plot.h, c.plot.y])
    .nice();
  const fmt = (v: number) => (opts.unit === 'ms' ? formatMs(v) : opts.unit === 'pct' ? `${Math.round(v * 10) / 10}%` : String(Math.round(v * 10) / 10));
  c.yTicks = y.ticks(4).map((t) => ({ pos: r(y(t)), label: fmt(t) }));
  const step = Math.max(1, Math.ceil(points.length / 8));
  c.xTicks = points.flatMap((p, i) =>
    i % step === 0 || i === points.length - 1
      ? [{ pos: r(x(i)), label: i === points.length - 1 && p.current ? 'this run' : `#${i + 1}`, anchor: i === points.length - 1 ? ('end' as const) : i === 0 ? ('start' as const) : ('middle' as const) }]
      : [],
  );
  c.xLabel = `last ${points.length} runs`;
  const pts = points.map((p, i) => ({ x: x(i), y: finite(p.value) ? y(p.value) : null }));
  c.series = [
    {
      d: linePath(pts),
      cls: 'trend',
      label: title,
      points: points.flatMap((p, i) => (finite(p.value) ? [{ x: r(x(i)), y: r(y(p.value)), title: `${p.runId} (${p.startedAt}): ${fmt(p.value)}` }] : [])),
    },
  ];
  for (const rule of opts.rules ?? []) c.rules.push({ orient: 'h', pos: r(y(rule.value)), cls: rule.cls, label: rule.label });
  return c;
}

export interface ScoreBar {
  width: number;
  height: number;
  bands: { x: number; w: number; cls: string; label: string }[];
  marker: { x: number; label: string } | null;
  ticks: Tick[];
  /** The bands in words, for the tooltip: the lines this run was gated on, not the defaults. */
  legend: string;
}

/** The determinism score on 0..100 with the FAIL, WARN and PASS bands (by default <70, 70-89, >=90). */
export function scoreBar(score: number | null, bands: { warn: number; pass: number } = { warn: 70, pass: 90 }): ScoreBar {
  const width = 640;
  const x = scaleLinear().domain([0, 100]).range([8, width - 8]).clamp(true);
  // Lines may be any numbers (92.5), and equal (no WARN at all): bounds are said as "below", never as pass - 1.
  const warnBand = bands.pass > bands.warn;
  return {
    width,
    height: 54,
    bands: [
      { x: r(x(0)), w: r(x(bands.warn) - x(0)), cls: 'band-fail', label: `FAIL < ${bands.warn}` },
      ...(warnBand ? [{ x: r(x(bands.warn)), w: r(x(bands.pass) - x(bands.warn)), cls: 'band-warn', label: `WARN < ${bands.pass}` }] : []),
      { x: r(x(bands.pass)), w: r(x(100) - x(bands.pass)), cls: 'band-pass', label: `PASS ≥ ${bands.pass}` },
    ],
    marker: finite(score) ? { x: r(x(score)), label: String(Number(fixedDown(score, 1))) } : null,
    ticks: [0, bands.warn, bands.pass, 100].map((t) => ({ pos: r(x(t)), label: String(t), anchor: t === 0 ? 'start' : t === 100 ? 'end' : 'middle' })),
    legend: `FAIL below ${bands.warn}, ${warnBand ? `WARN ${bands.warn} to below ${bands.pass}, ` : ''}PASS ${bands.pass} and above`,
  };
}

/** A small horizontal bar for a rate in 0..1 (pass rates in tables). */
export function rateBar(rate: number | null): { w: number; cls: string } {
  if (!finite(rate)) return { w: 0, cls: 'rate-none' };
  const clamped = Math.max(0, Math.min(1, rate));
  return { w: r(clamped * 100), cls: clamped >= 1 ? 'rate-full' : clamped >= 0.95 ? 'rate-high' : 'rate-low' };
}
