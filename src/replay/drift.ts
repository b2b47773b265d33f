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

/**
 * Why drift was not measured (no stable case both runs have was compared), or null when it was:
 * `no-case-in-common` (the baseline has none of the run's cases), `all-noise` (every case in common
 * was unstable), `no-case` (nothing of this run to compare: only the baseline's removed cases).
 */
export type DriftUnmeasured = 'no-case-in-common' | 'all-noise' | 'no-case';

export function driftUnmeasured(c: DriftCounts): DriftUnmeasured | null {
  if (c.unchanged + c.changed > 0) return null;
  if (c.noise > 0) return 'all-noise';
  return c.new > 0 ? 'no-case-in-common' : 'no-case';
}

/**
 * Changed over the stable cases both runs have; null when there is none. Unmeasured is not 0: a CI
 * consumer reads a rate of 0 as "no drift", and a merge adding legs up must not count one as 0%.
 */
export function driftRate(c: DriftCounts): number | null {
  const compared = c.unchanged + c.changed;
  return compared > 0 ? c.changed / compared : null;
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
