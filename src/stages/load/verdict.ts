import type { StageVerdict } from '../../runner/verdict.js';
import type { ThresholdResult } from '../../load/thresholds.js';

/**
 * The load stage's verdict (DESIGN §4.3, issue 6): a breached error-level threshold fails; a run whose
 * generator fell behind is invalid, a WARN at best and never a pass (its latencies are not what the
 * engine would show at the planned rate); a breached warn-level threshold warns.
 */

export interface Validity {
  valid: boolean;
  reasons: string[];
}

export function generatorValidity(input: { dropped: number | null; lagP99Ms: number | null; maxLagMs: number; generator?: 'builtin' | 'k6' }): Validity {
  const reasons: string[] = [];
  if (input.dropped !== null && input.dropped > 0) {
    const cap = input.generator === 'k6' ? 'k6 had no free VU (maxVUs = load.maxInFlight)' : 'load.maxInFlight requests were in flight';
    reasons.push(`${input.dropped} request(s) were due while ${cap} and were dropped (dropped_iterations)`);
  }
  if (input.lagP99Ms !== null && input.lagP99Ms > input.maxLagMs) {
    reasons.push(`the scheduler lag p99 was ${round1(input.lagP99Ms)} ms, over load.maxSchedulerLagMs (${input.maxLagMs} ms)`);
  }
  return { valid: reasons.length === 0, reasons };
}

export function describeThreshold(t: ThresholdResult): string {
  const got = t.actual === null ? (t.note ?? 'no value') : `got ${round3(t.actual)}`;
  return `${t.metric} ${t.expression} (${got})`;
}

export function loadVerdict(thresholds: ThresholdResult[], validity: Validity): { verdict: StageVerdict; reason: string } {
  const broken = thresholds.filter((t) => t.passed !== true);
  const errors = broken.filter((t) => t.level === 'error');
  const warns = broken.filter((t) => t.level === 'warn');
  const parts: string[] = [];
  if (errors.length) parts.push(`threshold(s) crossed: ${errors.map(describeThreshold).join('; ')}`);
  if (!validity.valid) parts.push(`invalid run, the generator fell behind: ${validity.reasons.join('; ')}`);
  if (warns.length) parts.push(`warn-level threshold(s) crossed: ${warns.map(describeThreshold).join('; ')}`);
  if (errors.length) return { verdict: 'FAIL', reason: parts.join('; ') };
  if (parts.length) return { verdict: 'WARN', reason: parts.join('; ') };
  return { verdict: 'PASS', reason: `all ${thresholds.length} threshold(s) held` };
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
