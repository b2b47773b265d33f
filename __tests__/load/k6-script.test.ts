import { describe, expect, it } from 'vitest';
import { K6_AUTH_ENV, buildK6Script, headerExpression, type K6ScriptInput } from '../../src/load/k6-script.js';
import { requestPool } from '../../src/load/requests.js';
import { constantSchedule, rampingSchedule } from '../../src/load/schedule.js';
import type { SimCase } from '../../src/stages/sim/types.js';

const cases: SimCase[] = [
  { id: 'a', dataset: 'd', input: { prompt: 'Is water wet?' }, assert: [], tags: [], repeat: 3, ignorePaths: [], location: { file: 'd.json', line: 2 } },
  { id: 'b "quoted"', dataset: 'd', input: { prompt: 'Line\nbreak', now: 5 }, assert: [], tags: [], repeat: 1, ignorePaths: [], location: { file: 'd.json', line: 9 } },
  { id: 'café', dataset: 'd', input: { prompt: '</script> `${x}` \\' }, assert: [], tags: [], repeat: 2, ignorePaths: [], location: { file: 'd.json', line: 15 } },
];

function input(over: Partial<K6ScriptInput> = {}): K6ScriptInput {
  const pool = requestPool(cases, 'k6-run');
  return {
    runId: 'k6-run',
    url: 'http://engine.local:8000/run',
    urlEnv: 'TORON_TESTOPS_K6_URL',
    headers: { Authorization: 'Bearer ${API_TOKEN}', 'X-Team': 'ml-${TEAM}-x' },
    hasUrlCredentials: false,
    seed: pool.seed,
    cases: cases.map((c, i) => ({ id: c.id, body: JSON.stringify({ temperature: 0, ...c.input }), seeds: pool.seedsOf(i) })),
    schedule: constantSchedule(50, 10_000),
    rate: 50,
    durationMs: 10_000,
    maxInFlight: 64,
    timeoutMs: 5_000,
    thresholds: { http_req_duration: ['p(95)<450'], http_req_failed: ['rate<0.01'] },
    ...over,
  };
}

interface Post {
  url: string;
  body: string;
  params: { headers: Record<string, string>; timeout: string };
}

/**
 * Runs the generated script the way k6 would call it, with k6's modules stubbed: checks that it is
 * valid JavaScript and records what each iteration sends.
 */
function execute(script: string, env: Record<string, string>, iterations: number, response: { status: number; body: string | null } = { status: 200, body: '{}' }) {
  const body = script
    .replace(/^import .*$/gm, '')
    .replace('export const options', 'const options')
    .replace('export default function', 'function __default')
    .replace('export function handleSummary', 'function handleSummary');
  const posts: Post[] = [];
  let callback: unknown;
  const http = {
    post: (url: string, b: string, params: Post['params']) => {
      posts.push({ url, body: b, params });
      return response;
    },
    expectedStatuses: (r: unknown) => r,
    setResponseCallback: (cb: unknown) => (callback = cb),
  };
  const exec = { scenario: { iterationInTest: 0 } };
  const checks: string[] = [];
  const check = (res: unknown, fns: Record<string, (r: unknown) => boolean>) => {
    for (const [name, f] of Object.entries(fns)) if (f(res)) checks.push(name);
  };
  const mod = new Function('http', 'exec', 'check', '__ENV', `${body}\nreturn { options, run: __default, handleSummary };`)(http, exec, check, env) as {
    options: any;
    run: () => void;
    handleSummary: (d: unknown) => Record<string, string>;
  };
  for (let i = 0; i < iterations; i++) {
    exec.scenario.iterationInTest = i;
    mod.run();
  }
  return { ...mod, posts, callback, checks };
}

