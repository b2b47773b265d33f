import { hash } from 'node:crypto';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/**
 * A 32-bit seed from any list of parts (run id, case id, repeat). sha256 so that ids that differ by one
 * character give unrelated seeds, and so the same parts give the same seed on every machine.
 */
export function deriveSeed(...parts: (string | number)[]): number {
  // The one-shot hash: a Hash object per call cost more than the rest of a SIM attempt.
  return hash('sha256', parts.join('\u0000'), 'buffer').readUInt32BE(0);
}

/** A seeded random stream; `next()` is uniform in [0, 1). */
export interface Random {
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
}

/**
 * Murmur3's 32-bit finaliser: xoroshiro seeded straight from small, close seeds (a dataset's "seed": 42)
 * gives visibly correlated first draws; scrambling the seed first removes that.
 */
export function mixSeed(seed: number): number {
  let h = seed | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

export function seededRandom(seed: number): Random {
  const gen = xoroshiro128plus(mixSeed(seed));
  return {
    next: () => uniformFloat64(gen),
    int: (lo, hi) => uniformInt(gen, lo, hi),
  };
}
