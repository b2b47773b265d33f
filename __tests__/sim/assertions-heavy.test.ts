import { describe, expect, it } from 'vitest';
import { compileAssertion, evaluate } from '../../src/stages/sim/assertions.js';
import { extractJsonValues } from '../../src/stages/sim/assertions/json.js';
import { compileCaseChecks } from '../../src/stages/sim/check.js';
import type { Assertion, SimCase } from '../../src/stages/sim/types.js';

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
    expect(r.message).toMatch(/no JSON object found/);
    // A complete object after the unclosed ones is still found.
    expect(run({ type: 'contains-json', value: { required: ['ok'] } }, `${truncated} then {"ok": 1}`).pass).toBe(true);
  });

  it('an answer whose candidates all fail late stops at a budget and fails, under not- too', { timeout: 20_000 }, () => {
    const k = 40_000;
    const deep = `${'{"a":'.repeat(k)}1,${'}'.repeat(k)}`;
    const r = run({ type: 'contains-json' }, deep);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/stopped looking for JSON/);
    expect(run({ type: 'not-contains-json' }, deep).pass).toBe(false);
  });

  it('finds the same values as before in ordinary prose', () => {
    expect(extractJsonValues('a {"x": "{"} b {"y": [1, {"z": 2}]} c [3] {bad} {"w": "\\"}"}')).toEqual([
      { x: '{' },
      { y: [1, { z: 2 }] },
      { w: '"}' },
    ]);
    // Objects only, as promptfoo's contains-json: a bare array is no finding (citations look like one).
    expect(extractJsonValues('```json\n{"a": 1}\n```\nand\n```json\n[2]\n```')).toEqual([{ a: 1 }]);
    expect(extractJsonValues('{"a": 1, {"b": 2}')).toEqual([{ b: 2 }]);
  });
});

describe('levenshtein on large answers', () => {
  const long = 'The consensus of the models is that water boils at 100 C at sea level. '.repeat(15_000);

  it('a 1 MB answer within the threshold of a 1 MB value passes in O(threshold x length), not O(n x m)', { timeout: 20_000 }, () => {
    expect(long.length).toBeGreaterThan(1_000_000);
    const edited = `${long.slice(0, 300_000)}X${long.slice(300_001, 700_000)}Y${long.slice(700_000)}`;
    const r = run({ type: 'levenshtein', value: long, threshold: 2 }, edited);
    expect(r.pass, r.message).toBe(true);
    expect(r.message).toMatch(/distance 2\)$/);
    const over = run({ type: 'levenshtein', value: long, threshold: 1 }, edited);
    expect(over.pass).toBe(false);
    expect(over.message).toMatch(/distance above 1, lengths 1065001 and 1065000\)$/);
    expect(run({ type: 'not-levenshtein', value: long, threshold: 1 }, edited).pass).toBe(true);
  });

  it('a 1 MB answer against a short value fails at once, by the lengths', { timeout: 20_000 }, () => {
    const r = run({ type: 'levenshtein', value: 'Water boils at 100 C.' }, long);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/\(distance 1064980\)$/);
  });

  it('thresholds at the boundary: the distance equal to the threshold passes, one more fails; fractions floor', () => {
    expect(run({ type: 'levenshtein', value: 'kitten', threshold: 3 }, 'sitting').pass).toBe(true);
    expect(run({ type: 'levenshtein', value: 'kitten', threshold: 2 }, 'sitting').message).toMatch(/distance 3\)$/);
    expect(run({ type: 'levenshtein', value: 'kitten', threshold: 2.9 }, 'sitting').pass).toBe(false);
    expect(run({ type: 'levenshtein', value: 'abc', threshold: 0 }, 'abc').pass).toBe(true);
    expect(run({ type: 'levenshtein', value: '', threshold: 3 }, 'abc').pass).toBe(true);
  });
});

describe('JSON Schema patterns that backtrack catastrophically', () => {
  const evil = `${'a'.repeat(40)}!`;

  it('a plain pattern answers at once (linear fallback), with the right verdict, under not- too', { timeout: 20_000 }, () => {
    const schema = { type: 'string', pattern: '^(a+)+$' };
    const r = run({ type: 'json-schema', value: schema }, evil);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/must match pattern "\^\(a\+\)\+\$"/);
    expect(run({ type: 'not-json-schema', value: schema }, evil).pass).toBe(true);
    expect(run({ type: 'json-schema', value: schema }, 'aaaa').pass).toBe(true);
    // patternProperties and contains-json's schema go through the same engine.
    expect(run({ type: 'json-schema', value: { patternProperties: { '^(b+)+$': { type: 'number' } } } }, { [`${'b'.repeat(40)}!`]: 'x' }).pass).toBe(true);
    expect(run({ type: 'contains-json', value: { properties: { k: { pattern: '^(a+)+$' } } } }, `x {"k": "${evil}"} y`).pass).toBe(false);
  });

  it('a pattern the linear engine cannot run (\\p{L}, or a value with an emoji) is stopped by the watchdog and fails saying so', { timeout: 30_000 }, () => {
    const r = run({ type: 'json-schema', value: { type: 'string', pattern: '^(\\p{L}+)+$' } }, `${'a'.repeat(40)}1`);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/ran over 2000 ms on a value and was stopped \(catastrophic backtracking\)/);
    const e = run({ type: 'not-json-schema', value: { type: 'string', pattern: '^(a+)+$' } }, `${evil}😀`);
    expect(e.pass).toBe(false);
    expect(e.message).toMatch(/was stopped/);
  });

  it('u-mode semantics are kept: \\p{L}, and . over an emoji', () => {
    expect(run({ type: 'json-schema', value: { pattern: '^\\p{L}+$' } }, 'été').pass).toBe(true);
    expect(run({ type: 'json-schema', value: { pattern: '^.$' } }, '😀').pass).toBe(true);
    expect(run({ type: 'json-schema', value: { pattern: '^a.c$' } }, 'a😀c').pass).toBe(true);
    // Two patterns in one schema stay two patterns.
    const two = { properties: { x: { pattern: '^x+$' }, y: { pattern: '^y+$' } } };
    expect(run({ type: 'json-schema', value: two }, { x: 'xx', y: 'yy' }).pass).toBe(true);
    expect(run({ type: 'json-schema', value: two }, { x: 'xx', y: 'xx' }).pass).toBe(false);
  });
});

