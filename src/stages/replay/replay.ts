import type { EngineAdapter, EngineResult } from '../../engine/types.js';
import { isRestartable } from '../../engine/create.js';
import { canonicalHash, canonicalJson, noCanonicalForm, sha256Hex } from '../../replay/canonical.js';
import { diffValues, firstDivergence, type ValueDiff } from '../../replay/divergence.js';
import { driftStatus, type DriftStatus } from '../../replay/drift.js';
import { compileIgnorePaths, unionPaths, type IgnoreTree } from '../../replay/ignore-paths.js';
import { leaveOutMore } from '../../replay/leave-out-more.js';
import { caseAgreement } from '../../replay/tar.js';
import type { OpenSnapshot, SnapshotEntry } from '../../snapshot/reader.js';
import { InputError } from '../../util/errors.js';
import { pool } from './call.js';
import { callEngine } from '../../engine/call.js';
import type { RateLimitCounts, RateLimitSettings } from '../../engine/rate-limit.js';

/**
 * The replay itself, apart from the run context so it can be driven from tests and the staging
 * command alike: every answered snapshot case is asked again `rounds` times, round after round (a
 * fresh engine process per round when asked), and each answer is reduced at once to its hashes and,
 * the first time it differs, to its first divergence and diffs. Memory per case: the hashes.
 *
 * Drift against a baseline compares answers to the *same request*. When the baseline asked a case
 * with another seed than this snapshot (another run id), the replay also asks the baseline's request
 * in every round (a "probe"): a seeded engine answers another seed differently, which is not drift.
 */

export type ReplayMode = 'in-run' | 'staging';

export interface ReplayBaseline {
  /** As shown in reports: a relative path, or "the replayed snapshot". */
  label: string;
  snapshot: OpenSnapshot;
}

export interface ReplayOptions {
  snapshot: OpenSnapshot;
  engine: EngineAdapter;
  rounds: number;
  freshProcess: boolean;
  /** The config's replay.ignorePaths now (added to what the snapshot ignored). */
  configIgnorePaths: readonly string[];
  concurrency: number;
  timeoutMs: number;
  /** Retries of rate-limited requests (engine.rateLimit); absent: none. */
  rateLimit?: RateLimitSettings;
  signal: AbortSignal;
  /** in-run: the snapshot is this run's SIM answers; staging: a stored snapshot asked of another engine. */
  mode: ReplayMode;
  baseline: ReplayBaseline | null;
  /**
   * Which baseline cases this replay answers for (a shard: its slice); the others are not "removed",
   * they belong to another shard. Absent: every baseline case.
   */
  baselineScope?: (c: { dataset: string; id: string }) => boolean;
  /** After each answer: answers in and expected, replay answers that differed from the snapshot and engine errors (probes' too) so far. */
  onProgress?(done: number, total: number, so: { differed: number; errors: number }): void;
  onCase?(c: ReplayCaseResult): void;
  log?(level: 'info' | 'warn', message: string): void;
  /** Diffs kept per case. */
  diffLimit?: number;
}

export interface ReplayDiff {
  pointer: string;
  kind: ValueDiff['kind'];
  snapshot?: unknown;
  replay?: unknown;
  charIndex?: number;
  similarity?: number | null;
}

export interface ReplayCaseResult {
  id: string;
  dataset: string;
  /**
   * The case counts in TAR@N: every replay answered, or an answered one differs from the snapshot. A
   * replay that got no answer (an engine error) is not an answer and cannot disagree, so a case whose
   * answered replays all agree but some got no answer has no determinism verdict: it is reported apart
   * and left out of TAR@N's denominator. Absent (a merged shard's reported case): see `isScored`.
   */
  scored?: boolean;
  /** Scored, and the snapshot answer and every replay have one canonical form. */
  agreed: boolean;
  /** Raw bytes agreed too (TARr). */
  rawAgreed: boolean;
  uniqueOutputs: number;
  modalAgreement: number;
  /** Replays agree among themselves (snapshot aside) and none errored. */
  stable: boolean;
  /** Replays asked (answered or not). */
  rounds: number;
  errors: { round: number; kind: string; message: string }[];
  firstDivergence: { pointer: string; charIndex?: number; round: number } | null;
  diffs: ReplayDiff[];
  /** All differing leaves of the first divergent replay (diffs holds the first few). */
  diffCount: number;
  location?: { file: string; line: number };
}

