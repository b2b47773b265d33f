import { STAGE_ORDER } from '../runner/events.js';
import { escapeControls } from '../util/printable.js';
import type { MetricPoint } from '../store/types.js';
import type { Finding, Severity } from '../warroom/finding.js';
import { SEVERITY_SCORE } from '../warroom/finding.js';
import {
  formatMs,
  histogramChart,
  rateBar,
  fixedDown,
  scoreBar,
  timelineChart,
  trendChart,
  type Chart,
  type HistogramBin,
  type ScoreBar,
  type TimelinePoint,
  type TrendPoint,
} from './charts.js';
import { failureDiff, type ExpectedActual } from './diff.js';
import { shortPointer } from '../replay/divergence.js';
import { driftUnmeasured, type DriftCounts } from '../replay/drift.js';
import type { Report } from './types.js';
import { pipelineChecksLine } from './pipeline-checks.js';

/**
 * report.json → what report.html shows. Pure: reads any stage shape defensively (stages written by
 * other modules may lack fields), bounds every list so a 100k-case run renders in the same time as a
 * small one, and leaves all escaping to the template.
 */
export const LIMITS = {
  casesPerPage: 50,
  maxCaseDetails: 500,
  warroomPerPage: 100,
  maxWarroomRows: 1000,
  maxReplayRows: 200,
  maxDriftRows: 200,
  maxChecks: 500,
  maxTrendRuns: 30,
  /** Longest message or answer text shown in one cell. */
  maxText: 2000,
};

export interface Page<T> {
  id: string;
  n: number;
  items: T[];
}

export interface Paged<T> {
  pages: Page<T>[];
  total: number;
  shown: number;
  more: number;
}