describe('long answers in messages', () => {
  it('a long answer shortened in a message never ends in half an emoji', () => {
    for (let pad = 0; pad < 3; pad++) {
      const r = run({ type: 'contains', value: 'zzz' }, `${'a'.repeat(pad)}${'😀'.repeat(200)}`);
      expect(r.pass).toBe(false);
      expect(/\p{Cs}/u.test(r.message), r.message).toBe(false);
      expect(r.message).toMatch(/… \(\d+ chars\)$/);
    }
  });
});

describe('the answer excerpt of a failing attempt', () => {
  it('is cut to 500 characters, never in the middle of an emoji', () => {
    const c: SimCase = {
      id: 'c1',
      dataset: 'd',
      input: { prompt: 'p' },
      assert: [{ type: 'contains', value: 'zzz' }],
      tags: [],
      repeat: 1,
      ignorePaths: [],
      location: { file: 'sim/x.json', line: 3 },
    };
    const checks = compileCaseChecks([c]);
    for (let pad = 0; pad < 2; pad++) {
      const r = checks.check(c, { final_answer: `${'a'.repeat(pad)}${'😀'.repeat(400)}` }, 1, '/final_answer');
      expect(r.failures).toHaveLength(1);
      expect(r.actual!.length).toBeGreaterThanOrEqual(499);
      expect(/\p{Cs}/u.test(r.actual!), `pad ${pad}`).toBe(false);
    }
  });
});

describe('an answer nested too deeply to have JSON text (a runaway recursive trace)', () => {
  it('each assertion gets its own verdict and message; none crashes the check of the case', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'['.repeat(depth)}${']'.repeat(depth)}`);
    const c: SimCase = {
      id: 'c1',
      dataset: 'd',
      input: { prompt: 'p' },
      assert: [
        { type: 'contains', value: 'x' },
        { type: 'not-contains', value: 'x' },
        { type: 'equals', value: [[1]] },
        { type: 'not-equals', value: [[1]] },
        { type: 'json-schema', value: { type: 'array' } },
        { type: 'equals', path: '/note', value: 'ok' },
      ],
      tags: [],
      repeat: 1,
      ignorePaths: [],
      location: { file: 'sim/x.json', line: 3 },
    };
    const r = compileCaseChecks([c]).check(c, { final_answer: deep, note: 'ok' }, 1, '/final_answer');
    expect(r.failures.map((f) => [f.assertion, f.message])).toEqual([
      ['contains', expect.stringMatching(/^\/final_answer \(an array\) has no JSON text to check: /)],
      ['not-contains', expect.stringMatching(/^\/final_answer \(an array\) has no JSON text to check: /)],
      ['equals', 'expected /final_answer to equal [[1]]; got (an array nested too deeply to show)'],
    ]);
    expect(r.actual).toBe('(nested too deeply to show)');
  });
});

describe('levenshtein too costly to decide', () => {
  it('two long texts far apart with a large threshold fail at once saying so (under not- too), instead of running for a minute', { timeout: 20_000 }, () => {
    const a = Array.from({ length: 400_000 }, (_, i) => String.fromCharCode(97 + ((i * 7919) % 26))).join('');
    const b = Array.from({ length: 400_000 }, (_, i) => String.fromCharCode(97 + ((i * 104729 + 3) % 23))).join('');
    const r = run({ type: 'levenshtein', value: a, threshold: 100_000 }, b);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/\(400000 and 400000 characters, threshold 100000: too long to compare within a check's time; compare a shorter field or lower the threshold\)$/);
    expect(run({ type: 'not-levenshtein', value: a, threshold: 100_000 }, b).pass).toBe(false);
  });
});

describe('json-schema failures on large answers', () => {
  it('list the first five errors and count the rest, instead of megabytes of them', () => {
    const r = run({ type: 'json-schema', value: { type: 'array', items: { type: 'integer' } } }, Array.from({ length: 200_000 }, () => 'x'));
    expect(r.pass).toBe(false);
    expect(r.message.length).toBeLessThan(1000);
    expect(r.message).toMatch(/\(schema: value\/0 must be integer, value\/1 must be integer, value\/2 must be integer, value\/3 must be integer, value\/4 must be integer \(and 199995 more\)\)$/);
    expect(run({ type: 'json-schema', value: { required: ['a', 'b'] } }, {}).message).toMatch(
      /\(schema: value must have required property 'a', value must have required property 'b'\)$/,
    );
  });
});
