import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { ROOT, makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

const SEEDED = `cmd:${process.execPath} ${path.join(ROOT, '__tests__/fixtures/cli-engines/seeded.mjs')}`;
const servers: ReferenceServer[] = [];

afterAll(async () => {
  for (const s of servers) await s.close();
});

function project(config: Record<string, unknown>, assert: unknown[] = [{ type: 'contains', value: 'question' }]) {
  const ds = {
    name: 'basic',
    description: 'load test cases',
    seed: 1,
    cases: Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert, ...(i === 0 ? { repeat: 2 } : {}) })),
  };
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
    'sim/basic.json': ds,
    'testops.config.json': config,
  });
}

describe('load stage (built-in generator), end to end through the CLI', () => {
  it('reference engine: PASS, k6-named metrics, thresholds, timeline, quality beside SIM, progress lines', async () => {
    // maxSchedulerLagMs: one stall of a busy test machine must not make these 60 requests an invalid run.
    const dir = project({ load: { rate: 40, duration: '1500ms', maxSchedulerLagMs: 2000 } });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim,load', '--run-id', 'l1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rd = reportDir(dir, 'l1');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load).toMatchObject({ verdict: 'PASS', generator: 'builtin', valid: true, plan: { executor: 'constant-arrival-rate', requests: 60, cases: 6 } });
    expect(load.metrics.http_reqs.count).toBe(60);
    expect(load.metrics.iterations.count).toBe(60);
    expect(load.metrics.dropped_iterations.count).toBe(0);
    expect(Object.keys(load.metrics.http_req_duration)).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']);
    expect(load.metrics.http_req_failed).toEqual({ rate: 0, passes: 0, fails: 60 });
    expect(load.metrics.scheduler_lag_ms).toBeTruthy();
    expect(load.thresholds.map((t: any) => [t.metric, t.expression, t.level, t.passed])).toEqual([
      ['http_req_duration', 'p(95)<450', 'error', true],
      ['http_req_failed', 'rate<0.01', 'error', true],
    ]);
    expect(load.quality).toMatchObject({ checked: 60, passed: 60, failed: 0, passRate: 1, simPassRate: 1 });
    expect(load.timeline.length).toBeGreaterThanOrEqual(2);
    expect(load.timeline.reduce((n: number, row: any) => n + row.completed, 0)).toBe(60);
    expect(load.timeline[0]).toHaveProperty('p95Ms');
    const summary = readJson(path.join(rd, 'load_summary.json'));
    expect(summary).toMatchObject({ runId: 'l1', verdict: 'PASS', generator: 'builtin', sent: 60, transport: 'reference adapter' });
    expect(r.stdout).toMatch(/ {2}load \d+\/60 \(\d+%\) \d+\/s, failures 0, engine errors 0, p95 [\d.]+ ms, dropped 0, in flight \d+/);
    expect(fs.readFileSync(path.join(rd, 'run.log'), 'utf8')).toMatch(/\[load\] progress \d+\/60 \d+\/s failures=0 errors=0 p95=[\d.]+ms dropped=0/);
    expect(readJson(path.join(rd, 'result.json')).metrics.p95Ms).toBe(load.metrics.http_req_duration['p(95)']);
    expect(JSON.stringify(summary)).not.toContain(dir);
  });

  it('an HTTP engine that errors: FAIL on http_req_failed, errors by class, WAR ROOM event', async () => {
    const srv = await startReferenceServer({ ...DEFAULTS.reference, errorRate: 0.5, seed: 3 }, { port: 0 });
    servers.push(srv);
    const dir = project({ engine: `${srv.url}/run`, load: { rate: 50, duration: '1s' } });
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'l2'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const rd = reportDir(dir, 'l2');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load.verdict).toBe('FAIL');
    expect(load.reason).toMatch(/http_req_failed rate<0.01/);
    expect(load.errors.non_2xx).toBeGreaterThan(5);
    expect(load.metrics.http_req_failed.passes).toBe(load.errors.non_2xx);
    expect(readJson(path.join(rd, 'load_summary.json')).transport).toBe('http (undici)');
    const warroom = fs.readFileSync(path.join(rd, 'warroom.log'), 'utf8');
    expect(warroom).toMatch(/load threshold crossed \(error\): http_req_failed rate<0.01/);
    // SIM did not run: no pass rate beside
    expect(load.quality.simPassRate).toBeNull();
  });

  it('a generator that falls behind is invalid: WARN and a WAR ROOM event, never PASS', async () => {
    const dir = project({
      reference: { latencyMs: 300 },
      load: { rate: 20, duration: '1s', maxInFlight: 1, thresholds: { http_req_duration: ['p(95)<60000'] } },
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'load', '--run-id', 'l3', '--fail-on', 'warn'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const rd = reportDir(dir, 'l3');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load.verdict).toBe('WARN');
    expect(load.valid).toBe(false);
    expect(load.metrics.dropped_iterations.count).toBeGreaterThan(0);
    expect(load.invalidReasons[0]).toMatch(/dropped/);
    expect(load.thresholds[0].passed).toBe(true);
    expect(fs.readFileSync(path.join(rd, 'warroom.log'), 'utf8')).toMatch(/load run invalid/);
  });

  it('a cmd: engine that dies mid-load: its requests fail as process_exit, and WAR ROOM says the engine died (CRITICAL)', async () => {
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
    const engine = `cmd:${process.execPath} --import ${tsx} ${path.join(ROOT, 'src/cli.ts')} engine stdio --crash-after 10`;
    const dir = project({ load: { rate: 20, duration: '1500ms', maxSchedulerLagMs: 5000 } });
    const r = await runCli(['run', '--engine', engine, '--stages', 'load', '--run-id', 'l5'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readJson(path.join(reportDir(dir, 'l5'), 'report.json'));
    expect(report.stages.load.errors.process_exit).toBeGreaterThan(0);
    const died = report.warroom.filter((f: any) => f.subsystem === 'engine' && f.severity === 'CRITICAL');
    expect(died).toHaveLength(1);
    expect(died[0].message).toMatch(/engine process exited under load; \d+ request\(s\) failed with it: .*crash/);
  }, 60_000);

  it('a cmd: engine goes through the same scheduler; answers failing assertions show as quality under load', async () => {
    const dir = project({ load: { rate: 30, duration: '1s', thresholds: { http_req_duration: ['p(95)<5000'], checks: [{ threshold: 'rate>0.99', level: 'warn' }] } } }, [
      { type: 'equals', path: '/lucky', value: true },
    ]);
    const r = await runCli(['run', '--engine', SEEDED, '--stages', 'load', '--run-id', 'l4'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const load = readJson(path.join(reportDir(dir, 'l4'), 'report.json')).stages.load;
    expect(load.metrics.http_reqs.count).toBe(30);
    expect(load.quality.checked).toBe(30);
    // `lucky` is true for even seeds only: some answers fail, the warn-level checks threshold warns
    expect(load.quality.failed).toBeGreaterThan(0);
    expect(load.quality.failingCases[0]).toMatchObject({ dataset: 'basic', location: { file: 'sim/basic.json' } });
    expect(load.verdict).toBe('WARN');
    expect(load.thresholds[1]).toMatchObject({ metric: 'checks', level: 'warn', passed: false });
  });
});
