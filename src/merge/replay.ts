import type { StageResult } from '../runner/stage.js';
import type { ReplaySettings } from '../settings/types.js';
import type { DriftCase, ReplayCaseResult } from '../stages/replay/replay.js';
import { answeredVerdict, driftTotals, replayReason, replayReportHead, replayTotals, stageVerdict } from '../stages/replay/report.js';
import { replayFindings } from '../stages/replay/stage.js';
import { caseKey, sumRateLimits } from './sim.js';
import type { SimRateLimits } from '../stages/sim/score.js';
import type { ShardRun } from './shards.js';

type FindingInput = ReturnType<typeof replayFindings>[number];
type Obj = Record<string, unknown>;

/**
 * The replay of the whole run from its shards' per-case results (each shard replayed its own slice of
 * the snapshot): determinism, drift, verdict and findings computed again on the union with the stage's
 * own pure functions.
 */
export function mergeReplay(
  shards: ShardRun[],
  rules: ReplaySettings,
  order: Map<string, number>,
  snapshotShown: string | null,
  runId: string,
  passRate: { warn: number; fail: number },
): { result: StageResult; findings: FindingInput[] } | null {
  const ran = shards.filter((s) => {
    const b = s.report.stages.replay as Obj;
    return b.verdict !== 'SKIPPED' && Array.isArray(b.cases);
  });
  if (ran.length === 0) return null;
  const rank = (c: { dataset: string; id: string }) => order.get(caseKey(c)) ?? Infinity;
  const byRank = <T extends { dataset: string; id: string }>(xs: T[]) => [...xs].sort((a, b) => rank(a) - rank(b));

  const blocks = ran.map((s) => s.report.stages.replay as Obj);
  const summaries = ran.map((s) => (s.summaries.replay as Obj | undefined) ?? (s.report.stages.replay as Obj));
  const reportCases = byRank(blocks.flatMap((b) => b.cases as ReportedCase[]));
  const summaryCases = byRank(summaries.flatMap((b) => (b.cases as ReportedCase[]) ?? []));
  // Cases a shard left out for engine errors count as unscored in the union too.
  const unscoredOf = (bs: Obj[]) => byRank(bs.flatMap((b) => (Array.isArray(b.unscoredCases) ? (b.unscoredCases as UnscoredCase[]) : [])));
  const unscoredCases = unscoredOf(summaries);
  const cases = [...summaryCases.map(asResult), ...unscoredCases.map(asUnscored)];
  const totals = replayTotals(cases, rules.thresholds);

  // A leg with nothing to replay (its slice empty, its answers all engine errors) still reports the
  // drift of its slice (the baseline's cases it no longer has): the union needs it.
  const driftLegs = shards.filter((s) => ran.includes(s) || !!(s.report.stages.replay as Obj | undefined)?.drift);
  const drifts = driftLegs.map((s) => (s.report.stages.replay as Obj).drift as Obj | null).filter((d): d is Obj => !!d);
  const summaryDrifts = driftLegs
    .map((s) => ((s.summaries.replay as Obj | undefined) ?? (s.report.stages.replay as Obj)).drift as Obj | null)
    .filter((d): d is Obj => !!d);
  // Removed cases (in no leg's suite) follow, in the baseline's order as an unsharded run lists them;
  // each leg lists only its slice's.
  const byDriftRank = (xs: DriftCase[]) =>
    [...xs].sort((a, b) => {
      const ra = rank(a);
      const rb = rank(b);
      if (ra !== rb) return ra < rb ? -1 : 1;
      return (typeof a.baselineIndex === 'number' ? a.baselineIndex : Infinity) - (typeof b.baselineIndex === 'number' ? b.baselineIndex : Infinity) || 0;
    });
  const driftCases = drifts.length ? byDriftRank(drifts.flatMap((d) => d.cases as DriftCase[])) : [];
  const summaryDriftCases = summaryDrifts.length ? byDriftRank(summaryDrifts.flatMap((d) => d.cases as DriftCase[])) : [];
  const drift = drifts.length ? driftTotals(driftCases, rules.drift) : null;
  const first = blocks[0];
  const d0 = drifts[0];
  const roundsDone = Math.min(...blocks.map((b) => (typeof b.roundsDone === 'number' ? b.roundsDone : rules.rounds)));
  const verdict = stageVerdict(totals.determinismVerdict, drift?.verdict ?? null, roundsDone < rules.rounds, answeredVerdict(totals, passRate));
  const notReplayed = sum(blocks.map((b) => (typeof b.notReplayed === 'number' ? b.notReplayed : 0)));
  const reason = replayReason(totals, drift, { rounds: rules.rounds, roundsDone, cancelled: roundsDone < rules.rounds, notReplayed, baseline: String(d0?.baseline ?? '') });

  const snap = (first.snapshot as Obj | undefined) ?? {};
  const common = replayReportHead(totals, {
    verdict,
    reason,
    mode: 'in-run',
    snapshot: { ...snap, file: snapshotShown ?? snap.file ?? null },
    rounds: rules.rounds,
    roundsDone,
    freshProcess: first.freshProcess,
    notReplayed,
    calls: sum(blocks.map((b) => (typeof b.calls === 'number' ? b.calls : 0))),
    thresholds: rules.thresholds,
    ignorePaths: rules.ignorePaths,
  });
  // The legs' rate-limited replay requests, summed (merge.ts says so in one finding from these counts).
  const rateLimited = sumRateLimits(blocks.map((b) => b.rateLimited as SimRateLimits | undefined));
  const limited = rateLimited ? { rateLimited } : {};
  const driftReport = (list: DriftCase[]) =>
    drift && d0
      ? {
          baseline: d0.baseline,
          baselineRunId: d0.baselineRunId,
          snapshot: d0.snapshot ?? null,
          verdict: drift.verdict,
          rate: drift.rate,
          ...drift.counts,
          thresholds: rules.drift,
          probed: sum(drifts.map((d) => (typeof d.probed === 'number' ? d.probed : 0))),
          cases: list,
        }
      : null;
  const findings = replayFindings(totals, cases, drift, summaryDriftCases.length ? summaryDriftCases : driftCases, String(d0?.baselineRunId ?? ''), rules);
  return {
    result: {
      verdict,
      reason,
      report: { ...common, ...limited, cases: reportCases, unscoredCases: unscoredOf(blocks), drift: driftReport(driftCases) },
      summary: {
        runId,
        ...common,
        ...limited,
        cases: summaryCases,
        unscoredCases,
        notReplayedCases: summaries.flatMap((b) => (Array.isArray(b.notReplayedCases) ? b.notReplayedCases : [])),
        drift: driftReport(summaryDriftCases.length ? summaryDriftCases : driftCases),
      },
    },
    findings,
  };
}

