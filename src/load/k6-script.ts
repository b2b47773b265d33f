import { K6_DRAW_SOURCE } from './draw.js';
import type { ArrivalSchedule } from './schedule.js';

/**
 * The k6 script for `load.generator: k6`: the same plan (constant- or ramping-arrival-rate, k6's own
 * executors), the same requests (the SIM cases, drawn per iteration by the same hash of the run's load
 * seed and k6's iteration number), the same headers and the same thresholds as the built-in generator.
 * Secrets never enter the script: `${VAR}` header templates become `__ENV.VAR` reads (k6 passes the
 * system environment to __ENV), and URL credentials travel in an environment variable as well.
 * The summary comes back both ways: handleSummary writes k6's data to TORON_TESTOPS_K6_SUMMARY, and the
 * runner also asks for --summary-export (the one k6 keeps writing when handleSummary fails).
 */

export const K6_SUMMARY_ENV = 'TORON_TESTOPS_K6_SUMMARY';
export const K6_AUTH_ENV = 'TORON_TESTOPS_K6_AUTHORIZATION';
/** k6's shortest constant-arrival-rate duration (lib/executor: minDuration). */
const K6_MIN_DURATION_MS = 1000;
/** The trend stats the summary must hold (k6's default lacks p(99)). */
export const K6_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'];

export interface K6ScriptCase {
  id: string;
  /** The JSON body, as the built-in generator sends it. */
  body: string;
  /** Seeds of the case's repeats (SIM's per-repeat seeds). */
  seeds: number[];
}

export interface K6ScriptInput {
  runId: string;
  /** Printable: no credentials, no query (either may hold a secret). */
  url: string;
  /** The environment variable that holds the full URL at run time (read first). */
  urlEnv: string;
  /** Header name (lower case) -> template; `${VAR}` is read from k6's __ENV at run time. */
  headers: Record<string, string>;
  hasUrlCredentials: boolean;
  seed: number;
  cases: K6ScriptCase[];
  schedule: Pick<ArrivalSchedule, 'executor'>;
  /** constant-arrival-rate */
  rate?: number;
  durationMs?: number;
  /** ramping-arrival-rate */
  startRate?: number;
  stages?: { durationMs: number; target: number }[];
  maxInFlight: number;
  timeoutMs: number;
  /** metric -> k6 thresholds (levels are ours: k6 judges every threshold the same way). */
  thresholds: Record<string, K6Threshold[]>;
  /**
   * engine.tls's client certificate as k6's tlsAuth: the files' paths come from these variables at run
   * time (no path of this machine in the script), the key's password from engine.tls.passphraseEnv.
   */
  tlsAuth?: { domains: string[]; certEnv: string; keyEnv: string; passwordEnv?: string };
}

/** A k6 threshold: the expression, or k6's object form when it aborts the test. */
export type K6Threshold = string | { threshold: string; abortOnFail: true; delayAbortEval?: string };

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** `Bearer ${TOKEN}` -> `"Bearer " + __ENV["TOKEN"]` (a JS expression; never the value). */
export function headerExpression(template: string): string {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    if (m.index > last) parts.push(JSON.stringify(template.slice(last, m.index)));
    parts.push(`__ENV[${JSON.stringify(m[1])}]`);
    last = m.index + m[0].length;
  }
  if (last < template.length || parts.length === 0) parts.push(JSON.stringify(template.slice(last)));
  return parts.join(' + ');
}

/** The client certificate for k6 (engine.tls.cert/key): read by k6's open() from paths it is given in its environment. */
function tlsAuthLine(t: NonNullable<K6ScriptInput['tlsAuth']>): string {
  const password = t.passwordEnv === undefined ? '' : `, password: __ENV[${JSON.stringify(t.passwordEnv)}]`;
  return `options.tlsAuth = [{ domains: ${JSON.stringify(t.domains)}, cert: open(__ENV[${JSON.stringify(t.certEnv)}]), key: open(__ENV[${JSON.stringify(t.keyEnv)}])${password} }];\n`;
}

