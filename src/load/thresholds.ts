import type { LoadSettings } from '../settings/types.js';
import { parseDuration } from '../settings/duration.js';
import { InputError } from '../util/errors.js';

/**
 * k6 thresholds (DESIGN §4.3): `"http_req_duration": ["p(95)<450"]`, each with a level of ours
 * (`error`: a breach fails the stage; `warn`: it warns). Same grammar and the same aggregation rules per
 * metric type as k6 (a Trend takes avg/min/max/med/p(N), a Rate takes rate, a Counter count/rate, a
 * Gauge value), so a threshold written for k6 means the same thing here, and the other way round.
 */

export type MetricType = 'counter' | 'rate' | 'trend' | 'gauge';
export type Op = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';
export type Level = 'error' | 'warn';
export type Generator = LoadSettings['generator'];

/** Metrics the built-in generator measures (k6 names, plus two of ours). */
export const BUILTIN_METRICS: Readonly<Record<string, MetricType>> = {
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
  http_req_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  /** Ours: completion minus the *actual* send time (k6's own definition of http_req_duration). */
  http_req_duration_uncorrected: 'trend',
  /** Ours: actual minus intended send time. */
  scheduler_lag_ms: 'trend',
};

const OURS_ONLY = new Set(['http_req_duration_uncorrected', 'scheduler_lag_ms']);

/** k6's built-in metrics (a threshold may name any of them when k6 runs the load). */
export const K6_METRICS: Readonly<Record<string, MetricType>> = {
  http_reqs: 'counter',
  iterations: 'counter',
  dropped_iterations: 'counter',
  data_received: 'counter',
  data_sent: 'counter',
  http_req_duration: 'trend',
  http_req_blocked: 'trend',
  http_req_connecting: 'trend',
  http_req_tls_handshaking: 'trend',
  http_req_sending: 'trend',
  http_req_waiting: 'trend',
  http_req_receiving: 'trend',
  iteration_duration: 'trend',
  http_req_failed: 'rate',
  checks: 'rate',
  vus: 'gauge',
  vus_max: 'gauge',
};

export interface ParsedThreshold {
  /** The metric key as written, tags included (`http_req_duration{status:200}`). */
  metric: string;
  /** The metric name without tags. */
  name: string;
  /** The expression as written. */
  expression: string;
  /** `avg`, `p(95)`, `rate`, ... (normalised: no spaces). */
  aggregation: string;
  /** For p(N): N. */
  percentile?: number;
  op: Op;
  value: number;
  level: Level;
  /** k6's abortOnFail: crossing it while the load runs stops the load. */
  abortOnFail: boolean;
  /** k6's delayAbortEval (ms): no abort before this much of the run has passed. */
  delayAbortEvalMs: number;
  /** delayAbortEval as written (handed to k6 as is). */
  delayAbortEval?: string;
  /** Where it is in the config (for messages). */
  pointer: string;
}

export interface ThresholdResult {
  metric: string;
  expression: string;
  level: Level;
  /** null: could not be judged (no samples / value absent). */
  passed: boolean | null;
  /** The value the expression was judged on (ms for trends), when known. */
  actual: number | null;
  /** Why it could not be judged, or where the verdict came from (k6). */
  note?: string;
}

// k6 reads the number with Go's strconv.ParseFloat, so ".01", "5." and "+1" are numbers there too; the
// percentile's number sits right inside "p(" and ")" (k6 does not trim it: "p( 95 )" is refused by k6,
// so it is refused here rather than written into a k6 script that k6 then rejects).
const NUMBER = String.raw`[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?`;
const EXPRESSION = new RegExp(
  String.raw`^\s*(count|rate|value|avg|min|max|med|p\((${NUMBER})\))\s*(<=|>=|===|==|!=|<|>)\s*(${NUMBER})\s*$`,
);
const METRIC_KEY = /^([A-Za-z_][A-Za-z0-9_]*)(\{[^{}]*\})?$/;

