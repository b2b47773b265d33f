import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/stages/sim/dataset.js';
import { compileCaseChecks } from '../../src/stages/sim/check.js';
import { answerNeedsExactParse, answerWithExactNumbers, compareDecimal, parseDecimal } from '../../src/util/decimal.js';
import fs from 'node:fs';
import path from 'node:path';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

/** One dataset of one case with these assertions (written as JSON text, so numbers keep their digits). */
function checkerFor(asserts: string) {
  const dir = makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'n', path: 'n.json' }] },
    'sim/n.json': `{ "name": "n", "cases": [ { "id": "c", "input": { "prompt": "p" }, "assert": ${asserts} } ] }`,
  });
  const suite = loadSuite('sim/sim_dataset.json', { cwd: dir });
  const checks = compileCaseChecks(suite.cases);
  const c = suite.cases[0];
  // The answer as an engine sends it: its text, and what JSON.parse makes of it (what adapters hand on).
  return { suite, check: (raw: string) => checks.check(c, JSON.parse(raw), 1, '/final_answer', raw) };
}

const messages = (r: { failures: { message: string }[] }) => r.failures.map((f) => f.message);

describe('numbers a double cannot hold are compared exactly', () => {
  it('equals 9007199254740993 fails on an answer of 9007199254740992 (a false PASS as doubles), passes on itself', () => {
    const { check } = checkerFor('[{ "type": "equals", "path": "/n", "value": 9007199254740993 }]');
    expect(messages(check('{"final_answer":"x","n":9007199254740992}'))).toEqual([
      'expected /n to equal 9007199254740993; got 9007199254740992',
    ]);
    expect(check('{"final_answer":"x","n":9007199254740993}').failures).toEqual([]);
    // 1 equals 1.0 holds exactly as before, for long numbers too.
    expect(check('{"final_answer":"x","n":9007199254740993.000}').failures).toEqual([]);
    expect(check('{"final_answer":"x","n":90071992547409930e-1}').failures).toEqual([]);
  });

  it('an answer of 2^53 itself (a double holds it) against an expected neighbour, and the reverse', () => {
    expect(checkerFor('[{ "type": "equals", "path": "/n", "value": 9007199254740992 }]').check('{"n":9007199254740993}').failures).toHaveLength(1);
    expect(checkerFor('[{ "type": "equals", "path": "/n", "value": 9007199254740992 }]').check('{"n":9007199254740992}').failures).toEqual([]);
  });

  it('a huge integer nested in an object of the answer, key order free', () => {
    const { check } = checkerFor('[{ "type": "equals", "path": "/data", "value": { "ids": [1, 12345678901234567891], "n": 1.5 } }]');
    expect(check('{"data":{"n":1.50,"ids":[1.0,12345678901234567891]}}').failures).toEqual([]);
    expect(messages(check('{"data":{"n":1.5,"ids":[1,12345678901234567890]}}'))).toEqual([
      'expected /data to equal {"ids":[1,12345678901234567891],"n":1.5}; got {"n":1.5,"ids":[1,12345678901234567890]}',
    ]);
  });

  it('1e400 equals 1e400 and not 2e400 (as doubles both are Infinity, sent as null)', () => {
    const { check } = checkerFor('[{ "type": "equals", "path": "/n", "value": 1e400 }]');
    expect(check('{"n":1e400}').failures).toEqual([]);
    expect(check('{"n":10E+399}').failures).toEqual([]);
    expect(messages(check('{"n":2e400}'))).toEqual(['expected /n to equal 1e400; got 2e400']);
    expect(messages(check('{"n":null}'))).toEqual(['expected /n to equal 1e400; got null']);
  });

  it('decimals of 20 significant digits', () => {
    const { check } = checkerFor('[{ "type": "equals", "path": "/n", "value": 0.12345678901234567891 }]');
    expect(check('{"n":0.123456789012345678910}').failures).toEqual([]);
    expect(messages(check('{"n":0.12345678901234567892}'))).toEqual([
      'expected /n to equal 0.12345678901234567891; got 0.12345678901234567892',
    ]);
    // Its double's shortest form is not the number either.
    expect(check('{"n":0.12345678901234568}').failures).toHaveLength(1);
  });

  it("a failing attempt's answer excerpt (actual) shows the numbers as the engine wrote them", () => {
    const { check } = checkerFor('[{ "type": "equals", "value": 9007199254740993 }]');
    const r = check('{"final_answer":9007199254740992}');
    expect(r.failures).toHaveLength(1);
    expect(r.actual).toBe('9007199254740992');
    expect(check('{"final_answer":{"id":12345678901234567891,"ok":true}}').actual).toBe('{"id":12345678901234567891,"ok":true}');
  });

  it('JSON text nested too deeply for the exact re-parse is still compared (as doubles), not called "not JSON"', () => {
    const { check } = checkerFor('[{ "type": "not-equals", "value": [1] }]');
    const deep = '['.repeat(6000) + '9007199254740993' + ']'.repeat(6000);
    const r = check(JSON.stringify({ final_answer: deep }));
    expect(r.failures).toEqual([]);
    const eq = checkerFor('[{ "type": "equals", "value": [1] }]').check(JSON.stringify({ final_answer: deep }));
    expect(eq.failures.map((f) => f.message)).toEqual([expect.stringContaining('(parsed the string as JSON)')]);
  });

  it('the text types see a number field as the JSON text the engine wrote', () => {
    const { check } = checkerFor('[{ "type": "contains", "path": "/n", "value": "9007199254740993" }, { "type": "not-contains", "path": "/data", "value": "E+400" }]');
    expect(check('{"n":9007199254740993,"data":{"x":1e400}}').failures).toEqual([]);
    expect(messages(check('{"n":9007199254740992,"data":{"x":1E+400}}'))).toEqual([
      'expected /n (a number, compared as its JSON text) to contain "9007199254740993"; got 9007199254740992',
      'expected /data (an object, compared as its JSON text) not to contain "E+400"; got {"x":1E+400}',
    ]);
  });

  it('equals on JSON held as text in the answer field', () => {
    const { check } = checkerFor('[{ "type": "equals", "value": { "id": 9007199254740993 } }]');
    expect(check(JSON.stringify({ final_answer: '{"id": 9007199254740993}' })).failures).toEqual([]);
    expect(check(JSON.stringify({ final_answer: '{"id": 9007199254740992}' })).failures).toHaveLength(1);
  });

  it('range compares bounds and answer exactly; not-range too', () => {
    // (A bound out of the double's range, 1e400, is refused at load by the dataset schema, as before.)
    const { check } = checkerFor('[{ "type": "range", "path": "/n", "min": 9007199254740993, "max": 1e300 }]');
    expect(messages(check('{"n":9007199254740992}'))).toEqual(['expected /n to be within [9007199254740993, 1e+300]; got 9007199254740992']);
    expect(check('{"n":9007199254740993}').failures).toEqual([]);
    expect(check('{"n":1e300}').failures).toEqual([]);
    expect(messages(check('{"n":1e400}'))).toEqual(['expected /n to be within [9007199254740993, 1e+300]; got 1e400']);
    expect(messages(check('{"n":1.0000000000000000001e300}'))).toEqual(['expected /n to be within [9007199254740993, 1e+300]; got 1.0000000000000000001e300']);
    expect(check('{"n":-1e400}').failures).toHaveLength(1);
    const not = checkerFor('[{ "type": "not-range", "path": "/n", "value": [0.30000000000000000001, null] }]');
    expect(not.check('{"n":0.3}').failures).toEqual([]);
    expect(not.check('{"n":0.30000000000000000001}').failures).toHaveLength(1);
  });

  it('a range bound past the double\'s range is refused at load saying so, not "must be number, got a number"', () => {
    expect(() => checkerFor('[{ "type": "range", "path": "/n", "max": 1e400 }]')).toThrow(
      /"max" must be number, got a number beyond the range of a JSON number \(a double, up to about 1\.8e308\), read as Infinity/,
    );
  });

  it('a dataset whose long numbers are all equals/range values warns of none; one in an input still warns', () => {
    expect(checkerFor('[{ "type": "equals", "path": "/n", "value": [9007199254740993, 1e400] }]').suite.warnings).toEqual([]);
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'n', path: 'n.json' }] },
      'sim/n.json': '{ "name": "n", "cases": [ { "id": "c", "input": { "prompt": "p", "user": 9007199254740993 },\n "assert": [{ "type": "equals", "path": "/n", "value": 9007199254740995 }, { "type": "levenshtein", "value": "x", "threshold": 12345678901234567891 }] } ] }',
    });
    const s = loadSuite('sim/sim_dataset.json', { cwd: dir });
    expect(s.warnings).toEqual([
      "sim/n.json:1:74: the integer 9007199254740993 is beyond 2^53: equals and range compare their own values as written, but this one is in a case's input: it is sent to the engine as 9007199254740992. Write it as a string to keep every digit",
      'sim/n.json:2:128: the integer 12345678901234567891 is beyond 2^53: equals and range compare their own values as written, but this one is read here as 12345678901234567168. Write it as a string to keep every digit',
    ]);
  });
});

