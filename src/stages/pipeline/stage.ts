import type { RunContext, Stage, StageResult } from '../../runner/stage.js';
import type { StageVerdict } from '../../runner/verdict.js';
import type { PipelineSettings, ProfileName } from '../../settings/types.js';
import type { Severity } from '../../warroom/finding.js';
import { exportPipelineData, type CaseRef, type PipelineData } from './data.js';
import { PipelineCollector, labelOf, type CheckTally } from './collector.js';
import {
  checkEscalationRate,
  checkLatencyP95,
  checkOpusEscalations,
  contradictionSummary,
  escalationRate,
  findOutliers,
  MIN_OUTLIER_SAMPLE,
  summariseLatency,
  undeclaredAnswers,
  type RunCheckResult,
} from './run-checks.js';
import { CHECK_NAMES, LEVEL_SEVERITY, findingType, levelOf, type AnswerCheckName, type CheckName, type CheckReport, type Thresholds } from './types.js';

/**
 * The pipeline checker (DESIGN §3.3, §3.5): structural invariants of every SIM answer, read through its
 * Toron generation's profile, plus run-level budgets (Opus escalations, contradiction density, latency).
 * It judges what SIM streamed to its observer; it sends no requests of its own.
 */

/** Findings raised per check at most; the check's detail and the summary keep the full counts. */
const MAX_FINDINGS_PER_CHECK = 10;
/** Failing cases listed per check in pipeline_summary.json at most. */
const MAX_SUMMARY_CASES = 10_000;

export function thresholdsOf(p: PipelineSettings): Thresholds {
  return {
    maxOpusEscalations: p.maxOpusEscalations,
    maxContradictions: p.maxContradictions,
    minConfidence: p.minConfidence,
    latencyP95Ms: p.latencyP95Ms,
    maxEscalationRate: p.maxEscalationRate,
    escalationRateMinAnswers: p.escalationRateMinAnswers,
    minT1Models: p.minT1Models,
    latencyOutlierK: p.latencyOutlierK,
    latencyOutlierMinMs: p.latencyOutlierMinMs,
  };
}

/** pipeline.profile wins; its `auto` follows the engine's profile (itself `auto`: detect by shape). */
export function effectiveProfile(settings: Pick<RunContext['settings'], 'pipeline' | 'engine'>): ProfileName {
  return settings.pipeline.profile !== 'auto' ? settings.pipeline.profile : settings.engine.profile;
}

interface Judged {
  name: CheckName;
  result: RunCheckResult;
  /** Findings to raise when the check fails: one per case where it names cases. */
  findings: { message: string; case?: CaseRef }[];
  /** How many findings there would be in all (failing cases beyond the kept failures included). */
  total?: number;
  /** Every case it fails on, for pipeline_summary.json (where the "N more" finding points). */
  allCases?: number[];
}

export const pipelineStage: Stage = {
  name: 'pipeline',

  observeAnswers(ctx) {
    const { settings } = ctx;
    return new PipelineCollector({ profile: effectiveProfile(settings), custom: settings.pipeline.custom, thresholds: thresholdsOf(settings.pipeline) });
  },

  async run(ctx: RunContext): Promise<StageResult> {
    const { settings } = ctx;
    if (!settings.stages.includes('sim')) {
      return skipped('the pipeline checker judges the answers SIM gets: add sim to --stages');
    }
    const collector = ctx.answerObservers.find((o): o is PipelineCollector => o instanceof PipelineCollector);
    if (!collector) return skipped('no answers were observed');
    const why = pipelineSkipReason(collector);
    if (why !== null) {
      ctx.log('warn', 'pipeline', `pipeline checks skipped: ${why}`);
      for (const f of uncheckedFindings(collector, why)) ctx.raise(f);
      const s = skipped(why);
      // merge judges a sharded run's budgets on all shards' answers: even an empty shard hands its tallies on.
      if (ctx.settings.shard) s.summary = { runId: ctx.runId, ...s.report, shardData: exportPipelineData(collector) };
      return s;
    }
    const { result, findings } = judgePipeline(collector, { runId: ctx.runId, settings: ctx.settings });
    for (const f of findings) ctx.raise(f);
    if (ctx.settings.shard) result.summary = { ...(result.summary as object), shardData: exportPipelineData(collector) };
    return result;
  },
};