/**
 * k6 (metrics.ParseMetricName) wants every tag of a sub-metric as key:value with a value after the
 * first colon ("{group:::setup}" is fine): "{}", "{status}", "{status:}" and "{a:1,}" are refused there.
 */
function tagsValid(tags: string): boolean {
  return tags
    .slice(1, -1)
    .split(',')
    .every((t) => t.indexOf(':') >= 0 && t.slice(t.indexOf(':') + 1) !== '');
}

/** A tag written as a comparison ("status:>=500"), which k6 takes as the literal value ">=500". */
function comparedTag(tags: string): string | null {
  for (const t of tags.slice(1, -1).split(',')) {
    const value = t.slice(t.indexOf(':') + 1).trim();
    if (/^(?:[<>]=?|[!=]=)\s*-?[0-9]/.test(value)) return t.trim();
  }
  return null;
}

const AGGREGATIONS: Record<MetricType, string> = {
  counter: 'count or rate',
  rate: 'rate',
  gauge: 'value',
  trend: 'avg, min, max, med or p(N)',
};

function allowed(type: MetricType, aggregation: string): boolean {
  switch (type) {
    case 'counter':
      return aggregation === 'count' || aggregation === 'rate';
    case 'rate':
      return aggregation === 'rate';
    case 'gauge':
      return aggregation === 'value';
    case 'trend':
      return ['avg', 'min', 'max', 'med'].includes(aggregation) || aggregation.startsWith('p(');
  }
}

/** One expression (`p(95)<450`); throws InputError (without location: the caller adds it). */
export function parseExpression(text: string): { aggregation: string; percentile?: number; op: Op; value: number } {
  const m = typeof text === 'string' ? EXPRESSION.exec(text) : null;
  if (!m) {
    throw new InputError(
      `invalid threshold ${JSON.stringify(text)}: write it as k6 does, an aggregation, an operator and a number, like "p(95)<450", "avg<=200" or "rate<0.01"`,
    );
  }
  const percentile = m[2] !== undefined ? Number(m[2]) : undefined;
  if (percentile !== undefined && !(percentile >= 0 && percentile <= 100)) {
    throw new InputError(`invalid threshold ${JSON.stringify(text)}: the percentile must be from 0 to 100`);
  }
  return {
    aggregation: percentile !== undefined ? `p(${percentile})` : m[1],
    ...(percentile !== undefined ? { percentile } : {}),
    op: m[3] as Op,
    value: Number(m[4]),
  };
}

/** Every problem with the configured thresholds for this generator, each with its config pointer. */
export function thresholdProblems(thresholds: LoadSettings['thresholds'], generator: Generator): { pointer: string; message: string }[] {
  const problems: { pointer: string; message: string }[] = [];
  parseThresholds(thresholds, generator, (pointer, message) => problems.push({ pointer, message }));
  return problems;
}

/**
 * The configured thresholds, parsed and checked against the generator's metrics. Throws one InputError
 * naming the first problem's pointer (and listing the rest) unless `onProblem` collects them.
 */
