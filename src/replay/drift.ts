import type { GateVerdict } from './tar.js';

/**
 * Drift against a baseline (DESIGN §4.2). A case drifts only when this run answers it stably and the
 * answer differs from the baseline's; an unstable case says nothing about drift (it is noise).
 */
export type DriftStatus = 'unchanged' | 'changed' | 'new' | 'removed' | 'noise';

export interface DriftFacts {
  inBaseline: boolean;
  inRun: boolean;
  /** The baseline answered the same input (a case whose prompt was edited is a new case). */
  sameInput: boolean;
  /** This run has an answer, and its replays all agreed. */
  stable: boolean;
  /** This run's answer equals the baseline's (canonical form, common ignorePaths). */
  sameAnswer: boolean;
}

export function driftStatus(f: DriftFacts): DriftStatus {
  if (!f.inRun) return 'removed';
  if (!f.inBaseline || !f.sameInput) return 'new';
  if (!f.stable) return 'noise';
  return f.sameAnswer ? 'unchanged' : 'changed';
}

export interface DriftCounts {
  unchanged: number;
  changed: number;
  new: number;
  removed: number;
  noise: number;
}

export function countDrift(statuses: Iterable<DriftStatus>): DriftCounts {
  const c: DriftCounts = { unchanged: 0, changed: 0, new: 0, removed: 0, noise: 0 };
  for (const s of statuses) c[s]++;
  return c;
}

/**
 * No case of this run is in the baseline (same id, same input): drift was not measured at all, and a
 * rate of 0 would read as "nothing changed" (a baseline of another suite, or of a renamed one).
 */
export function noCaseInCommon(c: DriftCounts): boolean {
  return c.new > 0 && c.unchanged + c.changed + c.noise === 0;
}

/** Changed over the stable cases both runs have (0 when there is none). */
export function driftRate(c: DriftCounts): number {
  const compared = c.unchanged + c.changed;
  return compared > 0 ? c.changed / compared : 0;
}

/**
 * WARN when the rate is above `warnRate` (default 0: any stable case that changed), FAIL above
 * `failRate`.
 */
export function driftVerdict(rate: number, changed: number, t: { warnRate: number; failRate: number }): GateVerdict {
  if (changed > 0 && rate > t.failRate) return 'FAIL';
  if (changed > 0 && rate > t.warnRate) return 'WARN';
  return 'PASS';
}
