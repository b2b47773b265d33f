import { countDrift, driftRate, driftVerdict, type DriftCounts } from '../../replay/drift.js';
import { determinismScore, determinismVerdict, tarAtN, type GateVerdict } from '../../replay/tar.js';
import type { ReplaySettings } from '../../settings/types.js';
import { worstVerdict } from '../../runner/verdict.js';
import type { DriftCase, ReplayCaseResult, ReplayOutcome } from './replay.js';

/** The numbers of one replay (DESIGN §3.3 `stages.replay`), from the outcome. Pure. */
export interface ReplayTotals {
  replayed: number;
  agreed: number;
  rawAgreed: number;
  stable: number;
  tarCanonical: number;
  tarRaw: number;
  determinismScore: number;
  determinismVerdict: GateVerdict;
  /** Mean distinct outputs per case (1 = every case answered one way). */
  uniqueOutputs: number;
  uniqueOutputsMax: number;
  modalAgreement: number;
  replayErrors: number;
}

export function replayTotals(cases: ReplayCaseResult[], t: ReplaySettings['thresholds']): ReplayTotals {
  const n = cases.length;
  let agreed = 0;
  let rawAgreed = 0;
  let stable = 0;
  let unique = 0;
  let uniqueMax = 0;
  let modal = 0;
  let errors = 0;
  for (const c of cases) {
    if (c.agreed) agreed++;
    if (c.rawAgreed) rawAgreed++;
    if (c.stable) stable++;
    unique += c.uniqueOutputs;
    uniqueMax = Math.max(uniqueMax, c.uniqueOutputs);
    modal += c.modalAgreement;
    errors += c.errors.length;
  }
  const tar = tarAtN(agreed, n);
  const score = determinismScore(tar);
  return {
    replayed: n,
    agreed,
    rawAgreed,
    stable,
    tarCanonical: round4(tar),
    tarRaw: round4(tarAtN(rawAgreed, n)),
    determinismScore: score,
    determinismVerdict: determinismVerdict(score, t),
    uniqueOutputs: n ? round4(unique / n) : 0,
    uniqueOutputsMax: uniqueMax,
    modalAgreement: n ? round4(modal / n) : 0,
    replayErrors: errors,
  };
}

export interface DriftTotals {
  counts: DriftCounts;
  rate: number;
  verdict: GateVerdict;
}

export function driftTotals(cases: DriftCase[], t: ReplaySettings['drift']): DriftTotals {
  const counts = countDrift(cases.map((c) => c.status));
  const rate = driftRate(counts);
  return { counts, rate: round4(rate), verdict: driftVerdict(rate, counts.changed, t) };
}

/** The least deterministic cases first: fewest answers in the modal group, then most distinct outputs. */
export function worstCases(cases: ReplayCaseResult[], n = 5): ReplayCaseResult[] {
  return cases
    .filter((c) => !c.agreed)
    .sort((a, b) => a.modalAgreement - b.modalAgreement || b.uniqueOutputs - a.uniqueOutputs)
    .slice(0, n);
}

export function stageVerdict(det: GateVerdict, drift: GateVerdict | null): GateVerdict {
  return worstVerdict(drift ? [det, drift] : [det]) as GateVerdict;
}

/** One case as report.json lists it (diffs trimmed; replay_summary.json has them all). */
export function reportCase(c: ReplayCaseResult, diffs = 5) {
  return {
    id: c.id,
    dataset: c.dataset,
    agreed: c.agreed,
    rawAgreed: c.rawAgreed,
    stable: c.stable,
    uniqueOutputs: c.uniqueOutputs,
    modalAgreement: c.modalAgreement,
    firstDivergence: c.firstDivergence,
    diffs: c.diffs.slice(0, diffs),
    ...(c.diffCount > diffs ? { diffCount: c.diffCount } : {}),
    ...(c.errors.length ? { errors: c.errors.slice(0, 5) } : {}),
    // merge counts replay errors over shards from it when errors were cut to 5
    ...(c.errors.length > 5 ? { errorCount: c.errors.length } : {}),
    ...(c.location ? { location: c.location } : {}),
  };
}

export function reportDriftCase(c: DriftCase, diffs = 5) {
  return c.diff ? { ...c, diff: c.diff.slice(0, diffs) } : c;
}

/** "ds/id" as people name a case. */
export function caseName(c: { dataset: string; id: string }): string {
  return `${c.dataset}/${c.id}`;
}

export function describeDivergence(c: ReplayCaseResult): string {
  const d = c.firstDivergence;
  if (!d) return 'no divergence';
  if (d.pointer === '' && c.errors.length) return `engine error in round ${c.errors[0].round} (${c.errors[0].kind})`;
  return `first divergence at ${d.pointer === '' ? '(root)' : d.pointer}${d.charIndex !== undefined ? ` char ${d.charIndex}` : ''} in round ${d.round}`;
}

export type { ReplayOutcome };

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** The replay stage's one-line reason (a run's and a merge's alike). */
export function replayReason(
  t: ReplayTotals,
  drift: DriftTotals | null,
  o: { rounds: number; roundsDone: number; cancelled: boolean; notReplayed: number; baseline: string },
): string {
  let reason =
    `determinism ${t.determinismScore} (${t.agreed}/${t.replayed} case(s) answered the same in ${o.rounds} replay round(s))` +
    (drift ? `; drift ${pct(drift.rate)} (${drift.counts.changed} stable case(s) changed, ${drift.counts.noise} noise) vs ${o.baseline}` : '');
  if (o.cancelled) reason += `; cancelled after ${o.roundsDone} of ${o.rounds} round(s): partial`;
  if (o.notReplayed) reason += `; ${o.notReplayed} case(s) had no answer to replay`;
  return reason;
}

/** The replay report's head, in its field order, before `cases` and `drift`: the same for a run and a merge. */
export function replayReportHead<S>(
  t: ReplayTotals,
  o: {
    verdict: GateVerdict;
    reason: string;
    mode: string;
    snapshot: S;
    rounds: number;
    roundsDone: number;
    freshProcess: unknown;
    notReplayed: number;
    calls: number;
    thresholds: ReplaySettings['thresholds'];
    ignorePaths: string[];
  },
) {
  return {
    verdict: o.verdict,
    reason: o.reason,
    mode: o.mode,
    snapshot: o.snapshot,
    determinismScore: t.determinismScore,
    determinismVerdict: t.determinismVerdict,
    rounds: o.rounds,
    roundsDone: o.roundsDone,
    freshProcess: o.freshProcess,
    replayed: t.replayed,
    agreed: t.agreed,
    notReplayed: o.notReplayed,
    tarCanonical: t.tarCanonical,
    tarRaw: t.tarRaw,
    uniqueOutputs: t.uniqueOutputs,
    uniqueOutputsMax: t.uniqueOutputsMax,
    modalAgreement: t.modalAgreement,
    stable: t.stable,
    replayErrors: t.replayErrors,
    calls: o.calls,
    thresholds: o.thresholds,
    ignorePaths: o.ignorePaths,
  };
}

/** A rate as a percentage with two decimals at most (0.1234 → "12.34%"). */
export function pct(x: number): string {
  return `${Math.round(x * 1e4) / 100}%`;
}