function ms(n: number): string {
  return `${Math.round(n)}ms`;
}

/**
 * k6 takes arrival rates as whole iterations per timeUnit (rate, startRate and stage targets are Go
 * int64s: 0.5 makes k6 refuse the options). A rate per second with decimals is written per 10^k
 * seconds, the smallest k that makes every rate whole: 0.5/s is 5 per 10s, 2.25/s is 225 per 100s, the
 * same arrivals. Past 10^6 s the rates are rounded (a relative error of at most 1e-6/s).
 */
export function arrivalUnit(ratesPerSec: number[]): { timeUnit: string; perUnit: (ratePerSec: number) => number } {
  const whole = (x: number) => Math.abs(x - Math.round(x)) <= 1e-9 * Math.max(1, Math.abs(x));
  let k = 0;
  while (k < 6 && !ratesPerSec.every((r) => whole(r * 10 ** k))) k++;
  const factor = 10 ** k;
  return { timeUnit: `${factor}s`, perUnit: (r) => Math.round(r * factor) };
}

export function buildK6Script(input: K6ScriptInput): string {
  const peak = Math.max(input.rate ?? 0, input.startRate ?? 0, ...(input.stages ?? []).map((s) => s.target));
  // One VU is one request in flight: at most maxInFlight, and a second's worth allocated up front.
  const maxVUs = Math.max(1, input.maxInFlight);
  const preAllocatedVUs = Math.max(1, Math.min(maxVUs, Math.ceil(peak)));
  let constant = input.schedule.executor === 'constant-arrival-rate';
  let { startRate, stages } = input;
  if (constant && (input.durationMs ?? 0) < K6_MIN_DURATION_MS) {
    // k6 refuses a constant-arrival-rate shorter than 1 s; a ramp that holds the rate is the same plan.
    constant = false;
    startRate = input.rate;
    stages = [{ durationMs: input.durationMs ?? 0, target: input.rate ?? 0 }];
  }
  const unit = arrivalUnit(constant ? [input.rate ?? 0] : [startRate ?? 0, ...(stages ?? []).map((s) => s.target)]);
  // k6 interrupts what is still in flight 30 s (gracefulStop) after the plan ends, and an interrupted
  // request is in no metric; the built-in generator waits up to load.timeoutMs for each. A slow engine's
  // last answers would otherwise drop out of http_req_duration (a p95 better than the engine's).
  const gracefulStop = ms(Math.max(30_000, input.timeoutMs + 1_000));
  const scenario = constant
    ? {
        executor: 'constant-arrival-rate',
        rate: unit.perUnit(input.rate ?? 0),
        timeUnit: unit.timeUnit,
        duration: ms(input.durationMs ?? 0),
        preAllocatedVUs,
        maxVUs,
        gracefulStop,
      }
    : {
        executor: 'ramping-arrival-rate',
        startRate: unit.perUnit(startRate ?? 0),
        timeUnit: unit.timeUnit,
        stages: (stages ?? []).map((s) => ({ duration: ms(s.durationMs), target: unit.perUnit(s.target) })),
        preAllocatedVUs,
        maxVUs,
        gracefulStop,
      };
  const options = {
    scenarios: { toron_load: scenario },
    thresholds: input.thresholds,
    summaryTrendStats: K6_TREND_STATS,
  };
  const headerLines = Object.entries(input.headers)
    .map(([k, v]) => `  ${JSON.stringify(k.toLowerCase())}: ${headerExpression(v)},`)
    .join('\n');
  const cases = input.cases.map((c) => `  { id: ${JSON.stringify(headerSafe(c.id))}, body: ${JSON.stringify(c.body)}, seeds: ${JSON.stringify(c.seeds)} },`).join('\n');

  return escapeLineSeparators(`// Generated by toron-testops for run ${JSON.stringify(input.runId)}. The same requests, schedule and
// thresholds as its built-in generator; run it with: k6 run --summary-export summary-export.json script.js
import http from 'k6/http';
import exec from 'k6/execution';
import { check } from 'k6';

export const options = ${JSON.stringify(options, null, 2)};
${input.tlsAuth ? tlsAuthLine(input.tlsAuth) : ''}
const URL = __ENV[${JSON.stringify(input.urlEnv)}] || ${JSON.stringify(input.url)};
const RUN_ID = ${JSON.stringify(headerSafe(input.runId))};
const SEED = ${input.seed >>> 0};
const TIMEOUT = ${JSON.stringify(ms(input.timeoutMs))};
const CASES = [
${cases}
];
const BASE_HEADERS = {
  "accept": "application/json",
  "content-type": "application/json",
${headerLines}
};
${input.hasUrlCredentials ? `if (__ENV[${JSON.stringify(K6_AUTH_ENV)}] && !BASE_HEADERS["authorization"]) BASE_HEADERS["authorization"] = __ENV[${JSON.stringify(K6_AUTH_ENV)}];\n` : ''}
// As the built-in generator: any status outside 2xx is a failed request (k6's default accepts 3xx).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }));

${K6_DRAW_SOURCE}

function repeatsOf(c) {
  return CASES[c].seeds.length;
}

export default function () {
  const d = drawRequest(SEED, exec.scenario.iterationInTest, CASES.length, repeatsOf);
  const c = CASES[d[0]];
  const headers = Object.assign({}, BASE_HEADERS, {
    "x-toron-seed": String(c.seeds[d[1]]),
    "x-toron-run-id": RUN_ID,
    "x-toron-case-id": c.id,
  });
  const res = http.post(URL, c.body, { headers: headers, timeout: TIMEOUT });
  check(res, {
    "status is 2xx": (r) => r.status >= 200 && r.status < 300,
    "answer is JSON": (r) => {
      // A failed request (timeout, refused) may have no body (null), which JSON.parse takes as "null".
      if (typeof r.body !== "string") return false;
      try {
        JSON.parse(r.body);
        return true;
      } catch (e) {
        return false;
      }
    },
  });
}

// Run by the gate, the data goes where it says. Run by hand (k6 run, k6-operator, k6 cloud) without that
// variable, a key of undefined would write a file named "undefined" and, handleSummary being defined, k6
// would print no summary at all: a short one goes to stdout instead.
export function handleSummary(data) {
  if (__ENV.${K6_SUMMARY_ENV}) return { [__ENV.${K6_SUMMARY_ENV}]: JSON.stringify(data) };
  return { stdout: summaryText(data) };
}

function summaryText(data) {
  const lines = [];
  for (const name of Object.keys(data.metrics).sort()) {
    const m = data.metrics[name];
    const v = m.values || {};
    const shown = Object.keys(v).map((k) => k + "=" + (Math.round(v[k] * 1000) / 1000)).join(" ");
    lines.push("  " + name + ": " + shown);
    for (const t of Object.keys(m.thresholds || {})) lines.push("    " + (m.thresholds[t].ok ? "ok     " : "FAILED ") + t);
  }
  return "toron-testops load (k6 end-of-test summary)\\n" + lines.join("\\n") + "\\n";
}
`);
}

/**
 * k6 up to v0.51 ran scripts in goja, which ends a string literal at U+2028 and U+2029 as at a line
 * feed (the pre-ES2019 rule; sobek, k6's engine since, accepts them), and JSON.stringify leaves both
 * raw: a prompt holding one made the script a syntax error there. Every one in the script is inside a
 * string literal (data goes in through JSON.stringify), so writing them as escapes keeps the values,
 * for every k6.
 */
function escapeLineSeparators(script: string): string {
  return script.replace(/[\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

function headerSafe(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}
