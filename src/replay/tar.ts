/**
 * Replay agreement metrics (DESIGN §4.1). Inputs are output identities (hashes of canonical or raw
 * answers), so these stay small and pure. Only answers are identities: a replay that got no answer (an
 * engine error) is left out by the caller, and whether its case is scored at all is decided there
 * (src/stages/replay/report.ts, isScored).
 */

export interface CaseAgreement {
  /** The snapshot answer and every replay have one identity. */
  agreed: boolean;
  /** Distinct identities among the snapshot answer and the replays. */
  uniqueOutputs: number;
  /** Share of the answers (snapshot + replays) that have the most common identity. */
  modalAgreement: number;
  /** The replays agree among themselves (the snapshot aside): stable in this run. */
  replaysAgree: boolean;
}

export function caseAgreement(snapshot: string, replays: readonly string[]): CaseAgreement {
  const counts = new Map<string, number>([[snapshot, 1]]);
  for (const r of replays) counts.set(r, (counts.get(r) ?? 0) + 1);
  let modal = 0;
  for (const c of counts.values()) modal = Math.max(modal, c);
  return {
    agreed: counts.size === 1,
    uniqueOutputs: counts.size,
    modalAgreement: round4(modal / (replays.length + 1)),
    replaysAgree: replays.every((r) => r === replays[0]),
  };
}

/** TAR@N: the share of cases whose snapshot answer and N replays agree (0 when there is no case). */
export function tarAtN(agreedCases: number, totalCases: number): number {
  return totalCases > 0 ? agreedCases / totalCases : 0;
}

/**
 * 100 x TAR@N, 2 decimals, rounded down: the number the gate reads, never above what was measured.
 * Rounded to nearest, 89,996 agreeing cases of 100,000 (89.996) showed as 90 and PASSed the >= 90 line.
 * The 1e-7 absorbs float error only: k/n x 1e4 is an integer or at least 1/n away from one.
 */
export function determinismScore(tar: number): number {
  return Math.floor(tar * 1e4 + 1e-7) / 100;
}

/**
 * A TAR as report.json gives it: 4 decimals, rounded down like the score, so tarCanonical never reads
 * above the score beside it (449 of 499 is 0.8997, not 0.8998).
 */
export function tarShare(tar: number): number {
  return Math.floor(tar * 1e4 + 1e-7) / 1e4;
}

export type GateVerdict = 'PASS' | 'WARN' | 'FAIL';

/** PASS at or above `pass`, WARN at or above `warn`, FAIL below (DESIGN §4.1: 90 / 70 by default). */
export function determinismVerdict(score: number, t: { pass: number; warn: number }): GateVerdict {
  if (score >= t.pass) return 'PASS';
  if (score >= t.warn) return 'WARN';
  return 'FAIL';
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
