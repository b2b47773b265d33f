import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseExpression, parseThresholds, thresholdProblems } from '../../src/load/thresholds.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';
import { makeProject } from '../helpers/cli.js';

describe('k6 threshold expressions', () => {
  it.each([
    ['p(95)<450', 'p(95)', '<', 450],
    ['p(99.9) <= 300', 'p(99.9)', '<=', 300],
    ['avg <= 60000', 'avg', '<=', 60000],
    ['rate<0.01', 'rate', '<', 0.01],
    ['count==0', 'count', '==', 0],
    ['count>100', 'count', '>', 100],
    ['med!=5', 'med', '!=', 5],
    ['value===1', 'value', '===', 1],
    ['max>=-1.5e2', 'max', '>=', -150],
    // k6 parses the number with Go's strconv.ParseFloat: these are numbers to k6 as well.
    ['rate<.01', 'rate', '<', 0.01],
    ['avg<200.', 'avg', '<', 200],
    ['count>+1', 'count', '>', 1],
    ['p(.5) < 3', 'p(0.5)', '<', 3],
  ])('%s', (text, aggregation, op, value) => {
    expect(parseExpression(text)).toMatchObject({ aggregation, op, value });
  });

  it.each(['p95<450', 'p(95)', '<450', 'p(95)<', 'p(95) < fast', 'p(101)<1', 'mean<3', 'p(95)=<450', '', 'p( 95 )<450', 'p(95 )<450', 'rate<.', 'rate<1e'])('refuses %j', (text) => {
    expect(() => parseExpression(text)).toThrow(InputError);
  });
});

describe('thresholds against metric types', () => {
  it('accepts the defaults and levels', () => {
    const parsed = parseThresholds(
      { http_req_duration: ['p(95)<450', { threshold: 'p(99)<900', level: 'warn' }], http_req_failed: ['rate<0.01'], dropped_iterations: ['count==0'] },
      'builtin',
    );
    expect(parsed.map((t) => [t.metric, t.aggregation, t.level])).toEqual([
      ['http_req_duration', 'p(95)', 'error'],
      ['http_req_duration', 'p(99)', 'warn'],
      ['http_req_failed', 'rate', 'error'],
      ['dropped_iterations', 'count', 'error'],
    ]);
  });

  it('refuses what k6 refuses, naming the config pointer', () => {
    const problems = thresholdProblems(
      {
        http_req_failed: ['p(95)<1'], // a Rate takes rate only
        http_req_duration: ['count<5'], // a Trend takes no count
        http_req_waitin: ['avg<1'], // unknown metric
        'http_req_duration{status:200}': ['p(95)<1'], // tags need k6
        'bad name': ['avg<1'],
      },
      'builtin',
    );
    expect(problems.map((p) => p.pointer)).toEqual([
      '/load/thresholds/http_req_failed/0',
      '/load/thresholds/http_req_duration/0',
      '/load/thresholds/http_req_waitin',
      '/load/thresholds/http_req_duration{status:200}',
      '/load/thresholds/bad name',
    ]);
    expect(problems[0].message).toMatch(/rate metric/);
    expect(problems[2].message).toMatch(/unknown metric "http_req_waitin"/);
  });

  it('k6 takes its own metrics and tags, but not the ones only the builtin generator measures', () => {
    expect(thresholdProblems({ 'http_req_duration{expected_response:true}': ['p(95)<500'], http_req_waiting: ['avg<5'], vus: ['value<9'] }, 'k6')).toEqual([]);
    expect(thresholdProblems({ 'http_req_duration{group:::setup}': ['p(95)<500'], 'http_req_duration{status:200,method:POST}': ['avg<5'] }, 'k6')).toEqual([]);
    // k6 refuses a tag without a value (metrics.ParseMetricName): refused here, not written into the script.
    for (const key of ['http_req_duration{}', 'http_req_duration{status}', 'http_req_duration{status:}', 'http_req_duration{status:200,}']) {
      expect(thresholdProblems({ [key]: ['p(95)<500'] }, 'k6').map((p) => p.message)).toEqual([expect.stringMatching(/needs a value/)]);
    }
    // k6 matches tag values literally: {status:>=500} selects nothing and would pass vacuously
    expect(thresholdProblems({ 'http_req_failed{status:>=500}': ['rate<0.01'] }, 'k6').map((p) => p.message)).toEqual([expect.stringMatching(/matches tag values literally.*\{status:>=500\}/)]);
    expect(thresholdProblems({ 'http_req_duration{name:<=5 items}': ['p(95)<1'] }, 'k6')[0].message).toMatch(/literally/);
    expect(thresholdProblems({ 'http_req_duration{name:a=>b}': ['p(95)<1'], 'http_req_duration{status:500}': ['p(95)<1'] }, 'k6')).toEqual([]);
    expect(thresholdProblems({ scheduler_lag_ms: ['p(99)<10'] }, 'k6')[0].message).toMatch(/only the builtin generator/);
    expect(() => parseThresholds({ scheduler_lag_ms: ['p(99)<10'] }, 'k6')).toThrow(InputError);
  });

  it('evaluates: a breach, a pass, and no samples is a breach (not a vacuous pass)', () => {
    const parsed = parseThresholds({ http_req_duration: ['p(95)<450', 'avg<10'], http_req_failed: ['rate<0.01'] }, 'builtin');
    const values: Record<string, number | null> = { 'p(95)': 500, avg: 5, rate: null };
    const r = evaluateThresholds(parsed, (_name, t) => values[t.aggregation]);
    expect(r.map((x) => x.passed)).toEqual([false, true, false]);
    expect(r[0].actual).toBe(500);
    expect(r[2].note).toMatch(/no samples/);
  });
});