/**
 * Answers came, but none could be read: the structural gate did not run, and a PR should hear it (no
 * answers, or only engine errors, are SIM's findings already). Merge raises it for a sharded run too.
 */
export function uncheckedFindings(c: PipelineData, why: string): FindingInput[] {
  if (c.checked === 0 && c.observed > c.engineErrors) {
    return [{ type: 'pipeline-unchecked', severity: 'MEDIUM', subsystem: 'pipeline', message: `pipeline checks did not run: ${why}` }];
  }
  return [];
}

/** Why there is nothing to judge (null: there is). */
export function pipelineSkipReason(c: PipelineData): string | null {
  if (c.checked > 0) return null;
  return c.observed === 0
    ? 'SIM produced no answers'
    : c.observed === c.engineErrors
      ? `all ${c.observed} SIM attempts were engine errors`
      : `none of the ${c.observed - c.engineErrors} answers has a known Toron shape; set pipeline.profile (or "custom" with pipeline.custom pointers) to check this engine`;
}

type FindingInput = Parameters<RunContext['raise']>[0];

export interface JudgeEnv {
  runId: string;
  settings: Pick<RunContext['settings'], 'pipeline' | 'engine'>;
}

export function skipped(reason: string): StageResult {
  return { verdict: 'SKIPPED', reason, report: { verdict: 'SKIPPED', reason } };
}

