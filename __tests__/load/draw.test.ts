import { describe, expect, it } from 'vitest';
import { K6_DRAW_SOURCE, drawRequest, loadSeed } from '../../src/load/draw.js';
import { requestPool } from '../../src/load/requests.js';
import { attemptSeed } from '../../src/stages/sim/execute.js';
import type { SimCase } from '../../src/stages/sim/types.js';

function cases(n: number, repeat = 1): SimCase[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    dataset: 'd',
    input: { prompt: `p${i}` },
    assert: [],
    tags: [],
    repeat: i % 3 === 0 ? repeat : 1,
    ignorePaths: [],
    location: { file: 'sim/d.json', line: i + 1 },
  }));
}

describe('request draw', () => {
  it('is a pure function of the run id and the request number', () => {
    const a = requestPool(cases(20, 3), 'run-a');
    const b = requestPool(cases(20, 3), 'run-a');
    const c = requestPool(cases(20, 3), 'run-b');
    const seqA = Array.from({ length: 200 }, (_, i) => `${a.requestAt(i).caseIndex}/${a.requestAt(i).repeat}`);
    // out of order, as completions would interleave: the same answers
    const seqB = Array.from({ length: 200 }, (_, k) => 199 - k).map((i) => `${b.requestAt(i).caseIndex}/${b.requestAt(i).repeat}`).reverse();
    const seqC = Array.from({ length: 200 }, (_, i) => `${c.requestAt(i).caseIndex}/${c.requestAt(i).repeat}`);
    expect(seqB).toEqual(seqA);
    expect(seqC).not.toEqual(seqA);
  });

  it("uses SIM's own seed for the drawn repeat, and covers every case and repeat", () => {
    const cs = cases(10, 4);
    const pool = requestPool(cs, 'run-x');
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const r = pool.requestAt(i);
      expect(r.case).toBe(cs[r.caseIndex]);
      expect(r.repeat).toBeLessThan(cs[r.caseIndex].repeat);
      expect(r.seed).toBe(attemptSeed('run-x', cs[r.caseIndex], r.repeat));
      // the pool's draw is drawRequest's (the one the k6 script copies)
      expect([r.caseIndex, r.repeat]).toEqual(drawRequest(pool.seed, i, cs.length, (c) => cs[c].repeat));
      seen.add(`${r.caseIndex}/${r.repeat}`);
    }
    const attempts = cs.reduce((n, c) => n + c.repeat, 0);
    expect(seen.size).toBe(attempts);
  });

  it('is roughly uniform over cases', () => {
    const counts = new Array(8).fill(0);
    const seed = loadSeed('uniform');
    for (let i = 0; i < 80_000; i++) counts[drawRequest(seed, i, 8, () => 1)[0]]++;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(600);
  });

  it("the k6 script's copy of the draw gives the same sequence", () => {
    const fromScript = new Function(`${K6_DRAW_SOURCE}\nreturn drawRequest;`)() as typeof drawRequest;
    const seed = loadSeed('k6-run');
    const repeats = (c: number) => 1 + (c % 4);
    for (let i = 0; i < 5000; i += 7) expect(fromScript(seed, i, 37, repeats)).toEqual(drawRequest(seed, i, 37, repeats));
    expect(fromScript(seed, 2 ** 31 + 5, 37, repeats)).toEqual(drawRequest(seed, 2 ** 31 + 5, 37, repeats));
  });
});
