import { describe, expect, it } from 'vitest';
import { compileAssertion, evaluate } from '../../src/stages/sim/assertions.js';
import type { Assertion } from '../../src/stages/sim/types.js';

function run(a: Assertion, answer: unknown) {
  const c = compileAssertion(a, { file: 'sim/x.json', line: 3, caseId: 'c1' });
  return evaluate(c, { response: { final_answer: answer }, answerPath: '/final_answer', latencyMs: 1 });
}

/** The same visible text in two code point sequences: NFC (é as U+00E9) in the dataset, NFD (e + U+0301) in the answer. */
const NFD = (s: string) => s.normalize('NFD');

describe('text assertions compare canonically equivalent text as equal (NFC)', () => {
  const rows: [string, Assertion, string][] = [
    ['contains', { type: 'contains', value: 'café' }, NFD('un café noir')],
    ['icontains', { type: 'icontains', value: 'CAFÉ' }, NFD('un café noir')],
    ['equals', { type: 'equals', value: 'café' }, NFD('café')],
    ['starts-with', { type: 'starts-with', value: 'Été' }, NFD('Été chaud')],
    ['contains-any', { type: 'contains-any', value: ['thé', 'café'] }, NFD('un café')],
    ['contains-all', { type: 'contains-all', value: ['thé', 'café'] }, NFD('thé, café')],
    ['levenshtein 0', { type: 'levenshtein', value: 'Ça a été', threshold: 0 }, NFD('Ça a été')],
    ['regex', { type: 'regex', value: '^café$' }, NFD('café')],
    ['regex (a pattern the linear engine cannot take)', { type: 'regex', value: '^(caf)é\\1?$' }, NFD('café')],
  ];
  it.each(rows)('%s: passes, and its not- form fails', (_n, a, answer) => {
    const r = run(a, answer);
    expect(r.pass, r.message).toBe(true);
    expect(run({ ...a, type: `not-${a.type}` }, answer).pass).toBe(false);
  });

  it('an NFD needle in the dataset matches an NFC answer too; different letters still differ', () => {
    expect(run({ type: 'contains', value: NFD('café') }, 'un café').pass).toBe(true);
    expect(run({ type: 'contains', value: 'café' }, 'un cafe').pass).toBe(false);
    expect(run({ type: 'equals', value: 'cafe' }, NFD('café')).pass).toBe(false);
  });
});

describe('icontains folds case as Unicode does', () => {
  const rows: [string, string, boolean][] = [
    ['straße', 'STRASSE', true],
    ['STRASSE', 'die Straße', true],
    ['istanbul', 'İSTANBUL', true],
    ['İstanbul', 'to istanbul', true],
    ['ΟΔΟΣ', 'οδοστρωμα', true],
    ['οδοσ', 'ΟΔΟΣ', true],
    ['ΣΟΦΙΑ', 'η σοφια', true],
    ['WATER', 'water', true],
    ['straße', 'strase', false],
    ['ΟΔΟΣ', 'οδο', false],
    ['ſtraße', 'STRASSE', true],
    ['ﬁle', 'FILE', true],
    ['sign', 'sıgn', false],
    ['SIGN', 'sıgn', false],
    ['sıgn', 'SıGN', true],
    // Capital sharp s (U+1E9E) folds to "ss" as ß does.
    ['straße', 'HAUPTSTRAẞE 5', true],
    ['STRAẞE', 'die Hauptstraße', true],
    ['STRAẞE', 'HAUPTSTRASSE', true],
  ];
  it.each(rows)('icontains %j on %j: %s', (needle, answer, holds) => {
    const r = run({ type: 'icontains', value: needle }, answer);
    expect(r.pass, r.message).toBe(holds);
    expect(run({ type: 'not-icontains', value: needle }, answer).pass).toBe(!holds);
  });
});

