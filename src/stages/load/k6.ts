import fs from 'node:fs';
import { k6EngineProblem } from '../../load/k6-engine.js';
import path from 'node:path';
import { engineRedactors, expandHeaders, templateVariables } from '../../engine/secrets.js';
import { childProcessEnv } from '../../engine/child-env.js';
import { parseEngineSpec } from '../../engine/spec.js';
import { engineRoute, k6ProxyEnv } from '../../engine/connection.js';
import { withProxySecrets } from '../../engine/http.js';
import { tlsMaterialOf } from '../../settings/engine-tls.js';
import { K6_AUTH_ENV, K6_SUMMARY_ENV, buildK6Script, type K6Threshold } from '../../load/k6-script.js';
import { describeK6Exit, k6Version, spawnK6 } from '../../load/k6-run.js';
import { K6SummaryError, parseK6SummaryText, type K6Summary } from '../../load/k6-summary.js';
import type { RequestPool } from '../../load/requests.js';
import type { ArrivalSchedule } from '../../load/schedule.js';
import { compare, parseExpression, type ParsedThreshold, type ThresholdResult } from '../../load/thresholds.js';
import { parseDuration } from '../../settings/duration.js';
import { relPath } from '../../runner/paths.js';
import type { RunContext } from '../../runner/stage.js';
import { InputError } from '../../util/errors.js';
import { portablePath, portableText } from '../../util/portable-path.js';
import type { LoadRunData } from './types.js';

/** The k6 backend could not produce a result: the stage is ERROR (a tool failure, not a verdict). */
export class K6Failure extends Error {
  constructor(
    readonly kind: 'missing' | 'failed',
    message: string,
  ) {
    super(message);
    this.name = 'K6Failure';
  }
}

/** Where the k6 URL comes from at run time (the script only shows the redacted form). */
export const K6_URL_ENV = 'TORON_TESTOPS_K6_URL';
/** Where k6's open() finds engine.tls.cert and .key (absolute paths: none in the script). */
export const K6_TLS_CERT_ENV = 'TORON_TESTOPS_K6_TLS_CERT';
export const K6_TLS_KEY_ENV = 'TORON_TESTOPS_K6_TLS_KEY';

