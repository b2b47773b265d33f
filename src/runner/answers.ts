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
  /** Told before the first answer how many attempts SIM will make. */
  plan?(answers: number): void;
  observe(o: AnswerObservation): void;
  /**
   * Null when the observer can take more answers now; else a promise that settles when it can. SIM
   * waits on it before its next attempt (an observer working off the thread must not fall behind
   * without bound).
   */
  ready?(): Promise<void> | null;
}
