import { createHash } from 'node:crypto';
import { validateReport } from '../report/schema.js';
import type { Report } from '../report/types.js';
import type { ShardBlock } from '../shard/block.js';
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
  if (!report || typeof report !== 'object' || report.schemaVersion !== 1 || typeof report.runId !== 'string' || !report.stages) {
    throw new Error('report.json is not a toron-testops report (schemaVersion 1)');
  }
  const valid = validateReport(report);
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
  return {
    source: src.source,
    kind: src.kind,
    hash: createHash('sha256').update(raw).digest('hex'),
    report: report as ShardRun['report'],
    summaries: { sim: json('sim_summary.json'), load: json('load_summary.json'), replay: json('replay_summary.json'), pipeline: json('pipeline_summary.json') },
    snapshot: src.files.get('snapshot.json') ?? null,
  };
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
    if (r.report.runId !== ref.report.runId) mismatch.push(`run id "${r.report.runId}" is not "${ref.report.runId}"`);
    if (r.report.shard.total !== ref.report.shard.total) mismatch.push(`shard count ${r.report.shard.total} is not ${ref.report.shard.total}`);
    if (r.report.shard.fingerprint !== ref.report.shard.fingerprint) mismatch.push(`settings fingerprint ${r.report.shard.fingerprint.slice(0, 12)} is not ${ref.report.shard.fingerprint.slice(0, 12)} (another config, engine or baseline)`);
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
