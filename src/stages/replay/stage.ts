import { isRestartable } from '../../engine/create.js';
import { rateLimitedFinding } from '../../engine/rate-limit.js';
import fs from 'node:fs';
import path from 'node:path';
import { loadBaseline } from '../../baseline/load.js';
import { shortPointer } from '../../replay/divergence.js';
import { relPath } from '../../runner/paths.js';
import type { RunContext, Stage, StageResult, StageResults } from '../../runner/stage.js';
import { openSnapshot, type OpenSnapshot, type SnapshotEntry } from '../../snapshot/reader.js';
import { InputError } from '../../util/errors.js';
import { inShard, type CaseKey } from '../../shard/slice.js';
import { driftWithoutAnswers, replaySnapshot, type DriftCase, type ReplayBaseline, type ReplayCaseResult, type ReplayMode } from './replay.js';
import {
  caseName,
  describeDivergence,
  driftTotals,
  isScored,
  pct,
  replayReason,
  replayReportHead,
  replayTotals,
  reportCase,
  reportDriftCase,
  reportUnscoredCase,
  stageVerdict,
  answeredVerdict,
  worstCases,
  type DriftTotals,
  type ReplayTotals,
} from './report.js';

export interface ReplayStageOptions {
  /**
   * Staging replay (`toron-testops replay SNAPSHOT`): replay this stored snapshot (relative to the
   * settings' cwd, or absolute) instead of this run's own.
   */
  snapshotFile?: string;
}

const PROGRESS_EVERY_MS = 1000;
/** Per-case drift findings beyond this many are counted in the summary finding instead. */
const DRIFT_FINDINGS_MAX = 50;

export function createReplayStage(opts: ReplayStageOptions = {}): Stage {
  return {
    name: 'replay',
    run: (ctx, prior) => runReplay(ctx, prior, opts),
  };
}

/** The in-run replay: this run's snapshot (SIM's answers), asked again. */
export const replayStage: Stage = createReplayStage();

async function runReplay(ctx: RunContext, prior: StageResults, opts: ReplayStageOptions): Promise<StageResult> {
  const { settings } = ctx;
  const mode: ReplayMode = opts.snapshotFile ? 'staging' : 'in-run';
  const file = opts.snapshotFile ? path.resolve(settings.cwd, opts.snapshotFile) : ctx.paths.snapshot;
  let shown = relPath(settings.cwd, file);

  const status = ctx.snapshotStatus?.();
  if (mode === 'in-run' && status?.failure) {
    // The tool could not keep SIM's answers (disk, permissions): the replay asked for cannot run.
    const reason = `${status.failure}: nothing to replay`;
    return { verdict: 'ERROR', reason, report: {}, summary: { runId: ctx.runId, verdict: 'ERROR', reason } };
  }
  // One an earlier run of this run id left behind is not this run's answers.
  if (mode === 'in-run' && (!fs.existsSync(file) || status?.written === false)) {
    const sim = prior.sim;
    // A shard whose slice is empty still answers for its slice of the baseline: those cases are removed.
    const emptySlice = settings.shard !== null && (sim?.report as { shard?: { cases?: unknown } } | undefined)?.shard?.cases === 0;
    const reason = emptySlice
      ? `shard ${settings.shard!.index}/${settings.shard!.total} holds no case: nothing to replay`
      : !sim || sim.verdict === 'SKIPPED'
        ? 'SIM did not run, so there is no snapshot to replay (replay a stored one with: toron-testops replay SNAPSHOT --engine SPEC)'
        : 'no snapshot was written (SIM did not complete)';
    return skippedWithDrift(ctx, reason, emptySlice ? [] : null);
  }

  // A stored run is given as --baseline is (a snapshot, a report folder or its report.json, a bundle.zip).
  const stored = opts.snapshotFile && isRunFolderOrBundle(file) ? loadBaseline(opts.snapshotFile, settings.cwd) : null;
  if (stored) shown = stored.snapshotFile;
  const snapshot = stored ? stored.snapshot : openSnapshot(file, shown);
  let baseline: (ReplayBaseline & { file: string }) | null = null;
  try {
    if (settings.baseline) {
      const b = loadBaseline(settings.baseline, settings.cwd);
      baseline = { label: b.label, snapshot: b.snapshot, file: b.snapshotFile };
    } else if (mode === 'staging') {
      // Staging asks "does it answer as the snapshot did?": the snapshot is the baseline.
      baseline = { label: shown, snapshot, file: shown };
    }
    return await replayWith(ctx, snapshot, baseline, mode, shown, diedBefore(prior));
  } finally {
    snapshot.close();
    if (baseline && baseline.snapshot !== snapshot) baseline.snapshot.close();
  }
}

