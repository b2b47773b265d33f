import { describe, expect, it } from 'vitest';
import { selectShards, type ShardRun } from '../../src/merge/shards.js';
import { newRunId } from '../../src/settings/run-id.js';

const shard = (source: string, index: number, runId: string): ShardRun =>
  ({
    source,
    kind: 'folder',
    hash: `h-${source}`,
    report: { runId, verdict: 'PASS', shard: { index, total: 2, fingerprint: 'a'.repeat(64), rules: {} } },
    summaries: {},
    snapshot: null,
  }) as unknown as ShardRun;

/**
 * Legs started without --run-id (the action's run-id input left empty in a matrix) each get a new run
 * id, and merge refused them only with 'run id "20261126T140001Z-9f2c1a" is not "20261126T140000Z-03be77"',
 * which does not say that the legs were never given one, nor what to do.
 */
describe('merge of legs that were given no run id', () => {
  it('says the run ids were generated and that every leg needs the same --run-id', () => {
    const a = newRunId(new Date(Date.UTC(2026, 10, 26, 14, 0, 0)));
    const b = newRunId(new Date(Date.UTC(2026, 10, 26, 14, 0, 1)));
    const s = selectShards([shard('s1', 1, a), shard('s2', 2, b)]);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0].message).toBe(
      `shard 2/2 does not belong with s1: run id "${b}" is not "${a}" (both generated: a leg given no --run-id gets a new one; give every leg the same --run-id, in the action the run-id input, e.g. \${{ github.run_id }}, the same in every attempt)`,
    );
  });

  it('names no such cause for run ids that were given', () => {
    const s = selectShards([shard('s1', 1, 'nightly-1'), shard('s2', 2, 'nightly-2')]);
    expect(s.problems[0].message).toBe('shard 2/2 does not belong with s1: run id "nightly-2" is not "nightly-1"');
  });
});
