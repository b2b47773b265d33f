import { describe, expect, it } from 'vitest';
import { selectShards, type ShardRun } from '../../src/merge/shards.js';

const shard = (source: string, index: number, o: { runId?: string; total?: number; fp?: string; hash?: string } = {}): ShardRun =>
  ({
    source,
    kind: 'folder',
    hash: o.hash ?? `h-${source}`,
    report: { runId: o.runId ?? 'r', verdict: 'PASS', shard: { index, total: o.total ?? 3, fingerprint: o.fp ?? 'a'.repeat(64), rules: {} } },
    summaries: {},
    snapshot: null,
  }) as unknown as ShardRun;

describe('choosing the shards of one run', () => {
  it('takes each index once, names the missing ones, and takes an identical repeat once', () => {
    const s = selectShards([shard('s3', 3), shard('s1', 1), shard('s1-again', 1, { hash: 'h-s1' })]);
    expect(s.shards.map((x) => x.source)).toEqual(['s1', 's3']);
    expect(s.missing).toEqual([2]);
    expect(s.duplicates).toEqual([{ source: 's1-again', of: 's1' }]);
    expect(s.problems).toEqual([]);
  });

  it('follows the run most inputs belong to: one stray shard first in the list does not reject the rest', () => {
    const s = selectShards([shard('stray', 1, { runId: 'old' }), shard('a', 1), shard('b', 2), shard('c', 3)]);
    expect(s.runId).toBe('r');
    expect(s.missing).toEqual([]);
    expect(s.problems).toEqual([{ source: 'stray', message: 'shard 1/3 does not belong with a: run id "old" is not "r"' }]);
  });

  it('refuses another shard count or fingerprint, and a different shard under a taken index', () => {
    const s = selectShards([shard('a', 1), shard('b', 2), shard('n4', 3, { total: 4 }), shard('fp', 3, { fp: 'b'.repeat(64) }), shard('b2', 2)]);
    expect(s.problems.map((p) => p.source)).toEqual(['n4', 'fp', 'b2']);
    expect(s.problems[0].message).toContain('shard count 4 is not 3');
    expect(s.problems[1].message).toContain('settings fingerprint bbbbbbbbbbbb is not aaaaaaaaaaaa');
    expect(s.problems[2].message).toBe('shard 2/3 is given twice with different contents (b and b2); kept b');
    expect(s.missing).toEqual([3]);
  });
});