/** The checker's verdict, report, summary and findings from its tallies. Pure (merge calls it on the union of shards). */
export function judgePipeline(c: PipelineData, env: JudgeEnv): { result: StageResult; findings: FindingInput[] } {
  const p = env.settings.pipeline;
  const findings: FindingInput[] = [];
  const t = c.options.thresholds;
  const caseOf = (i: number) => c.cases.get(i)!;
  const judged: Judged[] = [];

  judged.push(profileShape(c, caseOf));
  for (const name of CHECK_NAMES) {
    const tally = c.tallies.get(name as AnswerCheckName);
    if (!tally || name === 'contradiction-density') continue;
    judged.push(answerCheck(name as AnswerCheckName, tally, c, caseOf));
  }

  const density = contradictionSummary(c.contradictions, t.maxContradictions);
  const densityTally = c.tallies.get('contradiction-density')!;
  judged.push({
    name: 'contradiction-density',
    result: {
      ...density,
      ...(density.na && densityTally.checked === 0 && densityTally.na === 0 && c.checked > 0
        ? { detail: `not judged: none of the ${c.checked} answers could be read as its generation (see answer-shape)` }
        : {}),
      cases: [...densityTally.failedCases].slice(0, 10).map((i) => labelOf(caseOf(i))),
    },
    findings: caseFindings(densityTally, caseOf),
    total: densityTally.failedCases.size,
    allCases: [...densityTally.failedCases],
  });

  // No answer saying whether it escalated is nothing counted, not "0 undeclared escalations".
  const escalations: RunCheckResult =
    c.escalations.answers === 0
      ? { ok: true, na: true, checked: 0, failed: 0, detail: `not applicable: none of the ${c.checked} answers says whether it escalated` }
      : checkOpusEscalations(c.escalations, t.maxOpusEscalations);
  judged.push({
    name: 'opus-escalations',
    result: escalations,
    allCases: c.undeclaredEscalationCases,
    findings: c.undeclaredEscalationCases.map((i) => ({
      case: caseOf(i),
      message: `${labelOf(caseOf(i))} escalated to Opus without its dataset declaring it (${c.escalations.undeclaredCases.length} such cases, limit ${t.maxOpusEscalations}); pin it (an equals assertion on the escalation) or set expected.opus_used if it is meant to`,
    })),
  });
  const rate = checkEscalationRate(c.escalations, t.maxEscalationRate, t.escalationRateMinAnswers);
  judged.push({ name: 'escalation-rate', result: rate, findings: [{ message: `Opus escalation rate too high: ${rate.detail}` }] });

  const latency = summariseLatency(c.latencies, t);
  // The gate's sample: the answers and the timed-out attempts (the slowest of all, at their timeout).
  const timeouts = c.timeoutLatencies.length;
  const gated = timeouts ? summariseLatency([...c.latencies, ...c.timeoutLatencies], t) : latency;
  const p95 = checkLatencyP95(gated, t.latencyP95Ms, timeouts);
  const slowest = slowestCase(c);
  judged.push({
    name: 'latency-p95',
    result: p95,
    findings: [{ message: `SIM latency too high: ${p95.detail}${slowest ? `; slowest: ${labelOf(slowest.case)} ${slowest.ms} ms` : ''}`, case: slowest?.case }],
  });

  const outliers = findOutliers(c.latencies, latency);
  const outlierCases = new Map<number, number>(); // case -> worst latency
  for (const o of outliers) {
    const ci = c.latencyCase[o.index];
    outlierCases.set(ci, Math.max(outlierCases.get(ci) ?? 0, o.latencyMs));
  }
  // findOutliers judges none below MIN_OUTLIER_SAMPLE: say so, not "0 above" a threshold the slowest may be above.
  const tooFew = latency.count < MIN_OUTLIER_SAMPLE;
  judged.push({
    name: 'latency-outliers',
    result: {
      ok: outliers.length === 0,
      na: latency.outlierAboveMs === null || tooFew,
      checked: latency.count,
      failed: outliers.length,
      cases: [...outlierCases.keys()].slice(0, 10).map((i) => labelOf(caseOf(i))),
      detail:
        latency.outlierAboveMs === null
          ? 'no SIM latencies'
          : tooFew
            ? `not judged: ${latency.count} SIM latencies, fewer than the ${MIN_OUTLIER_SAMPLE} a median and MAD need to tell an outlier (slowest ${round(latency.max!, 1)} ms, median ${latency.median} ms)`
            : `${outliers.length} answer(s) in ${outlierCases.size} case(s) above ${latency.outlierAboveMs} ms (median ${latency.median} + max(${t.latencyOutlierK} x MAD ${latency.mad}, ${t.latencyOutlierMinMs}))`,
    },
    allCases: [...outlierCases.keys()],
    findings: [...outlierCases].map(([i, ms]) => ({
      case: caseOf(i),
      message: `${labelOf(caseOf(i))} took ${round(ms, 1)} ms, an outlier (median ${latency.median} ms, threshold ${latency.outlierAboveMs} ms)`,
    })),
  });

  // Levels, findings, verdict.
  const checks: CheckReport[] = [];
  let verdict: StageVerdict = 'PASS';
  const failedNames: string[] = [];
  const order = new Map(CHECK_NAMES.map((n, i) => [n, i]));
  judged.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
  for (const j of judged) {
    const level = levelOf(j.name, p.levels);
    const severity: Severity | 'OFF' = level === 'off' ? 'OFF' : LEVEL_SEVERITY[level];
    const ok = level === 'off' ? true : j.result.ok;
    checks.push({
      name: j.name,
      ok,
      severity,
      level,
      detail: level === 'off' ? `turned off (pipeline.levels); ${j.result.detail}` : j.result.detail,
      ...(j.result.na ? { applicable: false as const } : {}),
      ...(j.result.checked !== undefined ? { checked: j.result.checked } : {}),
      ...(j.result.failed !== undefined ? { failed: j.result.failed } : {}),
      ...(j.result.cases && j.result.cases.length ? { cases: j.result.cases } : {}),
    });
    if (ok || level === 'off') continue;
    failedNames.push(j.name);
    if (level === 'error') verdict = 'FAIL';
    else if (level === 'warn' && verdict === 'PASS') verdict = 'WARN';
    findings.push(...judgedFindings(j, severity as Severity));
  }

  const profile = {
    configured: effectiveProfile(env.settings),
    used: c.options.profile === 'auto' ? c.picked : c.options.profile,
    ...(c.options.profile === 'auto' && c.pickedBy !== null ? { detectedFrom: labelOf(caseOf(c.pickedBy)) } : {}),
    ...(Object.keys(c.forms).length ? { forms: c.forms } : {}),
    switches: c.switches,
    unrecognised: c.unrecognisedUnchecked + c.unrecognisedAfterPick,
  };
  const confidence = c.confidence.n
    ? { min: round(c.confidence.min, 4), max: round(c.confidence.max, 4), mean: round(c.confidence.sum / c.confidence.n, 4), floor: t.minConfidence }
    : null;
  const engineLatency = summariseLatency(c.engineLatencies, t);
  const judgedChecks = checks.filter((x) => x.level !== 'off' && x.applicable !== false).length;
  const notApplicable = checks.length - judgedChecks;
  const reason =
    failedNames.length === 0
      ? `${judgedChecks} checks passed${notApplicable ? ` (${notApplicable} off or not applicable)` : ''} over ${c.checked} answers (${profile.used})`
      : `${failedNames.length} check(s) failed: ${failedNames.join(', ')} (${c.checked} answers, ${profile.used})`;

  const report = {
    verdict,
    reason,
    profile,
    answers: { observed: c.observed, checked: c.checked, engineErrors: c.engineErrors, unchecked: c.observed - c.engineErrors - c.checked },
    checks,
    escalations: {
      answers: c.escalations.answers,
      escalated: c.escalations.escalated,
      declared: c.escalations.declared,
      declaredCases: c.escalations.declaredCases,
      undeclared: undeclaredAnswers(c.escalations),
      undeclaredCases: c.escalations.undeclaredCases.length,
      rate: nullableRound(escalationRate(c.escalations), 4),
      limit: t.maxOpusEscalations,
      rateCeiling: t.maxEscalationRate,
    },
    contradictions: {
      measured: c.contradictions.measured,
      meanPerAnswer: nullableRound(density.mean, 4),
      max: c.contradictions.measured ? c.contradictions.max : null,
      limit: t.maxContradictions,
      overLimitDeclared: c.contradictions.declaredOver,
      overLimitUndeclared: c.contradictions.undeclaredOver,
    },
    confidence,
    // count/p50/p95/max as gated (timeouts included); median/MAD/outlier threshold of the answers.
    latency: {
      ...latency,
      count: gated.count,
      p50: gated.p50,
      p95: gated.p95,
      max: gated.max,
      timeouts,
      limitP95Ms: t.latencyP95Ms,
      outliers: outliers.length,
      engineReportedP95Ms: engineLatency.p95,
    },
  };
  const failures = Object.fromEntries(
    [...c.tallies].filter(([, tally]) => tally.failures.length > 0).map(([name, tally]) => [
      name,
      tally.failures.map((f) => ({ case: labelOf(caseOf(f.caseIndex)), repeat: f.repeat, message: f.message, location: caseOf(f.caseIndex).location })),
    ]),
  );
  // Every failing case of each failing check (findings stop at MAX_FINDINGS_PER_CHECK and point here).
  const cases = Object.fromEntries(
    judged
      .filter((j) => j.allCases && j.allCases.length > 0 && !checks.find((x) => x.name === j.name)!.ok)
      .map((j) => [j.name, j.allCases!.slice(0, MAX_SUMMARY_CASES).map((i) => labelOf(caseOf(i)))]),
  );
  return { result: { verdict, reason, report, summary: { runId: env.runId, ...report, failures, cases } }, findings };
}

