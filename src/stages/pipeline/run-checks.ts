import { madSorted, medianSorted, quantileSorted, sortedCopy } from './stats.js';
import type { Thresholds } from './types.js';

/** The run-level checks: pure functions of the tallies the collector kept. */

export interface RunCheckResult {
  ok: boolean;
  /** True when the check could not be judged (no data, too few answers): reported, never failed. */
  na?: boolean;
  detail: string;
  checked?: number;
  failed?: number;
  cases?: string[];
}

export interface EscalationTally {
  /** Answers judged (with a known escalation flag). */
  answers: number;
  /** Answers that escalated, declared or not. */
  escalated: number;
  /** Escalated answers whose case declares the escalation. */
  declared: number;
  /** Cases ("dataset/id") with at least one undeclared escalation, in first-seen order. */
  undeclaredCases: string[];
  /** Cases with at least one declared escalation. */
  declaredCases: number;
}

export function undeclaredAnswers(t: EscalationTally): number {
  return t.escalated - t.declared;
}

/** Answers the rate is taken over: those whose case does not declare the escalation they made. */
export function rateBase(t: EscalationTally): number {
  return t.answers - t.declared;
}

export function escalationRate(t: EscalationTally): number | null {
  const base = rateBase(t);
  return base > 0 ? undeclaredAnswers(t) / base : null;
}

const list = (cases: string[], n = 5) => cases.slice(0, n).join(', ') + (cases.length > n ? `, +${cases.length - n} more` : '');

export function checkOpusEscalations(t: EscalationTally, max: number): RunCheckResult {
  const n = t.undeclaredCases.length;
  const declared = t.declared > 0 ? `; ${t.declared} escalated answer(s) in ${t.declaredCases} case(s) declared by their datasets, not counted` : '';
  const base = { checked: t.answers, failed: n, cases: t.undeclaredCases.slice(0, 10) };
  if (n > max) {
    return { ok: false, ...base, detail: `${n} cases escalated to Opus without their dataset declaring it, more than ${max}: ${list(t.undeclaredCases)}${declared}` };
  }
  return { ok: true, ...base, detail: `${n} undeclared Opus escalation(s) (limit ${max})${n ? `: ${list(t.undeclaredCases)}` : ''}${declared}` };
}

export function checkEscalationRate(t: EscalationTally, ceiling: number, minAnswers: number): RunCheckResult {
  const base = rateBase(t);
  const rate = escalationRate(t);
  const u = undeclaredAnswers(t);
  const shown = rate === null ? 'n/a' : `${round(rate * 100, 2)}%`;
  if (base < minAnswers) {
    return { ok: true, na: true, checked: base, failed: u, detail: `${u}/${base} undeclared escalations (${shown}): fewer than ${minAnswers} answers, the rate is not gated (the count limit applies)` };
  }
  const ok = (rate ?? 0) <= ceiling;
  return {
    ok,
    checked: base,
    failed: u,
    detail: `${u}/${base} answers escalated to Opus undeclared (${shown}), ceiling ${round(ceiling * 100, 2)}%`,
  };
}

export interface ContradictionTally {
  /** Answers whose contradictions were measured. */
  measured: number;
  total: number;
  max: number;
  /** Answers at or over the limit whose case declares them. */
  declaredOver: number;
  /** Answers at or over the limit, undeclared (each is a per-answer failure). */
  undeclaredOver: number;
  /** Answers whose count is unreadable where the generation reports one (each a failure). */
  unreadable: number;
}

export function contradictionSummary(t: ContradictionTally, limit: number): RunCheckResult & { mean: number | null } {
  const mean = t.measured > 0 ? t.total / t.measured : null;
  const unreadable = t.unreadable ?? 0; // shard data written before the field
  const unreadableText = unreadable > 0 ? `${unreadable} answer(s) with no readable contradiction count (missing, not a count, or a tier-1 list that is not a list)` : '';
  if (mean === null) {
    if (unreadable > 0) return { ok: false, mean, checked: unreadable, failed: unreadable, detail: unreadableText };
    return { ok: true, na: true, mean, checked: 0, failed: 0, detail: 'not applicable: the answers report no contradiction count' };
  }
  const meanText = `mean ${round(mean, 3)} per answer, max ${t.max}`;
  const declared = t.declaredOver > 0 ? `; ${t.declaredOver} answer(s) at or over it declared by their datasets` : '';
  return {
    ok: t.undeclaredOver === 0 && unreadable === 0,
    mean,
    checked: t.measured + unreadable,
    failed: t.undeclaredOver + unreadable,
    detail: `${meanText}; ${t.undeclaredOver} answer(s) with ${limit} or more (limit: fewer than ${limit})${declared}${unreadableText ? `; ${unreadableText}` : ''}`,
  };
}

export interface LatencySummary {
  count: number;
  p50: number | null;
  p95: number | null;
  max: number | null;
  median: number | null;
  mad: number | null;
  /** Latencies above this are outliers. */
  outlierAboveMs: number | null;
}

export function summariseLatency(latencies: ArrayLike<number>, t: Pick<Thresholds, 'latencyOutlierK' | 'latencyOutlierMinMs'>): LatencySummary {
  const s = sortedCopy(latencies);
  if (s.length === 0) return { count: 0, p50: null, p95: null, max: null, median: null, mad: null, outlierAboveMs: null };
  const median = medianSorted(s);
  const mad = madSorted(s, median);
  return {
    count: s.length,
    p50: round(quantileSorted(s, 0.5), 3),
    p95: round(quantileSorted(s, 0.95), 3),
    max: round(s[s.length - 1], 3),
    median: round(median, 3),
    mad: round(mad, 3),
    // k x MAD alone flags sub-millisecond jitter of a local engine (and anything at all when MAD is 0).
    outlierAboveMs: round(median + Math.max(t.latencyOutlierK * mad, t.latencyOutlierMinMs), 3),
  };
}

/** `l` summarises the answers' latencies and the timed-out attempts' (`timeouts` of them). */
export function checkLatencyP95(l: LatencySummary, limitMs: number, timeouts = 0): RunCheckResult {
  if (l.p95 === null) return { ok: true, na: true, checked: 0, detail: 'no SIM latencies to judge' };
  const ok = l.p95 <= limitMs;
  const timedOut = timeouts > 0 ? `; ${timeouts} timed out, counted at their timeout` : '';
  return { ok, checked: l.count, detail: `p95 of ${l.count} SIM latencies ${l.p95} ms (p50 ${l.p50}, max ${l.max}${timedOut}); limit ${limitMs} ms` };
}

/** Fewer answers than this and a median/MAD says nothing about single outliers. */
export const MIN_OUTLIER_SAMPLE = 8;

export interface Outlier {
  index: number;
  latencyMs: number;
}

export function findOutliers(latencies: ArrayLike<number>, l: LatencySummary): Outlier[] {
  if (l.outlierAboveMs === null || latencies.length < MIN_OUTLIER_SAMPLE) return [];
  const out: Outlier[] = [];
  for (let i = 0; i < latencies.length; i++) if (latencies[i] > l.outlierAboveMs) out.push({ index: i, latencyMs: latencies[i] });
  return out;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
