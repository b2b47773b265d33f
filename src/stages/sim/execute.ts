import type { EngineAdapter, EngineResult } from '../../engine/types.js';
import { callEngine } from '../../engine/call.js';
import type { RateLimitSettings } from '../../engine/rate-limit.js';
import { deriveSeed } from '../../util/seed.js';
import type { Attempt } from './score.js';
import type { AssertionOutcome, SimCase } from './types.js';

/** Checks one answer of one case: the failing assertions, split by level. */
export type CaseChecker = (
  c: SimCase,
  body: unknown,
  latencyMs: number,
  /**
   * The answer's text as the engine sent it (exact numbers), asked for only when an assertion needs it:
   * an in-process engine's text is made on demand, and making it here for every answer held each
   * answer's text and body together longer (100k cases: 460 MB peak became 780 MB).
   */
  rawOf?: () => string | undefined,
) => { failures: AssertionOutcome[]; warnings: AssertionOutcome[]; actual?: string };

export interface ExecuteOptions {
  runId: string;
  engine: EngineAdapter;
  check: CaseChecker;
  concurrency: number;
  /** Per-attempt budget; the engine adapter's own timeout may be shorter. */
  timeoutMs: number;
  /** Retries of rate-limited requests (engine.rateLimit); absent: none. */
  rateLimit?: RateLimitSettings;
  signal: AbortSignal;
  /** Null when the next attempt may start now, else a promise to wait on first (observers' backpressure). */
  ready?: () => Promise<void> | null;
  /** Called after each attempt, in completion order, with the engine's result as it came. */
  onAttempt?: (c: SimCase, a: Attempt, caseIndex: number, result: EngineResult) => void;
}

const YIELD_EVERY_MS = 20;

/** The seed of one attempt: run id + dataset + case id + repeat, so `--run-id` reproduces a run. */
export function attemptSeed(runId: string, c: SimCase, repeat: number): number {
  return deriveSeed(runId, c.dataset, c.id, repeat);
}

/**
 * Runs every case `repeat` times with at most `concurrency` attempts in flight. Attempts not started
 * when the signal aborts are not run: the result holds only attempts that happened, so a cancelled run
 * reports what it has. Returns attempts grouped per case index.
 */
export async function executeCases(cases: SimCase[], opts: ExecuteOptions): Promise<Attempt[][]> {
  // A case's list is made with its first attempt, at length 1: most cases run once, and an empty
  // array that is pushed to keeps room for 17 (100k cases: 15 MB held for the whole run).
  const results: (Attempt[] | undefined)[] = new Array(cases.length);
  // The next attempt to start: case index, repeat (case by case, repeats in order; no job list kept).
  let nextCase = 0;
  let nextRepeat = 0;
  const more = (): boolean => {
    while (nextCase < cases.length && nextRepeat >= cases[nextCase].repeat) {
      nextCase++;
      nextRepeat = 0;
    }
    return nextCase < cases.length;
  };
  let jobs = 0;
  for (const c of cases) jobs += c.repeat;

  // An in-process engine answers in microtasks only: without a turn of the event loop now and then,
  // timers (progress) and signals (cancellation) would wait for the whole suite.
  let lastTurn = performance.now();
  const worker = async (): Promise<void> => {
    while (more() && !opts.signal.aborted) {
      if (performance.now() - lastTurn > YIELD_EVERY_MS) {
        lastTurn = performance.now();
        await new Promise((r) => setImmediate(r));
        continue;
      }
      const wait = opts.ready?.();
      if (wait) {
        await wait;
        continue;
      }
      const ci = nextCase;
      const repeat = nextRepeat++;
      const c = cases[ci];
      const [a, res] = await attempt(c, repeat, opts);
      if (a.error?.kind === 'aborted' && opts.signal.aborted) return;
      const list = results[ci];
      if (list) list.push(a);
      else results[ci] = [a];
      opts.onAttempt?.(c, a, ci, res);
    }
  };
  const workers = Math.max(1, Math.min(opts.concurrency, jobs));
  await Promise.all(Array.from({ length: workers }, worker));
  const out: Attempt[][] = results as Attempt[][];
  for (let i = 0; i < out.length; i++) {
    const r = out[i];
    if (r === undefined) out[i] = [];
    else if (r.length > 1) r.sort((x, y) => x.repeat - y.repeat);
  }
  return out;
}

async function attempt(c: SimCase, repeat: number, opts: ExecuteOptions): Promise<[Attempt, EngineResult]> {
  const seed = attemptSeed(opts.runId, c, repeat);
  const res = await callEngine(opts.engine, { runId: opts.runId, caseId: c.id, seed, input: c.input }, opts.timeoutMs, opts.signal, opts.rateLimit);
  const limited = res.rateLimited ? { rateLimited: res.rateLimited } : {};
  if (!res.ok) {
    return [{ repeat, seed, passed: false, latencyMs: res.latencyMs, failures: [], warnings: [], error: res.error, actual: res.raw?.slice(0, 500), ...limited }, res];
  }
  let checked: ReturnType<CaseChecker>;
  try {
    checked = opts.check(c, res.body, res.latencyMs, () => res.raw);
  } catch (err) {
    // An assertion that throws on a strange answer is a failed assertion, never a crashed run.
    checked = { failures: [{ assertion: 'check', level: 'error', pass: false, message: `assertion crashed: ${(err as Error).message}` }], warnings: [] };
  }
  const a: Attempt = {
    repeat,
    seed,
    passed: checked.failures.length === 0,
    latencyMs: res.latencyMs,
    failures: checked.failures,
    warnings: checked.warnings,
    actual: checked.failures.length > 0 ? checked.actual : undefined,
    ...limited,
  };
  return [a, res];
}