export function parseThresholds(
  thresholds: LoadSettings['thresholds'],
  generator: Generator,
  onProblem?: (pointer: string, message: string) => void,
): ParsedThreshold[] {
  const out: ParsedThreshold[] = [];
  const problems: { pointer: string; message: string }[] = [];
  const problem = (pointer: string, message: string) => {
    problems.push({ pointer, message });
    onProblem?.(pointer, message);
  };
  const known = generator === 'k6' ? K6_METRICS : BUILTIN_METRICS;
  for (const [metric, list] of Object.entries(thresholds ?? {})) {
    const base = `/load/thresholds/${metric.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    const key = METRIC_KEY.exec(metric);
    if (!key) {
      problem(base, `load.thresholds: ${JSON.stringify(metric)} is not a metric name (letters, digits and _, optionally with k6 tags like {status:200})`);
      continue;
    }
    const [, name, tags] = key;
    if (tags && !tagsValid(tags)) {
      problem(base, `load.thresholds: ${JSON.stringify(metric)}: every tag of a sub-metric needs a value, like {status:200} or {scenario:toron_load}`);
      continue;
    }
    const compared = tags ? comparedTag(tags) : null;
    if (compared) {
      problem(
        base,
        `load.thresholds: ${JSON.stringify(metric)}: k6 matches tag values literally, so {${compared}} selects no request and its threshold would pass with nothing measured; ` +
          'name one value ({status:500}), or use {expected_response:false} for failed requests',
      );
      continue;
    }
    if (tags && generator !== 'k6') {
      problem(base, `load.thresholds: ${JSON.stringify(metric)} has tags; the builtin generator measures untagged metrics only (tagged sub-metrics need load.generator "k6")`);
      continue;
    }
    const type = known[name];
    if (!type) {
      const why =
        generator === 'k6' && OURS_ONLY.has(name)
          ? `only the builtin generator measures ${name}`
          : `known metrics: ${Object.keys(known).join(', ')}`;
      problem(base, `load.thresholds: unknown metric ${JSON.stringify(name)} for the ${generator} generator (${why})`);
      continue;
    }
    if (!Array.isArray(list)) {
      problem(base, `load.thresholds.${metric} must be a list of expressions like ["p(95)<450"]`);
      continue;
    }
    list.forEach((entry, i) => {
      const pointer = `${base}/${i}`;
      const text = typeof entry === 'string' ? entry : entry?.threshold;
      const obj = typeof entry === 'object' && entry !== null ? entry : null;
      const level: Level = obj?.level === 'warn' ? 'warn' : 'error';
      let delayAbortEvalMs = 0;
      if (obj?.delayAbortEval !== undefined) {
        try {
          delayAbortEvalMs = parseDuration(obj.delayAbortEval);
        } catch (err) {
          problem(`${pointer}/delayAbortEval`, `load.thresholds.${metric}[${i}].delayAbortEval: ${(err as Error).message}`);
          return;
        }
      }
      const abort = {
        abortOnFail: obj?.abortOnFail === true,
        delayAbortEvalMs,
        ...(obj?.delayAbortEval !== undefined ? { delayAbortEval: obj.delayAbortEval } : {}),
      };
      try {
        const p = parseExpression(text);
        if (!allowed(type, p.aggregation)) {
          problem(pointer, `load.thresholds.${metric}: "${p.aggregation}" does not apply to ${name}, a ${type} metric (use ${AGGREGATIONS[type]})`);
          return;
        }
        out.push({ metric, name, expression: text, ...p, level, ...abort, pointer });
      } catch (err) {
        problem(pointer, `load.thresholds.${metric}: ${(err as Error).message}`);
      }
    });
  }
  if (problems.length > 0 && !onProblem) {
    const [first, ...rest] = problems;
    throw new InputError([first.message, ...rest.map((p) => p.message)].join('\n'), { pointer: first.pointer });
  }
  return out;
}

export function compare(actual: number, op: Op, value: number): boolean {
  switch (op) {
    case '<':
      return actual < value;
    case '<=':
      return actual <= value;
    case '>':
      return actual > value;
    case '>=':
      return actual >= value;
    case '==':
    case '===':
      return actual === value;
    case '!=':
      return actual !== value;
  }
}

/**
 * Judges thresholds on measured values. `valueOf` answers a metric's aggregation, or null when there is
 * nothing to judge (no samples): that is a breach here, not k6's vacuous pass, because a gate that passes
 * a latency threshold with no latencies measured passes nothing.
 */
export function evaluateThresholds(
  parsed: ParsedThreshold[],
  valueOf: (name: string, t: ParsedThreshold) => number | null,
): ThresholdResult[] {
  return parsed.map((t) => {
    const actual = valueOf(t.name, t);
    if (actual === null || !Number.isFinite(actual)) {
      return { metric: t.metric, expression: t.expression, level: t.level, passed: false, actual: null, note: 'no samples to judge' };
    }
    return { metric: t.metric, expression: t.expression, level: t.level, passed: compare(actual, t.op, t.value), actual };
  });
}
