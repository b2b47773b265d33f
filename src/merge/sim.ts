import type { StageResult } from '../runner/stage.js';
import { datasetEntry, misrouted, simReportHead, simVerdict, totals, type CaseStatus, type SimRateLimits } from '../stages/sim/score.js';
import type { ShardRun } from './shards.js';

/** A case as a shard's report.json lists it (sim.cases[]). */
export interface SimReportCase {
  id: string;
  dataset: string;
  index?: number;
  status: CaseStatus;
  passed: boolean;
  repeats: number;
  passes: number;
  latencyMs: number;
  failures: { assertion: string; message: string }[];
  warnings?: { assertion: string; message: string }[];
  engineErrors?: { kind: string; message: string; repeat: number; status?: number }[];
  location: { file: string; line: number };
  [k: string]: unknown;
}

interface SimBlock {
  verdict: string;
  reason?: string;
  cases?: SimReportCase[];
  datasets?: { name: string; file: string }[];
  notRun?: number;
  attempts?: number;
  engineErrors?: Record<string, number>;
  rateLimited?: SimRateLimits;
  durationMs?: number;
  shard?: { suiteCases: number; suite?: string };
}

export const caseKey = (c: { dataset: string; id: string }) => `${c.dataset}\u0000${c.id}`;

/** The suite fingerprints the legs recorded (older legs recorded none): more than one is two suites. */
export function suiteFingerprints(shards: ShardRun[]): string[] {
  return [...new Set(shards.map((s) => (s.report.stages.sim as SimBlock | undefined)?.shard?.suite).filter((x): x is string => typeof x === 'string'))];
}

/**
 * SIM of the whole run from its shards' per-case results, judged by the same pure functions the stage
 * uses (totals, simVerdict). Cases are listed in suite order (each shard's case carries its index in
 * the whole suite), so the merged report lists them as an unsharded run does.
 */
export function mergeSim(shards: ShardRun[], passRate: { warn: number; fail: number }, runId: string): { result: StageResult; order: Map<string, number>; suiteCases: number | null } {
  const blocks = shards.map((s) => s.report.stages.sim as SimBlock);
  const ran = blocks.filter((b) => Array.isArray(b.cases));
  const suiteCases = blocks.map((b) => b.shard?.suiteCases).find((n): n is number => typeof n === 'number') ?? null;
  if (ran.length === 0) {
    const first = blocks[0];
    return { result: { verdict: 'SKIPPED', reason: first?.reason ?? 'SIM did not run in any shard', report: {} }, order: new Map(), suiteCases };
  }
  const cases = ran.flatMap((b) => b.cases!).sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
  const order = new Map(cases.map((c, i) => [caseKey(c), c.index ?? i]));
  const t = totals(cases.map(asCounted));
  let { verdict, reason } = simVerdict(t, passRate, misrouted(cases));
  const notRun = sum(blocks.map((b) => b.notRun ?? 0));
  if (notRun > 0) reason += `; ${notRun} case(s) not run (run cancelled)`;
  const engineErrors: Record<string, number> = {};
  for (const b of ran) for (const [k, n] of Object.entries(b.engineErrors ?? {})) engineErrors[k] = (engineErrors[k] ?? 0) + n;
  const rateLimited = sumRateLimits(ran.map((b) => b.rateLimited));
  const datasetList = ran.find((b) => Array.isArray(b.datasets))?.datasets ?? [];
  const datasets = datasetList.map((d) => datasetEntry(d.name, d.file, totals(cases.filter((c) => c.dataset === d.name).map(asCounted))));
  const report = {
    // The legs ran side by side: the slowest one is how long SIM took.
    ...simReportHead(t, { verdict, reason }, { notRun, attempts: sum(ran.map((b) => b.attempts ?? 0)), engineErrors, durationMs: Math.max(0, ...ran.map((b) => b.durationMs ?? 0)), datasets, rateLimited }),
    cases,
  };
  const firstSummary = shards.find((s) => s.summaries.sim)?.summaries.sim;
  return {
    result: {
      verdict,
      reason,
      report,
      summary: { runId, ...report, warnings: (firstSummary?.warnings as unknown) ?? [], registry: firstSummary?.registry ?? null },
    },
    order,
    suiteCases,
  };
}

/** What totals() counts of a case: its status and warnings. */
function asCounted(c: SimReportCase): { status: CaseStatus; warnings: readonly unknown[] } {
  return { status: c.status, warnings: c.warnings ?? [] };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

/** The legs' rate-limit counts (SIM's or replay's), summed (a leg's report has none when no request of it met one). */
export function sumRateLimits(legs: (SimRateLimits | undefined)[]): SimRateLimits | null {
  const keys = ['cases', 'requests', 'retries', 'waitedMs', 'stillLimited'] as const;
  let out: SimRateLimits | null = null;
  for (const r of legs) {
    if (!r || typeof r !== 'object') continue;
    out ??= { cases: 0, requests: 0, retries: 0, waitedMs: 0, stillLimited: 0 };
    for (const k of keys) if (typeof r[k] === 'number' && Number.isFinite(r[k])) out[k] += r[k];
  }
  return out;
}
