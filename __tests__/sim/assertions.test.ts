import { describe, expect, it } from 'vitest';
import {
  compileAssertion,
  compiledAssertions,
  evaluate,
  type EvaluationContext,
} from '../../src/stages/sim/assertions.js';
import { extractJsonValues } from '../../src/stages/sim/assertions/json.js';
import { parseCommaList } from '../../src/stages/sim/assertions/values.js';
import type { Assertion, SimCase } from '../../src/stages/sim/types.js';
import { InputError } from '../../src/util/errors.js';

/** A toron-2.5h-like response. */
const response = {
  final_answer: 'Water boils at 100 C at sea level.',
  confidence_score: 68,
  opus_used: true,
  tier_path: ['T1', 'T2', 'T3'],
  models_used: ['a', 'b'],
  state_snapshot: { CDG_STRUCTURE: { nodes: 3 }, note: null },
  json_answer: 'Here you go: {"city": "Paris", "pop": 2.1} and [1, 2].',
  raw_json: '{"ok": true, "n": 3}',
};

function run(a: Assertion, opts: Partial<EvaluationContext> = {}) {
  const c = compileAssertion(a, { file: 'sim/x.json', line: 3, caseId: 'c1' });
  return evaluate(c, { response, answerPath: '/final_answer', latencyMs: 120, ...opts });
}

