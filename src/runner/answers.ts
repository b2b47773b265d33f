import type { EngineResult } from '../engine/types.js';
import type { SimCase } from '../stages/sim/types.js';

/**
 * One engine answer as SIM got it. SIM streams these to observers (the snapshot writer, the pipeline
 * checker, ...) as attempts complete, so nothing has to keep 100k answers in memory to look at them.
 */
export interface AnswerObservation {
  case: SimCase;
  /** Index of the case in the run's case list (stable for a given suite and shard). */
  caseIndex: number;
  repeat: number;
  seed: number;
  /** The engine's result: `body` and `raw` when ok (read `raw` only if needed: it may be built on read). */
  result: EngineResult;
  /** Whether the attempt passed its error-level assertions. */
  passed: boolean;
}

export interface AnswerObserver {
  readonly name: string;
  observe(o: AnswerObservation): void;
}