export interface DriftDiff {
  pointer: string;
  kind: ValueDiff['kind'];
  baseline?: unknown;
  current?: unknown;
  charIndex?: number;
  similarity?: number | null;
}

export interface DriftCase {
  id: string;
  dataset: string;
  status: DriftStatus;
  /** Why a case is noise or new, when it is not the obvious reason. */
  note?: string;
  diff?: DriftDiff[];
  diffCount?: number;
  location?: { file: string; line: number };
  /**
   * A removed case: its place in the baseline snapshot. Removed cases are listed in the baseline's
   * order; a merge of shards, whose legs each list their slice's, puts them back in that order with it.
   */
  baselineIndex?: number;
}

export interface ReplayOutcome {
  cases: ReplayCaseResult[];
  /** Snapshot cases with no answer to replay (the engine errored when the snapshot was taken). */
  notReplayed: { id: string; dataset: string; reason: string }[];
  drift: { baseline: string; baselineRunId: string; probed: number; cases: DriftCase[] } | null;
  freshProcess: 'per-round' | 'off' | 'not-restartable';
  roundsDone: number;
  cancelled: boolean;
  calls: number;
  /** Rate limits the replay's requests met (retried by callEngine); null when none did. */
  rateLimited: RateLimitCounts | null;
}

interface Ignore {
  paths: string[];
  tree: IgnoreTree;
}

interface Tracker {
  index: number;
  entry: SnapshotEntry;
  ignore: Ignore;
  snapshotHash: string;
  /** The snapshot's raw hash (TARr). */
  rawHash: string;
  /** Canonical and raw hashes of the replays that answered (an engine error adds none). */
  hashes: string[];
  rawHashes: string[];
  /** Replays asked so far, answered or not. */
  asked: number;
  errors: ReplayCaseResult['errors'];
  divergence: ReplayCaseResult['firstDivergence'];
  diffs: ReplayDiff[];
  diffCount: number;
  /** Set when the baseline asked this case with another seed: that request, asked each round. */
  probe: { seed: number; hashes: string[]; errored: boolean; last?: unknown } | null;
  /** The last replay's body (kept for drift until the case is judged). */
  last?: unknown;
}

const key = (dataset: string, id: string) => `${dataset}\u0000${id}`;

/** Same set of paths (`sorted` is sorted already, `other` may not be). */
function samePaths(sorted: readonly string[], other: readonly string[]): boolean {
  if (sorted.length !== other.length) return false;
  const o = [...other].sort();
  return sorted.every((p, i) => p === o[i]);
}

/**
 * A snapshot case's stored answer, held to its hash. Replay and drift compare hashes, so an answer
 * edited by hand (or damaged) under an unchanged hash would be invisible: a case would "agree" with
 * an answer the file no longer holds. The stored answer is canonical already (its ignorePaths left
 * out), so its canonical text must hash to `hash`.
 */
export function storedAnswer(snapshot: OpenSnapshot, index: number): unknown {
  const entry = snapshot.entries[index];
  const answer = snapshot.readAnswer(index);
  const where = { file: snapshot.shownAs, line: snapshot.lineOf(index), pointer: `/cases/${index}/answer`, caseId: entry.id };
  let hash: string;
  try {
    hash = canonicalHash(answer).hash;
  } catch (err) {
    // Nested deeper than this machine's stack can walk (a snapshot written where the stack is larger,
    // or a damaged file): bad input, not a failure of the tool.
    const why = noCanonicalForm(err).replace(/^the answer has no canonical form: /, '');
    throw new InputError(`the stored answer (dataset ${entry.dataset}) has no canonical form on this machine (${why}), so it cannot be held to its hash or compared`, where);
  }
  if (hash !== entry.hash) {
    throw new InputError(
      `the stored answer (dataset ${entry.dataset}) does not match its hash, the sha256 of its canonical form: the snapshot was edited or is damaged ` +
        '(answers are compared by their hashes, so an edited answer would go unseen; to make another answer the baseline, run the engine that gives it: its run writes a new snapshot)',
      where,
    );
  }
  return answer;
}

