import { createHash } from 'node:crypto';
import pkg from '../../package.json' with { type: 'json' };
import { validateReadReport } from '../report/schema.js';
import type { Report } from '../report/types.js';
import type { ShardBlock } from '../shard/block.js';
import { legacyErrorScoredCases } from '../stages/replay/report.js';
import { describeRevision, FORMAT_REVISION, formatRevisionOf, ownRevision } from '../util/tool.js';
import type { InputProblem, ShardFileName, ShardSource } from './inputs.js';

/** One shard's report and the files merge reads, parsed. */
export interface ShardRun {
  source: string;
  kind: ShardSource['kind'];
  /** sha256 of its report.json: the same shard given twice (folder and bundle) has the same one. */
  hash: string;
  report: Report & { shard: ShardBlock };
  summaries: Partial<Record<'sim' | 'load' | 'replay' | 'pipeline', Record<string, unknown>>>;
  snapshot: Buffer | null;
  /** The format revision its report.json records (1: none recorded, a build before revisions), and as said. */
  formatRevision: number;
  revision: string;
}

/** An input that is the report of an earlier merge: skipped when found inside a folder. */
export class MergedReportError extends Error {}

export function readShard(src: ShardSource): ShardRun {
  const raw = src.files.get('report.json');
  if (!raw) throw new Error('no report.json');
  let report: Report;
  try {
    report = JSON.parse(raw.toString('utf8')) as Report;
  } catch (err) {
    throw new Error(`report.json is not JSON (${(err as Error).message})`);
  }
  const version = (report as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (report && typeof report === 'object' && typeof version === 'number' && Number.isInteger(version) && version > 1) {
    // A leg of a newer toron-testops (the action's tag moved on, the merge job did not): not this one's to read.
    throw new Error(
      `report.json has schemaVersion ${version}, newer than this toron-testops (${pkg.version}) reads (1): it was written by a newer toron-testops; ` +
        'merge with the toron-testops version that ran the legs, or a newer one',
    );
  }
  if (!report || typeof report !== 'object' || report.schemaVersion !== 1 || typeof report.runId !== 'string' || !report.stages) {
    throw new Error('report.json is not a toron-testops report (schemaVersion 1)');
  }
  // Before the schema: a newer revision's values may break it, and the reason is the version.
  const revision = formatRevisionOf(report.tool);
  if (revision > FORMAT_REVISION) {
    // A leg whose fields mean what a newer toron-testops made them mean: this one cannot judge them again.
    throw new Error(
      `report.json is of ${describeRevision(report.tool)}, newer than this toron-testops's ${ownRevision()}: its fields may mean what this version does not know; ` +
        'merge with the toron-testops version that ran the legs, or a newer one',
    );
  }
  // Another version may have written the leg: members this one does not know are accepted (DESIGN §3.3).
  const valid = validateReadReport(report);
  if (!valid.ok) throw new Error(`report.json does not match the report schema: ${valid.errors.slice(0, 3).join('; ')}`);
  const shard = report.shard;
  if (!shard && report.merged) throw new MergedReportError(`a merged report (run ${report.runId}), not a shard's`);
  if (!shard || !Number.isInteger(shard.index) || !Number.isInteger(shard.total) || shard.index < 1 || shard.index > shard.total || typeof shard.fingerprint !== 'string' || !shard.rules) {
    throw new Error(`report.json of run ${report.runId} is not a shard's (it has no valid "shard" block: run the legs with --shard i/n)`);
  }
  const json = (name: ShardFileName) => {
    const b = src.files.get(name);
    if (!b) return undefined;
    try {
      return JSON.parse(b.toString('utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new Error(`${name} is not JSON (${(err as Error).message})`);
    }
  };
  const replaySummary = json('replay_summary.json');
  const legacy = legacyReplayScoring(report.stages.replay as Record<string, unknown> | undefined);
  if (legacy) throw new Error(legacy);
  const disagreement = replaySummary ? replaySummaryDisagreement(report.stages.replay as Record<string, unknown> | undefined, replaySummary) : null;
  if (disagreement) throw new Error(`replay_summary.json does not agree with report.json at ${disagreement} (the file was edited or is damaged)`);
  return {
    source: src.source,
    kind: src.kind,
    hash: createHash('sha256').update(raw).digest('hex'),
    report: report as ShardRun['report'],
    summaries: { sim: json('sim_summary.json'), load: json('load_summary.json'), replay: replaySummary, pipeline: json('pipeline_summary.json') },
    snapshot: src.files.get('snapshot.json') ?? null,
    formatRevision: revision,
    revision: describeRevision(report.tool),
  };
}

/**
 * Why a leg's replay cannot be judged again by this version, or null: an older toron-testops scored it
 * and counted its engine errors as differences (legacyErrorScoredCases). Read now, those cases would be
 * judged (and labelled) as nondeterminism. Its legs whose replays all answered were scored as now.
 */
export function legacyReplayScoring(block: Record<string, unknown> | undefined): string | null {
  const errored = legacyErrorScoredCases(block);
  if (errored === 0) return null;
  return (
    `its replay was scored by an older toron-testops (report.json's replay has no "unscored"), which counted a replay that got no answer ` +
    `(engine error) as a difference: ${errored} case(s) with engine errors would be judged as nondeterministic, where this version leaves them ` +
    'out of the determinism score. Run the legs again with this toron-testops version (pin one version of the action for the legs and the merge job), ' +
    'or merge them with the version that ran them'
  );
}

/** The per-case fields merge judges the replay on: report.json (schema-checked) and replay_summary.json must agree on them. */
const REPLAY_CASE_FIELDS = ['dataset', 'id', 'agreed', 'rawAgreed', 'stable', 'uniqueOutputs', 'modalAgreement', 'firstDivergence'] as const;

/**
 * Where a shard's replay_summary.json differs from its report.json, or null. Merge computes the run's
 * determinism and drift from the summaries (they keep more diffs and errors), which the report schema
 * does not check: a summary cut short or edited would silently drop cases from the merged score (a
 * summary of 20 of a leg's 42 cases made the merged run "64 cases, 98.44" instead of 86). The summary
 * repeats the report's cases with more detail, so every case, unscored case and drift status must match.
 */
export function replaySummaryDisagreement(block: Record<string, unknown> | undefined, summary: Record<string, unknown>): string | null {
  if (!block || !Array.isArray(block.cases)) return null; // no replay in the report: nothing merge reads from the summary
  const list = (v: unknown): Record<string, unknown>[] | null => (Array.isArray(v) ? (v as Record<string, unknown>[]) : null);
  const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
  const compare = (at: string, mine: Record<string, unknown>[], theirs: Record<string, unknown>[] | null, fields: readonly string[]): string | null => {
    if (!theirs) return `${at} (missing)`;
    if (theirs.length !== mine.length) return `${at} (${theirs.length} entries, the report has ${mine.length})`;
    for (let i = 0; i < mine.length; i++) {
      const f = fields.find((k) => !same(mine[i]?.[k], theirs[i]?.[k]));
      if (f) return `${at}/${i}/${f}`;
    }
    return null;
  };
  const drift = block.drift as Record<string, unknown> | null | undefined;
  const theirDrift = summary.drift as Record<string, unknown> | null | undefined;
  return (
    compare('/cases', list(block.cases)!, list(summary.cases), REPLAY_CASE_FIELDS) ??
    compare('/unscoredCases', list(block.unscoredCases) ?? [], list(summary.unscoredCases) ?? [], ['dataset', 'id', 'rounds']) ??
    (drift ? compare('/drift/cases', list(drift.cases) ?? [], list(theirDrift?.cases), ['dataset', 'id', 'status']) : null)
  );
}

export interface ShardSelection {
  /** One per shard index present, sorted by index. */
  shards: ShardRun[];
  runId: string | null;
  total: number | null;
  fingerprint: string | null;
  missing: number[];
  problems: InputProblem[];
  /** Inputs that repeated a shard with the same content (accepted once). */
  duplicates: { source: string; of: string }[];
}

/** What newRunId() makes (settings/run-id.ts): a leg that was given no run id. */
const GENERATED_RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{6}$/;

/** Legs given no run id each got their own: say so, and what to do, rather than only that they differ. */
function generatedHint(a: string, b: string): string {
  if (!GENERATED_RUN_ID.test(a) || !GENERATED_RUN_ID.test(b)) return '';
  return ' (both generated: a leg given no --run-id gets a new one; give every leg the same --run-id, in the action the run-id input, e.g. ${{ github.run_id }}, the same in every attempt)';
}

/**
 * Which shards make the run: the first readable shard sets the run id, the shard count and the settings
 * fingerprint; a shard that disagrees on any is rejected (named, with what it disagrees on). A shard
 * given twice with the same report is taken once; with another report, the second is rejected.
 */
export function selectShards(runs: ShardRun[]): ShardSelection {
  const problems: InputProblem[] = [];
  const duplicates: ShardSelection['duplicates'] = [];
  // The run most inputs belong to (the first one on a tie): one stray shard must not reject the rest.
  const groupOf = (r: ShardRun) => `${r.report.runId}\u0000${r.report.shard.total}\u0000${r.report.shard.fingerprint}`;
  const sizes = new Map<string, number>();
  for (const r of runs) sizes.set(groupOf(r), (sizes.get(groupOf(r)) ?? 0) + 1);
  const ref = runs.reduce<ShardRun | undefined>((best, r) => (!best || sizes.get(groupOf(r))! > sizes.get(groupOf(best))! ? r : best), undefined);
  if (!ref) return { shards: [], runId: null, total: null, fingerprint: null, missing: [], problems, duplicates };
  const byIndex = new Map<number, ShardRun>();
  for (const r of runs) {
    const mismatch: string[] = [];
    if (r.report.runId !== ref.report.runId) mismatch.push(`run id "${r.report.runId}" is not "${ref.report.runId}"${generatedHint(r.report.runId, ref.report.runId)}`);
    if (r.report.shard.total !== ref.report.shard.total) mismatch.push(`shard count ${r.report.shard.total} is not ${ref.report.shard.total}`);
    if (r.formatRevision !== ref.formatRevision) {
      // Its files mean other things (the fingerprint differs as well, for that reason): say which versions, not which settings.
      mismatch.push(
        `it was written by ${r.revision}, ${ref.source} by ${ref.revision}: legs of different format revisions record fields with different meanings and are not merged; ` +
          'run every leg with one toron-testops version (pin the action to a release, the same for every leg and the merge job) and run the legs again',
      );
    } else if (r.report.shard.fingerprint !== ref.report.shard.fingerprint) mismatch.push(`settings fingerprint ${r.report.shard.fingerprint.slice(0, 12)} is not ${ref.report.shard.fingerprint.slice(0, 12)} (another config, engine or baseline, or another toron-testops version: a leg re-run after the action's tag moved runs the newer one; run one toron-testops version for every leg, e.g. pin the action to a release)`);
    if (mismatch.length > 0) {
      problems.push({ source: r.source, message: `shard ${r.report.shard.index}/${r.report.shard.total} does not belong with ${ref.source}: ${mismatch.join('; ')}` });
      continue;
    }
    const seen = byIndex.get(r.report.shard.index);
    if (!seen) byIndex.set(r.report.shard.index, r);
    else if (seen.hash === r.hash) duplicates.push({ source: r.source, of: seen.source });
    else {
      problems.push({
        source: r.source,
        message: `shard ${r.report.shard.index}/${r.report.shard.total} is given twice with different contents (${seen.source} and ${r.source}); kept ${seen.source}`,
      });
    }
  }
  const total = ref.report.shard.total;
  const missing: number[] = [];
  for (let i = 1; i <= total; i++) if (!byIndex.has(i)) missing.push(i);
  return {
    shards: [...byIndex.values()].sort((a, b) => a.report.shard.index - b.report.shard.index),
    runId: ref.report.runId,
    total,
    fingerprint: ref.report.shard.fingerprint,
    missing,
    problems,
    duplicates,
  };
}
