import { requestPool } from '../../load/requests.js';
import { scheduleFromSettings, type ArrivalSchedule } from '../../load/schedule.js';
import { parseThresholds } from '../../load/thresholds.js';
import type { RunContext, Stage, StageResult, StageResults } from '../../runner/stage.js';
import type { LoadSettings } from '../../settings/types.js';
import { suiteOf } from '../sim/dataset.js';
import { runBuiltin } from './builtin.js';
import { K6Failure, runK6Backend } from './k6.js';
import type { LoadRunData } from './types.js';
import { describeThreshold, generatorValidity, loadVerdict } from './verdict.js';

/**
 * The load stage (DESIGN §3.3, §4.3): the SIM cases as open-model traffic, from the built-in generator
 * or from k6, judged by k6-style thresholds. The report's `load` entry holds the verdict, the generator,
 * the metrics under k6 names, the thresholds and a per-second timeline; load_summary.json holds the same
 * plus the plan, error samples and the cases whose answers failed under load.
 */
export const loadStage: Stage = {
  name: 'load',
  checkInputs(settings): void {
    // The suite SIM loads: checked once, by SIM, when it runs too.
    if (!settings.stages.includes('sim')) suiteOf(settings);
  },
  async run(ctx: RunContext, prior: StageResults): Promise<StageResult> {
    const { settings } = ctx;
    // n shard legs must not each hammer the engine at the full rate: shard 1 runs the load for all.
    if (settings.shard && settings.shard.index !== 1) {
      return { verdict: 'SKIPPED', reason: `load runs in shard 1 of ${settings.shard.total}`, report: {} };
    }
    const load = settings.load;
    const thresholds = parseThresholds(load.thresholds, load.generator);
    const schedule = scheduleFromSettings(load);
    const suite = suiteOf(settings);
    const plan = planReport(load, schedule, suite.cases.length);
    if (suite.cases.length === 0) {
      const reason = 'no SIM cases to send (the selected datasets have none)';
      return { verdict: 'SKIPPED', reason, report: { generator: load.generator, plan } };
    }
    const pool = requestPool(suite.cases, ctx.runId);

    let data: LoadRunData;
    try {
      data = load.generator === 'k6' ? await runK6Backend(ctx, pool, schedule, thresholds) : await runBuiltin(ctx, pool, schedule, thresholds);
    } catch (err) {
      if (!(err instanceof K6Failure)) throw err;
      ctx.raise({ type: err.kind === 'missing' ? 'load-k6-missing' : 'load-k6-failed', severity: 'CRITICAL', subsystem: 'load', message: err.message });
      const report = { generator: 'k6' as const, plan, error: err.message };
      return { verdict: 'ERROR', reason: err.message, report, summary: { runId: ctx.runId, verdict: 'ERROR', reason: err.message, ...report } };
    }

    const validity = generatorValidity({ dropped: data.dropped, lagP99Ms: data.lagP99Ms, maxLagMs: load.maxSchedulerLagMs, generator: data.generator });
    // A cancelled load says so through `partial` (the runner leads the reason with "cancelled").
    const judged = loadVerdict(data.thresholds, validity);
    const { verdict } = judged;
    const reason = data.aborted ? `aborted at ${(data.aborted.atMs / 1000).toFixed(1)} s (abortOnFail): ${judged.reason}` : judged.reason;
    const simPassRate = simRate(prior);
    raiseFindings(ctx, data, validity.reasons, simPassRate);

    const quality = data.quality ? { ...data.quality, passRate: round4(data.quality.passRate), simPassRate, failingCases: data.quality.failingCases.slice(0, 20) } : null;
    const report = {
      generator: data.generator,
      valid: validity.valid,
      invalidReasons: validity.reasons,
      plan,
      durationMs: data.durationMs,
      ...(data.aborted ? { aborted: data.aborted } : {}),
      metrics: data.metrics,
      thresholds: data.thresholds,
      errors: data.errors ?? null,
      quality,
      timeline: data.timeline,
      histogram: data.histogram,
      ...(data.k6 ? { k6: data.k6 } : {}),
    };
    const summary = {
      runId: ctx.runId,
      verdict,
      // load_summary.json is written as is (the runner marks only the report's entry partial), so it
      // says itself that the load was cut short, in the words the report uses.
      reason: data.cancelled ? `cancelled, partial results: ${reason}` : reason,
      ...(data.cancelled ? { cancelled: true } : {}),
      ...report,
      ...(data.transport ? { transport: data.transport } : {}),
      sent: data.sent ?? null,
      interrupted: data.interrupted ?? 0,
      maxInFlightSeen: data.maxInFlightSeen ?? null,
      errorSamples: data.errorSamples ?? {},
      quality: data.quality ? { ...quality, failingCases: data.quality.failingCases } : null,
    };
    return { verdict, reason, report, summary, ...(data.cancelled ? { partial: true } : {}) };
  },
};