describe('regex with Unicode escapes', () => {
  it('\\p{...}, \\P{...} and \\u{...} mean what they say (the u flag), not the letters "p{L}"', () => {
    expect(run({ type: 'regex', value: '^\\p{Lu}' }, 'Été').pass).toBe(true);
    expect(run({ type: 'regex', value: '^\\p{Lu}' }, 'été').pass).toBe(false);
    expect(run({ type: 'not-regex', value: '^\\p{Lu}' }, 'été').pass).toBe(true);
    expect(run({ type: 'regex', value: '^\\p{L}+$' }, 'Straße').pass).toBe(true);
    expect(run({ type: 'regex', value: '\\P{ASCII}' }, 'abc').pass).toBe(false);
    expect(run({ type: 'regex', value: '\\u{1F600}' }, 'hi 😀').pass).toBe(true);
    // An escaped backslash before p is the letter p, as before.
    expect(run({ type: 'regex', value: '\\\\p{x}' }, 'a \\p{x}').pass).toBe(true);
  });

  it('a u-mode pattern that backtracks catastrophically is stopped and fails saying so', { timeout: 20_000 }, () => {
    const r = run({ type: 'regex', value: '^(\\p{L}+)+$' }, `${'a'.repeat(40)}1`);
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/was stopped \(catastrophic backtracking\)/);
  });

  it('load-time errors explain (?i) and u-mode escapes', () => {
    expect(() => compileAssertion({ type: 'regex', value: '(?i)water' }, { file: 'sim/x.json', line: 7, caseId: 'c1' })).toThrow(
      /sim\/x\.json:7 case "c1": invalid regex "\(\?i\)water": .*wrap it as \(\?i:\.\.\.\)/,
    );
    expect(() => compileAssertion({ type: 'regex', value: '\\p{L}\\-x' }, { file: 'sim/x.json', line: 7, caseId: 'c1' })).toThrow(/with the u flag/);
  });
});

describe('a path that finds nothing says where it stops', () => {
  const at = (a: Assertion, response: unknown) => {
    const c = compileAssertion(a, { file: 'sim/x.json', line: 3, caseId: 'c1' });
    return evaluate(c, { response, answerPath: '/final_answer', latencyMs: 1 });
  };
  it('JSON held as text in the answer field, an answer that is an array or a string at the top, an index past the end', () => {
    expect(at({ type: 'equals', path: '/final_answer/city', value: 'Paris' }, { final_answer: '{"city": "Paris"}' }).message).toBe(
      '/final_answer/city is missing from the response (/final_answer is a string, not an object or array; for JSON inside text use is-json or contains-json)',
    );
    expect(at({ type: 'contains', value: 'a' }, ['a', 'b']).message).toBe(
      '/final_answer is missing from the response (the response is an array, indexed by numbers)',
    );
    expect(at({ type: 'not-contains', path: '/0', value: 'a' }, 'plain text').message).toBe(
      '/0 is missing from the response (the response is a string, not an object or array)',
    );
    expect(at({ type: 'equals', path: '/models/3', value: 'x' }, { models: ['a', 'b'] }).message).toBe(
      '/models/3 is missing from the response (/models is an array of 2)',
    );
    expect(at({ type: 'equals', path: '/a~1b/c', value: 1 }, { 'a/b': null }).message).toBe(
      '/a~1b/c is missing from the response (/a~1b is null, not an object or array)',
    );
    expect(at({ type: 'equals', path: '/1', value: 'b' }, ['a', 'b']).pass).toBe(true);
  });
});

describe('messages on odd answers', () => {
  it('json-schema on an answer field holding JSON as text points at is-json', () => {
    const r = run({ type: 'json-schema', value: { type: 'object', required: ['city'] } }, '{"city": "Paris"}');
    expect(r.pass).toBe(false);
    expect(r.message).toMatch(/schema: value must be object; it is a string: for the JSON inside it use is-json with this schema\)$/);
    expect(run({ type: 'is-json', value: { type: 'object', required: ['city'] } }, '{"city": "Paris"}').pass).toBe(true);
  });

});

describe('json-schema numbers', () => {
  it('multipleOf with a decimal divisor accepts what is a multiple in decimal (0.07 of 0.01), rejects what is not', () => {
    for (const [v, d] of [[0.07, 0.01], [19.99, 0.01], [0.3, 0.1], [4.35, 0.05], [123456.78, 0.01], [6, 3]] as const) {
      const r = run({ type: 'json-schema', value: { multipleOf: d } }, v);
      expect(r.pass, `${v} multipleOf ${d}: ${r.message}`).toBe(true);
    }
    for (const [v, d] of [[0.075, 0.01], [7, 3], [0.35, 0.1]] as const) {
      expect(run({ type: 'json-schema', value: { multipleOf: d } }, v).pass, `${v} multipleOf ${d}`).toBe(false);
    }
  });
});

