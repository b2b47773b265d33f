import fs from 'node:fs';
import path from 'node:path';
import { parseK6SummaryText, type K6Summary } from '../load/k6-summary.js';
import { compare, parseThresholds, type ThresholdResult } from '../load/thresholds.js';
import type { StageResult } from '../runner/stage.js';
import type { LoadSettings } from '../settings/types.js';
import { describeThreshold, generatorValidity, loadVerdict } from '../stages/load/verdict.js';
import { errorMessage } from '../util/errors.js';
import { shownInput } from './inputs.js';

/**
 * The end-of-test summaries of distributed k6 runners (k6-operator parallelism N, k6 cloud exports),
 * combined into one load result. Counts and rates add up (the runners ran side by side), averages are
 * weighted by request count, min and max are exact. Percentiles and medians cannot be combined exactly
 * from summaries; the largest runner value is an upper bound (a mixture's quantile never exceeds the
 * largest of its components' quantiles), reported as such, and thresholds are judged on it: a
 * threshold that holds on the bound holds on the real value (conservative).
 */

export interface K6Input {
  source: string;
  summary: K6Summary;
}

type Values = Record<string, number>;

const PERCENTILE = /^(med|p\(.+\))$/;

export function readK6Summaries(files: string[], cwd: string): { inputs: K6Input[]; problems: { source: string; message: string }[] } {
  const inputs: K6Input[] = [];
  const problems: { source: string; message: string }[] = [];
  for (const f of files) {
    const abs = path.resolve(cwd, f);
    const source = shownInput(cwd, abs);
    try {
      inputs.push({ source, summary: parseK6SummaryText(fs.readFileSync(abs, 'utf8'), source) });
    } catch (err) {
      // fs errors name the file by its absolute path: the merged run's reports name it as given (DESIGN §3.3)
      problems.push({ source, message: errorMessage(err).split(abs).join(source) });
    }
  }
  return { inputs, problems };
}

/** Every metric of the runners combined by its kind (read from the values it has). */
export function mergeK6Values(summaries: K6Summary[]): Record<string, Values> {
  const names = [...new Set(summaries.flatMap((s) => Object.keys(s.values)))].sort();
  const out: Record<string, Values> = {};
  for (const name of names) {
    const parts = summaries.map((s) => ({ v: s.values[name], s })).filter((p) => p.v !== undefined);
    const vs = parts.map((p) => p.v);
    const has = (k: string) => vs.some((v) => k in v);
    const merged: Values = {};
    if (has('passes') && has('fails')) {
      // A Rate: passes and fails add up; the rate is taken again from them.
      const passes = sumOf(vs, 'passes');
      const fails = sumOf(vs, 'fails');
      merged.passes = passes;
      merged.fails = fails;
      if (passes + fails > 0) merged.rate = passes / (passes + fails);
    } else if (has('count') && !has('avg')) {
      merged.count = sumOf(vs, 'count');
      if (has('rate')) merged.rate = sumOf(vs, 'rate');
    } else if (has('avg') || [...new Set(vs.flatMap(Object.keys))].some((k) => PERCENTILE.test(k))) {
      // A Trend: requests weigh the average (iterations for iteration metrics); equal weights otherwise.
      const weightMetric = name.startsWith('iteration') ? 'iterations' : 'http_reqs';
      const weights = parts.map((p) => p.s.values[weightMetric]?.count ?? 1);
      const keys = [...new Set(vs.flatMap(Object.keys))];
      for (const k of keys) {
        const xs = parts.map((p, i) => ({ x: p.v[k], w: weights[i] })).filter((e) => typeof e.x === 'number');
        if (xs.length === 0) continue;
        if (k === 'avg') {
          const w = xs.reduce((a, e) => a + e.w, 0);
          merged.avg = w > 0 ? xs.reduce((a, e) => a + e.x * e.w, 0) / w : xs.reduce((a, e) => a + e.x, 0) / xs.length;
        } else if (k === 'min') merged.min = Math.min(...xs.map((e) => e.x));
        else merged[k] = Math.max(...xs.map((e) => e.x)); // max, med and p(N): max is exact, the others an upper bound
      }
    } else {
      // A Gauge (vus, vus_max): the runners' values add up at the same moment; min/max as the extremes.
      for (const k of [...new Set(vs.flatMap(Object.keys))]) {
        const xs = vs.map((v) => v[k]).filter((x) => typeof x === 'number');
        merged[k] = k === 'min' ? Math.min(...xs) : k === 'max' ? Math.max(...xs) : xs.reduce((a, b) => a + b, 0);
      }
    }
    out[name] = merged;
  }
  return out;
}

