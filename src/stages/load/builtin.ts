import { portableText } from '../../util/portable-path.js';
import { expandHeaders } from '../../engine/secrets.js';
import { parseEngineSpec } from '../../engine/spec.js';
import { engineRoute } from '../../engine/connection.js';
import { runGenerator } from '../../load/generator.js';
import { httpTransport } from '../../load/http-transport.js';
import type { RequestPool } from '../../load/requests.js';
import type { ArrivalSchedule } from '../../load/schedule.js';
import type { LoadRecorder } from '../../load/recorder.js';
import { compare, evaluateThresholds, type ParsedThreshold } from '../../load/thresholds.js';
import { adapterTransport, type LoadTransport } from '../../load/transport.js';
import type { RunContext } from '../../runner/stage.js';
import { answerJudge } from './judge.js';
import type { LoadRunData } from './types.js';

/**
 * The built-in generator on this run's engine: HTTP engines through the lean undici transport, `cmd:`
 * and in-process engines through their adapter, all through the same open-model scheduler. Every answer
 * is checked against its case's assertions as it arrives (quality under load).
 */
export async function runBuiltin(ctx: RunContext, pool: RequestPool, schedule: ArrivalSchedule, thresholds: ParsedThreshold[]): Promise<LoadRunData> {
  const { settings } = ctx;
  const load = settings.load;
  const transport = makeTransport(ctx);
  // Through a proxy every latency is the proxy's too: the numbers must say so where they are read.
  const via = transport.proxy ? ` through the proxy ${transport.proxy} (latencies include the proxy)` : '';
  ctx.log('info', 'load', `built-in generator via ${transport.name}${via}: ${describePlan(schedule, load.maxInFlight)}`);

  const { judge, perCase } = answerJudge(pool.cases, settings.engine.profile);

  // The abortOnFail threshold that stopped the load, if one did.
  let crossed: ParsedThreshold | null = null;
  let result;
  try {
    result = await runGenerator({
      schedule,
      maxInFlight: load.maxInFlight,
      timeoutMs: load.timeoutMs,
      transport,
      requestAt: (i) => pool.requestAt(i),
      judge,
      signal: ctx.signal,
      abortWhen: abortOnFail(thresholds, (t) => (crossed = t)),
      onProgress: (p) =>
        ctx.emit({
          type: 'progress',
          stage: 'load',
          done: p.completed,
          total: p.total,
          failures: p.failures,
          errors: p.errors,
          ratePerSec: p.sentLastSecond,
          ...(p.p95Ms !== null ? { p95Ms: p.p95Ms } : {}),
          dropped: p.dropped,
          inFlight: p.inFlight,
        }),
    });
  } finally {
    await transport.close().catch((err) => ctx.log('warn', 'load', `closing the load transport failed: ${(err as Error).message}`));
  }

  const rec = result.recorder;
  const evaluated = evaluateThresholds(thresholds, (name, t) => rec.valueOf(name, t.aggregation, t.percentile, result.durationMs));
  if (result.aborted) {
    ctx.log('warn', 'load', `load aborted at ${(result.aborted.atMs / 1000).toFixed(1)} s: ${result.aborted.reason}`);
    // The threshold that stopped the load failed, whatever the shortened run's final value says (k6 too
    // fails a test its abortOnFail threshold stopped).
    const t = crossed === null ? undefined : evaluated[thresholds.indexOf(crossed)];
    if (t?.passed === true) {
      t.passed = false;
      t.note = `crossed at ${(result.aborted.atMs / 1000).toFixed(1)} s: the load was aborted there (abortOnFail)`;
    }
  }
  const checks = result.metrics.checks;
  const failingCases = [...perCase.values()].filter((q) => q.failed > 0).sort((a, b) => b.failed - a.failed || (a.id < b.id ? -1 : 1));
  return {
    generator: 'builtin',
    metrics: result.metrics as unknown as Record<string, unknown>,
    thresholds: evaluated,
    dropped: result.metrics.dropped_iterations.count,
    lagP99Ms: rec.lag.percentile(99),
    durationMs: result.durationMs,
    sent: result.sent,
    interrupted: result.interrupted,
    maxInFlightSeen: result.maxInFlight,
    errors: result.errors,
    errorSamples: result.errorSamples,
    quality: checks
      ? { checked: checks.passes + checks.fails, passed: checks.passes, failed: checks.fails, passRate: checks.rate, failingCases }
      : null,
    timeline: result.timeline,
    histogram: result.histogram,
    transport: transport.name,
    cancelled: result.cancelled,
    aborted: result.aborted,
  };
}

/**
 * k6's abortOnFail: each second, a threshold marked so that is crossed (once its delayAbortEval has
 * passed) stops the load. A threshold with nothing to judge yet does not abort (k6 neither).
 */
export function abortOnFail(
  thresholds: ParsedThreshold[],
  onCrossed: (t: ParsedThreshold) => void = () => undefined,
): ((elapsedMs: number, rec: LoadRecorder) => string | null) | undefined {
  const watched = thresholds.filter((t) => t.abortOnFail);
  if (watched.length === 0) return undefined;
  return (elapsedMs, rec) => {
    for (const t of watched) {
      if (elapsedMs < t.delayAbortEvalMs) continue;
      const v = rec.valueOf(t.name, t.aggregation, t.percentile, elapsedMs);
      if (v === null || !Number.isFinite(v) || compare(v, t.op, t.value)) continue;
      onCrossed(t);
      return `${t.metric} ${t.expression} crossed (got ${Math.round(v * 1000) / 1000}) and has abortOnFail`;
    }
    return null;
  };
}

function makeTransport(ctx: RunContext): LoadTransport & { proxy?: string } {
  const { settings } = ctx;
  if (ctx.engine.kind !== 'http') return adapterTransport(ctx.engine, ctx.runId);
  const spec = parseEngineSpec(settings.engine.target);
  if (spec.kind !== 'http') return adapterTransport(ctx.engine, ctx.runId);
  const route = engineRoute(spec.url, settings.engine, ctx.env ?? process.env);
  const transport = httpTransport({
    route,
    url: spec.url,
    headers: expandHeaders(settings.engine.headers, ctx.env ?? process.env),
    maxResponseBytes: settings.engine.maxResponseBytes,
    body: settings.engine.body,
    runId: ctx.runId,
    timeoutMs: settings.load.timeoutMs,
    // The engine's error text (a traceback of an engine on this runner) goes into the load report.
    printable: (text) => portableText(text, settings.cwd),
  });
  return route.proxy ? Object.assign(transport, { proxy: route.proxy.printable }) : transport;
}

export function describePlan(schedule: ArrivalSchedule, maxInFlight: number): string {
  const secs = Math.round(schedule.durationMs / 100) / 10;
  return `${schedule.executor}, ${schedule.total} request(s) over ${secs} s, at most ${maxInFlight} in flight`;
}