/**
 * The drift cases no replay answer decides (pure): this run's cases that got no answer (engine error)
 * and the baseline's cases this run no longer has (within `scope`: a shard answers for its slice only).
 * Also for a run with nothing to replay (a shard whose slice is empty, a snapshot of engine errors
 * only): the baseline's cases of its slice are still removed, or a merge of the legs would lose them.
 */
export function driftWithoutAnswers(
  entries: readonly SnapshotEntry[],
  baseline: OpenSnapshot,
  scope?: (c: { dataset: string; id: string }) => boolean,
): DriftCase[] {
  const out: DriftCase[] = [];
  const answered = new Set(baseline.entries.filter((e) => e.status === 'ok').map((e) => key(e.dataset, e.id)));
  for (const e of entries) {
    if (e.status === 'ok') continue;
    out.push({
      id: e.id,
      dataset: e.dataset,
      status: answered.has(key(e.dataset, e.id)) ? 'noise' : 'new',
      note: 'no answer in this run (engine error)',
      ...(e.location ? { location: e.location } : {}),
    });
  }
  const inRun = new Set(entries.map((e) => key(e.dataset, e.id)));
  baseline.entries.forEach((e, baselineIndex) => {
    if (!inRun.has(key(e.dataset, e.id)) && (scope?.(e) ?? true)) out.push({ id: e.id, dataset: e.dataset, status: 'removed', baselineIndex });
  });
  return out;
}

