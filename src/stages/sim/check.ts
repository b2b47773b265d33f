import { getAtPointer } from '../../util/json-pointer.js';
import { compiledAssertions, evaluate } from './assertions.js';
import type { AssertionOutcome, SimCase } from './types.js';

export type CompiledCheck = (
  body: unknown,
  latencyMs: number,
  answerPath: string,
) => { failures: AssertionOutcome[]; warnings: AssertionOutcome[]; actual?: string };

const ACTUAL_MAX = 500;

/** One check function per case, from its assertions compiled once at load time. */
export function compileCaseChecks(cases: readonly SimCase[]): Map<SimCase, CompiledCheck> {
  const out = new Map<SimCase, CompiledCheck>();
  for (const c of cases) {
    const list = compiledAssertions(c);
    out.set(c, (body, latencyMs, answerPath) => {
      const failures: AssertionOutcome[] = [];
      const warnings: AssertionOutcome[] = [];
      for (const a of list) {
        const r = evaluate(a, { response: body, answerPath, latencyMs });
        if (!r.pass) (r.level === 'warn' ? warnings : failures).push(r);
      }
      // The answer as the reviewer needs it beside the expectation: only for failing attempts.
      let actual: string | undefined;
      if (failures.length > 0) {
        const got = getAtPointer(body, answerPath);
        const v = got.found ? got.value : body;
        actual = (typeof v === 'string' ? v : JSON.stringify(v) ?? '').slice(0, ACTUAL_MAX);
      }
      return { failures, warnings, actual };
    });
  }
  return out;
}
