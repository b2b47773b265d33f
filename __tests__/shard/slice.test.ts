import { describe, expect, it } from 'vitest';
import { inShard, shardOfCase, sliceCases } from '../../src/shard/slice.js';

const suite = (n: number, dataset = 'ds') => Array.from({ length: n }, (_, i) => ({ dataset, id: `case-${i}` }));

describe('shard slicing', () => {
  it('puts every case in exactly one shard, for several shard counts', () => {
    const cases = [...suite(300, 'a'), ...suite(200, 'b')];
    for (const total of [1, 2, 3, 4, 7]) {
      const seen = new Map<string, number>();
      for (let index = 1; index <= total; index++) {
        for (const { case: c } of sliceCases(cases, { index, total })) {
          const k = `${c.dataset}/${c.id}`;
          expect(seen.has(k), `${k} in two shards`).toBe(false);
          seen.set(k, index);
        }
      }
      expect(seen.size).toBe(cases.length);
    }
  });

  it('adding or removing a case moves no other case between shards', () => {
    const before = suite(200);
    const after = [...before.slice(0, 50), { dataset: 'ds', id: 'inserted' }, ...before.slice(50, 120), ...before.slice(121)];
    for (const total of [2, 3, 5]) {
      const where = (cs: typeof before) => new Map(cs.map((c) => [c.id, shardOfCase(c, total)]));
      const a = where(before);
      const b = where(after);
      for (const [id, shard] of b) if (id !== 'inserted') expect(shard, id).toBe(a.get(id));
    }
  });

  it('keeps each case at its index in the whole suite, in suite order', () => {
    const cases = suite(40);
    const slice = sliceCases(cases, { index: 2, total: 3 });
    expect(slice.length).toBeGreaterThan(0);
    for (const s of slice) expect(cases[s.index]).toBe(s.case);
    expect(slice.map((s) => s.index)).toEqual([...slice.map((s) => s.index)].sort((x, y) => x - y));
  });

  it('identifies a case by dataset and id (ids are unique only within a dataset)', () => {
    // Some id shared by two datasets lands in different shards: the dataset is part of the key.
    const differs = suite(50).some((c) => shardOfCase({ dataset: 'a', id: c.id }, 4) !== shardOfCase({ dataset: 'b', id: c.id }, 4));
    expect(differs).toBe(true);
  });

  it('spreads cases over the shards (none empty for 500 cases in 4)', () => {
    const counts = [0, 0, 0, 0];
    for (const c of suite(500)) counts[shardOfCase(c, 4) - 1]++;
    for (const n of counts) expect(n).toBeGreaterThan(80);
  });

  it('without a shard (or 1/1) every case is in', () => {
    expect(inShard({ dataset: 'x', id: 'y' }, null)).toBe(true);
    expect(sliceCases(suite(10), { index: 1, total: 1 })).toHaveLength(10);
    expect(() => shardOfCase({ dataset: 'x', id: 'y' }, 0)).toThrow(/whole number/);
  });
});
