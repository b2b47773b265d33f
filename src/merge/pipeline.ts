import type { StageResult } from '../runner/stage.js';
import type { Settings } from '../settings/types.js';
import { importPipelineData, mergePipelineData, missingTallies, shardDataProblem, type PipelineShardData } from '../stages/pipeline/data.js';
import { judgePipeline, pipelineSkipReason, skipped, thresholdsOf, uncheckedFindings } from '../stages/pipeline/stage.js';
import type { ShardRun } from './shards.js';

type FindingInput = ReturnType<typeof judgePipeline>['findings'][number];

/**
 * The pipeline checker of the whole run: the shards' tallies (pipeline_summary.json `shardData`) added
 * up and judged by the stage's own judge, so run-level budgets (Opus escalations, contradictions,
 * latency p95, outliers) are decided once on every answer, not per shard.
 */
export function mergePipeline(
  shards: ShardRun[],
  settings: Pick<Settings, 'pipeline' | 'engine'>,
  runId: string,
): { result: StageResult; findings: FindingInput[] } | { problem: string } | null {
  const withData = shards.filter((s) => s.summaries.pipeline && 'shardData' in s.summaries.pipeline);
  if (withData.length === 0) return null;
  const missing = shards.filter((s) => !withData.includes(s) && (s.report.stages.pipeline as { verdict: string }).verdict !== 'SKIPPED');
  if (missing.length > 0) {
    return { problem: `pipeline checks of shard(s) ${missing.map((s) => `${s.report.shard.index} (${s.source})`).join(', ')} carry no tallies to merge (pipeline_summary.json without shardData)` };
  }
  const damaged = withData.map((s) => ({ s, why: shardDataProblem(s.summaries.pipeline!.shardData) })).filter((d) => d.why !== null);
  if (damaged.length > 0) {
    return {
      problem: `pipeline tallies of shard(s) ${damaged.map(({ s, why }) => `${s.report.shard.index} (${s.source}: pipeline_summary.json ${why})`).join(', ')} cannot be read (the file was edited or is damaged), so the merged checker cannot judge their answers`,
    };
  }
  const older = withData
    .map((s) => ({ s, gaps: missingTallies(s.summaries.pipeline!.shardData as PipelineShardData) }))
    .filter((g) => g.gaps.length > 0);
  if (older.length > 0) {
    return {
      problem:
        `pipeline tallies of shard(s) ${older.map(({ s }) => `${s.report.shard.index} (${s.source})`).join(', ')} were written by an older toron-testops: ` +
        `they have no tally for ${[...new Set(older.flatMap((g) => g.gaps))].join(', ')}, which this version judges on every answer, so the merged checker ` +
        'cannot judge it on their answers. Run the legs again with this toron-testops version (pin one version of the action for the legs and the merge job), ' +
        'or merge them with the version that ran them',
    };
  }
  const data = mergePipelineData(withData.map((s) => importPipelineData(s.summaries.pipeline!.shardData as PipelineShardData)));
  // The legs' thresholds, but for those their (older) toron-testops did not have: the merged settings'
  // (the legs' rules, their gaps filled with this version's defaults: mergeSettings).
  const given = Object.fromEntries(Object.entries(data.options.thresholds ?? {}).filter(([, v]) => v !== undefined));
  const merged = { ...data, options: { ...data.options, thresholds: { ...thresholdsOf(settings.pipeline), ...given } } };
  const why = pipelineSkipReason(merged);
  if (why !== null) return { result: skipped(why), findings: uncheckedFindings(merged, why) };
  return judgePipeline(merged, { runId, settings });
}