describe('the decision to re-parse an answer exactly', () => {
  it('ordinary answers never take the slow path', () => {
    const ordinary = [
      '{"final_answer":"Water boils at 100 °C at sea level.","confidence":0.87,"tier_path":["T1","JUDICIAL"],"latency_ms":1234.5678,"opus_used":false}',
      JSON.stringify({ final_answer: 'x', n: Number.MAX_SAFE_INTEGER, pi: Math.PI, e: 1.7976931348623157e308, tiny: 5e-324 }).replace(/3\.141592653589793/, '3.14159265358979'),
      '{"final_answer":"ids 2026-11-26T18:00:00.000Z, 10.0.0.1","scores":[0.1,0.25,1e-9,1e21,-0.5]}',
      '[]',
    ];
    for (const raw of ordinary.slice(0, 1).concat(ordinary.slice(2))) {
      expect(answerNeedsExactParse(raw), raw).toBe(false);
      const body = JSON.parse(raw) as unknown;
      expect(answerWithExactNumbers(body, raw)).toBe(body);
    }
    expect(answerNeedsExactParse(undefined)).toBe(false);
  });

  it('real Toron answers do not take it: hex digests and long ids in strings, shortest forms of doubles', () => {
    const raws = [
      // A reference-engine 2.5h answer's kind of content: a digest with 'e275' in it, and a density a
      // Python or JavaScript engine writes in its shortest form.
      '{"prompt_signature":"5fc631f281f7c4907e77839457fb519e275208eb","evidence_density":0.6000000000000001,"ms":1234.5678}',
      '{"id":"9007199254740993","note":"\\"1e400\\" is no number here","x":[1.7976931348623157e308,5e-324,-0.30000000000000004,1e21]}',
      JSON.stringify({ final_answer: 'x', n: Number.MAX_SAFE_INTEGER, pi: Math.PI, big: 2 ** 80 }),
    ];
    for (const raw of raws) expect(answerNeedsExactParse(raw), raw).toBe(false);
    // The same numbers outside strings, where a double changes them, still do.
    expect(answerNeedsExactParse('{"id":9007199254740993,"s":"5fc631f281f7c4907e77839457fb519e275208eb"}')).toBe(true);
    expect(answerNeedsExactParse('{"s":"a \\" quote","n":1E+400}')).toBe(true);
  });

  it('a number a double changes always takes it, and only such numbers change', () => {
    for (const raw of ['{"n":9007199254740993}', '{"n":1e400}', '{"n":1e-400}', '{"n":0.12345678901234567891}', '[12345678.123456789]']) {
      expect(answerNeedsExactParse(raw), raw).toBe(true);
    }
    const raw = '{"a":"9007199254740993","b":[9007199254740993,0.1,9007199254740992],"c":1.0}';
    const body = JSON.parse(raw) as { a: string; b: unknown[]; c: number };
    const exact = answerWithExactNumbers(body, raw) as typeof body;
    expect(JSON.stringify(exact)).toBe('{"a":"9007199254740993","b":[9007199254740993,0.1,9007199254740992],"c":1}');
    expect(exact.b[1]).toBe(0.1);
    expect(exact.c).toBe(1);
    // Strings are the body's: a redacted body keeps its redaction.
    const redacted = { ...body, a: '[REDACTED]' };
    expect((answerWithExactNumbers(redacted, raw) as typeof body).a).toBe('[REDACTED]');
  });

  it('decimal values compare without floating arithmetic', () => {
    const cmp = (a: string, b: string) => compareDecimal(parseDecimal(a)!, parseDecimal(b)!);
    expect(cmp('1', '1.0')).toBe(0);
    expect(cmp('-0', '0e5')).toBe(0);
    expect(cmp('1e400', '2e400')).toBe(-1);
    expect(cmp('-1e400', '-2e400')).toBe(1);
    expect(cmp('1e99999999999999999999', '1e400')).toBe(1);
    expect(cmp('0.00100', '1e-3')).toBe(0);
    expect(cmp('123.45', '123.449999999999999999999')).toBe(1);
  });
});

