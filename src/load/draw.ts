import { deriveSeed, mixSeed } from '../util/seed.js';

/**
 * Which SIM case (and which of its repeats) load request i sends. The draw is a pure function of the
 * run's load seed and i (a counter-based hash, not a stream), so:
 * - the same run id gives the same request sequence, whatever the concurrency or timing;
 * - the k6 script can compute the very same sequence from k6's iteration number (the same few lines
 *   are written into the script: K6_DRAW_SOURCE below, kept equal to these functions by a test).
 */

/** The seed of the run's load draw. */
export function loadSeed(runId: string): number {
  return deriveSeed(runId, 'load');
}

/** Murmur3's 32-bit finaliser (the seed mixer), as an unsigned 32-bit integer. */
export function mix32(x: number): number {
  return mixSeed(x) >>> 0;
}

/**
 * Case index in [0, caseCount) and repeat index in [0, repeats(case)) of request i. Uniform over cases
 * (not over attempts): a case repeated 5 times in SIM is not sent 5 times as often under load.
 */
export function drawRequest(seed: number, i: number, caseCount: number, repeatsOf: (caseIndex: number) => number): [number, number] {
  const caseIndex = drawCase(seed, i, caseCount);
  return [caseIndex, drawRepeat(seed, i, repeatsOf(caseIndex))];
}

/** The case of request i (drawRequest's first half, without an array per request on the hot path). */
export function drawCase(seed: number, i: number, caseCount: number): number {
  return Math.floor((mix32(seed ^ mix32(i >>> 0)) / 4294967296) * caseCount);
}

/** The repeat of request i, given its case's number of repeats. */
export function drawRepeat(seed: number, i: number, repeats: number): number {
  const h1 = mix32(seed ^ mix32(i >>> 0));
  return Math.floor((mix32(h1 ^ 0x9e3779b9) / 4294967296) * repeats);
}

/** The same draw as JavaScript source for the k6 script (ES2015: Math.imul exists in k6's runtime). */
export const K6_DRAW_SOURCE = `function mix32(x) {
  var h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
function drawRequest(seed, i, caseCount, repeatsOf) {
  var h1 = mix32(seed ^ mix32(i >>> 0));
  var caseIndex = Math.floor((h1 / 4294967296) * caseCount);
  var h2 = mix32(h1 ^ 0x9e3779b9);
  var repeat = Math.floor((h2 / 4294967296) * repeatsOf(caseIndex));
  return [caseIndex, repeat];
}`;
