import { wilsonInterval } from '../../stats/wilson.js';
import { median } from '../../stats/quantile.js';
import type { StageVerdict } from '../../runner/verdict.js';
import type { EngineError } from '../../engine/types.js';
import type { RateLimitCounts, RateLimitTally } from '../../engine/rate-limit.js';
import type { AssertionOutcome, SimCase } from './types.js';

/** One attempt of one case (a case with repeat 3 has three). */
export interface Attempt {
  repeat: number;
  seed: number;
  passed: boolean;
  latencyMs: number;
  /** Error-level assertion failures. */
  failures: AssertionOutcome[];
  /** Warn-level assertion failures: never fail the case, make the stage WARN at most. */
  warnings: AssertionOutcome[];
  error?: EngineError;
  /** A short excerpt of the answer (for failing attempts only: expected vs actual in reports). */
  actual?: string;
  /** Rate limits this attempt met (retried by callEngine); `latencyMs` is its last request's. */
  rateLimited?: RateLimitTally;
}

export type CaseStatus = 'passed' | 'failed' | 'flaky' | 'errored';

export interface CaseSummary {
  id: string;
  dataset: string;
  status: CaseStatus;
  passed: boolean;
  flaky: boolean;
  repeats: number;
  passes: number;
  passRate: number;
  wilson: [number, number];
  /** Median latency over the attempts. */
  latencyMs: number;
  errors: number;
  failures: { assertion: string; message: string; repeat: number }[];
  warnings: { assertion: string; message: string; repeat: number }[];
  /** `status`: the HTTP status of an `http_status` error. */
  engineErrors: { kind: string; message: string; repeat: number; status?: number }[];
  actual?: string;
  location: { file: string; line: number };
  tags: string[];
  /** Summed over the attempts that met a rate limit; absent when none did. */
  rateLimited?: RateLimitTally;
}

export function summariseCase(c: SimCase, attempts: Attempt[]): CaseSummary {
  const repeats = attempts.length;
  let passes = 0;
  let errors = 0;
  let failing: Attempt | undefined;
  for (const a of attempts) {
    if (a.passed) passes++;
    else failing ??= a;
    if (a.error) errors++;
  }
  const flaky = passes > 0 && passes < repeats;
  const status: CaseStatus =
    passes === repeats ? 'passed' : flaky ? 'flaky' : errors === repeats ? 'errored' : 'failed';
  return {
    id: c.id,
    dataset: c.dataset,
    status,
    passed: passes === repeats,
    flaky,
    repeats,
    passes,
    passRate: repeats ? passes / repeats : 0,
    wilson: wilsonOf(passes, repeats),
    latencyMs: Math.round((repeats === 1 ? attempts[0].latencyMs : median(attempts.map((a) => a.latencyMs))) * 100) / 100,
    errors,
    failures: outcomesOf(attempts, 'failures'),
    warnings: outcomesOf(attempts, 'warnings'),
    engineErrors: failing
      ? attempts.flatMap((a) => (a.error ? [{ kind: a.error.kind, message: a.error.message, repeat: a.repeat, ...(a.error.status !== undefined ? { status: a.error.status } : {}) }] : []))
      : NONE,
    actual: failing?.actual,
    location: c.location,
    tags: c.tags,
    ...rateLimitOf(attempts),
  };
}

/** A case's rate limits, summed over its attempts: `{}` when none met one (most cases: no object made). */
function rateLimitOf(attempts: Attempt[]): { rateLimited?: RateLimitTally } {
  let sum: RateLimitTally | undefined;
  for (const a of attempts) {
    const r = a.rateLimited;
    if (!r) continue;
    sum ??= { times: 0, retries: 0, waitedMs: 0 };
    sum.times += r.times;
    sum.retries += r.retries;
    sum.waitedMs += r.waitedMs;
  }
  return sum ? { rateLimited: sum } : {};
}

/**
 * The SIM report's rate-limit line: requests (attempts) that met one, their retries and waits, and how
 * many were still rate-limited after their retries (engine errors). Null when no request met one.
 */
export type SimRateLimits = RateLimitCounts;

export function simRateLimits(attempts: readonly (readonly Attempt[])[]): SimRateLimits | null {
  const t: SimRateLimits = { cases: 0, requests: 0, retries: 0, waitedMs: 0, stillLimited: 0 };
  for (const list of attempts) {
    let hit = false;
    for (const a of list) {
      if (!a.rateLimited) continue;
      hit = true;
      t.requests++;
      t.retries += a.rateLimited.retries;
      t.waitedMs += a.rateLimited.waitedMs;
      if (a.error?.rateLimit) t.stillLimited++;
    }
    if (hit) t.cases++;
  }
  return t.requests > 0 ? t : null;
}

/**
 * Shared, frozen values for what most of 100k summaries hold: no outcome, and one of a few intervals
 * (summaries are built at the end of SIM, all at once, and kept until the reports are written).
 */
const NONE = Object.freeze([]) as unknown as never[];
const intervals = new Map<number, [number, number]>();

function wilsonOf(passes: number, repeats: number): [number, number] {
  if (repeats > 64) return wilsonInterval(passes, repeats);
  const key = repeats * 65 + passes;
  let w = intervals.get(key);
  if (!w) intervals.set(key, (w = Object.freeze(wilsonInterval(passes, repeats)) as [number, number]));
  return w;
}