/** [assertion, passes]: each row also checks that the not- variant gives the opposite verdict. */
const table: [string, Assertion, boolean][] = [
  ['equals string', { type: 'equals', value: 'Water boils at 100 C at sea level.' }, true],
  ['equals string mismatch', { type: 'equals', value: 'water boils at 100 C at sea level.' }, false],
  ['equals boolean at path', { type: 'equals', path: '/opus_used', value: true }, true],
  ['equals boolean mismatch', { type: 'equals', path: '/opus_used', value: false }, false],
  ['equals number', { type: 'equals', path: '/confidence_score', value: 68 }, true],
  ['equals number vs string value (string compare of JSON text)', { type: 'equals', path: '/confidence_score', value: '68' }, true],
  ['equals array deep', { type: 'equals', path: '/tier_path', value: ['T1', 'T2', 'T3'] }, true],
  ['equals array order matters', { type: 'equals', path: '/tier_path', value: ['T2', 'T1', 'T3'] }, false],
  ['equals object, key order free', { type: 'equals', path: '/state_snapshot', value: { note: null, CDG_STRUCTURE: { nodes: 3 } } }, true],
  ['equals object with extra key', { type: 'equals', path: '/state_snapshot', value: { CDG_STRUCTURE: { nodes: 3 } } }, false],
  ['equals object vs JSON string target', { type: 'equals', path: '/raw_json', value: { n: 3, ok: true } }, true],
  ['equals null', { type: 'equals', path: '/state_snapshot/note', value: null }, true],
  ['contains', { type: 'contains', value: 'boil' }, true],
  ['contains miss', { type: 'contains', value: 'freez' }, false],
  ['contains is case-sensitive', { type: 'contains', value: 'WATER' }, false],
  ['contains number value', { type: 'contains', value: 100 }, true],
  ['contains on a non-string target', { type: 'contains', path: '/tier_path', value: '"T2"' }, true],
  ['icontains', { type: 'icontains', value: 'WATER BOILS' }, true],
  ['icontains miss', { type: 'icontains', value: 'STEAM' }, false],
  ['contains-any array', { type: 'contains-any', value: ['steam', 'boils'] }, true],
  ['contains-any comma string', { type: 'contains-any', value: 'steam, ice' }, false],
  ['contains-any quoted comma', { type: 'contains-any', value: '"100 C at sea level.", nope' }, true],
  ['contains-all array', { type: 'contains-all', value: ['Water', 'sea level'] }, true],
  ['contains-all one missing', { type: 'contains-all', value: 'Water, ocean' }, false],
  ['starts-with', { type: 'starts-with', value: 'Water boils' }, true],
  ['starts-with miss', { type: 'starts-with', value: 'boils' }, false],
  ['regex', { type: 'regex', value: '\\b\\d{3} C\\b' }, true],
  ['regex miss', { type: 'regex', value: '^\\d' }, false],
  ['regex inline modifier', { type: 'regex', value: '(?i:WATER)' }, true],
  ['is-json', { type: 'is-json', path: '/raw_json' }, true],
  ['is-json on prose', { type: 'is-json' }, false],
  ['is-json with schema', { type: 'is-json', path: '/raw_json', value: { type: 'object', required: ['ok'] } }, true],
  ['is-json schema mismatch', { type: 'is-json', path: '/raw_json', value: { type: 'object', required: ['missing'] } }, false],
  ['contains-json', { type: 'contains-json', path: '/json_answer' }, true],
  ['contains-json none', { type: 'contains-json' }, false],
  ['contains-json with schema', { type: 'contains-json', path: '/json_answer', value: { type: 'object', required: ['pop'] } }, true],
  // Objects only, as promptfoo finds them: the "[1, 2]" in the prose is no JSON finding.
  ['contains-json: an array is no finding', { type: 'contains-json', path: '/json_answer', value: { type: 'array', items: { type: 'integer' } } }, false],
  ['contains-json schema matches none', { type: 'contains-json', path: '/json_answer', value: { type: 'object', required: ['country'] } }, false],
  ['levenshtein within default 5', { type: 'levenshtein', value: 'Water boils at 100C at sea-level' }, true],
  ['levenshtein beyond default 5', { type: 'levenshtein', value: 'Water freezes at 0 C at sea level.' }, false],
  ['levenshtein threshold 0 means identical', { type: 'levenshtein', value: 'Water boils at 100 C at sea level!', threshold: 0 }, false],
  ['levenshtein explicit threshold', { type: 'levenshtein', value: 'Water freezes at 0 C at sea level.', threshold: 20 }, true],
  ['latency under', { type: 'latency', threshold: 500 }, true],
  ['latency equal passes', { type: 'latency', threshold: 120 }, true],
  ['latency over', { type: 'latency', threshold: 100 }, false],
  ['json-schema', { type: 'json-schema', path: '/tier_path', value: { type: 'array', items: { enum: ['T1', 'T2', 'T3', 'T4'] } } }, true],
  ['json-schema mismatch', { type: 'json-schema', path: '/confidence_score', value: { type: 'number', maximum: 1 } }, false],
  ['json-schema on whole response', { type: 'json-schema', path: '', value: { type: 'object', required: ['final_answer', 'opus_used'] } }, true],
  ['range min/max', { type: 'range', path: '/confidence_score', min: 0, max: 100 }, true],
  ['range inclusive bound', { type: 'range', path: '/confidence_score', min: 68, max: 68 }, true],
  ['range outside', { type: 'range', path: '/confidence_score', min: 0, max: 1 }, false],
  ['range value array', { type: 'range', path: '/confidence_score', value: [50, 70] }, true],
  ['range only min', { type: 'range', path: '/confidence_score', value: [70, null] }, false],
];

describe('every assertion type: pass, fail, and the not- variant', () => {
  it.each(table)('%s', (_name, a, passes) => {
    const r = run(a);
    expect(r.pass, r.message).toBe(passes);
    expect(r.assertion).toBe(a.type);
    expect(r.level).toBe('error');
    const n = run({ ...a, type: `not-${a.type}` });
    expect(n.pass, n.message).toBe(!passes);
    expect(n.assertion).toBe(`not-${a.type}`);
  });

  it('covers all 13 base types', () => {
    expect(new Set(table.map(([, a]) => a.type)).size).toBe(13);
  });
});