export async function runK6Backend(ctx: RunContext, pool: RequestPool, schedule: ArrivalSchedule, thresholds: ParsedThreshold[]): Promise<LoadRunData> {
  const { settings } = ctx;
  const load = settings.load;
  const spec = parseEngineSpec(settings.engine.target);
  if (spec.kind !== 'http') throw new InputError(k6EngineProblem(spec.kind)!, { pointer: '/load/generator' });
  const env = ctx.env ?? process.env;
  // Fails now (naming the header and variable) if a secret variable is missing, as the adapter would.
  const headers = expandHeaders(settings.engine.headers, env);
  // k6 logs a failed request with the URL it was given, query and all (Go hides only the password),
  // and may quote header values: its lines lose the engine's secrets as the adapter's messages do.
  const route = engineRoute(spec.url, settings.engine, env);
  const { redact } = engineRedactors(withProxySecrets(headers, route), spec.url);

  const dir = path.join(ctx.paths.reportDir, 'k6');
  fs.mkdirSync(dir, { recursive: true });
  const scriptPath = path.join(dir, 'script.js');
  const summaryPath = path.join(dir, 'summary.json');
  const exportPath = path.join(dir, 'summary-export.json');
  for (const f of [summaryPath, exportPath]) fs.rmSync(f, { force: true });

  // k6 runs in the report folder: a k6Binary given as a path ("./tools/k6") is the user's path from
  // where the gate runs, as every other path in the settings; a bare name is looked up on PATH.
  const binary = /[\\/]/.test(load.k6Binary) ? path.resolve(settings.cwd, load.k6Binary) : load.k6Binary;
  // Named in messages as configured, but an absolute one as every path in a report is: relative to the
  // working folder inside it, else by its last part ("/opt/x/k6" is this machine's layout).
  const shownBinary = portablePath(load.k6Binary, settings.cwd);
  // k6's lines name the script and summaries by the absolute paths it was given (and its errors quote
  // them, and other paths of this machine): relative or portable in anything that reaches a report.
  const scrub = (text: string) => redact(portableText(text.split(ctx.paths.reportDir + path.sep).join('').split(settings.cwd + path.sep).join(''), settings.cwd));
  // k6 gets the runner's environment without the job's tokens and the action's inputs (child-env.ts),
  // but with the variables its script reads: those the engine headers name, and the key's passphrase.
  const k6Reads = [...templateVariables(settings.engine.headers), ...(settings.engine.tls?.passphraseEnv ? [settings.engine.tls.passphraseEnv] : [])];
  const version = await k6Version(binary, childProcessEnv(env, { keep: k6Reads }), dir, shownBinary);
  if (!version.ok) throw new K6Failure(version.missing ? 'missing' : 'failed', scrub(version.message));
  ctx.log('info', 'load', `k6 ${version.version} (${version.line})`);

  // engine.tls's client certificate (what k6 cannot take was refused with the settings).
  const tlsFiles = spec.url.protocol === 'https:' ? tlsMaterialOf(settings.engine.tls)?.files : undefined;
  const url = new URL(spec.url.href);
  const credentials = url.username || url.password ? `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}` : null;
  url.username = '';
  url.password = '';
  const shownUrl = new URL(url.href);
  shownUrl.search = '';
  shownUrl.hash = '';

  const script = buildK6Script({
    runId: ctx.runId,
    url: shownUrl.href,
    urlEnv: K6_URL_ENV,
    headers: settings.engine.headers,
    hasUrlCredentials: credentials !== null,
    seed: pool.seed,
    cases: pool.cases.map((c, i) => ({ id: c.id, body: JSON.stringify({ ...settings.engine.body, ...c.input }), seeds: pool.seedsOf(i) })),
    schedule,
    ...(schedule.executor === 'constant-arrival-rate'
      ? { rate: load.rate, durationMs: parseDuration(load.duration) }
      : { startRate: load.startRate, stages: load.stages.map((s) => ({ durationMs: parseDuration(s.duration), target: s.target })) }),
    maxInFlight: load.maxInFlight,
    timeoutMs: load.timeoutMs,
    thresholds: Object.fromEntries(groupByMetric(thresholds)),
    ...(tlsFiles?.cert && tlsFiles.key
      ? { tlsAuth: { domains: [spec.url.hostname.replace(/^\[|\]$/g, '')], certEnv: K6_TLS_CERT_ENV, keyEnv: K6_TLS_KEY_ENV, passwordEnv: settings.engine.tls?.passphraseEnv } }
      : {}),
  });
  fs.writeFileSync(scriptPath, script);

  const childEnv = childProcessEnv(env, {
    keep: k6Reads,
    set: {
      ...k6ProxyEnv(settings.engine),
      [K6_URL_ENV]: url.href,
      ...(credentials ? { [K6_AUTH_ENV]: credentials } : {}),
      ...(tlsFiles?.cert && tlsFiles.key ? { [K6_TLS_CERT_ENV]: tlsFiles.cert, [K6_TLS_KEY_ENV]: tlsFiles.key } : {}),
    },
  });
  if (route.proxy) ctx.log('info', 'load', `k6 sends its requests through the proxy ${route.proxy.printable} (latencies include the proxy)`);
  const args = ['run', '--no-color', '--summary-export', exportPath, '-e', `${K6_SUMMARY_ENV}=${summaryPath}`, scriptPath];
  const shown = args.map(scrub);
  ctx.log('info', 'load', `running ${path.basename(load.k6Binary)} ${shown.join(' ')} (in the report folder)`);
  const started = performance.now();
  const exit = await spawnK6({
    binary,
    args,
    cwd: dir,
    env: childEnv,
    signal: ctx.signal,
    killAfterMs: schedule.durationMs + load.timeoutMs + 120_000,
    // k6's lines may name files in the report folder: relative there, as every path in a report is.
    onLine: (stream, line) =>
      ctx.log(stream === 'stderr' && /level=(error|warning)/.test(line) ? 'warn' : 'info', 'k6', scrub(line)),
  });
  const wallMs = Math.round(performance.now() - started);
  if (exit.spawnError) {
    const missing = exit.spawnError.code === 'ENOENT';
    throw new K6Failure(missing ? 'missing' : 'failed', `k6 ("${shownBinary}") could not start: ${exit.spawnError.message.split(binary).join(shownBinary)}`);
  }
  const cancelled = ctx.signal.aborted;
  if (exit.code !== 0 && exit.code !== 99 && !cancelled) {
    throw new K6Failure('failed', `${describeK6Exit(exit)}; no verdict can be read from it. Last output:\n${scrub(exit.tail).slice(-1500)}`);
  }

  let summary: K6Summary;
  let source: string;
  try {
    if (fs.existsSync(summaryPath)) {
      source = summaryPath;
      summary = parseK6SummaryText(fs.readFileSync(summaryPath, 'utf8'), relPath(ctx.paths.reportDir, summaryPath));
    } else if (fs.existsSync(exportPath)) {
      source = exportPath;
      summary = parseK6SummaryText(fs.readFileSync(exportPath, 'utf8'), relPath(ctx.paths.reportDir, exportPath));
    } else {
      throw new K6Failure('failed', `${describeK6Exit(exit)} but wrote no end-of-test summary (neither handleSummary's nor --summary-export's). Last output:\n${scrub(exit.tail).slice(-1500)}`);
    }
  } catch (err) {
    if (err instanceof K6SummaryError) throw new K6Failure('failed', err.message);
    throw err;
  }
  if (exit.code !== null && exit.code !== summary.expectedExitCode && !cancelled) {
    ctx.log('warn', 'load', `${describeK6Exit(exit)}, but its summary says ${summary.thresholdsPassed ? 'every threshold held; the run fails on k6\'s exit code' : 'a threshold failed; the summary\'s verdicts are used'}`);
  }

  // k6 reports no progress while it runs; one line from its summary, so a live view ends on k6's counts
  // (done) rather than on nothing.
  const reqs = summary.http_reqs?.count ?? 0;
  ctx.emit({
    type: 'progress',
    stage: 'load',
    done: reqs,
    total: schedule.total,
    failures: 0,
    errors: summary.http_req_failed?.passes ?? 0,
    ratePerSec: Math.round(summary.http_reqs?.rate ?? 0),
    ...(summary.http_req_duration?.['p(95)'] != null ? { p95Ms: Math.round(summary.http_req_duration['p(95)'] * 10) / 10 } : {}),
    dropped: summary.dropped_iterations?.count ?? 0,
    inFlight: 0,
  });
  const results = k6Thresholds(thresholds, summary);
  if (exit.code === 99 && summary.thresholdsPassed && !cancelled) {
    // k6 says a threshold was crossed, yet the summary read shows none (a wrapper k6Binary that copied
    // another runner's summary, say): the gate never passes what k6 itself failed.
    results.push({
      metric: 'k6',
      expression: 'exit code 99',
      level: 'error',
      passed: false,
      actual: null,
      note: `k6 exited with code 99 (thresholds were crossed), but ${relPath(ctx.paths.reportDir, source)} shows no failed threshold`,
    });
  }
  const dropped = summary.dropped_iterations?.count ?? null;
  return {
    generator: 'k6',
    metrics: {
      http_reqs: summary.http_reqs,
      iterations: summary.iterations,
      dropped_iterations: summary.dropped_iterations,
      http_req_duration: summary.http_req_duration,
      http_req_failed: summary.http_req_failed,
      checks: summary.checks,
    },
    thresholds: results,
    dropped,
    lagP99Ms: null,
    durationMs: summary.testRunDurationMs ?? wallMs,
    quality: null,
    timeline: [],
    histogram: [],
    k6: {
      version: version.version,
      exitCode: exit.code,
      summaryShape: summary.shape,
      summary: relPath(ctx.paths.reportDir, source),
      script: relPath(ctx.paths.reportDir, scriptPath),
      testRunDurationMs: summary.testRunDurationMs,
      note: 'k6 reports latency from the actual send time (no scheduler lag is known), and answers are only checked for a 2xx status and JSON',
    },
    cancelled,
  };
}