// A real cmd: engine that writes its answer's numbers as text: n is the case's input "answer".
const ENGINE = `import { createInterface } from 'node:readline';
createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  if (req.method === 'health') return process.stdout.write(JSON.stringify({ id: req.id, result: { status: 'ok', version: 'n-1' } }) + '\\n');
  process.stdout.write('{"id":' + JSON.stringify(req.id) + ',"result":{"final_answer":"x","n":' + req.params.input.answer + '}}\\n');
});
`;

describe('a run against a cmd: engine', () => {
  it('fails equals 9007199254740993 on an answer of 9007199254740992 and passes on the number itself', async () => {
    const p = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'n', path: 'n.json', enabled: true, tags: [] }] },
      'sim/n.json':
        '{ "name": "n", "cases": [\n' +
        '  { "id": "neighbour", "input": { "prompt": "p", "answer": "9007199254740992" }, "assert": [{ "type": "equals", "path": "/n", "value": 9007199254740993 }] },\n' +
        '  { "id": "same", "input": { "prompt": "p", "answer": "9007199254740993" }, "assert": [{ "type": "equals", "path": "/n", "value": 9007199254740993 }] },\n' +
        '  { "id": "huge", "input": { "prompt": "p", "answer": "1e400" }, "assert": [{ "type": "equals", "path": "/n", "value": 1e400 }] } ] }',
      'testops.config.json': { engine: { target: 'cmd:node engine.mjs' }, stages: ['sim'] },
    });
    fs.writeFileSync(path.join(p, 'engine.mjs'), ENGINE);
    const r = await runCli(['run', '--run-id', 'x1'], { cwd: p });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readJson(path.join(reportDir(p, 'x1'), 'report.json'));
    const cases = report.stages.sim.cases as { id: string; status: string; failures: { message: string }[] }[];
    expect(cases.map((c) => [c.id, c.status, c.failures.map((f) => f.message)])).toEqual([
      ['neighbour', 'failed', ['expected /n to equal 9007199254740993; got 9007199254740992']],
      ['same', 'passed', []],
      ['huge', 'passed', []],
    ]);
  });
});
