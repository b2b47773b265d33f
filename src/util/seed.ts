import { createHash } from 'node:crypto';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';

/**
 * A 32-bit seed from any list of parts (run id, case id, repeat). sha256 so that ids that differ by one
 * character give unrelated seeds, and so the same parts give the same seed on every machine.
 */
export function deriveSeed(...parts: (string | number)[]): number {
  const h = createHash('sha256').update(parts.join('\u0000')).digest();
  return h.readUInt32BE(0);
}

/** A seeded random stream; `next()` is uniform in [0, 1). */
export interface Random {
  next(): number;
  int(minInclusive: number, maxInclusive: number): number;
}

export function seededRandom(seed: number): Random {
  const gen = xoroshiro128plus(seed | 0);
  return {
    next: () => uniformFloat64(gen),
    int: (lo, hi) => uniformInt(gen, lo, hi),
  };
}