function groupByMetric(thresholds: ParsedThreshold[]): Map<string, K6Threshold[]> {
  const out = new Map<string, K6Threshold[]>();
  for (const t of thresholds) {
    const list = out.get(t.metric) ?? [];
    // abortOnFail and delayAbortEval are k6's own: k6 aborts the test itself (and exits 99).
    list.push(t.abortOnFail ? { threshold: t.expression, abortOnFail: true, ...(t.delayAbortEval !== undefined ? { delayAbortEval: t.delayAbortEval } : {}) } : t.expression);
    out.set(t.metric, list);
  }
  return out;
}

/**
 * The thresholds with k6's verdict on each, as k6 stored it. A configured threshold k6 did not report is
 * judged here from the summary's values when they hold the statistic (else it has no verdict, a breach);
 * thresholds in the summary that were not configured here (a hand-made script) keep k6's verdict.
 */
export function k6Thresholds(configured: ParsedThreshold[], summary: K6Summary): ThresholdResult[] {
  const used = new Set<K6Summary['thresholds'][number]>();
  const out: ThresholdResult[] = configured.map((t) => {
    const key = k6MetricKey(t.metric);
    const found = summary.thresholds.find((k) => k.metric === key && k.expression === t.expression);
    const v = summary.values[key]?.[t.aggregation];
    const actual = typeof v === 'number' ? v : null;
    if (found) {
      used.add(found);
      if (found.passed && (unsampledRate(summary, key) || unsampledDuration(summary, key))) {
        // k6 passes a threshold with nothing to judge; the gate does not (as with the built-in generator).
        return { metric: t.metric, expression: t.expression, level: t.level, passed: false, actual: null, note: 'no samples to judge (k6 passed it with none)' };
      }
      return { metric: t.metric, expression: t.expression, level: t.level, passed: found.passed, actual, note: 'verdict from k6' };
    }
    if (actual !== null) {
      return { metric: t.metric, expression: t.expression, level: t.level, passed: compare(actual, t.op, t.value), actual, note: 'judged from the k6 summary (k6 did not report this threshold)' };
    }
    return { metric: t.metric, expression: t.expression, level: t.level, passed: null, actual: null, note: 'k6 did not report this threshold and its summary lacks the value' };
  });
  for (const k of summary.thresholds) {
    if (used.has(k)) continue;
    out.push({ metric: k.metric, expression: k.expression, level: 'error', passed: k.passed, actual: statOf(summary, k), note: 'from the k6 summary (not in load.thresholds)' });
  }
  return out;
}