describe('the k6 script', () => {
  it('sends the same requests as the built-in generator, iteration i = request i', () => {
    const pool = requestPool(cases, 'k6-run');
    const r = execute(buildK6Script(input()), { API_TOKEN: 'secret-token', TEAM: 'blue' }, 300);
    expect(r.posts).toHaveLength(300);
    r.posts.forEach((p, i) => {
      const want = pool.requestAt(i);
      expect(JSON.parse(p.body)).toEqual({ temperature: 0, ...want.case.input });
      expect(p.params.headers['x-toron-seed']).toBe(String(want.seed));
      // as the adapter sends it: printable ASCII as is, anything else percent-encoded
      expect(p.params.headers['x-toron-case-id']).toBe(want.case.id === 'café' ? 'caf%C3%A9' : want.case.id);
      expect(p.params.headers['x-toron-run-id']).toBe('k6-run');
      expect(p.params.headers.authorization).toBe('Bearer secret-token');
      expect(p.params.headers['x-team']).toBe('ml-blue-x');
      expect(p.params.timeout).toBe('5000ms');
      expect(p.url).toBe('http://engine.local:8000/run');
    });
    expect(r.callback).toEqual({ min: 200, max: 299 });
    expect(r.checks).toContain('status is 2xx');
    expect(r.checks).toContain('answer is JSON');
  });

  it('a failed request (timeout, refused: status 0, no body) passes neither check', () => {
    expect(execute(buildK6Script(input()), {}, 1, { status: 0, body: null }).checks).toEqual([]);
    expect(execute(buildK6Script(input()), {}, 1, { status: 200, body: 'not json' }).checks).toEqual(['status is 2xx']);
  });

  it('keeps secrets out of the file: header templates read __ENV, URL credentials come from the environment', () => {
    const script = buildK6Script(input({ hasUrlCredentials: true }));
    expect(script).not.toContain('secret-token');
    expect(script).toContain('__ENV["API_TOKEN"]');
    const r = execute(buildK6Script(input({ headers: {}, hasUrlCredentials: true })), { [K6_AUTH_ENV]: 'Basic dTpw', TORON_TESTOPS_K6_URL: 'http://u@engine.local:8000/run?key=1' }, 1);
    expect(r.posts[0].params.headers.authorization).toBe('Basic dTpw');
    expect(r.posts[0].url).toBe('http://u@engine.local:8000/run?key=1');
  });

  it('constant-arrival-rate with the thresholds, p(99) in the summary, VUs capped by maxInFlight', () => {
    const { options } = execute(buildK6Script(input()), {}, 0);
    expect(options.scenarios.toron_load).toEqual({ executor: 'constant-arrival-rate', rate: 50, timeUnit: '1s', duration: '10000ms', preAllocatedVUs: 50, maxVUs: 64, gracefulStop: '30000ms' });
    expect(options.thresholds).toEqual({ http_req_duration: ['p(95)<450'], http_req_failed: ['rate<0.01'] });
    expect(options.summaryTrendStats).toContain('p(99)');
  });

  it('ramping-arrival-rate from the stages', () => {
    const stages = [
      { durationMs: 30_000, target: 100 },
      { durationMs: 60_000, target: 100 },
      { durationMs: 500, target: 0 },
    ];
    const { options } = execute(buildK6Script(input({ schedule: rampingSchedule(5, stages), rate: undefined, durationMs: undefined, startRate: 5, stages })), {}, 0);
    expect(options.scenarios.toron_load).toEqual({
      executor: 'ramping-arrival-rate',
      startRate: 5,
      timeUnit: '1s',
      stages: [
        { duration: '30000ms', target: 100 },
        { duration: '60000ms', target: 100 },
        { duration: '500ms', target: 0 },
      ],
      preAllocatedVUs: 64,
      maxVUs: 64,
      gracefulStop: '30000ms',
    });
  });

  it('k6 waits for requests in flight as long as the built-in generator does (gracefulStop covers load.timeoutMs)', () => {
    // k6 drops requests still in flight at gracefulStop (30 s by default) from every metric
    const slow = execute(buildK6Script(input({ timeoutMs: 120_000 })), {}, 0).options.scenarios.toron_load;
    expect(slow.gracefulStop).toBe('121000ms');
  });

  it('rates with decimals become whole iterations per a longer timeUnit (k6 takes integers only)', () => {
    const half = execute(buildK6Script(input({ schedule: constantSchedule(0.5, 4_000), rate: 0.5, durationMs: 4_000 })), {}, 0).options.scenarios.toron_load;
    expect(half).toMatchObject({ executor: 'constant-arrival-rate', rate: 5, timeUnit: '10s', duration: '4000ms' });
    const stages = [
      { durationMs: 2_000, target: 2.25 },
      { durationMs: 1_000, target: 0 },
    ];
    const ramp = execute(buildK6Script(input({ schedule: rampingSchedule(0.5, stages), rate: undefined, durationMs: undefined, startRate: 0.5, stages })), {}, 0).options.scenarios.toron_load;
    expect(ramp).toMatchObject({ startRate: 50, timeUnit: '100s', stages: [ { duration: '2000ms', target: 225 }, { duration: '1000ms', target: 0 } ] });
    for (const v of [half.rate, ramp.startRate, ...ramp.stages.map((s: { target: number }) => s.target)]) expect(Number.isInteger(v)).toBe(true);
  });

  it('a constant rate shorter than 1 s (k6 refuses such a constant-arrival-rate) is written as a ramp that holds the rate', () => {
    const { options } = execute(buildK6Script(input({ schedule: constantSchedule(20, 500), rate: 20, durationMs: 500 })), {}, 0);
    expect(options.scenarios.toron_load).toMatchObject({ executor: 'ramping-arrival-rate', startRate: 20, timeUnit: '1s', stages: [{ duration: '500ms', target: 20 }] });
  });

  it("thresholds with abortOnFail keep k6's object form, so k6 aborts the test itself", () => {
    const thresholds = { http_req_duration: [{ threshold: 'p(99)<10', abortOnFail: true as const, delayAbortEval: '10s' }, 'p(95)<450'] };
    expect(execute(buildK6Script(input({ thresholds })), {}, 0).options.thresholds).toEqual(thresholds);
  });

  it('handleSummary writes the data where the runner says', () => {
    const r = execute(buildK6Script(input()), { TORON_TESTOPS_K6_SUMMARY: '/tmp/x/summary.json' }, 0);
    expect(r.handleSummary({ metrics: {} })).toEqual({ '/tmp/x/summary.json': '{"metrics":{}}' });
  });

  it('run by hand (no TORON_TESTOPS_K6_SUMMARY), handleSummary prints a short summary instead of writing a file named "undefined"', () => {
    const r = execute(buildK6Script(input()), {}, 0);
    const data = {
      metrics: {
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12.34567, 'p(95)': 30 }, thresholds: { 'p(95)<450': { ok: true } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.5, passes: 1, fails: 1 }, thresholds: { 'rate<0.01': { ok: false } } },
      },
    };
    const out = r.handleSummary(data);
    expect(Object.keys(out)).toEqual(['stdout']);
    expect(out.stdout).toContain('http_req_duration: avg=12.346 p(95)=30');
    expect(out.stdout).toMatch(/ok {5}p\(95\)<450/);
    expect(out.stdout).toMatch(/FAILED rate<0\.01/);
  });

  it('header templates become expressions, never values', () => {
    expect(headerExpression('plain')).toBe('"plain"');
    expect(headerExpression('${A}')).toBe('__ENV["A"]');
    expect(headerExpression('x ${A} y ${B}')).toBe('"x " + __ENV["A"] + " y " + __ENV["B"]');
  });
});