/**
 * What `replay SNAPSHOT` reads through the baseline loader: a folder, a bundle.zip, a report.json. A
 * bundle given to the snapshot reader failed as "invalid JSON at 1:1", though the same bundle is a
 * valid --baseline.
 */
function isRunFolderOrBundle(file: string): boolean {
  try {
    return fs.statSync(file).isDirectory() || /\.zip$/i.test(file) || path.basename(file) === 'report.json';
  } catch {
    return false;
  }
}

/** The report's and the summary's `drift` block (field order fixed), from the drift cases and their totals. */
function driftBlock(
  d: { baseline: string; baselineRunId: string; snapshot: string | null; probed: number; cases: DriftCase[] },
  totals: DriftTotals,
  thresholds: RunContext['settings']['replay']['drift'],
  diffs: number,
) {
  return {
    baseline: d.baseline,
    baselineRunId: d.baselineRunId,
    snapshot: d.snapshot,
    verdict: totals.verdict,
    rate: totals.rate,
    ...totals.counts,
    thresholds,
    probed: d.probed,
    cases: d.cases.map((c) => reportDriftCase(c, diffs)),
  };
}

/**
 * A replay with nothing to replay, SKIPPED; with a baseline and `entries` (this run's cases, none
 * answered), its drift still lists what no answer decides: the baseline's cases this run (this shard's
 * slice) no longer has are removed, its unanswered cases noise or new. Merge adds the legs' drift up,
 * so without this a leg with an empty slice would drop its slice's removed cases from the merged run.
 */
function skippedWithDrift(ctx: RunContext, reason: string, entries: readonly SnapshotEntry[] | null): StageResult {
  const { settings } = ctx;
  if (!settings.baseline || entries === null) return { verdict: 'SKIPPED', reason, report: {} };
  const b = loadBaseline(settings.baseline, settings.cwd);
  try {
    const scope = settings.shard ? (c: CaseKey) => inShard(c, settings.shard) : undefined;
    const cases = driftWithoutAnswers(entries, b.snapshot, scope);
    const totals = driftTotals(cases, settings.replay.drift);
    const drift = (diffs: number) =>
      driftBlock({ baseline: b.label, baselineRunId: b.snapshot.header.runId, snapshot: b.snapshotFile, probed: 0, cases }, totals, settings.replay.drift, diffs);
    return { verdict: 'SKIPPED', reason, report: { drift: drift(5) }, summary: { runId: ctx.runId, verdict: 'SKIPPED', reason, drift: drift(10) } };
  } finally {
    b.snapshot.close();
  }
}

/** Whether the engine process died in an earlier stage of this run (its engine-died finding is raised). */
function diedBefore(prior: StageResults): boolean {
  const exits = (r: StageResults[keyof StageResults]) => {
    const e = (r?.report as { engineErrors?: Record<string, unknown>; errors?: Record<string, unknown> } | undefined) ?? {};
    return Number(e.engineErrors?.process_exit ?? 0) + Number(e.errors?.process_exit ?? 0);
  };
  return exits(prior.sim) + exits(prior.load) > 0;
}