export function paginate<T>(all: T[], opts: { perPage: number; max: number; idPrefix: string }): Paged<T> {
  const shownItems = all.slice(0, opts.max);
  const pages: Page<T>[] = [];
  for (let i = 0; i < shownItems.length; i += opts.perPage) {
    const n = pages.length + 1;
    pages.push({ id: `${opts.idPrefix}-p${n}`, n, items: shownItems.slice(i, i + opts.perPage) });
  }
  return { pages, total: all.length, shown: shownItems.length, more: all.length - shownItems.length };
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
function str(v: unknown): string | null {
  return typeof v === 'string' ? v : null;
}
function arr(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
/**
 * The first `max` UTF-16 units of a string, one fewer when the cut would split a surrogate pair: half
 * an emoji is written to a UTF-8 file as U+FFFD, a character the engine never sent.
 */
export function cutText(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = max > 0 && /[\ud800-\udbff]/.test(s[max - 1]) ? max - 1 : max;
  return s.slice(0, end);
}

/** Any value as bounded text (objects as compact JSON). */
export function text(v: unknown, max = LIMITS.maxText): string {
  let s: string;
  if (typeof v === 'string') s = v;
  else if (v === undefined) s = '';
  else {
    try {
      s = JSON.stringify(v) ?? String(v);
    } catch {
      s = String(v);
    }
  }
  // Controls and bidi overrides shown as \\xNN / \\uNNNN: a right-to-left override would reorder the page's text.
  const cut = s.length > max ? `${cutText(s, max)}… (${s.length} chars)` : s;
  return escapeControls(cut);
}

/**
 * The diff as the page shows it: escaped as every engine value is (text()). Its sides come from the
 * answer excerpt and from the message's quoted values read back as JSON strings, both of which can hold
 * a bidi override again, which would reorder the page's text.
 */
function shownDiff(d: ExpectedActual | null): ExpectedActual | null {
  if (!d) return null;
  const parts = (ps: ExpectedActual['expectedParts']) => ps.map((p) => ({ ...p, text: escapeControls(p.text) }));
  return { ...d, expected: escapeControls(d.expected), actual: escapeControls(d.actual), expectedParts: parts(d.expectedParts), actualParts: parts(d.actualParts) };
}

function verdictCls(v: unknown): string {
  const s = typeof v === 'string' ? v.toLowerCase() : 'unknown';
  return ['pass', 'warn', 'fail', 'error', 'skipped'].includes(s) ? s : 'unknown';
}

function location(v: unknown): string | null {
  if (!isObj(v)) return null;
  const file = str(v.file);
  if (!file) return null;
  const line = num(v.line);
  return line !== null ? `${file}:${line}` : file;
}

// ---- stage cards ---------------------------------------------------------------------------------

export interface StageCard {
  name: string;
  verdict: string;
  cls: string;
  reason: string;
  headline: string;
  anchor: string | null;
}

function stageHeadline(name: string, s: Obj): string {
  if (s.verdict === 'SKIPPED') return 'skipped';
  switch (name) {
    case 'sim': {
      const total = num(s.total);
      const passed = num(s.passed);
      const rate = num(s.passRate);
      return total !== null ? `${passed ?? 0}/${total} passed${rate !== null ? ` (${(rate * 100).toFixed(2)}%)` : ''}` : '';
    }
    case 'load': {
      const p95 = num(isObj(s.metrics) && isObj(s.metrics.http_req_duration) ? s.metrics.http_req_duration['p(95)'] : null);
      return p95 !== null ? `p95 ${formatMs(p95)}` : '';
    }
    case 'replay': {
      const d = num(s.determinismScore);
      // Rounded down, as the replay section shows it: 89.97 must not read "90" beside a WARN.
      return d !== null ? `determinism ${fixedDown(d, 1)}` : '';
    }
    case 'pipeline': {
      const checks = arr(s.checks).filter(isObj);
      return checks.length ? pipelineChecksLine(checks) : '';
    }
    default:
      return '';
  }
}

// ---- SIM -----------------------------------------------------------------------------------------

export interface SimCaseView {
  id: string;
  dataset: string;
  status: string;
  cls: string;
  location: string | null;
  passes: number | null;
  repeats: number | null;
  passRate: number | null;
  wilson: string | null;
  latencyMs: number | null;
  failures: { assertion: string; message: string }[];
  warnings: { assertion: string; message: string }[];
  engineErrors: { kind: string; message: string }[];
  diff: ExpectedActual | null;
  /** Shown when there is no diff (engine errors, unparsed messages). */
  actual: string | null;
  /** Searchable text for the filter box. */
  search: string;
}

export interface SimView {
  verdict: string;
  cls: string;
  reason: string;
  totals: { total: number | null; passed: number | null; failed: number | null; errored: number | null; flaky: number | null; warned: number | null; notRun: number | null; passRate: number | null; attempts: number | null };
  datasets: { name: string; file: string; total: number | null; passed: number | null; failed: number | null; errored: number | null; flaky: number | null; passRate: number | null; bar: { w: number; cls: string } }[];
  problems: Paged<SimCaseView>;
  /** Said where no case is listed: every case passed, or only those that ran, or none was judged. */
  noProblems: string;
  engineErrors: { kind: string; count: number }[];
}

const STATUS_ORDER: Record<string, number> = { failed: 0, errored: 1, flaky: 2, warned: 3 };

function simCaseView(c: Obj): SimCaseView {
  const failures = arr(c.failures).filter(isObj).map((f) => ({ assertion: text(f.assertion, 100), message: text(f.message) }));
  const warnings = arr(c.warnings).filter(isObj).map((f) => ({ assertion: text(f.assertion, 100), message: text(f.message) }));
  const engineErrors = arr(c.engineErrors).filter(isObj).map((e) => ({ kind: text(e.kind, 100), message: text(e.message) }));
  const actualRaw = str(c.actual) ?? undefined;
  const first = failures[0] ?? warnings[0];
  const diff = first ? shownDiff(failureDiff(first.message, actualRaw)) : null;
  const status = str(c.status) ?? (c.passed === true ? 'passed' : 'failed');
  const shownStatus = status === 'passed' && warnings.length ? 'warned' : status;
  const wilson = Array.isArray(c.wilson) && c.wilson.length === 2 ? `${c.wilson[0]}–${c.wilson[1]}` : null;
  const id = text(c.id, 300);
  const dataset = text(c.dataset, 300);
  const loc = location(c.location);
  return {
    id,
    dataset,
    status: shownStatus,
    cls: shownStatus === 'failed' || shownStatus === 'errored' ? 'fail' : 'warn',
    location: loc,
    passes: num(c.passes),
    repeats: num(c.repeats),
    passRate: num(c.passRate),
    wilson,
    latencyMs: num(c.latencyMs),
    failures,
    warnings,
    engineErrors,
    diff,
    actual: diff ? null : actualRaw !== undefined ? text(actualRaw) : null,
    search: `${dataset}/${id} ${loc ?? ''} ${shownStatus} ${failures.map((f) => f.assertion).join(' ')}`.toLowerCase(),
  };
}

function simView(s: Obj): SimView {
  const cases = arr(s.cases).filter(isObj);
  const problems: Obj[] = [];
  for (const c of cases) {
    const status = str(c.status);
    const hasWarn = arr(c.warnings).length > 0;
    if (status === 'passed' || (status === null && c.passed === true)) {
      if (hasWarn) problems.push(c);
    } else problems.push(c);
  }
  const rank = (c: Obj) => STATUS_ORDER[str(c.status) === 'passed' ? 'warned' : (str(c.status) ?? 'failed')] ?? 4;
  // Stable sort: within a status, dataset order as run.
  const ordered = problems.map((c, i) => ({ c, i, k: rank(c) })).sort((a, b) => a.k - b.k || a.i - b.i);
  const views = ordered.slice(0, LIMITS.maxCaseDetails).map((o) => simCaseView(o.c));
  const paged = paginate(views, { perPage: LIMITS.casesPerPage, max: LIMITS.maxCaseDetails, idPrefix: 'sim-cases' });
  paged.total = problems.length;
  paged.more = problems.length - paged.shown;
  const engineErrors = isObj(s.engineErrors)
    ? Object.entries(s.engineErrors).flatMap(([kind, count]) => (num(count) !== null ? [{ kind, count: count as number }] : []))
    : [];
  return {
    verdict: text(s.verdict, 20),
    cls: verdictCls(s.verdict),
    reason: text(s.reason ?? ''),
    totals: {
      total: num(s.total),
      passed: num(s.passed),
      failed: num(s.failed),
      errored: num(s.errored),
      flaky: num(s.flaky),
      warned: num(s.warned),
      notRun: num(s.notRun),
      passRate: num(s.passRate),
      attempts: num(s.attempts),
    },
    datasets: arr(s.datasets)
      .filter(isObj)
      .map((d) => ({
        name: text(d.name, 300),
        file: text(d.file, 500),
        total: num(d.total),
        passed: num(d.passed),
        failed: num(d.failed),
        errored: num(d.errored),
        flaky: num(d.flaky),
        // A dataset with no case judged (a cancel came first) has no pass rate, not 0%.
        passRate: num(d.total) === 0 ? null : num(d.passRate),
        bar: rateBar(num(d.total) === 0 ? null : num(d.passRate)),
      })),
    problems: paged,
    noProblems: noProblemsText(num(s.total), num(s.notRun)),
    engineErrors,
  };
}

function noProblemsText(total: number | null, notRun: number | null): string {
  const left = notRun !== null && notRun > 0 ? `${notRun} case(s) were not run.` : '';
  if (total === 0) return `No case was judged.${left ? ` ${left}` : ''}`;
  return left ? `Every case that ran passed; ${left.charAt(0).toLowerCase()}${left.slice(1)}` : 'Every case passed.';
}

// ---- load ----------------------------------------------------------------------------------------

export interface LoadView {
  verdict: string;
  cls: string;
  reason: string;
  generator: string | null;
  invalid: string | null;
  /** Answers checked under load (built-in generator). */
  quality: { checked: number | null; failed: number | null; passRate: number | null; simPassRate: number | null; failing: { id: string; location: string | null; failed: string; first: string }[] } | null;
  errors: { kind: string; count: number }[];
  metrics: { name: string; values: { key: string; value: string }[] }[];
  thresholds: { metric: string; expression: string; ok: boolean | null; actual: string }[];
  histogram: Chart | null;
  timeline: Chart | null;
}

const METRIC_ORDER = ['http_reqs', 'http_req_duration', 'http_req_failed', 'iterations', 'dropped_iterations', 'scheduler_lag_ms'];
const DURATION_KEYS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

const RATE_METRICS = new Set(['http_req_failed', 'checks']);

function metricValue(name: string, key: string, v: unknown): string {
  const n = num(v);
  if (n === null) return text(v, 200);
  if (key === 'rate' && RATE_METRICS.has(name)) return `${(n * 100).toFixed(2)}%`;
  if (name.includes('duration') || name.endsWith('_ms') || DURATION_KEYS.includes(key)) return formatMs(n);
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function loadMetrics(m: unknown): LoadView['metrics'] {
  if (!isObj(m)) return [];
  const names = Object.keys(m).sort((a, b) => {
    const ia = METRIC_ORDER.indexOf(a);
    const ib = METRIC_ORDER.indexOf(b);
    // By code point, not localeCompare: that collates by the machine's locale (LANG), and report.html
    // (in the bundle) must be the same bytes on every machine.
    return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : a > b ? 1 : 0);
  });
  return names.map((name) => {
    const v = m[name];
    if (isObj(v)) {
      const keys = Object.keys(v).sort((a, b) => {
        const ia = DURATION_KEYS.indexOf(a);
        const ib = DURATION_KEYS.indexOf(b);
        return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib);
      });
      return { name: text(name, 200), values: keys.map((k) => ({ key: text(k, 100), value: metricValue(name, k, v[k]) })) };
    }
    return { name: text(name, 200), values: [{ key: 'value', value: metricValue(name, 'value', v) }] };
  });
}

/** Thresholds as a list `[{metric, expression, ok, actual}]` or as k6 writes them in options, `{metric: [expr]}`. */
function loadThresholds(t: unknown): LoadView['thresholds'] {
  if (Array.isArray(t)) {
    return t.filter(isObj).map((x) => {
      const ok = typeof x.ok === 'boolean' ? x.ok : typeof x.passed === 'boolean' ? x.passed : typeof x.failed === 'boolean' ? !x.failed : null;
      const metric = text(x.metric ?? x.name ?? '', 200);
      const actual = x.actual ?? x.value;
      const note = typeof x.note === 'string' ? ` (${text(x.note, 200)})` : '';
      const level = x.level === 'warn' ? ' [warn]' : '';
      return {
        metric,
        expression: text(x.expression ?? x.threshold ?? x.expr ?? x.source ?? '', 300) + level,
        ok,
        actual: (actual === undefined || actual === null ? '' : metricValue(metric.replace(/\{.*$/, ''), RATE_METRICS.has(metric.replace(/\{.*$/, '')) ? 'rate' : 'value', actual)) + note,
      };
    });
  }
  if (isObj(t)) {
    return Object.entries(t).flatMap(([metric, list]) =>
      arr(list).map((e) => (isObj(e) ? { metric, expression: text(e.threshold ?? e.expression ?? '', 300), ok: typeof e.ok === 'boolean' ? e.ok : null, actual: '' } : { metric, expression: text(e, 300), ok: null, actual: '' })),
    );
  }
  return [];
}

/** Histogram bins as `[{from,to,count}]`, `[{lo,hi,count}]`, `[{min,max,count}]` or `{ bins: [...] }`. */
export function histogramBins(h: unknown): HistogramBin[] {
  const list = isObj(h) ? arr(h.bins ?? h.buckets) : arr(h);
  const out: HistogramBin[] = [];
  let prev = 0;
  for (const b of list) {
    if (!isObj(b)) continue;
    const count = num(b.count);
    const to = num(b.to ?? b.hi ?? b.max ?? b.le);
    const from = num(b.from ?? b.lo ?? b.min) ?? prev;
    if (count === null || to === null) continue;
    out.push({ from, to, count });
    prev = to;
  }
  return out;
}

export function timelinePoints(t: unknown): TimelinePoint[] {
  return arr(t)
    .filter(isObj)
    .flatMap((p) => {
      // `{ t, p50, p95, p99, rate, errors }`, or the load recorder's rows `{ second, completed, p50Ms, ... }`.
      const tt = num(p.t ?? p.second);
      if (tt === null) return [];
      return [{ t: tt, p50: num(p.p50 ?? p.p50Ms), p95: num(p.p95 ?? p.p95Ms), p99: num(p.p99 ?? p.p99Ms), rate: num(p.rate ?? p.completed), errors: num(p.errors) }];
    });
}

function p95Limit(thresholds: LoadView['thresholds']): number | null {
  for (const t of thresholds) {
    if (t.metric !== 'http_req_duration') continue;
    const m = /^p\(95\)\s*<=?\s*([\d.]+)(?:\s|$)/.exec(t.expression.replace(/\s+/g, ' ').trim());
    if (m) return Number(m[1]);
  }
  return null;
}

function loadView(s: Obj): LoadView {
  const thresholds = loadThresholds(s.thresholds);
  const limit = p95Limit(thresholds);
  const dur = isObj(s.metrics) && isObj(s.metrics.http_req_duration) ? s.metrics.http_req_duration : {};
  const markers = (['p(50)', 'med', 'p(95)', 'p(99)'] as const).flatMap((k) => (num(dur[k]) !== null ? [{ ms: num(dur[k]) as number, label: k === 'med' ? 'p50' : k.replace(/[()]/g, '') }] : []));
  const reasons = arr(s.invalidReasons).map((x) => text(x, 300));
  const invalid =
    s.valid === false
      ? reasons.length
        ? reasons.join('; ')
        : text(s.invalidReason ?? s.reason ?? 'the generator fell behind', 500)
      : typeof s.invalid === 'string'
        ? text(s.invalid, 500)
        : null;
  const q = isObj(s.quality) ? s.quality : null;
  const quality = q
    ? {
        checked: num(q.checked),
        failed: num(q.failed),
        passRate: num(q.passRate),
        simPassRate: num(q.simPassRate),
        failing: arr(q.failingCases)
          .filter(isObj)
          .slice(0, 20)
          .map((c) => ({ id: `${text(c.dataset ?? '', 300)}/${text(c.id, 300)}`, location: location(c.location), failed: `${fmtNum(c.failed, 0)}/${fmtNum(c.checked, 0)}`, first: text(c.firstFailure ?? '', 600) })),
      }
    : null;
  const errors = isObj(s.errors) ? Object.entries(s.errors).flatMap(([kind, count]) => (num(count) !== null && (count as number) > 0 ? [{ kind: text(kind, 100), count: count as number }] : [])) : [];
  return {
    verdict: text(s.verdict, 20),
    cls: verdictCls(s.verdict),
    reason: text(s.reason ?? ''),
    generator: str(s.generator),
    invalid,
    quality,
    errors,
    metrics: loadMetrics(s.metrics),
    thresholds,
    histogram: histogramChart(histogramBins(s.histogram ?? s.latencyHistogram), { rules: markers }),
    timeline: timelineChart(timelinePoints(s.timeline), { thresholdMs: limit }),
  };
}

// ---- replay and drift ----------------------------------------------------------------------------

export interface ReplayView {
  verdict: string;
  cls: string;
  reason: string;
  score: number | null;
  /** The score with one decimal, rounded down as the score itself is (89.97 is not shown as 90.0). */
  scoreText: string;
  bar: ScoreBar;
  stats: { label: string; value: string }[];
  divergences: Paged<{ id: string; dataset: string | null; location: string | null; uniqueOutputs: string; modalAgreement: string; pointer: string | null; charIndex: number | null; diffs: string[]; search: string }>;
  agreedCount: number;
  caseCount: number;
  drift: DriftView | null;
}

export interface DriftView {
  baseline: string;
  rate: number | null;
  /** No stable case was compared with the baseline (report.json's rate is null; older reports said 0): no rate is shown. */
  unmeasured: boolean;
  /** Why, in words ('' when measured). */
  unmeasuredWhy: string;
  counts: { status: string; count: number }[];
  changed: Paged<{ id: string; status: string; diff: string }>;
  noise: { id: string; diff: string }[];
  noiseMore: number;
}

/** A replay/drift difference (`{ pointer, kind, left, right, charIndex?, similarity? }`) as one readable line. */
export function diffText(x: unknown): string {
  if (Array.isArray(x)) return x.slice(0, 5).map(diffText).join('\n');
  if (!isObj(x) || typeof x.pointer !== 'string') return text(x, 600);
  const where = x.pointer === '' ? '(root)' : shortPointer(x.pointer);
  const at = num(x.charIndex) !== null ? ` at character ${x.charIndex}` : '';
  const sim = num(x.similarity) !== null ? ` (similarity ${(x.similarity as number).toFixed(2)})` : '';
  const side = (v: unknown) => (v === undefined ? '(absent)' : text(v, 240));
  // report.json names the sides by what they are: snapshot/replay (replay diffs), baseline/current (drift).
  const pick = (...names: string[]) => {
    const name = names.find((n) => Object.hasOwn(x, n));
    return name === undefined ? undefined : x[name];
  };
  return `${where} ${text(x.kind ?? 'changed', 20)}${at}: ${side(pick('left', 'snapshot', 'baseline'))} → ${side(pick('right', 'replay', 'current'))}${sim}`;
}

function fmtNum(v: unknown, digits = 2): string {
  const n = num(v);
  return n === null ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits });
}

function driftView(d: unknown): DriftView | null {
  if (!isObj(d)) return null;
  const cases = arr(d.cases).filter(isObj);
  const counts = new Map<string, number>();
  for (const c of cases) {
    const st = text(c.status ?? 'unknown', 50);
    counts.set(st, (counts.get(st) ?? 0) + 1);
  }
  const changed = cases
    .filter((c) => c.status !== 'unchanged' && c.status !== 'noise')
    .map((c) => ({ id: text(c.id, 300), status: text(c.status, 50), diff: c.diff === undefined ? '' : diffText(c.diff) }));
  const noiseAll = cases.filter((c) => c.status === 'noise');
  const noise = noiseAll.slice(0, 50).map((c) => ({ id: text(c.id, 300), diff: c.diff === undefined ? '' : diffText(c.diff) }));
  const why = driftUnmeasured(driftCounts(d, counts));
  const unmeasured = why !== null || d.rate === null;
  return {
    baseline: text(d.baseline ?? '(none)', 500),
    rate: unmeasured ? null : num(d.rate),
    unmeasured,
    unmeasuredWhy: !unmeasured
      ? ''
      : why === 'all-noise'
        ? 'drift not measured: every case in common with the baseline is unstable (noise)'
        : why === 'no-case-in-common'
          ? 'drift not measured: no case of this run is in the baseline'
          : 'drift not measured: no stable case was compared with the baseline',
    counts: [...counts.entries()].map(([status, count]) => ({ status, count })),
    changed: paginate(changed, { perPage: LIMITS.maxDriftRows, max: LIMITS.maxDriftRows, idPrefix: 'drift' }),
    noise,
    noiseMore: noiseAll.length - noise.length,
  };
}

/** The drift counts report.json gives beside the rate; from the listed cases when it has none (older reports). */
function driftCounts(d: Obj, fromCases: Map<string, number>): DriftCounts {
  const pick = (k: keyof DriftCounts) => num(d[k]) ?? fromCases.get(k) ?? 0;
  return { unchanged: pick('unchanged'), changed: pick('changed'), new: pick('new'), removed: pick('removed'), noise: pick('noise') };
}

/** The replay stage's PASS and WARN lines (DESIGN §4.1: 90 and 70 unless the config moves them). */
function replayBands(s: Obj | undefined): { warn: number; pass: number } {
  const th = s && isObj(s.thresholds) ? s.thresholds : {};
  return { warn: num(th.warn) ?? 70, pass: num(th.pass) ?? 90 };
}

function replayView(s: Obj): ReplayView {
  const score = num(s.determinismScore);
  const bands = replayBands(s);
  const cases = arr(s.cases).filter(isObj);
  const diverged = cases
    .filter((c) => c.agreed !== true)
    .sort((a, b) => (num(b.uniqueOutputs) ?? 0) - (num(a.uniqueOutputs) ?? 0))
    .map((c) => {
      const fd = isObj(c.firstDivergence) ? c.firstDivergence : null;
      const id = text(c.id, 300);
      const pointer = fd ? text(fd.pointer ?? '', 500) : null;
      return {
        id,
        uniqueOutputs: fmtNum(c.uniqueOutputs, 0),
        modalAgreement: num(c.modalAgreement) !== null ? `${((c.modalAgreement as number) <= 1 ? (c.modalAgreement as number) * 100 : (c.modalAgreement as number)).toFixed(1)}%` : '–',
        pointer: pointer === '' ? '(root)' : pointer,
        charIndex: fd ? num(fd.charIndex) : null,
        dataset: c.dataset !== undefined ? text(c.dataset, 300) : null,
        location: location(c.location),
        diffs: arr(c.diffs).slice(0, 3).map((x) => diffText(x)),
        search: `${text(c.dataset ?? '', 300)}/${id} ${pointer ?? ''}`.toLowerCase(),
      };
    });
  return {
    verdict: text(s.verdict, 20),
    cls: verdictCls(s.verdict),
    reason: text(s.reason ?? ''),
    score,
    scoreText: score !== null ? fixedDown(score, 1) : '–',
    bar: scoreBar(score, bands),
    stats: [
      { label: 'rounds', value: fmtNum(s.rounds, 0) },
      // Rounded down, as the determinism score is: 449 of 499 agreeing is 89.97, not 'TAR 90.0%' beside a WARN.
      { label: 'TAR (canonical)', value: num(s.tarCanonical) !== null ? `${fixedDown((s.tarCanonical as number) * 100, 1)}%` : '–' },
      { label: 'TAR (raw bytes)', value: num(s.tarRaw) !== null ? `${fixedDown((s.tarRaw as number) * 100, 1)}%` : '–' },
      { label: 'unique outputs', value: fmtNum(s.uniqueOutputs) },
    ],
    divergences: paginate(diverged, { perPage: LIMITS.maxReplayRows, max: LIMITS.maxReplayRows, idPrefix: 'replay' }),
    agreedCount: cases.length - diverged.length,
    caseCount: cases.length,
    drift: driftView(s.drift),
  };
}

// ---- pipeline ------------------------------------------------------------------------------------

export interface PipelineView {
  verdict: string;
  cls: string;
  reason: string;
  checks: { name: string; ok: boolean | null; severity: string; sevCls: string; detail: string }[];
  failing: number;
  more: number;
}

function pipelineView(s: Obj): PipelineView {
  const all = arr(s.checks)
    .filter(isObj)
    .map((c, i) => {
      const severity = text(c.severity ?? '', 20);
      return { i, name: text(c.name, 300), ok: typeof c.ok === 'boolean' ? c.ok : null, severity, sevCls: severity.toLowerCase(), detail: text(c.detail ?? '') };
    });
  const sev = (x: string) => SEVERITY_SCORE[x as Severity] ?? -1;
  all.sort((a, b) => Number(a.ok === true) - Number(b.ok === true) || sev(b.severity) - sev(a.severity) || a.i - b.i);
  return {
    verdict: text(s.verdict, 20),
    cls: verdictCls(s.verdict),
    reason: text(s.reason ?? ''),
    checks: all.slice(0, LIMITS.maxChecks).map(({ i: _i, ...c }) => c),
    failing: all.filter((c) => c.ok === false).length,
    more: Math.max(0, all.length - LIMITS.maxChecks),
  };
}

// ---- WAR ROOM ------------------------------------------------------------------------------------

export interface WarroomRow {
  severity: string;
  cls: string;
  score: number;
  subsystem: string;
  type: string;
  message: string;
  caseId: string | null;
  location: string | null;
  remediation: string;
  timestamp: string;
  search: string;
}

const SEVERITIES: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

/** Most severe first (by score), then in the order raised. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i, s: typeof f.score === 'number' ? f.score : (SEVERITY_SCORE[f.severity] ?? 0) }))
    .sort((a, b) => b.s - a.s || SEVERITIES.indexOf(a.f.severity) - SEVERITIES.indexOf(b.f.severity) || a.i - b.i)
    .map((x) => x.f);
}

function warroomView(findings: readonly Finding[]): { counts: { severity: string; cls: string; count: number }[]; rows: Paged<WarroomRow> } {
  const sorted = sortFindings(findings);
  const rows = sorted.slice(0, LIMITS.maxWarroomRows).map((f) => {
    const message = text(f.message);
    const caseId = f.caseId !== undefined ? text(f.caseId, 300) : null;
    const loc = location(f.location);
    return {
      severity: text(f.severity, 20),
      cls: `sev-${text(f.severity, 20).toLowerCase()}`,
      score: typeof f.score === 'number' ? f.score : 0,
      subsystem: text(f.subsystem, 100),
      type: text(f.type, 100),
      message,
      caseId,
      location: loc,
      remediation: text(f.remediation),
      timestamp: text(f.timestamp, 40),
      search: `${f.severity} ${f.subsystem} ${f.type} ${caseId ?? ''} ${loc ?? ''} ${message}`.toLowerCase().slice(0, 600),
    };
  });
  const paged = paginate(rows, { perPage: LIMITS.warroomPerPage, max: LIMITS.maxWarroomRows, idPrefix: 'warroom' });
  paged.total = findings.length;
  paged.more = findings.length - paged.shown;
  return {
    counts: SEVERITIES.map((s) => ({ severity: s, cls: `sev-${s.toLowerCase()}`, count: findings.filter((f) => f.severity === s).length })),
    rows: paged,
  };
}

// ---- trends --------------------------------------------------------------------------------------

export interface TrendsView {
  runs: number;
  charts: Chart[];
}

function trendsView(report: Report, history: readonly MetricPoint[]): TrendsView {
  const sim = report.stages.sim as Obj | undefined;
  const replay = report.stages.replay as Obj | undefined;
  const load = report.stages.load as Obj | undefined;
  const dur = load && isObj(load.metrics) && isObj(load.metrics.http_req_duration) ? load.metrics.http_req_duration : {};
  const current = {
    runId: report.runId,
    startedAt: report.startedAt,
    simPassRate: sim && sim.verdict !== 'SKIPPED' ? num(sim.passRate) : null,
    determinismScore: replay ? num(replay.determinismScore) : null,
    p95Ms: num(dur['p(95)']),
  };
  // This run's replay lines (as its score bar draws them), not the defaults: a gate at 95 drawn at 90 misleads.
  const bands = replayBands(replay);
  const past = history.filter((h) => h.runId !== report.runId).slice(-(LIMITS.maxTrendRuns - 1));
  const series = [...past.map((h) => ({ ...h, current: false })), { ...current, current: true }];
  const pick = (get: (p: (typeof series)[number]) => number | null): TrendPoint[] =>
    series.map((p) => ({ runId: p.runId, startedAt: p.startedAt, value: get(p), current: p.current }));
  const charts = [
    trendChart('SIM pass rate', pick((p) => (p.simPassRate === null ? null : p.simPassRate * 100)), { unit: 'pct' }),
    trendChart('Determinism score', pick((p) => p.determinismScore), {
      unit: 'score',
      rules: [
        { value: bands.pass, cls: 'band-pass-line', label: `PASS ${bands.pass}` },
        { value: bands.warn, cls: 'band-fail-line', label: `FAIL below ${bands.warn}` },
      ],
    }),
    trendChart('Load p95 latency', pick((p) => p.p95Ms), { unit: 'ms' }),
  ].filter((c): c is Chart => c !== null);
  return { runs: series.length, charts };
}

// ---- the page ------------------------------------------------------------------------------------

export interface HtmlView {
  title: string;
  runId: string;
  verdict: string;
  verdictCls: string;
  reason: string;
  error: { kind: string; message: string } | null;
  cancelled: boolean;
  engine: { kind: string; target: string; version: string; profile: string };
  startedAt: string;
  finishedAt: string;
  durationMs: number | null;
  settings: { configFile: string; stages: string; failOn: string; shard: string };
  cards: StageCard[];
  stages: { name: string; verdict: string; cls: string; reason: string }[];
  sim: SimView | null;
  load: LoadView | null;
  replay: ReplayView | null;
  pipeline: PipelineView | null;
  /** Stages this page has no dedicated section for (a stage added later): shown as their JSON. */
  others: { name: string; verdict: string; cls: string; reason: string; json: string }[];
  warroom: ReturnType<typeof warroomView>;
  trends: TrendsView;
  artifacts: { label: string; href: string; inBundle: string | null }[];
}

