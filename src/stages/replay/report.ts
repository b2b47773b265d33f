import { shortPointer } from '../../replay/divergence.js';
import { countDrift, driftRate, driftUnmeasured, driftVerdict, type DriftCounts, type DriftUnmeasured } from '../../replay/drift.js';
import { determinismScore, determinismVerdict, tarAtN, tarShare, type GateVerdict } from '../../replay/tar.js';
import type { ReplaySettings } from '../../settings/types.js';
import { worstVerdict } from '../../runner/verdict.js';
import type { DriftCase, ReplayCaseResult, ReplayOutcome } from './replay.js';

/**
 * The numbers of one replay (DESIGN §3.3 `stages.replay`), from the outcome. Pure. TAR@N and the rest
 * are over the scored cases (`isScored`); with none there is no determinism figure (null), and the
 * stage is ERROR, never a score of 0.
 */
export interface ReplayTotals {
  /** Scored cases: TAR@N's denominator. */
  replayed: number;
  agreed: number;
  rawAgreed: number;
  stable: number;
  /** Cases left out of TAR@N: some replay got no answer (engine error) and the answered ones agreed. */
  unscored: number;
  tarCanonical: number | null;
  tarRaw: number | null;
  determinismScore: number | null;
  determinismVerdict: GateVerdict | null;
  /** Mean distinct outputs per case (1 = every case answered one way). */
  uniqueOutputs: number | null;
  uniqueOutputsMax: number;
  modalAgreement: number | null;
  /** Replay attempts that got no answer (engine errors), over every case. */
  replayErrors: number;
}

/**
 * Whether a case counts in TAR@N: it has no engine error among its replays, or an answered replay
 * differs from the snapshot (a difference seen is a difference, whatever else failed). A reported case
 * read back without `scored` (merge) says the same through its fields: an errored case has a first
 * divergence only when an answer differed.
 */
export function isScored(c: Pick<ReplayCaseResult, 'scored' | 'errors' | 'firstDivergence'>): boolean {
  return c.scored ?? (c.errors.length === 0 || c.firstDivergence !== null);
}

/**
 * How many cases of a replay block (report.json `stages.replay`, or its replay_summary.json) were scored
 * by a toron-testops from before cases could be left out for engine errors: such a block has no
 * `unscored`, and counted a replay that got no answer as a difference (first divergence at ""), so its
 * cases with engine errors read as scored and disagreeing, and its determinism figures count engine
 * errors as nondeterminism. 0 when the block is scored as now (or its replays all answered: the same).
 */
export function legacyErrorScoredCases(block: unknown): number {
  const b = block as { cases?: unknown; unscored?: unknown } | null | undefined;
  if (!b || typeof b !== 'object' || !Array.isArray(b.cases) || typeof b.unscored === 'number') return 0;
  return (b.cases as { errors?: unknown; errorCount?: unknown }[]).filter(
    (c) => (typeof c?.errorCount === 'number' ? c.errorCount : Array.isArray(c?.errors) ? c.errors.length : 0) > 0,
  ).length;
}

export function replayTotals(cases: ReplayCaseResult[], t: ReplaySettings['thresholds']): ReplayTotals {
  let n = 0;
  let agreed = 0;
  let rawAgreed = 0;
  let stable = 0;
  let unique = 0;
  let uniqueMax = 0;
  let modal = 0;
  let errors = 0;
  for (const c of cases) {
    errors += c.errors.length;
    if (!isScored(c)) continue;
    n++;
    if (c.agreed) agreed++;
    if (c.rawAgreed) rawAgreed++;
    if (c.stable) stable++;
    unique += c.uniqueOutputs;
    uniqueMax = Math.max(uniqueMax, c.uniqueOutputs);
    modal += c.modalAgreement;
  }
  const score = n ? determinismScore(tarAtN(agreed, n)) : null;
  return {
    replayed: n,
    agreed,
    rawAgreed,
    stable,
    unscored: cases.length - n,
    tarCanonical: n ? tarShare(tarAtN(agreed, n)) : null,
    tarRaw: n ? tarShare(tarAtN(rawAgreed, n)) : null,
    determinismScore: score,
    determinismVerdict: score === null ? null : determinismVerdict(score, t),
    uniqueOutputs: n ? round4(unique / n) : null,
    uniqueOutputsMax: uniqueMax,
    modalAgreement: n ? round4(modal / n) : null,
    replayErrors: errors,
  };
}

export interface DriftTotals {
  counts: DriftCounts;
  /** Null when drift was not measured (`unmeasured` says why): never 0, which reads as "no drift". */
  rate: number | null;
  unmeasured: DriftUnmeasured | null;
  verdict: GateVerdict;
}

export function driftTotals(cases: DriftCase[], t: ReplaySettings['drift']): DriftTotals {
  const counts = countDrift(cases.map((c) => c.status));
  const rate = driftRate(counts);
  const unmeasured = driftUnmeasured(counts);
  // A baseline sharing no case with the run, or only unstable ones, gates nothing: WARN, never a silent PASS.
  const verdict = rate !== null ? driftVerdict(rate, counts.changed, t) : unmeasured === 'no-case' ? 'PASS' : 'WARN';
  return { counts, rate: rate === null ? null : round4(rate), unmeasured, verdict };
}