async function replayWith(
  ctx: RunContext,
  snapshot: OpenSnapshot,
  baseline: (ReplayBaseline & { file: string }) | null,
  mode: ReplayMode,
  shown: string,
  engineDiedBefore = false,
): Promise<StageResult> {
  const { settings } = ctx;
  const r = settings.replay;
  const answered = snapshot.entries.filter((e) => e.status === 'ok').length;
  if (answered === 0) {
    const reason = `the snapshot ${shown} has no answered case to replay (${snapshot.entries.length} case(s): ${whyUnanswered(snapshot.entries)})`;
    if (mode === 'staging') throw new InputError(reason);
    const skipped = skippedWithDrift(ctx, reason, snapshot.entries);
    // Engine errors fail SIM already; answers the engine gave but that cannot be compared (no canonical
    // form, ignorePaths that do not apply) would leave a replay asked for unmeasured under a PASS.
    if (!snapshot.entries.some((e) => e.error?.kind === 'unreadable' || e.error?.kind === 'ignore_paths')) return skipped;
    ctx.raise({ type: 'replay-unmeasured', severity: 'HIGH', subsystem: 'replay', message: `determinism was not measured: ${reason}` });
    const unmeasured = `determinism not measured: ${reason}`;
    return { ...skipped, verdict: 'WARN', reason: unmeasured, ...(skipped.summary ? { summary: { ...skipped.summary, verdict: 'WARN', reason: unmeasured } } : {}) };
  }
  ctx.log(
    'info',
    'replay',
    `replaying ${answered} case(s) of ${shown} (run ${snapshot.header.runId}) ${r.rounds} round(s)` +
      // Only a cmd: engine can be restarted; for others replaySnapshot warns that freshProcess does not apply.
      `${r.freshProcess && isRestartable(ctx.engine) ? ', a fresh engine process per round' : ''}${baseline ? `; baseline ${baseline.label}` : ''}`,
  );

  let done = 0;
  let total = 0;
  // failures: replay answers that differed from the snapshot so far; errors: engine errors so far.
  let so = { differed: 0, errors: 0 };
  const started = performance.now();
  const progress = () =>
    ctx.emit({
      type: 'progress',
      stage: 'replay',
      done,
      total,
      failures: so.differed,
      errors: so.errors,
      ratePerSec: Math.round(done / Math.max(1e-3, (performance.now() - started) / 1000)),
    });
  const ticker = setInterval(progress, PROGRESS_EVERY_MS);
  ticker.unref();
  let outcome;
  try {
    outcome = await replaySnapshot({
      snapshot,
      engine: ctx.engine,
      rounds: r.rounds,
      freshProcess: r.freshProcess,
      configIgnorePaths: r.ignorePaths,
      concurrency: settings.sim.concurrency,
      timeoutMs: settings.sim.timeoutMs,
      rateLimit: settings.engine.rateLimit,
      signal: ctx.signal,
      mode,
      baseline,
      // A shard's snapshot holds its slice only: baseline cases of other shards are not "removed".
      ...(mode === 'in-run' && settings.shard ? { baselineScope: (c: CaseKey) => inShard(c, settings.shard) } : {}),
      onProgress: (d, t, counts) => {
        done = d;
        total = t;
        so = counts;
      },
      onCase: (c) => {
        ctx.emit({
          type: 'case',
          stage: 'replay',
          caseId: c.id,
          dataset: c.dataset,
          repeat: 0,
          passed: c.agreed,
          latencyMs: 0,
          ...(c.agreed ? {} : { error: describeDivergence(c), errorKind: isScored(c) ? 'divergence' : 'engine' }),
          ...(c.location ? { location: c.location } : {}),
        });
      },
      log: (level, message) => ctx.log(level, 'replay', message),
    });
  } finally {
    clearInterval(ticker);
    progress();
  }

  const totals = replayTotals(outcome.cases, r.thresholds);
  const drift = outcome.drift ? driftTotals(outcome.drift.cases, r.drift) : null;
  const verdict = stageVerdict(totals.determinismVerdict, drift?.verdict ?? null, outcome.cancelled, answeredVerdict(totals, ctx.settings.sim.passRate));
  const notReplayed = snapshot.entries.filter((e) => e.status !== 'ok');
  const reason = replayReason(totals, drift, {
    rounds: r.rounds,
    roundsDone: outcome.roundsDone,
    cancelled: outcome.cancelled,
    notReplayed: notReplayed.length,
    notReplayedWhy: notReplayed.length > 0 ? whyUnanswered(notReplayed) : undefined,
    baseline: outcome.drift?.baseline ?? '',
  });
  // Answers the engine gave that cannot be compared leave those cases unmeasured: said where findings
  // are read, not only as a count in the reason (the whole snapshot unmeasured is a HIGH, above).
  const uncomparable = notReplayed.filter((e) => e.error?.kind === 'unreadable' || e.error?.kind === 'ignore_paths');
  if (uncomparable.length > 0) {
    const first = uncomparable[0];
    ctx.raise({
      type: 'replay-unmeasured',
      severity: 'MEDIUM',
      subsystem: 'replay',
      message: `${uncomparable.length} case(s) the engine answered were not replayed, their determinism not measured: ${whyUnanswered(uncomparable)} (first: ${first.dataset}/${first.id})`,
      caseId: first.id,
      ...(first.location ? { location: first.location } : {}),
    });
  }

  for (const f of replayFindings(totals, outcome.cases, drift, outcome.drift?.cases ?? [], outcome.drift?.baselineRunId ?? '', r)) ctx.raise(f);
  const died = engineDied(outcome.cases);
  // An engine that died in SIM or load stays dead (the same process, unless each round starts a fresh
  // one): its replay answers fail with that one death, raised once already, not a second one.
  if (died && engineDiedBefore && outcome.freshProcess !== 'per-round') {
    ctx.log('warn', 'replay', `the replay's answers failed with the engine process that exited earlier in this run (its engine-died finding)`);
  } else if (died) ctx.raise(died);
  // One finding for the replay's rate-limited requests (as SIM raises one for its own), never one per case.
  if (outcome.rateLimited) ctx.raise(rateLimitedFinding(outcome.rateLimited, 'replay'));

  // Cases whose replays got no answer (and whose answers did not differ) are reported apart: no verdict.
  const scored = outcome.cases.filter((c) => isScored(c));
  const unscored = outcome.cases.filter((c) => !isScored(c));
  const header = snapshot.header;
  const common = replayReportHead(totals, {
    verdict,
    reason,
    mode,
    snapshot: { file: shown, runId: header.runId, createdAt: header.createdAt, engine: header.engine, settingsHash: header.settingsHash },
    rounds: r.rounds,
    roundsDone: outcome.roundsDone,
    freshProcess: outcome.freshProcess,
    notReplayed: outcome.notReplayed.length,
    calls: outcome.calls,
    thresholds: r.thresholds,
    ignorePaths: r.ignorePaths,
  });
  const driftReport = (diffs: number) =>
    outcome.drift && drift ? driftBlock({ ...outcome.drift, snapshot: baseline?.file ?? null }, drift, r.drift, diffs) : null;
  const partial = { ...(outcome.cancelled ? { cancelled: true } : {}), ...(outcome.rateLimited ? { rateLimited: outcome.rateLimited } : {}) };
  return {
    verdict,
    reason,
    report: { ...common, ...partial, cases: scored.map((c) => reportCase(c)), unscoredCases: unscored.map((c) => reportUnscoredCase(c)), drift: driftReport(5) },
    summary: {
      runId: ctx.runId,
      ...common,
      ...partial,
      cases: scored.map((c) => reportCase(c, 20)),
      unscoredCases: unscored.map((c) => reportUnscoredCase(c, 20)),
      notReplayedCases: outcome.notReplayed,
      drift: driftReport(10),
    },
  };
}

