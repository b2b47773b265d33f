/**
 * k6's end-of-test summary, in either of the shapes k6 writes (reference/k6/README.md):
 * - the data `handleSummary(data)` receives: `metrics[name] = { type, contains, values, thresholds? }`,
 *   a threshold is `{ ok: true }` when it PASSED, a Rate's rate is `values.rate`;
 * - the legacy `--summary-export` file: `metrics[name]` is the values themselves, a threshold is a
 *   boolean that is TRUE WHEN IT FAILED, and a Rate's rate is named `value`.
 * Both read into one result. A value the file does not hold is null, never 0. k6's verdict on each
 * threshold is taken as stored (k6 judges thresholds on stats the file may not even hold).
 * k6's opt-in "new machine-readable summary" carries no thresholds: it is recognised and refused.
 */

export type K6SummaryShape = 'summary-export' | 'handle-summary';

export interface K6TrendValues {
  avg: number | null;
  min: number | null;
  med: number | null;
  max: number | null;
  'p(90)': number | null;
  'p(95)': number | null;
  'p(99)': number | null;
}

export interface K6Counter {
  count: number | null;
  rate: number | null;
}

export interface K6Rate {
  rate: number | null;
  /** For http_req_failed: the FAILED requests (k6's naming). */
  passes: number | null;
  fails: number | null;
}

export interface K6Threshold {
  /** Metric key as k6 wrote it, tags included. */
  metric: string;
  expression: string;
  /** As k6 meant it: true = the threshold held. */
  passed: boolean;
  /** As the file stores it (`true` = failed in the export shape; `{ ok }` in handleSummary's). */
  asStored: boolean | { ok: boolean };
}

export interface K6Summary {
  shape: K6SummaryShape;
  http_reqs: K6Counter | null;
  http_req_duration: K6TrendValues | null;
  http_req_failed: K6Rate | null;
  iterations: K6Counter | null;
  dropped_iterations: K6Counter | null;
  checks: K6Rate | null;
  /** handleSummary only (`state.testRunDurationMs`). */
  testRunDurationMs: number | null;
  thresholds: K6Threshold[];
  thresholdsPassed: boolean;
  /** Metrics with a failed threshold (what k6 names in "thresholds on metrics '...' have been crossed"). */
  failedThresholdMetrics: string[];
  /** The exit code k6 gives for this summary: 99 when a threshold failed, else 0. */
  expectedExitCode: 0 | 99;
  /** Every metric's values, as numbers, with a Rate's rate under `rate` in both shapes. */
  values: Record<string, Record<string, number>>;
}

export class K6SummaryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'K6SummaryError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => x !== null && typeof x === 'object' && !Array.isArray(x);

export function detectShape(d: unknown): K6SummaryShape | 'machine-readable' | 'unknown' {
  if (!isObj(d)) return 'unknown';
  if (isObj(d.metadata) && isObj(d.results) && 'version' in d) return 'machine-readable';
  if (!isObj(d.metrics)) return 'unknown';
  if ('state' in d || 'options' in d) return 'handle-summary';
  for (const m of Object.values(d.metrics)) if (isObj(m) && isObj(m.values)) return 'handle-summary';
  return 'summary-export';
}

/** Parses the text of a summary file; `source` names it in errors. */
export function parseK6SummaryText(text: string, source: string): K6Summary {
  let d: unknown;
  try {
    d = JSON.parse(text);
  } catch (err) {
    throw new K6SummaryError(`${source}: not JSON (${(err as Error).message})`);
  }
  return parseK6Summary(d, source);
}

export function parseK6Summary(d: unknown, source = 'k6 summary'): K6Summary {
  const shape = detectShape(d);
  if (shape === 'machine-readable') {
    throw new K6SummaryError(
      `${source} is k6's new machine-readable summary (--new-machine-readable-summary / K6_NEW_MACHINE_READABLE_SUMMARY), ` +
        'which carries no thresholds, so no verdict can be read from it: run k6 without that option',
    );
  }
  if (shape === 'unknown') throw new K6SummaryError(`${source} is not a k6 end-of-test summary (no "metrics" object)`);
  const metrics = (d as Obj).metrics as Obj;

  const values: Record<string, Record<string, number>> = {};
  const thresholds: K6Threshold[] = [];
  for (const [name, raw] of Object.entries(metrics)) {
    if (!isObj(raw)) continue;
    const flat: Obj = shape === 'handle-summary' ? (isObj(raw.values) ? raw.values : {}) : raw;
    const v: Record<string, number> = {};
    for (const [k, x] of Object.entries(flat)) if (typeof x === 'number' && Number.isFinite(x)) v[k] = x;
    // The export renames a Rate's rate to `value` (a Rate has passes/fails; a Gauge has min/max).
    if (shape === 'summary-export' && 'passes' in v && 'fails' in v && 'value' in v && !('rate' in v)) {
      v.rate = v.value;
      delete v.value;
    }
    values[name] = v;
    const th = shape === 'handle-summary' ? raw.thresholds : flat.thresholds;
    if (isObj(th)) {
      for (const [expression, stored] of Object.entries(th)) {
        if (shape === 'summary-export') {
          if (typeof stored !== 'boolean') continue;
          thresholds.push({ metric: name, expression, passed: !stored, asStored: stored });
        } else {
          if (!isObj(stored) || typeof stored.ok !== 'boolean') continue;
          thresholds.push({ metric: name, expression, passed: stored.ok, asStored: { ok: stored.ok } });
        }
      }
    }
  }
  thresholds.sort((a, b) => (a.metric < b.metric ? -1 : a.metric > b.metric ? 1 : 0));

  const num = (m: string, k: string): number | null => values[m]?.[k] ?? null;
  const counter = (m: string): K6Counter | null => (values[m] ? { count: num(m, 'count'), rate: num(m, 'rate') } : null);
  const rate = (m: string): K6Rate | null => (values[m] ? { rate: num(m, 'rate'), passes: num(m, 'passes'), fails: num(m, 'fails') } : null);
  const trend = (m: string): K6TrendValues | null =>
    values[m]
      ? {
          avg: num(m, 'avg'),
          min: num(m, 'min'),
          med: num(m, 'med'),
          max: num(m, 'max'),
          'p(90)': num(m, 'p(90)'),
          'p(95)': num(m, 'p(95)'),
          'p(99)': num(m, 'p(99)'),
        }
      : null;

  const state = (d as Obj).state;
  const dur = isObj(state) && typeof state.testRunDurationMs === 'number' ? state.testRunDurationMs : null;
  const failedThresholdMetrics = [...new Set(thresholds.filter((t) => !t.passed).map((t) => t.metric))];
  return {
    shape,
    http_reqs: counter('http_reqs'),
    http_req_duration: trend('http_req_duration'),
    http_req_failed: rate('http_req_failed'),
    iterations: counter('iterations'),
    dropped_iterations: counter('dropped_iterations'),
    checks: rate('checks'),
    testRunDurationMs: dur,
    thresholds,
    thresholdsPassed: failedThresholdMetrics.length === 0,
    failedThresholdMetrics,
    expectedExitCode: failedThresholdMetrics.length === 0 ? 0 : 99,
    values,
  };
}
