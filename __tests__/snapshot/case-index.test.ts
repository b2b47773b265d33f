import { describe, expect, it } from 'vitest';
import { CaseIndexSet, SpoolIndex } from '../../src/snapshot/case-index.js';

describe('snapshot case indexes', () => {
  it('a set of case indexes grows past its first size and counts each index once', () => {
    const s = new CaseIndexSet();
    for (const i of [0, 5000, 3, 5000, 1023, 1024, 0]) s.add(i);
    expect(s.size).toBe(5);
    expect([0, 3, 1023, 1024, 5000].every((i) => s.has(i))).toBe(true);
    expect(s.has(1)).toBe(false);
    expect(s.has(5001)).toBe(false);
    expect(s.has(10_000_000)).toBe(false);
  });

  it('the spool index gives lines back in case order whatever order they came in, with their offsets', () => {
    const w = new SpoolIndex();
    const lines: [number, number, number][] = [
      [4000, 10, 7],
      [2, 0, 10],
      [900, 17, 3],
      [0, 20, 100],
    ];
    for (const [i, offset, length] of lines) w.set(i, offset, length);
    w.set(2, 0, 10); // the same case again is not a new line
    expect(w.size).toBe(4);
    expect(w.has(900)).toBe(true);
    expect(w.has(901)).toBe(false);
    expect([...w.inCaseOrder()]).toEqual([
      { offset: 20, length: 100 },
      { offset: 0, length: 10 },
      { offset: 17, length: 3 },
      { offset: 10, length: 7 },
    ]);
  });
});