/** The load stage's result from the runners' summaries (replaces the shards' load stage). */
export function mergeK6Load(
  inputs: K6Input[],
  load: LoadSettings,
): { result: StageResult; findings: { type: string; severity: 'HIGH' | 'MEDIUM'; subsystem: string; message: string }[] } {
  const summaries = inputs.map((i) => i.summary);
  const values = mergeK6Values(summaries);
  const parsed = parseThresholds(load.thresholds, 'k6');
  const thresholds: ThresholdResult[] = parsed.map((t) => {
    const v = values[t.metric]?.[t.aggregation];
    const bound = PERCENTILE.test(t.aggregation);
    if (typeof v !== 'number') {
      return { metric: t.metric, expression: t.expression, level: t.level, passed: null, actual: null, note: 'the merged k6 summaries lack the value' };
    }
    return {
      metric: t.metric,
      expression: t.expression,
      level: t.level,
      passed: compare(v, t.op, t.value),
      actual: v,
      note: bound ? `judged on the upper bound over ${inputs.length} runner(s) (the largest runner value)` : `merged over ${inputs.length} runner(s)`,
    };
  });
  // Thresholds the runners' scripts had but the config does not: failed when any runner failed them.
  const configured = new Set(parsed.map((t) => `${t.metric}\u0000${t.expression}`));
  const extra = new Map<string, { metric: string; expression: string; passed: boolean }>();
  for (const s of summaries) {
    for (const k of s.thresholds) {
      const key = `${k.metric}\u0000${k.expression}`;
      if (configured.has(key)) continue;
      const seen = extra.get(key);
      extra.set(key, { metric: k.metric, expression: k.expression, passed: (seen?.passed ?? true) && k.passed });
    }
  }
  for (const k of extra.values()) {
    thresholds.push({ metric: k.metric, expression: k.expression, level: 'error', passed: k.passed, actual: null, note: 'k6 verdicts of the runners (not in load.thresholds): failed if any runner failed it' });
  }

  const dropped = values.dropped_iterations?.count ?? null;
  const validity = generatorValidity({ dropped, lagP99Ms: null, maxLagMs: load.maxSchedulerLagMs, generator: 'k6' });
  const { verdict, reason } = loadVerdict(thresholds, validity);
  const counter = (m: string) => (values[m] ? { count: values[m].count ?? null, rate: values[m].rate ?? null } : null);
  const rate = (m: string) => (values[m] ? { rate: values[m].rate ?? null, passes: values[m].passes ?? null, fails: values[m].fails ?? null } : null);
  const d = values.http_req_duration;
  const upperBound = d ? Object.keys(d).filter((k) => PERCENTILE.test(k)).sort() : [];
  const durations = summaries.map((s) => s.testRunDurationMs).filter((x): x is number => typeof x === 'number');
  const report = {
    generator: 'k6' as const,
    valid: validity.valid,
    invalidReasons: validity.reasons,
    durationMs: durations.length ? Math.max(...durations) : null,
    metrics: {
      http_reqs: counter('http_reqs'),
      iterations: counter('iterations'),
      dropped_iterations: counter('dropped_iterations'),
      http_req_duration: d
        ? { avg: d.avg ?? null, min: d.min ?? null, med: d.med ?? null, max: d.max ?? null, 'p(90)': d['p(90)'] ?? null, 'p(95)': d['p(95)'] ?? null, 'p(99)': d['p(99)'] ?? null, upperBound }
        : null,
      http_req_failed: rate('http_req_failed'),
      checks: rate('checks'),
    },
    thresholds,
    errors: null,
    quality: null,
    timeline: [],
    histogram: [],
    k6: {
      merged: true,
      runners: inputs.length,
      summaries: inputs.map((i) => ({ source: i.source, shape: i.summary.shape, thresholdsPassed: i.summary.thresholdsPassed })),
      upperBound,
      note:
        'merged from distributed k6 runners: counts and rates summed, avg weighted by request count, min/max exact; ' +
        'med and p(N) are upper bounds (the largest runner value) and thresholds on them are judged on the bound',
    },
  };
  const findings: ReturnType<typeof mergeK6Load>['findings'] = [];
  if (!validity.valid) {
    findings.push({ type: 'load-generator-behind', severity: 'HIGH', subsystem: 'load', message: `load run invalid (k6 generator fell behind): ${validity.reasons.join('; ')}` });
  }
  for (const t of thresholds) {
    if (t.passed === true) continue;
    findings.push({ type: 'load-threshold-failed', severity: t.level === 'error' ? 'HIGH' : 'MEDIUM', subsystem: 'load', message: `load threshold crossed (${t.level}): ${describeThreshold(t)}` });
  }
  return { result: { verdict, reason, report, summary: { verdict, reason, ...report, values } }, findings };
}

function sumOf(vs: Values[], k: string): number {
  return vs.reduce((a, v) => a + (typeof v[k] === 'number' ? v[k] : 0), 0);
}