interface ReportedCase {
  id: string;
  dataset: string;
  agreed: boolean;
  rawAgreed: boolean;
  stable: boolean;
  uniqueOutputs: number;
  modalAgreement: number;
  firstDivergence: ReplayCaseResult['firstDivergence'];
  diffs: ReplayCaseResult['diffs'];
  diffCount?: number;
  errors?: ReplayCaseResult['errors'];
  errorCount?: number;
  location?: { file: string; line: number };
}

/** A reported case back as the replay's case result (errors cut to 5 in reports are counted by errorCount). */
function asResult(c: ReportedCase): ReplayCaseResult {
  const errors = c.errors ?? [];
  const n = c.errorCount ?? errors.length;
  return {
    id: c.id,
    dataset: c.dataset,
    agreed: c.agreed,
    rawAgreed: c.rawAgreed,
    stable: c.stable,
    uniqueOutputs: c.uniqueOutputs,
    modalAgreement: c.modalAgreement,
    rounds: 0,
    errors: Array.from({ length: n }, (_, k) => errors[Math.min(k, errors.length - 1)]),
    firstDivergence: c.firstDivergence,
    diffs: c.diffs ?? [],
    diffCount: c.diffCount ?? (c.diffs ?? []).length,
    ...(c.location ? { location: c.location } : {}),
  };
}

interface UnscoredCase {
  id: string;
  dataset: string;
  rounds: number;
  errors: ReplayCaseResult['errors'];
  errorCount?: number;
  location?: { file: string; line: number };
}

/** An unscored case as the totals count it: not scored, its engine errors (the count, if cut). */
function asUnscored(c: UnscoredCase): ReplayCaseResult {
  const errors = c.errors ?? [];
  const n = c.errorCount ?? errors.length;
  return {
    id: c.id,
    dataset: c.dataset,
    agreed: false,
    rawAgreed: false,
    stable: false,
    uniqueOutputs: 0,
    modalAgreement: 0,
    rounds: c.rounds,
    errors: Array.from({ length: n }, (_, k) => errors[Math.min(k, errors.length - 1)]),
    firstDivergence: null,
    diffs: [],
    diffCount: 0,
    scored: false,
    ...(c.location ? { location: c.location } : {}),
  };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

