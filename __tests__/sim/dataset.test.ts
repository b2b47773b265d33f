import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compiledAssertions, evaluate } from '../../src/stages/sim/assertions.js';
import { loadDataset, loadSuite } from '../../src/stages/sim/dataset.js';
import { InputError } from '../../src/util/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = '__tests__/fixtures/sim';
const good = `${fx}/good/sim_dataset.json`;

function suiteError(registry: string, cwd = root, opts: { datasets?: string[] } = {}): InputError {
  try {
    loadSuite(registry, { cwd, ...opts });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

function tmpSuite(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-dataset-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

describe('loadSuite on the good fixtures', () => {
  const suite = loadSuite(good, { cwd: root });

  it('loads the enabled datasets in registry order', () => {
    expect(suite.warnings).toEqual([]);
    expect(suite.datasets.map((d) => [d.name, d.file, d.seed, d.tags, d.cases.length])).toEqual([
      ['basics', `${fx}/good/basics.json`, 42, ['smoke'], 3],
      ['escalation', `${fx}/good/nested/escalation.json`, null, ['opus'], 2],
    ]);
    expect(suite.datasets[0].description).toBe('Small answers every engine gets right.');
    expect(suite.cases.map((c) => `${c.dataset}/${c.id}`)).toEqual([
      'basics/water-boils',
      'basics/capital-france',
      'basics/no-asserts',
      'escalation/negation-escalates',
      'escalation/short-stays',
    ]);
  });

  it('prepends defaults.assert, merges ignorePaths, applies the default repeat', () => {
    const [water, capital, bare] = suite.cases;
    expect(water.assert).toEqual([{ type: 'latency', threshold: 5000 }, { type: 'icontains', value: '100' }]);
    expect(water.repeat).toBe(2);
    expect(water.ignorePaths).toEqual(['/random_witness']);
    expect(capital.assert.map((a) => a.type)).toEqual(['latency', 'contains-any', 'not-contains']);
    expect(capital.repeat).toBe(3);
    expect(capital.ignorePaths).toEqual(['/random_witness', '/state_snapshot/T1_RAW']);
    expect(capital.input).toEqual({ prompt: 'What is the capital of France?', mode: 'short' });
    expect(capital.expected).toEqual({ opus_used: false });
    expect(bare.assert).toEqual([{ type: 'latency', threshold: 5000 }]);
    expect('expected' in bare).toBe(false);
    expect(suite.cases[3]).toMatchObject({ repeat: 1, ignorePaths: [], tags: ['opus', 'negation'] });
  });

  it('gives each case the location of its object', () => {
    expect(suite.cases.map((c) => c.location)).toEqual([
      { file: `${fx}/good/basics.json`, line: 11 },
      { file: `${fx}/good/basics.json`, line: 17 },
      { file: `${fx}/good/basics.json`, line: 28 },
      { file: `${fx}/good/nested/escalation.json`, line: 4 },
      { file: `${fx}/good/nested/escalation.json`, line: 10 },
    ]);
  });

  it('hands the stage compiled assertions, defaults included', () => {
    const capital = suite.cases[1];
    const compiled = compiledAssertions(capital);
    expect(compiled.map((c) => c.type)).toEqual(['latency', 'contains-any', 'not-contains']);
    expect(compiled[2].level).toBe('warn');
    const ctx = { response: { final_answer: 'It is paris.' }, answerPath: '/final_answer', latencyMs: 80 };
    expect(compiled.map((c) => evaluate(c, ctx).pass)).toEqual([true, true, true]);
    // defaults are compiled once and shared between cases
    expect(compiledAssertions(suite.cases[0])[0]).toBe(compiled[0]);
  });

  it('selects by name, including a disabled dataset', () => {
    const s = loadSuite(good, { cwd: root, datasets: ['slow', 'basics'] });
    expect(s.datasets.map((d) => d.name)).toEqual(['slow', 'basics']);
    expect(s.cases.map((c) => c.id)).toEqual(['long-essay', 'water-boils', 'capital-france', 'no-asserts']);
  });

  it('an unknown dataset name is an error listing the registered ones', () => {
    expect(suiteError(good, root, { datasets: ['basic'] }).message).toBe(
      `${fx}/good/sim_dataset.json: no dataset named "basic" is registered (registered: basics, escalation, slow)`,
    );
  });

  it('filters by case tags and by the dataset tags of the registry', () => {
    const physics = loadSuite(good, { cwd: root, tags: ['physics'] });
    expect(physics.cases.map((c) => c.id)).toEqual(['water-boils', 'short-stays']);
    expect(physics.datasets.map((d) => d.cases.length)).toEqual([1, 1]);
    const opus = loadSuite(good, { cwd: root, tags: ['opus'] });
    expect(opus.cases.map((c) => c.id)).toEqual(['negation-escalates', 'short-stays']);
    const none = loadSuite(good, { cwd: root, tags: ['nothing'] });
    expect(none.cases).toEqual([]);
    expect(none.warnings).toEqual(['no case matches the tags nothing']);
  });
});

describe('bad datasets: every error names the file, the line and the case', () => {
  it('JSON syntax error: file:line:column and the case it is in', () => {
    const e = suiteError(`${fx}/bad/syntax/sim_dataset.json`);
    // The missing comma after case "b" is found where case "c" starts.
    expect(e.message).toBe(`${fx}/bad/syntax/broken.json:6:5 at /cases/2 case "c": invalid JSON (CommaExpected)`);
    expect(e).toMatchObject({ line: 6, column: 5, pointer: '/cases/2', caseId: 'c' });
  });

  it('a syntax error names its case even when the id comes after it', () => {
    const text = [
      '{ "name": "t", "cases": [',
      '  { "id": "one", "input": { "prompt": "a" } },',
      '  { "input": { "prompt": "b", }, "id": "two" },',
      '  { "id": "three", "input": { "prompt": "c" } }',
      '] }',
    ].join('\n');
    const dir = tmpSuite({ 'sim_dataset.json': { datasets: [{ name: 't', path: 't.json', enabled: true, tags: [] }] }, 't.json': text });
    const e = suiteError(path.join(dir, 'sim_dataset.json'), dir);
    expect(e.message).toBe('t.json:3:31 at /cases/1 case "two": invalid JSON (PropertyNameExpected)');
  });

  it('a syntax error between two cases says which case it follows; one outside the cases names none', () => {
    const between = '{ "name": "t", "cases": [\n  { "id": "one", "input": { "prompt": "a" } },\n  ,\n  { "id": "two", "input": { "prompt": "b" } }\n] }';
    const outside = '{ "name": "t" "cases": [ { "id": "one", "input": { "prompt": "a" } } ] }';
    const registry = { datasets: [{ name: 't', path: 't.json', enabled: true, tags: [] }] };
    const dirA = tmpSuite({ 'sim_dataset.json': registry, 't.json': between });
    expect(suiteError(path.join(dirA, 'sim_dataset.json'), dirA).message).toBe(
      't.json:3:3: invalid JSON (ValueExpected), after case "one" (/cases/0)',
    );
    const dirB = tmpSuite({ 'sim_dataset.json': registry, 't.json': outside });
    const e = suiteError(path.join(dirB, 'sim_dataset.json'), dirB);
    expect(e.message).toBe('t.json:1:15: invalid JSON (CommaExpected)');
    expect(e.caseId).toBeUndefined();
  });

  it('a member named twice in a case names the case', () => {
    const text = '{ "name": "t", "cases": [\n  { "id": "one", "input": { "prompt": "a", "prompt": "b" } }\n] }';
    const dir = tmpSuite({ 'sim_dataset.json': { datasets: [{ name: 't', path: 't.json', enabled: true, tags: [] }] }, 't.json': text });
    const e = suiteError(path.join(dir, 'sim_dataset.json'), dir);
    expect(e.message).toMatch(/^t\.json:2:44 at \/cases\/0\/input\/prompt case "one": member "prompt" appears twice in one object/);
  });

  it('unknown assertion type: file, line of the assertion, case id, known types', () => {
    const e = suiteError(`${fx}/bad/unknown-type/sim_dataset.json`);
    expect(e.message).toBe(
      `${fx}/bad/unknown-type/unknown.json:14 at /cases/1/assert/1/type case "typo-case": unknown assertion type "containz" (did you mean "contains"?); known types: equals, contains, icontains, contains-any, contains-all, starts-with, regex, is-json, contains-json, levenshtein, latency, json-schema, range (each also as not-<type>)`,
    );
    expect(e).toMatchObject({ line: 14, caseId: 'typo-case' });
  });

  it('duplicate case ids: the second one, the id, and the line of the first', () => {
    expect(suiteError(`${fx}/bad/duplicate-ids/sim_dataset.json`).message).toBe(
      `${fx}/bad/duplicate-ids/dups.json:7 at /cases/2/id case "same": duplicate case id "same" (first at line 4)`,
    );
  });

  it('wrong field type names the pointer', () => {
    const e = suiteError(`${fx}/bad/wrong-type/sim_dataset.json`);
    expect(e.message).toBe(
      `${fx}/bad/wrong-type/wrong.json:8 at /cases/1/repeat case "repeat-as-string": "repeat" must be integer, got a string`,
    );
    expect(e.pointer).toBe('/cases/1/repeat');
  });

  it('missing input.prompt', () => {
    expect(suiteError(`${fx}/bad/missing-prompt/sim_dataset.json`).message).toBe(
      `${fx}/bad/missing-prompt/noprompt.json:5 at /cases/1/input/prompt case "forgot-prompt": missing required field "prompt"`,
    );
  });

  it('bad regex is caught at load time', () => {
    expect(suiteError(`${fx}/bad/bad-regex/sim_dataset.json`).message).toBe(
      `${fx}/bad/bad-regex/regexes.json:9 at /cases/0/assert/0/value case "unclosed-group": invalid regex "(abc": Invalid regular expression: /(abc/: Unterminated group`,
    );
  });

  it('bad JSON schema is caught at load time', () => {
    expect(suiteError(`${fx}/bad/bad-schema/sim_dataset.json`).message).toBe(
      `${fx}/bad/bad-schema/schemas.json:8 at /cases/0/assert/0/value case "bad-type-keyword": "json-schema" has an invalid JSON Schema: schema/type must be equal to one of the allowed values: array, boolean, integer, null, number, object, string (or a list of them)`,
    );
  });

  it('a path that is not a JSON Pointer', () => {
    expect(suiteError(`${fx}/bad/bad-pointer/sim_dataset.json`).message).toBe(
      `${fx}/bad/bad-pointer/pointers.json:7 at /cases/0/assert/0/path case "no-slash": "path" must be a JSON Pointer such as "/final_answer", got "opus_used"`,
    );
  });

  it('an empty prompt is a case: Toron engines answer it, and how they do is worth checking', () => {
    const dir = tmpSuite({ 'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json' }] }, 'sim/d.json': { name: 'd', cases: [{ id: 'e', input: { prompt: '' } }] } });
    expect(loadSuite('sim/sim_dataset.json', { cwd: dir }).cases.map((c) => c.input)).toEqual([{ prompt: '' }]);
  });

  it('a dataset name that differs from its registry name', () => {
    expect(suiteError(`${fx}/bad/name-mismatch/sim_dataset.json`).message).toBe(
      `${fx}/bad/name-mismatch/mismatch.json:2 at /name: dataset name "written" differs from its registry name "registered" (${fx}/bad/name-mismatch/sim_dataset.json:3)`,
    );
  });

  it('registry errors surface through loadSuite', () => {
    expect(suiteError(`${fx}/bad/missing-file/sim_dataset.json`).message).toMatch(
      /^__tests__\/fixtures\/sim\/bad\/missing-file\/sim_dataset\.json:4 at \/datasets\/1\/path: /,
    );
  });

  it.each([
    ['repeat above 1000', { id: 'r', input: { prompt: 'p' }, repeat: 1001 }, '/cases/0/repeat case "r": "repeat" must be <= 1000, got 1001'],
    ['repeat 0', { id: 'r', input: { prompt: 'p' }, repeat: 0 }, '/cases/0/repeat case "r": "repeat" must be >= 1, got 0'],
    ['unknown case field', { id: 'r', input: { prompt: 'p' }, asserts: [] }, '/cases/0/asserts case "r": unknown field "asserts" (allowed: id, description, input, expected, assert, tags, repeat, ignorePaths)'],
    ['unknown field with / and ~ in its name (an escaped pointer)', { id: 'r', input: { prompt: 'p' }, 'a/b~c': 1 }, '/cases/0/a~1b~0c case "r": unknown field "a/b~c" (allowed: id, description, input, expected, assert, tags, repeat, ignorePaths)'],
    ['prompt not a string', { id: 'r', input: { prompt: 5 } }, '/cases/0/input/prompt case "r": "prompt" must be string, got a number (5)'],
    [
      'a line break in an id (it would forge a log line)',
      { id: 'a\n2026-01-01T00:00:00.000Z INFO  [runner] done: PASS', input: { prompt: 'p' } },
      '/cases/0/id case "a\\n2026-01-01T00:00:00.000Z INFO  [runner] done: PASS": "id" must be text without control or invisible characters (line breaks, tabs, escapes, bidi and zero-width controls) or unpaired surrogates, got "a\\n2026-01-01T00:00:00.000Z INFO  [runner] done: PASS"',
    ],
    [
      'a DEL, a line separator or a bidi override in an id (shown escaped)',
      { id: 'a\u007fb\u2028c\u202ed', input: { prompt: 'p' } },
      '/cases/0/id case "a\\x7fb\\u2028c\\u202ed": "id" must be text without control or invisible characters (line breaks, tabs, escapes, bidi and zero-width controls) or unpaired surrogates, got "a\\x7fb\\u2028c\\u202ed"',
    ],
    ['bad ignorePaths', { id: 'r', input: { prompt: 'p' }, ignorePaths: ['random_witness'] }, '/cases/0/ignorePaths/0 case "r": item 0 of "ignorePaths" must be a JSON Pointer such as "/final_answer", got "random_witness"'],
    ['bad level', { id: 'r', input: { prompt: 'p' }, assert: [{ type: 'contains', value: 'x', level: 'fatal' }] }, '/cases/0/assert/0/level case "r": "level" must be one of "error", "warn", got "fatal"'],
    ['id not a string', { id: 5, input: { prompt: 'p' } }, '/cases/0/id: "id" must be string, got a number (5)'],
    // An expected block is read by the pipeline checker: a key it does not know, or a wrong type, would pass silently.
    ['expected.opus_used as a string', { id: 'r', input: { prompt: 'p' }, expected: { opus_used: 'false' } }, '/cases/0/expected/opus_used case "r": "opus_used" must be boolean, got a string'],
    ['a misspelt expected key', { id: 'r', input: { prompt: 'p' }, expected: { opus_usd: true } }, '/cases/0/expected/opus_usd case "r": unknown field "opus_usd" (allowed: opus_used, opusEscalated, contradictions)'],
    ['expected.contradictions not a count', { id: 'r', input: { prompt: 'p' }, expected: { contradictions: '3' } }, '/cases/0/expected/contradictions case "r": "contradictions" must be integer, got a string'],
  ])('%s', (_name, c, expected) => {
    const dir = tmpSuite({ 'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json' }] }, 'sim/d.json': { name: 'd', cases: [c] } });
    const e = suiteError('sim/sim_dataset.json', dir);
    expect(e.message).toBe(`sim/d.json:${e.line} at ${expected}`);
    expect(e.line).toBeGreaterThanOrEqual(4);
  });

  it.each([
    ['null', 'sim/d.json:1 at (root): the dataset must be object, got null'],
    ['[]', 'sim/d.json:1 at (root): the dataset must be object, got an array'],
    ['{ "name": "d", "cases": [null] }', 'sim/d.json:1 at /cases/0: item 0 of "cases" must be object, got null'],
    ['{ "name": "d", "cases": "none" }', 'sim/d.json:1 at /cases: "cases" must be array, got a string'],
  ])('odd shape %s is an error, not a crash', (text, expected) => {
    const dir = tmpSuite({ 'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json' }] }, 'sim/d.json': text });
    expect(suiteError('sim/sim_dataset.json', dir).message).toBe(expected);
  });

  it('bad defaults name the defaults pointer (no case)', () => {
    const dir = tmpSuite({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json' }] },
      'sim/d.json': '{\n  "name": "d",\n  "defaults": {\n    "assert": [{ "type": "regexp", "value": "x" }]\n  },\n  "cases": []\n}\n',
    });
    expect(suiteError('sim/sim_dataset.json', dir).message).toMatch(
      /^sim\/d\.json:4 at \/defaults\/assert\/0\/type: unknown assertion type "regexp" \(did you mean "regex"\?\)/,
    );
  });
});