describe('messages', () => {
  it('says expected vs actual for a failing contains', () => {
    expect(run({ type: 'contains', value: 'freez' }).message).toBe(
      'expected /final_answer to contain "freez"; got "Water boils at 100 C at sea level."',
    );
  });

  it('says "not" for a failing not- variant', () => {
    expect(run({ type: 'not-contains', value: 'boil' }).message).toBe(
      'expected /final_answer not to contain "boil"; got "Water boils at 100 C at sea level."',
    );
  });

  it('names stringified targets', () => {
    const r = run({ type: 'contains', path: '/confidence_score', value: '99' });
    expect(r.message).toBe('expected /confidence_score (a number, compared as its JSON text) to contain "99"; got 68');
  });

  it('contains-all lists what is missing', () => {
    expect(run({ type: 'contains-all', value: ['Water', 'ocean', 'lake'] }).message).toContain('missing ["ocean", "lake"]');
  });

  it('levenshtein reports the distance, latency the time', () => {
    expect(run({ type: 'levenshtein', value: 'Water', threshold: 2 }).message).toMatch(/distance 29\)$/);
    expect(run({ type: 'latency', threshold: 100 }).message).toBe('expected latency to be <= 100 ms; got 120 ms');
  });

  it('json-schema and is-json explain the schema failure', () => {
    expect(run({ type: 'json-schema', path: '/confidence_score', value: { type: 'number', maximum: 1 } }).message).toBe(
      'expected /confidence_score to match the JSON schema; got 68 (schema: value must be <= 1)',
    );
    expect(run({ type: 'is-json' }).message).toMatch(/^expected \/final_answer to be JSON; got "Water.*\(not JSON: /);
  });

  it('truncates long values to about 200 characters', () => {
    const long = 'x'.repeat(5000);
    const r = evaluate(compileAssertion({ type: 'contains', value: 'y' }), { response: { a: long }, answerPath: '/a', latencyMs: 1 });
    expect(r.pass).toBe(false);
    expect(r.message.length).toBeLessThan(300);
    expect(r.message).toContain('… (5002 chars)');
  });

  it('passing outcomes carry a message too', () => {
    expect(run({ type: 'contains', value: 'boil' }).message).toBe('ok: /final_answer to contain "boil"');
  });
});

describe('targets, paths and levels', () => {
  it('a missing path fails, under not- as well, naming the pointer', () => {
    for (const type of ['contains', 'not-contains', 'equals', 'not-json-schema']) {
      const r = run({ type, path: '/state_snapshot/T2_AUDIT', value: type.includes('schema') ? {} : 'x' });
      expect(r.pass).toBe(false);
      expect(r.message).toBe('/state_snapshot/T2_AUDIT is missing from the response (/state_snapshot has no member "T2_AUDIT")');
    }
  });

  it('a missing answer field fails naming the default pointer', () => {
    const r = run({ type: 'contains', value: 'x' }, { answerPath: '/consensus/output' });
    expect(r).toMatchObject({ pass: false, message: '/consensus/output is missing from the response (the response has no member "consensus")' });
  });

  it('range on a non-number fails under not- as well', () => {
    expect(run({ type: 'range', min: 0, max: 1 }).pass).toBe(false);
    const n = run({ type: 'not-range', min: 0, max: 1 });
    expect(n.pass).toBe(false);
    expect(n.message).toContain('not a number');
  });

  it('the answer path is the default target and path overrides it', () => {
    expect(run({ type: 'contains', value: 'Paris' }, { answerPath: '/json_answer' }).pass).toBe(true);
    expect(run({ type: 'contains', value: 'Paris', path: '/final_answer' }, { answerPath: '/json_answer' }).pass).toBe(false);
  });

  it('level warn is carried to the outcome', () => {
    expect(run({ type: 'contains', value: 'nope', level: 'warn' })).toMatchObject({ pass: false, level: 'warn' });
  });

  it('a bad answer path from the caller fails instead of throwing', () => {
    expect(run({ type: 'contains', value: 'x' }, { answerPath: 'final_answer' }).pass).toBe(false);
  });

  it('a catastrophically backtracking regex answers in linear time (same answer), not in hours', () => {
    const c = compileAssertion({ type: 'regex', value: '^(a+)+$' });
    const t0 = performance.now();
    // 2^40 steps on the backtracking engine: this test would not end without the fallback.
    expect(evaluate(c, { response: { t: `${'a'.repeat(40)}!` }, answerPath: '/t', latencyMs: 0 }).pass).toBe(false);
    expect(evaluate(c, { response: { t: 'a'.repeat(40) }, answerPath: '/t', latencyMs: 0 }).pass).toBe(true);
    expect(performance.now() - t0).toBeLessThan(5000);
  });

  it('patterns the linear engine cannot run (inline modifiers, counted repeats, lookarounds) are stopped when they run away', () => {
    const evil = `${'a'.repeat(40)}!`;
    for (const value of ['(?i:^(A+)+$)', '^(a{1,30})+$', '^(?=a)(a+)+$']) {
      for (const type of ['regex', 'not-regex']) {
        const c = compileAssertion({ type, value } as Assertion);
        const t0 = performance.now();
        const r = evaluate(c, { response: { t: evil }, answerPath: '/t', latencyMs: 0 });
        // Neither polarity passes: the check could not be made.
        expect(r.pass, `${type} ${value}`).toBe(false);
        expect(r.message).toMatch(/the regex ran over 2000 ms on this answer and was stopped \(catastrophic backtracking\)/);
        expect(performance.now() - t0).toBeLessThan(10_000);
      }
      // The same patterns still answer normally where they do not run away.
      expect(evaluate(compileAssertion({ type: 'regex', value }), { response: { t: 'aaaa' }, answerPath: '/t', latencyMs: 0 }).pass, value).toBe(true);
    }
    expect(evaluate(compileAssertion({ type: 'regex', value: '(a)\\1' }), { response: { t: 'xaay' }, answerPath: '/t', latencyMs: 0 }).pass).toBe(true);
  });

  it('compiled assertions are reusable across responses', () => {
    const c = compileAssertion({ type: 'regex', value: 'a+' });
    expect(evaluate(c, { response: { t: 'aaa' }, answerPath: '/t', latencyMs: 0 }).pass).toBe(true);
    expect(evaluate(c, { response: { t: 'bbb' }, answerPath: '/t', latencyMs: 0 }).pass).toBe(false);
    expect(evaluate(c, { response: { t: 'aaa' }, answerPath: '/t', latencyMs: 0 }).pass).toBe(true);
  });
});

