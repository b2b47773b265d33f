import { describe, expect, it } from 'vitest';
import { selectShards, type ShardRun } from '../../src/merge/shards.js';

const shard = (source: string, index: number, fingerprint: string): ShardRun =>
  ({
    source,
    kind: 'folder',
    hash: `h-${source}`,
    report: { runId: 'nightly-7', verdict: 'PASS', shard: { index, total: 2, fingerprint, rules: {} } },
    summaries: {},
    snapshot: null,
  }) as unknown as ShardRun;

/**
 * The settings fingerprint covers every setting with its default, so a toron-testops that added or
 * changed one gives other fingerprints for the same config. `uses: ryuzen/toron-testops@v2` floats: a
 * leg re-run after a release ("Re-run failed jobs" keeps the other legs) runs the newer version. The
 * refusal blamed only the config, engine or baseline, which the user did not change.
 */
describe('merge of legs whose settings fingerprints differ', () => {
  it('names another toron-testops version as a cause, and what to do', () => {
    const s = selectShards([shard('s1', 1, 'a'.repeat(64)), shard('s2', 2, 'b'.repeat(64))]);
    expect(s.problems).toHaveLength(1);
    expect(s.problems[0].message).toMatch(/settings fingerprint bbbbbbbbbbbb is not aaaaaaaaaaaa \(another config, engine or baseline, or another toron-testops version/);
    expect(s.problems[0].message).toMatch(/one toron-testops version for every leg/);
  });
});