/** Why drift was not measured, as a reason and a finding say it ('' when it was). */
export function unmeasuredText(d: DriftTotals, baseline: string): string {
  switch (d.unmeasured) {
    case 'no-case-in-common':
      return `drift not measured: no case in common with ${baseline} (${d.counts.new} new, ${d.counts.removed} removed)`;
    case 'all-noise':
      return `drift not measured: every case in common with ${baseline} is unstable (${d.counts.noise} noise, ${d.counts.new} new, ${d.counts.removed} removed)`;
    case 'no-case':
      return `drift not measured: no case of this run to compare with ${baseline} (${d.counts.removed} removed)`;
    default:
      return '';
  }
}

/** The least deterministic cases first: fewest answers in the modal group, then most distinct outputs. */
export function worstCases(cases: ReplayCaseResult[], n = 5): ReplayCaseResult[] {
  return cases
    .filter((c) => isScored(c) && !c.agreed)
    .sort((a, b) => a.modalAgreement - b.modalAgreement || b.uniqueOutputs - a.uniqueOutputs)
    .slice(0, n);
}

/**
 * The stage's verdict, the worse gate. With no scored case there is no determinism figure: a cancelled
 * replay is ERROR (the run's, not the engine's doing); one whose replays all failed is FAIL, as engine
 * errors are in SIM (engine behaviour: a dead or refusing engine fails the gate, it does not break the tool).
 */
export function stageVerdict(det: GateVerdict | null, drift: GateVerdict | null, cancelled: boolean, answered: GateVerdict | null = null): GateVerdict | 'ERROR' {
  if (det === null) return cancelled ? 'ERROR' : 'FAIL';
  return worstVerdict([det, ...(drift ? [drift] : []), ...(answered ? [answered] : [])]) as GateVerdict;
}

/**
 * The cases left out for engine errors, judged as SIM judges engine errors (sim.passRate): the share of
 * replayed cases that could be scored below `fail` is FAIL, below `warn` WARN. Otherwise an engine that
 * died in the last round, or refused 90% of replays, would PASS on the few cases it still answered.
 * Null when no case was left out.
 */
export function answeredVerdict(t: Pick<ReplayTotals, 'replayed' | 'unscored'>, passRate: { warn: number; fail: number }): GateVerdict | null {
  const n = t.replayed + t.unscored;
  if (t.unscored === 0 || n === 0) return null;
  const share = t.replayed / n;
  return share < passRate.fail ? 'FAIL' : share < passRate.warn ? 'WARN' : 'PASS';
}

/** One scored case as report.json lists it (diffs trimmed; replay_summary.json has them all). */
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

/** A case left out of TAR@N (some replays got no answer, the others agreed), as reports list it apart. */
export function reportUnscoredCase(c: ReplayCaseResult, errors = 5) {
  return {
    id: c.id,
    dataset: c.dataset,
    rounds: c.rounds,
    answered: c.rounds - c.errors.length,
    errors: c.errors.slice(0, errors),
    ...(c.errors.length > errors ? { errorCount: c.errors.length } : {}),
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
  if (!d) return c.errors.length ? `no answer to compare: engine error in round ${c.errors[0].round} (${c.errors[0].kind})` : 'no divergence';
  return `first divergence at ${d.pointer === '' ? '(root)' : shortPointer(d.pointer)}${d.charIndex !== undefined ? ` char ${d.charIndex}` : ''} in round ${d.round}`;
}

export type { ReplayOutcome };

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/**
 * The replay stage's one-line reason (a run's and a merge's alike). A cancelled replay says so first
 * (its numbers are partial); with no scored case there is no determinism figure to give.
 */
export function replayReason(
  t: ReplayTotals,
  drift: DriftTotals | null,
  o: {
    rounds: number;
    roundsDone: number;
    cancelled: boolean;
    notReplayed: number;
    /** Why those were not replayed (engine errors, answers with no canonical form), when known. */
    notReplayedWhy?: string;
    baseline: string;
  },
): string {
  const parts: string[] = [];
  const cancelled = `cancelled: ${o.roundsDone} of ${o.rounds} replay round(s) done`;
  if (t.replayed === 0) {
    if (o.cancelled) parts.push(`${cancelled}, no case scored (a case is scored once its last round is in), so there is no determinism figure`);
    else parts.push(`no usable replay answers (engine errors): none of ${t.unscored} case(s) could be scored, so there is no determinism figure`);
  } else {
    parts.push(
      `${o.cancelled ? `${cancelled}, partial: ` : ''}determinism ${t.determinismScore} (${t.agreed}/${t.replayed} case(s) answered the same in ${o.rounds} replay round(s))`,
    );
  }
  if (t.unscored && (t.replayed > 0 || o.cancelled)) parts.push(`${t.unscored} case(s) left out: engine errors, no answer to compare`);
  if (t.replayErrors) parts.push(`${t.replayErrors} replay(s) got no answer (engine errors)`);
  if (drift && drift.rate === null) {
    parts.push(unmeasuredText(drift, o.baseline));
  } else if (drift) {
    parts.push(`drift ${pct(drift.rate!)} (${drift.counts.changed} stable case(s) changed, ${drift.counts.noise} noise) vs ${o.baseline}`);
  }
  if (o.notReplayed) parts.push(o.notReplayedWhy ? `${o.notReplayed} case(s) not replayed: ${o.notReplayedWhy}` : `${o.notReplayed} case(s) had no answer to replay`);
  return parts.join('; ');
}

/** The replay report's head, in its field order, before `cases` and `drift`: the same for a run and a merge. */
export function replayReportHead<S>(
  t: ReplayTotals,
  o: {
    verdict: GateVerdict | 'ERROR';
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
    unscored: t.unscored,
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
