import { attemptSeed } from '../stages/sim/execute.js';
import type { SimCase } from '../stages/sim/types.js';
import { drawCase, drawRepeat, loadSeed } from './draw.js';
import type { LoadRequest } from './transport.js';

/**
 * The requests of a load run: SIM's cases, each repeat with SIM's own seed for that repeat, so an engine
 * that answers deterministically per seed gives under load the answers SIM judged. Which one request i
 * is comes from the run's load seed (draw.ts).
 */
export interface RequestPool {
  readonly cases: readonly SimCase[];
  readonly seed: number;
  /** Seeds per case and repeat. */
  seedsOf(caseIndex: number): number[];
  requestAt(i: number): LoadRequest;
}

export function requestPool(cases: readonly SimCase[], runId: string): RequestPool {
  if (cases.length === 0) throw new Error('requestPool: no cases');
  const seed = loadSeed(runId);
  const seeds: (number[] | undefined)[] = new Array(cases.length);
  // sha256 per seed: computed once per case, on first use.
  const seedsOf = (ci: number): number[] =>
    (seeds[ci] ??= Array.from({ length: Math.max(1, cases[ci].repeat) }, (_, r) => attemptSeed(runId, cases[ci], r)));
  // One immutable request object per case and repeat, shared by every request that draws it.
  const made: (LoadRequest[] | undefined)[] = new Array(cases.length);
  return {
    cases,
    seed,
    seedsOf,
    requestAt(i: number): LoadRequest {
      const caseIndex = drawCase(seed, i, cases.length);
      const repeat = drawRepeat(seed, i, Math.max(1, cases[caseIndex].repeat));
      const list = (made[caseIndex] ??= []);
      return (list[repeat] ??= Object.freeze({ caseIndex, repeat, seed: seedsOf(caseIndex)[repeat], case: cases[caseIndex] }));
    },
  };
}