type FindingInput = Parameters<RunContext['raise']>[0];

/**
 * An engine process that exited during the replay, as the CRITICAL engine-died SIM and load raise (once):
 * replay-engine-errors alone says answers were missing, not that the engine died. Apart from
 * replayFindings and of subsystem engine, as theirs: a merge keeps it from its leg and judges only the
 * replay's own findings anew, so it is neither lost nor raised twice there.
 */
export function engineDied(cases: ReplayCaseResult[]): FindingInput | null {
  let first: { c: ReplayCaseResult; e: ReplayCaseResult['errors'][number] } | null = null;
  let n = 0;
  for (const c of cases) {
    for (const e of c.errors) {
      if (e.kind !== 'process_exit') continue;
      n++;
      if (!first || e.round < first.e.round) first = { c, e };
    }
  }
  if (!first) return null;
  return {
    type: 'engine-died',
    severity: 'CRITICAL',
    subsystem: 'engine',
    message: `engine process exited during replay (round ${first.e.round}); ${n} replay answer(s) failed with it: ${first.e.message}`,
    caseId: first.c.id,
    ...(first.c.location ? { location: first.c.location } : {}),
  };
}

/** The replay's WAR ROOM findings, from its numbers (pure: merge judges the union of shards with it). */
export function replayFindings(
  t: ReplayTotals,
  cases: ReplayCaseResult[],
  drift: DriftTotals | null,
  driftCases: DriftCase[],
  baselineRunId: string,
  r: RunContext['settings']['replay'],
): FindingInput[] {
  const out: FindingInput[] = [];
  const ctx = { raise: (f: FindingInput) => void out.push(f) };
  // No scored case, no determinism figure: nothing to call nondeterministic (the stage is ERROR).
  if (t.determinismVerdict !== null && t.determinismVerdict !== 'PASS') {
    const worst = worstCases(cases);
    const fail = t.determinismVerdict === 'FAIL';
    ctx.raise({
      type: 'replay-nondeterministic',
      severity: fail ? 'CRITICAL' : 'HIGH',
      subsystem: 'replay',
      message:
        `determinism score ${t.determinismScore} (${fail ? `< ${r.thresholds.warn}` : `< ${r.thresholds.pass}`}): ` +
        `${t.replayed - t.agreed} of ${t.replayed} case(s) answered differently across ${r.rounds} replay(s)` +
        `${t.unscored ? ` (${t.unscored} case(s) with engine errors left out)` : ''}; worst: ` +
        worst.map((c) => `${caseName(c)} (${c.uniqueOutputs} outputs, ${describeDivergence(c)})`).join('; '),
      ...(worst[0] ? { caseId: worst[0].id, ...(worst[0].location ? { location: worst[0].location } : {}) } : {}),
    });
  }
  if (t.replayErrors > 0) {
    const kinds = new Map<string, number>();
    for (const c of cases) for (const e of c.errors) kinds.set(e.kind, (kinds.get(e.kind) ?? 0) + 1);
    const left = cases.filter((c) => !isScored(c));
    const named = left.slice(0, 5).map((c) => caseName(c)).join(', ');
    ctx.raise({
      type: 'replay-engine-errors',
      severity: 'HIGH',
      subsystem: 'replay',
      message:
        `${t.replayErrors} replay answer(s) were engine errors (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); a replay with no answer is not compared: ` +
        (t.unscored
          ? `${t.unscored} case(s) left out of the determinism score${named ? ` (${named}${left.length > 5 ? `, ${left.length - 5} more` : ''})` : ''}` +
            `${t.replayed === 0 ? '; no usable replay answers, so there is no determinism score' : ''}`
          : 'every case with one also had an answer that differed, and counts as not agreeing'),
      ...(left[0] ? { caseId: left[0].id, ...(left[0].location ? { location: left[0].location } : {}) } : {}),
    });
  }
  if (!drift) return out;
  const changed = driftCases.filter((c) => c.status === 'changed');
  for (const c of changed.slice(0, DRIFT_FINDINGS_MAX)) {
    const d = c.diff?.[0];
    const what = d
      ? `${d.pointer === '' ? '(root)' : shortPointer(d.pointer)}: ${show(d.baseline)} -> ${show(d.current)}${typeof d.similarity === 'number' ? ` (similarity ${d.similarity})` : ''}` +
        `${(c.diffCount ?? 1) > 1 ? `; ${c.diffCount! - 1} more difference(s)` : ''}`
      : 'the answer differs';
    ctx.raise({
      type: 'replay-drift-case',
      severity: 'MEDIUM',
      subsystem: 'replay',
      message: `${caseName(c)} drifted since baseline run ${baselineRunId}: ${what}`,
      caseId: c.id,
      ...(c.location ? { location: c.location } : {}),
    });
  }
  if (drift.unmeasured === 'no-case-in-common') {
    ctx.raise({
      type: 'replay-drift-unmeasured',
      severity: 'HIGH',
      subsystem: 'replay',
      message:
        `baseline run ${baselineRunId} has none of this run's cases (same id and input): drift was not measured ` +
        `(${drift.counts.new} case(s) new, ${drift.counts.removed} of the baseline's removed)`,
    });
  } else if (drift.unmeasured === 'all-noise') {
    ctx.raise({
      type: 'replay-drift-unmeasured',
      severity: 'HIGH',
      subsystem: 'replay',
      message:
        `every case this run has in common with baseline run ${baselineRunId} was unstable (noise), so none could be compared: drift was not measured ` +
        `(${drift.counts.noise} case(s) noise, ${drift.counts.new} new, ${drift.counts.removed} of the baseline's removed)`,
    });
  } else if (drift.rate !== null && drift.verdict !== 'PASS') {
    const more = changed.length > DRIFT_FINDINGS_MAX ? ` (the first ${DRIFT_FINDINGS_MAX} have their own event; all are in replay_summary.json)` : '';
    ctx.raise({
      type: 'replay-drift',
      severity: drift.verdict === 'FAIL' ? 'CRITICAL' : 'HIGH',
      subsystem: 'replay',
      message:
        `${drift.counts.changed} stable case(s) answer differently than baseline run ${baselineRunId}: drift ${pct(drift.rate)} ` +
        `(${drift.verdict === 'FAIL' ? `above failRate ${pct(r.drift.failRate)}` : `above warnRate ${pct(r.drift.warnRate)}`}); ` +
        `${drift.counts.noise} unstable case(s) not counted (noise)${more}`,
    });
  }
  return out;
}