function outcomesOf(attempts: Attempt[], which: 'failures' | 'warnings'): { assertion: string; message: string; repeat: number }[] {
  let out: { assertion: string; message: string; repeat: number }[] = NONE;
  for (const a of attempts) {
    for (const f of a[which]) (out === NONE ? (out = []) : out).push({ assertion: f.assertion, message: f.message, repeat: a.repeat });
  }
  return out;
}

export interface SimTotals {
  total: number;
  passed: number;
  failed: number;
  errored: number;
  flaky: number;
  warned: number;
  passRate: number;
}

export function totals(cases: readonly { status: CaseStatus; warnings: readonly unknown[] }[]): SimTotals {
  let passed = 0;
  let failed = 0;
  let errored = 0;
  let flaky = 0;
  let warned = 0;
  for (const c of cases) {
    if (c.status === 'passed') passed++;
    else if (c.status === 'flaky') flaky++;
    else {
      failed++;
      if (c.status === 'errored') errored++;
    }
    if (c.warnings.length > 0) warned++;
  }
  const total = cases.length;
  return { total, passed, failed, errored, flaky, warned, passRate: total ? passed / total : 0 };
}

/** Statuses that say a request went to the wrong place or lacked what the route needs, not how the engine behaves. */
function isWiringStatus(status: number | undefined): boolean {
  return status !== undefined && ((status >= 300 && status < 400) || status === 401 || status === 403 || status === 404 || status === 405 || status === 415);
}

/**
 * The HTTP statuses, when every case errored and every engine error was one of those (a wrong path, a
 * redirect to https, a missing token): the engine answered its health check but its case route refused
 * every request. That is wiring (ERROR), not a verdict on the engine. Null otherwise.
 */
export function misrouted(cases: readonly { status: CaseStatus; engineErrors?: readonly { kind: string; status?: number }[] }[]): number[] | null {
  if (cases.length === 0) return null;
  const statuses = new Set<number>();
  for (const c of cases) {
    if (c.status !== 'errored' || !c.engineErrors?.length) return null;
    for (const e of c.engineErrors) {
      if (e.kind !== 'http_status' || !isWiringStatus(e.status)) return null;
      statuses.add(e.status!);
    }
  }
  return [...statuses].sort((a, b) => a - b);
}

/**
 * SIM verdict. `passRate.warn` and `.fail` are the lowest pass rates still PASS and still WARN.
 * Flaky cases count as passing for the FAIL line (a flaky case is at most WARN) and as not passing for
 * the WARN line; warn-level assertion failures make the stage WARN at most.
 */
export function simVerdict(t: SimTotals, passRate: { warn: number; fail: number }, wiring: number[] | null = null): { verdict: StageVerdict; reason: string } {
  if (t.total === 0) return { verdict: 'ERROR', reason: 'no SIM cases were selected (check the registry, sim.datasets and sim.tags)' };
  if (wiring) return { verdict: 'ERROR', reason: misroutedReason(wiring) };
  const notFailedRate = (t.total - t.failed) / t.total;
  const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
  if (notFailedRate < passRate.fail)
    return { verdict: 'FAIL', reason: `${t.failed} of ${t.total} cases failed: ${pct(notFailedRate)} below the FAIL line ${pct(passRate.fail)}` };
  if (t.passRate < passRate.warn)
    return { verdict: 'WARN', reason: `pass rate ${pct(t.passRate)} below ${pct(passRate.warn)} (${t.failed} failed, ${t.flaky} flaky)` };
  if (t.flaky > 0) return { verdict: 'WARN', reason: `${t.flaky} flaky case(s)` };
  if (t.warned > 0) return { verdict: 'WARN', reason: `${t.warned} case(s) failed a warn-level assertion` };
  return { verdict: 'PASS', reason: `all ${t.total} cases passed` };
}

export function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** A dataset's line in the SIM report (the stage's and merge's). */
export function datasetEntry(name: string, file: string, t: SimTotals) {
  // No case of it judged (a cancel came first): no pass rate, not 0.
  return { name, file, total: t.total, passed: t.passed, failed: t.failed, errored: t.errored, flaky: t.flaky, passRate: t.total > 0 ? round4(t.passRate) : null };
}

/**
 * The SIM report's head, in its field order, before `shard` and `cases`: one shape whether a run or a
 * merge of shards made it, so a merged report reads like an unsharded one.
 */
export function simReportHead<D>(
  t: SimTotals,
  judged: { verdict: StageVerdict; reason: string },
  rest: { notRun: number; attempts: number; engineErrors: Record<string, number>; durationMs: number; datasets: D[]; rateLimited?: SimRateLimits | null },
) {
  return {
    verdict: judged.verdict,
    reason: judged.reason,
    total: t.total,
    passed: t.passed,
    failed: t.failed,
    errored: t.errored,
    flaky: t.flaky,
    warned: t.warned,
    notRun: rest.notRun,
    // No case judged (none selected, or the run cancelled before any finished): no pass rate, not 0.
    passRate: t.total > 0 ? round4(t.passRate) : null,
    attempts: rest.attempts,
    engineErrors: rest.engineErrors,
    // Only when a request met one: requests, retries, waitedMs, stillLimited, cases.
    ...(rest.rateLimited ? { rateLimited: rest.rateLimited } : {}),
    durationMs: rest.durationMs,
    datasets: rest.datasets,
  };
}

export function misroutedReason(statuses: number[]): string {
  return `every request was refused with HTTP ${statuses.join('/')}: the engine is up (its health check answered) but its case route is not what the run calls; check the engine URL's path, the scheme (a redirect is not followed) and the credentials in engine.headers (wiring, not a verdict on the engine)`;
}