describe('load-time validation', () => {
  const where = { file: 'sim/d.json', line: 12, caseId: 'k', pointer: '/cases/0/assert/1' };
  const bad = (a: unknown) => {
    try {
      compileAssertion(a as Assertion, where);
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      return (err as Error).message;
    }
    throw new Error('expected an InputError');
  };

  it('unknown type lists the known ones and suggests the nearest', () => {
    const m = bad({ type: 'not-contain', value: 'x' });
    expect(m).toMatch(/^sim\/d\.json:12 at \/cases\/0\/assert\/1\/type case "k": unknown assertion type "not-contain" \(did you mean "not-contains"\?\); known types: equals, contains, icontains, contains-any, contains-all, starts-with, regex, is-json, contains-json, levenshtein, latency, json-schema, range \(each also as not-<type>\)$/);
  });

  it('uses lineOf for the offending field when given', () => {
    expect(bad(undefined)).toContain('an assertion must be an object');
    const err = (() => {
      try {
        compileAssertion({ type: 'regex', value: '[' }, { ...where, lineOf: (p) => (p.endsWith('/value') ? 40 : 1) });
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err?.line).toBe(40);
    expect(err?.pointer).toBe('/cases/0/assert/1/value');
    expect(err?.caseId).toBe('k');
  });

  it.each([
    [{ type: 'regex', value: '(abc' }, /invalid regex "\(abc": .*Unterminated group/],
    [{ type: 'regex' }, /"regex" needs a non-empty string "value"/],
    [{ type: 'json-schema', value: { type: 'numbr' } }, /invalid JSON Schema: schema\/type must be equal to one of the allowed values/],
    [{ type: 'json-schema', value: { requird: ['a'] } }, /invalid JSON Schema: strict mode: unknown keyword: "requird"/],
    [{ type: 'json-schema' }, /"json-schema" needs a JSON Schema in "value"/],
    [{ type: 'is-json', value: 'not a schema' }, /a JSON Schema must be an object or a boolean/],
    [{ type: 'contains', value: '' }, /needs a non-empty string/],
    [{ type: 'contains', value: ['a', 'b'] }, /for a list use contains-any or contains-all/],
    [{ type: 'contains-any', value: [] }, /needs at least one item/],
    [{ type: 'contains-all', value: '"unterminated' }, /unterminated quoted field/],
    [{ type: 'contains-any', value: [{}] }, /list items must be non-empty strings or numbers/],
    [{ type: 'latency' }, /"latency" needs "threshold"/],
    [{ type: 'latency', threshold: 10, path: '/x' }, /"path" is not used by "latency"/],
    [{ type: 'contains', value: 'x', threshold: 3 }, /"threshold" is not used by "contains"/],
    [{ type: 'levenshtein', value: 'x', threshold: -1 }, /threshold must be a number >= 0/],
    [{ type: 'range', path: '/x' }, /"range" needs "min", "max" or "value"/],
    [{ type: 'range', min: 5, max: 1 }, /min 5 is above max 1/],
    [{ type: 'range', value: [1, 2], min: 0 }, /either "value": \[min, max\] or "min"\/"max"/],
    [{ type: 'range', value: [1] }, /value must be \[min, max\]/],
    [{ type: 'equals' }, /"equals" needs a "value"/],
    // A negated type is named as written, not by its base.
    [{ type: 'not-contains', value: null }, /"not-contains" needs a non-empty string "value"/],
    [{ type: 'not-equals' }, /"not-equals" needs a "value"/],
    [{ type: 'not-range', path: '/x' }, /"not-range" needs "min", "max" or "value"/],
    [{ type: 'contains', value: 'x', level: 'fatal' }, /"level" must be "error" or "warn"/],
    [{ type: 'contains', value: 'x', path: 'final_answer' }, /"path" must be a JSON Pointer/],
    [{ value: 'x' }, /needs a string "type"/],
  ])('%j', (a, re) => {
    const m = bad(a);
    expect(m).toMatch(/^sim\/d\.json:12 at \/cases\/0\/assert\/1(\/\w+)? case "k": /);
    expect(m).toMatch(re);
  });

  it('compiledAssertions compiles a case built elsewhere, once', () => {
    const c: SimCase = {
      id: 'x',
      dataset: 'd',
      input: { prompt: 'p' },
      assert: [{ type: 'contains', value: 'a' }],
      tags: [],
      repeat: 1,
      ignorePaths: [],
      location: { file: 'sim/d.json', line: 4 },
    };
    const first = compiledAssertions(c);
    expect(first).toHaveLength(1);
    expect(compiledAssertions(c)).toBe(first);
  });
});

describe('helpers', () => {
  it('parseCommaList follows promptfoo list syntax', () => {
    expect(parseCommaList('a, b ,c')).toEqual(['a', 'b', 'c']);
    expect(parseCommaList('"x, y", z,,')).toEqual(['x, y', 'z']);
    expect(parseCommaList('"say ""hi""", "a \\"q\\""')).toEqual(['say "hi"', 'a "q"']);
    expect(() => parseCommaList('"a" b')).toThrow(/expected a comma/);
  });

  it('extractJsonValues finds the objects in prose (inside arrays too), strings with brackets included; arrays, numbers and citations are no JSON', () => {
    expect(extractJsonValues('x {"a": "}{"} y [1, {"b": 2}] z {broken')).toEqual([{ a: '}{' }, { b: 2 }]);
    expect(extractJsonValues('[{"name": "x"}, {"name": "y"}]')).toEqual([{ name: 'x' }, { name: 'y' }]);
    expect(extractJsonValues('{"whole": [1]}')).toEqual([{ whole: [1] }]);
    expect(extractJsonValues('42')).toEqual([]);
    expect(extractJsonValues('true')).toEqual([]);
    expect(extractJsonValues('Water boils at 100 C [1], see [2].')).toEqual([]);
    expect(extractJsonValues('no json here')).toEqual([]);
  });
});