describe('settings check thresholds before anything runs', () => {
  it('a bad expression is an InputError naming the file and line', () => {
    const dir = makeProject({
      'testops.config.json': '{\n  "load": {\n    "thresholds": {\n      "http_req_duration": ["p95<450"]\n    }\n  }\n}\n',
    });
    try {
      resolveSettings({ cwd: dir, flags: {}, env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/testops\.config\.json:4/);
      expect((err as InputError).message).toMatch(/invalid threshold "p95<450"/);
    }
  });

  it("k6's object form: abortOnFail and delayAbortEval are taken, a bad delayAbortEval names its line and field", () => {
    const ok = makeProject({
      'testops.config.json': { load: { thresholds: { http_req_duration: [{ threshold: 'p(99) < 10', abortOnFail: true, delayAbortEval: '10s' }, 'p(95)<450'] } } },
    });
    const parsed = parseThresholds(resolveSettings({ cwd: ok, flags: {}, env: {} }).load.thresholds, 'builtin');
    expect(parsed.map((t) => [t.expression, t.abortOnFail, t.delayAbortEvalMs])).toEqual([
      ['p(99) < 10', true, 10_000],
      ['p(95)<450', false, 0],
    ]);
    const bad = makeProject({
      'testops.config.json':
        '{\n  "load": {\n    "thresholds": {\n      "http_req_duration": [\n        { "threshold": "p(95)<450", "abortOnFail": true,\n          "delayAbortEval": "10" }\n      ]\n    }\n  }\n}\n',
    });
    try {
      resolveSettings({ cwd: bad, flags: {}, env: {} });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(/testops\.config\.json:6/);
      expect((err as InputError).message).toMatch(/delayAbortEval/);
    }
  });

  it('new load keys have their defaults', () => {
    const dir = makeProject({ 'testops.config.json': { load: { rate: 5 } } });
    const s = resolveSettings({ cwd: dir, flags: {}, env: {} });
    expect(s.load).toMatchObject({ rate: 5, startRate: 0, timeoutMs: 10_000, maxSchedulerLagMs: 100, k6Binary: 'k6' });
  });
});