export function planReport(load: LoadSettings, schedule: ArrivalSchedule, cases: number) {
  return {
    executor: schedule.executor,
    ...(schedule.executor === 'constant-arrival-rate' ? { rate: load.rate, duration: load.duration } : { startRate: load.startRate, stages: load.stages }),
    durationMs: schedule.durationMs,
    requests: schedule.total,
    cases,
    maxInFlight: load.maxInFlight,
    timeoutMs: load.timeoutMs,
    maxSchedulerLagMs: load.maxSchedulerLagMs,
  };
}

function simRate(prior: StageResults): number | null {
  const sim = prior.sim;
  if (!sim || sim.verdict === 'SKIPPED' || sim.verdict === 'ERROR') return null;
  const r = (sim.report as { passRate?: unknown }).passRate;
  return typeof r === 'number' ? r : null;
}

function raiseFindings(ctx: RunContext, data: LoadRunData, invalid: string[], simPassRate: number | null): void {
  // An engine process that exits under load is the same event SIM reports as engine-died: everything
  // after it is a failed request, and http_req_failed alone would not say why.
  const exits = data.errors?.process_exit ?? 0;
  if (exits > 0) {
    ctx.raise({
      type: 'engine-died',
      severity: 'CRITICAL',
      subsystem: 'engine',
      message: `engine process exited under load; ${exits} request(s) failed with it: ${data.errorSamples?.process_exit ?? 'no message'}`,
    });
  }
  if (invalid.length > 0) {
    ctx.raise({
      type: 'load-generator-behind',
      severity: 'HIGH',
      subsystem: 'load',
      message: `load run invalid (${data.generator} generator fell behind): ${invalid.join('; ')}`,
    });
  }
  for (const t of data.thresholds) {
    if (t.passed === true) continue;
    ctx.raise({
      type: 'load-threshold-failed',
      severity: t.level === 'error' ? 'HIGH' : 'MEDIUM',
      subsystem: 'load',
      message: `load threshold crossed (${t.level}): ${describeThreshold(t)}`,
    });
  }
  const answers = loadAnswersFinding(data.quality, simPassRate);
  if (answers) ctx.raise(answers);
}

type LoadQuality = NonNullable<LoadRunData['quality']>;

/**
 * The finding for answers that failed their assertions under load more often than in SIM (MEDIUM), or
 * null. Pure: a merge judges it again against the merged SIM pass rate (shard 1 ran the load, but its
 * own SIM rate is only its slice's).
 */
export function loadAnswersFinding(
  q: Pick<LoadQuality, 'failed' | 'passRate' | 'checked' | 'failingCases'> | null | undefined,
  simPassRate: number | null,
): Parameters<RunContext['raise']>[0] | null {
  if (!q || !(q.failed > 0) || (simPassRate !== null && q.passRate >= simPassRate)) return null;
  const worst = q.failingCases[0];
  const beside = simPassRate === null ? '' : ` (SIM: ${pct(simPassRate)})`;
  return {
    type: 'load-answers-failed',
    severity: 'MEDIUM',
    subsystem: 'load',
    message:
      `under load ${pct(q.passRate)} of ${q.checked} answers passed their assertions${beside}` +
      (worst ? `; worst: ${worst.dataset}/${worst.id} failed ${worst.failed}/${worst.checked}${worst.firstFailure ? ` (${worst.firstFailure})` : ''}` : ''),
    ...(worst ? { caseId: worst.id, location: worst.location } : {}),
  };
}

function pct(x: number): string {
  return `${Math.round(x * 1000) / 10}%`;
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