describe('suite-level warnings', () => {
  it('warns about a case id shared across datasets and an empty dataset', () => {
    const dir = tmpSuite({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json' }, { name: 'b', path: 'b.json' }, { name: 'c', path: 'c.json' }] },
      'sim/a.json': { name: 'a', cases: [{ id: 'same', input: { prompt: 'p' }, assert: [{ type: 'is-json' }] }] },
      'sim/b.json': { name: 'b', cases: [{ id: 'same', input: { prompt: 'q' }, assert: [{ type: 'is-json' }] }] },
      'sim/c.json': { name: 'c', cases: [] },
    });
    const s = loadSuite('sim/sim_dataset.json', { cwd: dir });
    expect(s.cases).toHaveLength(2);
    expect(s.warnings).toEqual([
      'sim/b.json:4: case id "same" is also used in dataset "a"',
      'sim/c.json: dataset "c" has no cases',
    ]);
  });

  it('names the cases that can never fail: no assertions (defaults included) and no expected behaviour', () => {
    const cases = [
      { id: 'bare', input: { prompt: 'p' } },
      { id: 'empty-assert', input: { prompt: 'p' }, assert: [], expected: {} },
      { id: 'declares', input: { prompt: 'p' }, expected: { opus_used: true } },
      { id: 'asserts', input: { prompt: 'p' }, assert: [{ type: 'is-json' }] },
      ...Array.from({ length: 5 }, (_, i) => ({ id: `more${i}`, input: { prompt: 'p' } })),
    ];
    const dir = tmpSuite({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json' }, { name: 'd', path: 'd.json' }] },
      'sim/a.json': { name: 'a', cases },
      // Dataset defaults count as the case's own assertions.
      'sim/d.json': { name: 'd', defaults: { assert: [{ type: 'is-json' }] }, cases: [{ id: 'x', input: { prompt: 'p' } }] },
    });
    const s = loadSuite('sim/sim_dataset.json', { cwd: dir });
    expect(s.unasserted.map((u) => [u.dataset, u.cases.map((c) => c.id)])).toEqual([['a', ['bare', 'empty-assert', 'more0', 'more1', 'more2', 'more3', 'more4']]]);
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(/^sim\/a\.json:\d+: 7 case\(s\) of dataset "a" assert nothing and declare no expected behaviour/);
    expect(s.warnings[0]).toMatch(/"bare" \(line \d+\), "empty-assert" \(line \d+\), "more0" .*"more2" \(line \d+\) and 2 more$/);
  });

  it('loadDataset works on its own with a registry folder', () => {
    const d = loadDataset({ name: 'escalation', path: 'nested/escalation.json' }, { cwd: root, registryDir: path.join(root, fx, 'good') });
    expect(d.cases.map((c) => c.id)).toEqual(['negation-escalates', 'short-stays']);
    expect(d.tags).toEqual([]);
  });
});

