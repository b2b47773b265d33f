import { getAtPointer } from '../../util/json-pointer.js';
import { compiledAssertions, exactResponseOf, failureOf, type CompiledAssertion, type EvaluationContext } from './assertions.js';
import type { AssertionOutcome, SimCase } from './types.js';

export interface CheckResult {
  failures: AssertionOutcome[];
  warnings: AssertionOutcome[];
  actual?: string;
}

const ACTUAL_MAX = 500;

/** Checks an answer against a case's compiled assertions (no closure per case or per call: it runs on every answer). */
type Raw = string | (() => string | undefined);

export interface CaseChecks {
  /**
   * `raw`: the answer's text as the engine sent it, for numbers a double cannot hold (util/decimal.ts),
   * or a function that gives it: only called when an assertion compares numbers.
   */
  check(c: SimCase, body: unknown, latencyMs: number, answerPath: string, raw?: Raw): CheckResult;
}

/**
 * The check of every case, from its assertions compiled once at load time (compiled here for cases the
 * loader did not compile). Nothing is kept per case beyond the compiled assertions themselves (the
 * suite stays in memory for the whole run: no closure, context and map entry per case).
 */
export function compileCaseChecks(cases: readonly SimCase[]): CaseChecks {
  for (const c of cases) compiledAssertions(c);
  return { check: (c, body, latencyMs, answerPath, raw) => runChecks(compiledAssertions(c), body, latencyMs, answerPath, raw) };
}

function runChecks(
  list: readonly CompiledAssertion[],
  body: unknown,
  latencyMs: number,
  answerPath: string,
  raw?: Raw,
): CheckResult {
  let failures: AssertionOutcome[] = NONE;
  let warnings: AssertionOutcome[] = NONE;
  // The exact view of the answer (numbers a double cannot hold) is built only if an assertion that
  // compares numbers, or a failure's excerpt, asks for it (exactResponseOf).
  const ctx: EvaluationContext = { response: body, answerPath, latencyMs, raw };
  for (const a of list) {
    const r = failureOf(a, ctx);
    if (!r) continue;
    if (r.level === 'warn') (warnings === NONE ? (warnings = []) : warnings).push(r);
    else (failures === NONE ? (failures = []) : failures).push(r);
  }
  // The answer as the reviewer needs it beside the expectation: only for failing attempts.
  let actual: string | undefined;
  if (failures.length > 0) {
    // With the numbers as the engine wrote them: a double would show 12345678901234567891 as ...7000.
    const shown = exactResponseOf(ctx);
    const got = getAtPointer(shown, answerPath);
    const v = got.found ? got.value : shown;
    const text = typeof v === 'string' ? v : jsonTextOf(v);
    // Never cut an emoji (a surrogate pair) in half: a lone surrogate becomes U+FFFD in the reports.
    const hi = text.charCodeAt(ACTUAL_MAX - 1);
    actual = text.slice(0, hi >= 0xd800 && hi <= 0xdbff ? ACTUAL_MAX - 1 : ACTUAL_MAX);
  }
  return { failures, warnings, actual };
}

/** An answer's JSON text for the excerpt, or a placeholder for one nested too deeply to have one (the stack runs out). */
function jsonTextOf(v: unknown): string {
  try {
    return JSON.stringify(v) ?? '';
  } catch {
    return '(nested too deeply to show)';
  }
}

/**
 * The outcome list of an attempt without failures (or warnings): one shared, frozen array instead of
 * two new ones per attempt, each kept for the whole run in the attempt (100k cases: 200k arrays).
 */
const NONE: AssertionOutcome[] = Object.freeze([]) as unknown as AssertionOutcome[];
