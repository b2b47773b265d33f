import { describe, expect, it } from 'vitest';
import { compileAssertion, evaluate } from '../../src/stages/sim/assertions.js';
import { extractJsonValues } from '../../src/stages/sim/assertions/json.js';
import type { Assertion } from '../../src/stages/sim/types.js';

/** Assertions on answers of 100 KB - 1 MB: each must finish (a test timeout bounds it), with the right verdict. */
function run(a: Assertion, answer: unknown) {
  const c = compileAssertion(a, { file: 'sim/x.json', line: 3, caseId: 'c1' });
  return evaluate(c, { response: { final_answer: answer }, answerPath: '/final_answer', latencyMs: 1 });
}

describe('contains-json on large answers', () => {
  it('a truncated JSON answer of 1 MB (every bracket unclosed) is scanned once, not once per bracket', { timeout: 20_000 }, () => {
    const truncated = `Result: ${'{"a":['.repeat(170_000)}`;
    expect(truncated.length).toBeGreaterThan(1_000_000);
    const r = run({ type: 'contains-json' }, truncated);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/no JSON found/);
    // A complete object after the unclosed ones is still found.
    expect(run({ type: 'contains-json', value: { required: ['ok'] } }, `${truncated} then {"ok": 1}`).pass).toBe(true);
  });

  it('an answer whose candidates all fail late stops at a budget and fails, under not- too', { timeout: 20_000 }, () => {
    const k = 40_000;
    const deep = `${'['.repeat(k)}1,${']'.repeat(k)}`;
    const r = run({ type: 'contains-json' }, deep);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/stopped looking for JSON/);
    expect(run({ type: 'not-contains-json' }, deep).pass).toBe(false);
  });

  it('finds the same values as before in ordinary prose', () => {
    expect(extractJsonValues('a {"x": "{"} b {"y": [1, {"z": 2}]} c [3] {bad} {"w": "\\"}"}')).toEqual([
      { x: '{' },
      { y: [1, { z: 2 }] },
      [3],
      { w: '"}' },
    ]);
    expect(extractJsonValues('```json\n{"a": 1}\n```\nand\n```json\n[2]\n```')).toEqual([{ a: 1 }, [2]]);
    expect(extractJsonValues('{"a": 1, {"b": 2}')).toEqual([{ b: 2 }]);
  });
});