describe('a 100k-case generated dataset', () => {
  it('loads every case with its line', () => {
    const n = 100_000;
    const lines = ['{', '  "name": "generated",', '  "defaults": { "assert": [{ "type": "latency", "threshold": 450 }] },', '  "cases": ['];
    const caseLines: string[] = [];
    for (let i = 0; i < n; i++) {
      caseLines.push(
        `    {"id":"gen-${i}","input":{"prompt":"What is ${i} plus ${i}?"},"assert":[{"type":"contains","value":"${2 * i}"},{"type":"not-icontains","value":"error"}],"tags":["gen","${i % 2 ? 'odd' : 'even'}"]}`,
      );
    }
    const text = `${lines.join('\n')}\n${caseLines.join(',\n')}\n  ]\n}\n`;
    const dir = tmpSuite({ 'sim/sim_dataset.json': { datasets: [{ name: 'generated', path: 'generated.json' }] }, 'sim/generated.json': text });

    const t0 = performance.now();
    const s = loadSuite('sim/sim_dataset.json', { cwd: dir });
    const ms = performance.now() - t0;
    console.log(`loaded ${s.cases.length} cases (${(text.length / 1e6).toFixed(1)} MB) in ${ms.toFixed(0)} ms`);

    expect(s.cases).toHaveLength(n);
    expect(s.cases[n - 1]).toMatchObject({ id: `gen-${n - 1}`, location: { file: 'sim/generated.json', line: n + 4 } });
    expect(s.cases[0].assert).toHaveLength(3);
    expect(compiledAssertions(s.cases[n - 1])).toHaveLength(3);
  });
});
