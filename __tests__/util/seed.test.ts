import { describe, expect, it } from 'vitest';
import { deriveSeed, seededRandom } from '../../src/util/seed.js';

describe('seeds', () => {
  it('derives the same seed from the same parts and unrelated seeds from near parts', () => {
    expect(deriveSeed('run', 'ds', 'case', 0)).toBe(deriveSeed('run', 'ds', 'case', 0));
    expect(deriveSeed('run', 'ds', 'case', 0)).not.toBe(deriveSeed('run', 'ds', 'case', 1));
    expect(deriveSeed('a', 'bc')).not.toBe(deriveSeed('ab', 'c')); // parts are separated, not concatenated
  });

  it('first draws of small consecutive seeds are spread over [0, 1)', () => {
    const firsts = Array.from({ length: 10000 }, (_, s) => seededRandom(s).next());
    const buckets = new Array(10).fill(0);
    for (const x of firsts) buckets[Math.floor(x * 10)]++;
    for (const b of buckets) expect(b).toBeGreaterThan(850); // ~1000 each
  });
});