function show(v: unknown): string {
  const s = typeof v === 'string' ? JSON.stringify(v) : v === undefined ? '(absent)' : JSON.stringify(v);
  return s.length > 90 ? `${s.slice(0, 87)}...` : s;
}

/**
 * Why a snapshot's cases have no answer, by what the snapshot recorded: engine errors, or answers
 * the engine did give but that have no canonical form (nested too deeply: 'unreadable') or that a
 * case's ignorePaths could not be applied to. "All engine errors" was said of all three.
 */
export function whyUnanswered(entries: readonly SnapshotEntry[]): string {
  let engine = 0;
  const unreadable = new Map<string, number>();
  let ignore = 0;
  for (const e of entries) {
    const kind = e.error?.kind;
    if (kind === 'unreadable') {
      const why = /no canonical form: (.*)$/.exec(e.error?.message ?? '')?.[1] ?? 'unreadable';
      unreadable.set(why, (unreadable.get(why) ?? 0) + 1);
    } else if (kind === 'ignore_paths') ignore++;
    else engine++;
  }
  const parts: string[] = [];
  if (engine) parts.push(`${engine} engine error(s)`);
  for (const [why, n] of unreadable) parts.push(`${n} answer(s) with no canonical form (${why})`);
  if (ignore) parts.push(`${ignore} answer(s) its ignorePaths could not be applied to`);
  return parts.join(', ') || 'none answered';
}