describe('json-schema drafts and $id', () => {
  const load = (value: unknown) => compileAssertion({ type: 'json-schema', value }, { file: 'sim/x.json', line: 9, caseId: 'c1' });

  it('"$schema" 2020-12 and 2019-09 load with their keywords; draft-07 stays the default', () => {
    const s2020 = { $schema: 'https://json-schema.org/draft/2020-12/schema', prefixItems: [{ type: 'string' }, { type: 'integer' }], items: false };
    expect(run({ type: 'json-schema', value: s2020 }, ['T1', 3]).pass).toBe(true);
    expect(run({ type: 'json-schema', value: s2020 }, ['T1', 'T2']).pass).toBe(false);
    const s2019 = { $schema: 'https://json-schema.org/draft/2019-09/schema', dependentRequired: { opus_used: ['judicial'] } };
    expect(run({ type: 'json-schema', value: s2019 }, { opus_used: true }).pass).toBe(false);
    expect(run({ type: 'json-schema', value: { $schema: 'http://json-schema.org/draft-07/schema#', type: 'string' } }, 'x').pass).toBe(true);
  });

  it('an unsupported "$schema" is a load-time error naming the ones that are', () => {
    expect(() => load({ $schema: 'http://json-schema.org/draft-04/schema#', type: 'string' })).toThrow(
      /sim\/x\.json:9 case "c1": "json-schema" has an invalid JSON Schema: "\$schema" "http:\/\/json-schema.org\/draft-04\/schema#" is not supported: use draft-07/,
    );
  });

  it('two different schemas with one $id each load and check as written', () => {
    const a = { $id: 'https://example.test/answer.json', type: 'string' };
    const b = { $id: 'https://example.test/answer.json', type: 'number' };
    expect(run({ type: 'json-schema', value: a }, 'x').pass).toBe(true);
    expect(run({ type: 'json-schema', value: b }, 'x').pass).toBe(false);
    expect(run({ type: 'json-schema', value: b }, 3).pass).toBe(true);
  });
});

describe('json-schema formats', () => {
  it('a "format" is a load-time error that says it cannot be checked, not that it is "ignored"', () => {
    expect(() =>
      compileAssertion({ type: 'json-schema', value: { properties: { at: { type: 'string', format: 'date-time' } } } }, { file: 'sim/x.json', line: 4, caseId: 'c1' }),
    ).toThrow('sim/x.json:4 case "c1": "json-schema" has an invalid JSON Schema: "format": "date-time" at #/properties/at cannot be checked (no format is): check the text with "pattern" instead');
  });
});

describe('json-schema load-time errors', () => {
  it('a misspelt "type" lists the JSON types', () => {
    expect(() =>
      compileAssertion({ type: 'contains-json', value: { properties: { a: { type: 'objekt' } } } }, { file: 'sim/x.json', line: 4, caseId: 'c1' }),
    ).toThrow(
      'sim/x.json:4 case "c1": "contains-json" has an invalid JSON Schema: schema/properties/a/type must be equal to one of the allowed values: array, boolean, integer, null, number, object, string (or a list of them)',
    );
  });
});

describe('failure messages show characters that print as a space or as nothing', () => {
  it('a no-break space, a thin space and a soft hyphen in the answer are named, not printed', () => {
    const r = run({ type: 'contains', value: 'hello world' }, 'say hello\u00a0world, in\u2009full, co\u00adop');
    expect(r.pass).toBe(false);
    expect(r.message).toContain('hello\\u00a0world');
    expect(r.message).toContain('in\\u2009full');
    expect(r.message).toContain('co\\u00adop');
    expect(r.message).not.toMatch(/[\u00a0\u2009\u00ad]/);
  });

  it('an equals failure tells the two texts apart', () => {
    const r = run({ type: 'equals', value: 'a b' }, 'a\u202fb');
    expect(r.pass).toBe(false);
    expect(r.message).toContain('"a b"');
    expect(r.message).toContain('"a\\u202fb"');
  });
});

describe('paths with long runs of digits', () => {
  it('a member named by a number too large for a double is reached by name, not by a rounded number', () => {
    const c = compileAssertion({ type: 'equals', path: '/o/12345678901234567890', value: 6 }, { file: 'sim/x.json', line: 3, caseId: 'c1' });
    expect(evaluate(c, { response: { o: { '12345678901234567890': 6 } }, answerPath: '/final_answer', latencyMs: 1 }).pass).toBe(true);
    const miss = evaluate(c, { response: { o: { '12345678901234567891': 6 } }, answerPath: '/final_answer', latencyMs: 1 });
    expect(miss.pass).toBe(false);
    expect(miss.message).toContain('"12345678901234567890"');
    // A short index still indexes an array.
    const item = compileAssertion({ type: 'equals', path: '/list/1', value: 'b' }, { file: 'sim/x.json', line: 3, caseId: 'c1' });
    expect(evaluate(item, { response: { list: ['a', 'b'] }, answerPath: '/final_answer', latencyMs: 1 }).pass).toBe(true);
  });
});