function profileShape(c: PipelineData, caseOf: (i: number) => CaseRef): Judged {
  if (c.options.profile !== 'auto') {
    const configured = `profile set by config: ${c.options.profile}`;
    const other = Object.entries(c.switches).filter(([, n]) => (n ?? 0) > 0);
    if (other.length === 0 || !c.firstSwitch) return { name: 'profile-shape', result: { ok: true, detail: configured }, findings: [] };
    const n = other.reduce((a, [, k]) => a + (k ?? 0), 0);
    const like = other.map(([k, m]) => (other.length > 1 ? `${m} ${k}` : k)).join(', ');
    const first = caseOf(c.firstSwitch.caseIndex);
    const detail = `${configured}; ${n} answer(s) look like ${like} (first: ${labelOf(first)}), checked as ${c.options.profile}`;
    return { name: 'profile-shape', result: { ok: false, checked: c.checked, failed: n, detail }, findings: [{ message: detail, case: first }] };
  }
  const switched = Object.values(c.switches).reduce((a, b) => a + (b ?? 0), 0);
  const parts: string[] = [`detected ${c.picked}${c.pickedBy !== null ? ` from the first answer (${labelOf(caseOf(c.pickedBy))})` : ''}`];
  if (switched) {
    const to = Object.entries(c.switches).map(([k, n]) => `${n} as ${k}`).join(', ');
    parts.push(`${switched} answer(s) switched shape mid-run (${to}; first: ${labelOf(caseOf(c.firstSwitch!.caseIndex))}), checked as their own shape`);
  }
  if (c.unrecognisedUnchecked) parts.push(`${c.unrecognisedUnchecked} answer(s) of no known shape were not checked (too many came before the first known one)`);
  if (c.unrecognisedAfterPick) parts.push(`${c.unrecognisedAfterPick} answer(s) had no known shape (checked as ${c.picked})`);
  const ok = switched === 0 && c.unrecognisedUnchecked === 0;
  const first = c.firstSwitch ? caseOf(c.firstSwitch.caseIndex) : undefined;
  return {
    name: 'profile-shape',
    result: { ok, checked: c.checked + c.unrecognisedUnchecked, failed: switched + c.unrecognisedUnchecked, detail: parts.join('; ') },
    findings: [{ message: `answer shapes changed or were unknown: ${parts.join('; ')}`, case: first }],
  };
}

