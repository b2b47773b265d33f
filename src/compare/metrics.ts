import { legacyErrorScoredCases } from '../stages/replay/report.js';
import type { MetricDelta } from './types.js';

/** Two decimals: deltas are read by people; the sides keep their own precision. */
const r2 = (x: number) => Math.round(x * 100) / 100;

/** A metric on both sides and its delta; a missing side makes the delta null ("not available"). */
export function metricDelta(baseline: number | null | undefined, candidate: number | null | undefined): MetricDelta {
  const b = typeof baseline === 'number' && Number.isFinite(baseline) ? baseline : null;
  const c = typeof candidate === 'number' && Number.isFinite(candidate) ? candidate : null;
  const delta = b !== null && c !== null ? r2(c - b) : null;
  const deltaPct = b !== null && c !== null && b !== 0 ? r2((100 * (c - b)) / b) : null;
  return { baseline: b, candidate: c, delta, deltaPct };
}

/** The headline numbers a comparison reads from one side's report (or snapshot header). */
export interface SideMetrics {
  /** Percent, 0-100. */
  passRate: number | null;
  p95Ms: number | null;
  /** Percent, 0-100. */
  errorRate: number | null;
  determinismScore: number | null;
}

export const NO_METRICS: SideMetrics = { passRate: null, p95Ms: null, errorRate: null, determinismScore: null };

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function rec(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** Load metrics under k6 names (DESIGN §4.3): p95 of http_req_duration, http_req_failed's rate. */
export function loadNumbers(metrics: unknown): { p95Ms: number | null; errorRate: number | null } {
  const m = rec(metrics);
  const p95 = num(rec(m?.http_req_duration)?.['p(95)']);
  const failed = num(rec(m?.http_req_failed)?.rate);
  return { p95Ms: p95, errorRate: failed === null ? null : r4(failed * 100) };
}

const r4 = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * Whether a load block (a report's load stage, a snapshot header's metrics.load) says its run was invalid:
 * the generator fell behind, so its latency holds the generator's lag (DESIGN §4.3: invalid, not passed).
 */
export function loadInvalid(load: unknown): boolean {
  return rec(load)?.valid === false;
}

/** A load block's numbers as a comparison may use them: no p95 of an invalid run (its errors still count). */
function comparableLoad(load: unknown): { p95Ms: number | null; errorRate: number | null } {
  const l = loadNumbers(rec(load)?.metrics);
  return loadInvalid(load) ? { p95Ms: null, errorRate: l.errorRate } : l;
}

/** The note a comparison carries for a side whose load run was invalid, or null. */
export function invalidLoadNote(load: unknown, side: string): string | null {
  return loadInvalid(load) ? `${side}'s load run was invalid (its generator fell behind, so its latency holds the lag): its p95 is not available` : null;
}

/** A report.json's stages (DESIGN §3.3): stages that were skipped or errored give nulls. */
export function reportMetrics(stages: unknown): SideMetrics {
  const s = rec(stages);
  const ran = (name: string) => {
    const st = rec(s?.[name]);
    return st && st.verdict !== 'SKIPPED' && st.verdict !== 'ERROR' ? st : null;
  };
  const sim = ran('sim');
  const load = ran('load');
  const replay = ran('replay');
  const passRate = num(sim?.passRate);
  const l = comparableLoad(load);
  return {
    passRate: passRate === null ? null : r4(passRate * 100),
    p95Ms: l.p95Ms,
    errorRate: l.errorRate,
    // A score an older toron-testops made of engine errors measures something else: not comparable.
    determinismScore: legacyErrorScoredCases(replay) > 0 ? null : num(replay?.determinismScore),
  };
}

/** A snapshot header's metrics (no determinism: a snapshot is written before its run's replay). */
export function snapshotMetrics(metrics: unknown): SideMetrics {
  const m = rec(metrics);
  const passRate = num(rec(m?.sim)?.passRate);
  const l = comparableLoad(m?.load);
  return { passRate: passRate === null ? null : r4(passRate * 100), p95Ms: l.p95Ms, errorRate: l.errorRate, determinismScore: null };
}

/** The report's number where there is one, else the snapshot's. */
export function preferFirst(a: SideMetrics, b: SideMetrics): SideMetrics {
  return {
    passRate: a.passRate ?? b.passRate,
    p95Ms: a.p95Ms ?? b.p95Ms,
    errorRate: a.errorRate ?? b.errorRate,
    determinismScore: a.determinismScore ?? b.determinismScore,
  };
}