export interface ViewOptions {
  /** Earlier finished runs from the store, oldest first (`store.metricHistory(n)`). */
  history?: readonly MetricPoint[];
}

/**
 * Where an artifact lies inside bundle.zip (DESIGN §3.8), where that differs from the report folder:
 * the page is the same file in both, so it links both.
 */
const BUNDLE_NAME: Record<string, string> = { log: 'logs/run.log', snapshot: 'snapshot.json' };
const STAGE_SUMMARIES: [string, string][] = [
  ['sim', 'sim_summary.json'],
  ['load', 'load_summary.json'],
  ['replay', 'replay_summary.json'],
  ['pipeline', 'pipeline_summary.json'],
];

export function buildHtmlView(report: Report, opts: ViewOptions = {}): HtmlView {
  const stages = (report.stages ?? {}) as Record<string, Obj>;
  const names = [...STAGE_ORDER.filter((n) => n in stages), ...Object.keys(stages).filter((n) => !(STAGE_ORDER as string[]).includes(n))];
  const ran = (n: string) => isObj(stages[n]) && stages[n].verdict !== 'SKIPPED';
  const cards: StageCard[] = names.map((n) => {
    const s = isObj(stages[n]) ? stages[n] : {};
    return {
      name: n,
      verdict: text(s.verdict ?? 'UNKNOWN', 20),
      cls: verdictCls(s.verdict),
      reason: text(s.reason ?? ''),
      headline: stageHeadline(n, s),
      anchor: ran(n) ? `stage-${n}` : null,
    };
  });
  const artifacts = Object.entries(report.artifacts ?? {})
    .filter(([, v]) => typeof v === 'string' && v !== '')
    .map(([k, v]) => ({ label: k, href: v as string, inBundle: BUNDLE_NAME[k] ?? null }))
    // Only relative paths inside the report folder are links (a report never names a machine path).
    .filter((a) => !a.href.startsWith('/') && !/^[a-z][a-z0-9+.-]*:/i.test(a.href))
    // The stage summaries and this run's WAR ROOM lines lie beside the page, in the folder and the bundle alike.
    .concat(
      [...STAGE_SUMMARIES.filter(([stage]) => ran(stage)).map(([stage, file]) => ({ label: `${stage} summary`, href: file, inBundle: file })), { label: 'WAR ROOM', href: 'warroom.log', inBundle: 'warroom.log' }],
    );
  return {
    title: `toron-testops ${report.verdict}: run ${report.runId}`,
    runId: report.runId,
    verdict: report.verdict,
    verdictCls: verdictCls(report.verdict),
    reason: text(report.reason ?? ''),
    error: report.error ? { kind: text(report.error.kind, 100), message: text(report.error.message) } : null,
    cancelled: report.cancelled === true,
    engine: {
      kind: text(report.engine?.kind ?? '', 100),
      target: text(report.engine?.target ?? '', 500),
      version: text(report.engine?.version ?? '–', 200),
      profile: text(report.engine?.profile ?? '', 100),
    },
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: num(report.durationMs),
    settings: {
      configFile: text(report.settings?.configFile ?? 'defaults', 500),
      stages: arr(report.settings?.stages).join(', '),
      failOn: text(report.settings?.failOn ?? '', 20),
      shard: text(report.settings?.shard ?? '–', 20),
    },
    cards,
    stages: cards.map((c) => ({ name: c.name, verdict: c.verdict, cls: c.cls, reason: c.reason })),
    sim: ran('sim') ? simView(stages.sim) : null,
    load: ran('load') ? loadView(stages.load) : null,
    replay: ran('replay') ? replayView(stages.replay) : null,
    pipeline: ran('pipeline') ? pipelineView(stages.pipeline) : null,
    others: names
      .filter((n) => !(STAGE_ORDER as string[]).includes(n) && ran(n))
      .map((n) => ({ name: n, verdict: text(stages[n].verdict, 20), cls: verdictCls(stages[n].verdict), reason: text(stages[n].reason ?? ''), json: text(stages[n], 20_000) })),
    warroom: warroomView(report.warroom ?? []),
    trends: trendsView(report, opts.history ?? []),
    artifacts,
  };
}