export async function replaySnapshot(o: ReplayOptions): Promise<ReplayOutcome> {
  const { snapshot } = o;
  const trees = new Map<string, IgnoreTree>();
  const ignoreFor = (paths: string[], where: SnapshotEntry): Ignore => {
    const k = paths.join('\u0000');
    if (!trees.has(k)) {
      try {
        trees.set(k, compileIgnorePaths(paths));
      } catch (err) {
        throw new InputError((err as Error).message, { file: snapshot.shownAs, caseId: where.id });
      }
    }
    return { paths, tree: trees.get(k)! };
  };
  /**
   * A stored answer (canonical: its entry's ignorePaths already left out) under `paths`. Paths name
   * members of the answer as sent: applied to the stored answer as they are, `/items/0` again would
   * remove the item that moved up into its place, and `/items/1` beside a stored `/items/0` the item
   * after the one it names; the answers compared would not be the answers given (see leaveOutMore).
   */
  const storedUnder = (answer: unknown, where: SnapshotEntry, paths: readonly string[]): unknown =>
    leaveOutMore(answer, ignoreFor(unionPaths(where.ignorePaths), where).tree, ignoreFor(unionPaths(paths, where.ignorePaths), where).tree);

  // The baseline by case, and which cases need a probe.
  const base = o.baseline;
  const baseIndex = new Map<string, number>();
  if (base) base.snapshot.entries.forEach((e, i) => baseIndex.set(key(e.dataset, e.id), i));

  const trackers: Tracker[] = [];
  const notReplayed: ReplayOutcome['notReplayed'] = [];
  snapshot.entries.forEach((entry, index) => {
    if (entry.status !== 'ok') {
      notReplayed.push({ id: entry.id, dataset: entry.dataset, reason: `no answer in the snapshot (${entry.error?.kind ?? 'error'}: ${entry.error?.message ?? ''})` });
      return;
    }
    const ignore = ignoreFor(unionPaths(o.configIgnorePaths, snapshot.header.canonical.ignorePaths, entry.ignorePaths), entry);
    const stored = storedAnswer(snapshot, index);
    // Paths the snapshot did not leave out yet are taken out of its answer now.
    const snapshotHash = samePaths(ignore.paths, entry.ignorePaths) ? entry.hash! : canonicalHash(storedUnder(stored, entry, ignore.paths)).hash;
    let probe: Tracker['probe'] = null;
    if (base && base.snapshot !== snapshot) {
      const bi = baseIndex.get(key(entry.dataset, entry.id));
      const b = bi === undefined ? undefined : base.snapshot.entries[bi];
      if (b && b.status === 'ok' && b.seed !== entry.seed && canonicalJson(b.input) === canonicalJson(entry.input)) {
        probe = { seed: b.seed, hashes: [], errored: false };
      }
    }
    trackers.push({
      index,
      entry,
      ignore,
      snapshotHash,
      rawHash: entry.rawHash ?? '',
      hashes: [],
      rawHashes: [],
      asked: 0,
      errors: [],
      divergence: null,
      diffs: [],
      diffCount: 0,
      probe,
    });
  });

  const restartable = isRestartable(o.engine);
  const freshProcess: ReplayOutcome['freshProcess'] = !o.freshProcess ? 'off' : restartable ? 'per-round' : 'not-restartable';
  if (freshProcess === 'not-restartable') {
    o.log?.('warn', `replay.freshProcess applies to cmd: engines only; the ${o.engine.kind} engine answers every round in the same process`);
  }

  const jobs: { t: Tracker; probe: boolean }[] = [];
  for (const t of trackers) {
    jobs.push({ t, probe: false });
    if (t.probe) jobs.push({ t, probe: true });
  }
  const total = jobs.length * o.rounds;
  let done = 0;
  const so = { differed: 0, errors: 0 };
  let calls = 0;
  const limits: RateLimitCounts = { cases: 0, requests: 0, retries: 0, waitedMs: 0, stillLimited: 0 };
  const limitedCases = new Set<Tracker>();
  let roundsDone = 0;
  const results: ReplayCaseResult[] = [];
  const driftCases: DriftCase[] = [];
  const diffLimit = o.diffLimit ?? 20;
  const runId = snapshot.header.runId;

  for (let round = 1; round <= o.rounds && !o.signal.aborted; round++) {
    if (freshProcess === 'per-round' && isRestartable(o.engine)) await o.engine.restart();
    const last = round === o.rounds;
    await pool(jobs.length, o.concurrency, o.signal, async (j) => {
      const { t, probe } = jobs[j];
      // A probe repeats the baseline's request exactly: its run id and seed.
      const req = probe
        ? { runId: base!.snapshot.header.runId, caseId: t.entry.id, seed: t.probe!.seed, input: t.entry.input }
        : { runId, caseId: t.entry.id, seed: t.entry.seed, input: t.entry.input };
      const res = await callEngine(o.engine, req, o.timeoutMs, o.signal, o.rateLimit);
      if (!res.ok && res.error.kind === 'aborted' && o.signal.aborted) return;
      calls++;
      if (res.rateLimited) {
        limitedCases.add(t);
        limits.requests++;
        limits.retries += res.rateLimited.retries;
        limits.waitedMs += res.rateLimited.waitedMs;
        if (!res.ok && res.error.rateLimit) limits.stillLimited++;
      }
      if (probe) recordProbe(t, res, last);
      else recordReplay(t, res, round, last);
      done++;
      o.onProgress?.(done, total, so);
      // A case is judged once its last round and its probe are both in.
      if (last && t.asked === o.rounds && (!t.probe || t.probe.hashes.length === o.rounds)) {
        const r = judge(t);
        results.push(r);
        if (base) driftCases.push(driftOf(t, r));
        t.last = undefined;
        if (t.probe) t.probe.last = undefined;
        o.onCase?.(r);
      }
    });
    if (!o.signal.aborted) roundsDone = round;
  }

  function recordReplay(t: Tracker, res: EngineResult, round: number, last: boolean): void {
    t.asked++;
    if (!res.ok) {
      // No answer: nothing to compare (the case may end up unscored, see ReplayCaseResult.scored).
      t.errors.push({ round, kind: res.error.kind, message: res.error.message });
      so.errors++;
      return;
    }
    const c = readable(res.body, t.ignore.tree);
    if ('unreadable' in c) {
      // The engine answered, but with no canonical form: no answer to compare, as an engine error is.
      t.errors.push({ round, kind: 'unreadable', message: c.unreadable });
      so.errors++;
      return;
    }
    const { canonical, hash } = c;
    if (hash !== t.snapshotHash) so.differed++;
    t.hashes.push(hash);
    t.rawHashes.push(sha256Hex(res.raw));
    if (last) t.last = res.body;
    if (hash !== t.snapshotHash && !t.divergence) {
      const before = snapshotAnswer(t);
      const after = JSON.parse(canonical) as unknown;
      // Pointers into the answer as sent: the compared forms have the case's ignorePaths left out.
      const d = firstDivergence(before, after, t.ignore.tree);
      t.divergence = { ...(d ?? { pointer: '' }), round };
      const { diffs, total: count } = diffValues(before, after, { limit: diffLimit, ignore: t.ignore.tree });
      t.diffs = diffs.map(({ left, right, ...rest }) => ({ ...rest, ...(left !== undefined ? { snapshot: left } : {}), ...(right !== undefined ? { replay: right } : {}) }));
      t.diffCount = count;
    }
  }

  function recordProbe(t: Tracker, res: EngineResult, last: boolean): void {
    const p = t.probe!;
    if (!res.ok) {
      p.errored = true;
      p.hashes.push(`error:${res.error.kind}`);
      so.errors++;
      return;
    }
    const c = readable(res.body, t.ignore.tree);
    if ('unreadable' in c) {
      so.errors++;
      p.errored = true;
      p.hashes.push('error:unreadable');
      return;
    }
    p.hashes.push(c.hash);
    if (last) p.last = res.body;
  }

  /** The snapshot's answer with this replay's ignorePaths applied. */
  function snapshotAnswer(t: Tracker): unknown {
    return storedUnder(snapshot.readAnswer(t.index), t.entry, t.ignore.paths);
  }

  function judge(t: Tracker): ReplayCaseResult {
    // Over the replays that answered: an engine error is no answer, so neither agrees nor differs.
    const a = caseAgreement(t.snapshotHash, t.hashes);
    const raw = caseAgreement(t.rawHash, t.rawHashes);
    const errored = t.errors.length > 0;
    return {
      id: t.entry.id,
      dataset: t.entry.dataset,
      scored: !errored || !a.agreed,
      agreed: !errored && a.agreed,
      rawAgreed: !errored && raw.agreed,
      uniqueOutputs: a.uniqueOutputs,
      modalAgreement: a.modalAgreement,
      stable: a.replaysAgree && !errored,
      rounds: t.asked,
      errors: t.errors,
      firstDivergence: t.divergence,
      diffs: t.diffs,
      diffCount: t.diffCount,
      ...(t.entry.location ? { location: t.entry.location } : {}),
    };
  }

  function driftOf(t: Tracker, r: ReplayCaseResult): DriftCase {
    const b = base!;
    const where = { id: t.entry.id, dataset: t.entry.dataset, ...(t.entry.location ? { location: t.entry.location } : {}) };
    const bi = baseIndex.get(key(t.entry.dataset, t.entry.id));
    const be = bi === undefined ? undefined : b.snapshot.entries[bi];
    const inBaseline = be !== undefined && be.status === 'ok';
    const sameInput = inBaseline && canonicalJson(be!.input) === canonicalJson(t.entry.input);
    // Which answer of this run stands for the case, and whether it is stable.
    // In this run: the snapshot answer and its replays agree (in-run), or the replays agree (staging).
    const ownStable = o.mode === 'in-run' ? r.agreed : r.stable;
    const probeStable = t.probe !== null && !t.probe.errored && t.probe.hashes.every((h) => h === t.probe!.hashes[0]);
    let stable: boolean;
    let currentHash: string;
    /** This run's answer in canonical form under `ignore` (a stored one, or an engine's body). */
    let current: (ignore: Ignore) => unknown;
    if (t.probe) {
      // The probes stand for the case against the baseline, but a case this run found unstable is
      // noise (DESIGN §4.2) however alike its probes came out: they only ask another seed.
      stable = ownStable && probeStable;
      currentHash = t.probe.hashes[0];
      const body = t.probe.last;
      current = (ignore) => JSON.parse(canonicalJson(body, ignore.tree));
    } else if (o.mode === 'in-run') {
      stable = ownStable;
      currentHash = t.snapshotHash;
      current = (ignore) => storedUnder(snapshot.readAnswer(t.index), t.entry, ignore.paths);
    } else {
      stable = ownStable;
      currentHash = t.hashes[0];
      const body = t.last;
      current = (ignore) => JSON.parse(canonicalJson(body, ignore.tree));
    }
    let sameAnswer = false;
    let diff: DriftDiff[] | undefined;
    let diffCount: number | undefined;
    if (inBaseline && sameInput && stable) {
      const ownBaseline = b.snapshot === snapshot;
      const baselineAnswer = ownBaseline ? snapshot.readAnswer(bi!) : storedAnswer(b.snapshot, bi!);
      const sameIgnore = ownBaseline || samePaths(t.ignore.paths, be!.ignorePaths);
      // Hashes compare when both sides left out the same paths (the snapshot's, re-hashed, is under ours).
      if (sameIgnore) sameAnswer = (ownBaseline ? t.snapshotHash : be!.hash) === currentHash;
      if (!sameAnswer) {
        // Compare under the paths either side left out, so an ignore list that grew is not drift.
        const ignore = sameIgnore ? t.ignore : ignoreFor(unionPaths(be!.ignorePaths, t.ignore.paths), t.entry);
        const before = storedUnder(baselineAnswer, be!, ignore.paths);
        const after = current(ignore);
        const d = diffValues(before, after, { limit: 10, ignore: ignore.tree });
        sameAnswer = d.total === 0;
        if (!sameAnswer) {
          diff = d.diffs.map(({ left, right, ...rest }) => ({ ...rest, ...(left !== undefined ? { baseline: left } : {}), ...(right !== undefined ? { current: right } : {}) }));
          diffCount = d.total;
        }
      }
    }
    const status = driftStatus({ inBaseline, inRun: true, sameInput, stable, sameAnswer });
    const note =
      status === 'new' && inBaseline && !sameInput
        ? 'the input changed since the baseline'
        : status === 'noise'
          ? t.probe && ownStable
            ? t.probe.errored
              ? 'engine errors when the baseline request was asked again'
              : 'answers to the baseline request differ between rounds'
            : r.errors.length > 0
              ? 'engine errors in its replays (no answer to compare)'
              : r.stable
                ? // in-run: the replays agree with each other, not with the answer SIM got (and stored)
                  "its replays agree with each other but not with this run's SIM answer"
                : 'answers differ between replays'
          : undefined;
    return { ...where, status, ...(note ? { note } : {}), ...(status === 'changed' ? { diff, diffCount } : {}) };
  }

  let drift: ReplayOutcome['drift'] = null;
  if (base) {
    driftCases.push(...driftWithoutAnswers(snapshot.entries, base.snapshot, o.baselineScope));
    drift = {
      baseline: base.label,
      baselineRunId: base.snapshot.header.runId,
      probed: trackers.filter((t) => t.probe).length,
      cases: driftCases,
    };
  }

  // Completion order is arbitrary; reports list cases as the snapshot does.
  const order = new Map(snapshot.entries.map((e, i) => [key(e.dataset, e.id), i]));
  const byOrder = (a: { dataset: string; id: string }, b: { dataset: string; id: string }) =>
    (order.get(key(a.dataset, a.id)) ?? Infinity) - (order.get(key(b.dataset, b.id)) ?? Infinity);
  results.sort(byOrder);
  drift?.cases.sort(byOrder);
  limits.cases = limitedCases.size;
  return { cases: results, notReplayed, drift, freshProcess, roundsDone, cancelled: o.signal.aborted, calls, rateLimited: limits.requests > 0 ? limits : null };
}

/**
 * An answer's canonical form, or why it has none: nested deeper than the walk's stack (a runaway
 * trace thousands of levels deep) or holding what JSON cannot. The snapshot writer keeps such a SIM
 * answer as an 'unreadable' error; a replay answer like it is no answer to compare either, never a
 * failure of the tool.
 */
function readable(body: unknown, tree: Parameters<typeof canonicalHash>[1]): { canonical: string; hash: string } | { unreadable: string } {
  try {
    return canonicalHash(body, tree);
  } catch (err) {
    return { unreadable: noCanonicalForm(err) };
  }
}