/**
 * The name k6 gives a sub-metric: the threshold key with the space inside its braces trimmed
 * (metrics.AddSubmetric), so "http_req_duration{ status:200 }" is reported as "...{status:200}".
 */
export function k6MetricKey(metric: string): string {
  const open = metric.indexOf('{');
  if (open < 0 || !metric.endsWith('}')) return metric;
  return `${metric.slice(0, open)}{${metric.slice(open + 1, -1).trim()}}`;
}

/** A Rate metric that received no sample (passes and fails both 0): its rate is not a measurement. */
function unsampledRate(summary: K6Summary, key: string): boolean {
  const v = summary.values[key];
  return v !== undefined && v.passes === 0 && v.fails === 0;
}

/**
 * A request-duration Trend (http_req_duration or one of its sub-metrics) that received no sample: k6
 * writes an empty Trend as zeros, and passes `p(95)<450` on it. A request that happened never took
 * exactly 0 ms (k6 times them in fractions of a millisecond), so min and max both 0 mean none did: a
 * tag that matches nothing, like a misspelt scenario name.
 */
function unsampledDuration(summary: K6Summary, key: string): boolean {
  const brace = key.indexOf('{');
  if ((brace < 0 ? key : key.slice(0, brace)) !== 'http_req_duration') return false;
  const v = summary.values[key];
  return v !== undefined && v.min === 0 && v.max === 0;
}

/** The value a summary threshold was judged on, when the summary holds that statistic. */
function statOf(summary: K6Summary, k: K6Summary['thresholds'][number]): number | null {
  try {
    const v = summary.values[k.metric]?.[parseExpression(k.expression).aggregation];
    return typeof v === 'number' ? v : null;
  } catch {
    return null; // an expression of a k6 version we do not read: k6's verdict stands alone
  }
}