function answerCheck(name: AnswerCheckName, tally: CheckTally, c: PipelineData, caseOf: (i: number) => CaseRef): Judged {
  const cases = [...tally.failedCases].slice(0, 10).map((i) => labelOf(caseOf(i)));
  let detail: string;
  const profile = c.options.profile === 'auto' ? c.picked : c.options.profile;
  if (tally.checked === 0 && tally.na > 0 && name === 'expected-escalation') {
    detail = `not applicable: no case's expected block says whether it escalates (expected.opus_used), or ${profile} answers do not say`;
  } else if (tally.checked === 0 && tally.na > 0) detail = `not applicable: ${profile} does not expose it`;
  else if (tally.checked === 0 && name !== 'answer-shape') detail = `not judged: none of the ${c.checked} answers could be read as its generation (see answer-shape)`;
  else if (tally.failed === 0) detail = `${tally.checked} answer(s) ok${tally.na ? `, ${tally.na} not applicable` : ''}`;
  else detail = `${tally.failed}/${tally.checked} answer(s) in ${tally.failedCases.size} case(s) failed; first: ${labelOf(caseOf(tally.failures[0].caseIndex))}: ${tally.failures[0].message}`;
  return {
    name,
    result: { ok: tally.failed === 0, na: tally.checked === 0, checked: tally.checked, failed: tally.failed, cases, detail },
    findings: caseFindings(tally, caseOf),
    total: tally.failedCases.size,
    allCases: [...tally.failedCases],
  };
}

/** One finding per failing case (its first failure), for PR annotations at the case's line. */
function caseFindings(tally: CheckTally, caseOf: (i: number) => CaseRef): Judged['findings'] {
  const seen = new Set<number>();
  const out: Judged['findings'] = [];
  for (const f of tally.failures) {
    if (seen.has(f.caseIndex)) continue;
    seen.add(f.caseIndex);
    const k = caseOf(f.caseIndex);
    out.push({ case: k, message: `${labelOf(k)}${f.repeat > 0 ? ` (repeat ${f.repeat + 1})` : ''}: ${f.message}` });
  }
  return out;
}

function judgedFindings(j: Judged, severity: Severity): FindingInput[] {
  const out: FindingInput[] = [];
  const ctx = { raise: (f: FindingInput) => void out.push(f) };
  const list = j.findings.length ? j.findings : [{ message: j.result.detail }];
  const shown = list.slice(0, MAX_FINDINGS_PER_CHECK);
  const rest = Math.max(list.length, j.total ?? 0) - shown.length;
  for (const f of shown) {
    ctx.raise({
      type: findingType(j.name),
      severity,
      subsystem: 'pipeline',
      message: `${j.name}: ${f.message}`,
      ...(f.case ? { caseId: f.case.id, location: f.case.location } : {}),
    });
  }
  if (rest > 0) {
    ctx.raise({ type: findingType(j.name), severity, subsystem: 'pipeline', message: `${j.name}: ${rest} more case(s) with this finding (see pipeline_summary.json)` });
  }
  return out;
}

function slowestCase(c: PipelineData): { case: CaseRef; ms: number } | null {
  let best: { ms: number; i: number } | null = null;
  for (const [ms, cs] of [
    [c.latencies, c.latencyCase],
    [c.timeoutLatencies, c.timeoutCase],
  ] as const) {
    for (let k = 0; k < ms.length; k++) if (best === null || ms[k] > best.ms) best = { ms: ms[k], i: cs[k] };
  }
  return best === null ? null : { case: c.cases.get(best.i)!, ms: round(best.ms, 1) };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function nullableRound(x: number | null, digits: number): number | null {
  return x === null ? null : round(x, digits);
}
