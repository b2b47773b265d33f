import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { describeK6Exit } from '../../src/load/k6-run.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { ROOT, makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

/**
 * The k6 backend with the stand-in k6 (fixtures/load/k6/fake-k6.sh: writes a genuine k6 summary where
 * k6 would, exits as k6 would). k6 itself cannot run here; its script is tested in k6-script.test.ts.
 */
const FAKE = path.join(ROOT, '__tests__/fixtures/load/k6/fake-k6.sh');
let bin: string;
let server: ReferenceServer;
const BASE_PATH = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

beforeAll(async () => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-k6-bin-'));
  fs.symlinkSync(FAKE, path.join(bin, 'k6'));
  server = await startReferenceServer({ ...DEFAULTS.reference }, { port: 0 });
});

afterAll(async () => {
  await server.close();
  fs.rmSync(bin, { recursive: true, force: true });
});

function project(load: Record<string, unknown> = {}, engine = `${server.url}/run`) {
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
    'sim/basic.json': { name: 'basic', description: 'd', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
    'testops.config.json': { engine, load: { generator: 'k6', rate: 10, duration: '2s', ...load } },
  });
}

function env(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { PATH: `${bin}${path.delimiter}${BASE_PATH}`, HOME: os.tmpdir(), ...extra };
}

describe('load stage, k6 backend', () => {
  it('a failing --summary-export run: k6 exit 99 read as FAIL, dropped iterations make it invalid too', async () => {
    const dir = project();
    const argsLog = path.join(dir, 'k6-args.log');
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k1'], {
      cwd: dir,
      env: env({ K6_FIXTURE: 'summary-export-fail-arrival-dropped', FAKE_K6_ARGS_LOG: argsLog }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const rd = reportDir(dir, 'k1');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load).toMatchObject({ verdict: 'FAIL', generator: 'k6', valid: false });
    expect(load.metrics.http_reqs).toEqual({ count: 752192, rate: 16704.124848078805 });
    expect(load.metrics.http_req_duration['p(95)']).toBe(165.28824989999978);
    expect(load.metrics.http_req_duration['p(99)']).toBeNull();
    expect(load.metrics.http_req_failed).toEqual({ rate: 0.22851878243852633, passes: 171890, fails: 580302 });
    expect(load.metrics.dropped_iterations.count).toBe(188);
    expect(load.k6).toMatchObject({ version: 'v1.5.0', exitCode: 99, summaryShape: 'summary-export', summary: 'k6/summary-export.json', script: 'k6/script.js' });
    // our default thresholds, judged: p95 165 ms < 450 holds, 22.9% failed does not; the file's own threshold too
    const by = Object.fromEntries(load.thresholds.map((t: any) => [`${t.metric} ${t.expression}`, t.passed]));
    expect(by).toEqual({ 'http_req_duration p(95)<450': true, 'http_req_failed rate<0.01': false, 'http_req_duration p(95)<50': false });
    expect(load.invalidReasons[0]).toMatch(/188 request\(s\).*dropped/);
    expect(fs.readFileSync(path.join(rd, 'warroom.log'), 'utf8')).toMatch(/load run invalid/);
    // what the gate passed to k6
    const calls = fs.readFileSync(argsLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls[0]).toEqual(['version']);
    const run = calls[1];
    expect(run[0]).toBe('run');
    expect(run).toContain('--summary-export');
    expect(run.at(-1)).toBe(path.join(rd, 'k6', 'script.js'));
    expect(run).toContain(`TORON_TESTOPS_K6_SUMMARY=${path.join(rd, 'k6', 'summary.json')}`);
    expect(fs.readFileSync(path.join(rd, 'k6', 'script.js'), 'utf8')).toMatch(/executor": "constant-arrival-rate"/);
    expect(fs.readFileSync(path.join(rd, 'run.log'), 'utf8')).not.toContain(rd);
  });

  it("a passing handleSummary run: PASS, read from handleSummary's own file", async () => {
    // the thresholds the fixture's script had: k6's verdicts are taken as stored
    const dir = project({ stages: [{ duration: '1s', target: 5 }], thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] } });
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k2'], { cwd: dir, env: env({ K6_FIXTURE: 'handle-summary-pass-compact' }) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const rd = reportDir(dir, 'k2');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load).toMatchObject({ verdict: 'PASS', generator: 'k6', valid: true, plan: { executor: 'ramping-arrival-rate' } });
    expect(load.k6).toMatchObject({ exitCode: 0, summaryShape: 'handle-summary', summary: 'k6/summary.json', testRunDurationMs: 8274.949 });
    expect(load.thresholds.map((t: any) => [t.metric, t.expression, t.passed, t.note])).toEqual([
      ['http_req_duration', 'p(95)<500', true, 'verdict from k6'],
      ['http_req_failed', 'rate<0.01', true, 'verdict from k6'],
    ]);
    expect(load.metrics.dropped_iterations).toBeNull();
    expect(readJson(path.join(rd, 'load_summary.json')).durationMs).toBe(8274.949);
    // one progress line from k6's summary (k6 itself reports none while it runs)
    expect(r.stdout).toMatch(/ {2}load 20\/\d+ .* p95 \d+(\.\d)? ms, dropped 0/);
  });

  it('no k6 on PATH: ERROR (exit 2) that says how to install it', async () => {
    const dir = project();
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k3'], { cwd: dir, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const load = readJson(path.join(reportDir(dir, 'k3'), 'report.json')).stages.load;
    expect(load.verdict).toBe('ERROR');
    expect(load.reason).toMatch(/k6 \("k6"\) was not found/);
    expect(load.reason).toMatch(/grafana\/setup-k6-action/);
    expect(r.stdout).toMatch(/CRITICAL load: k6/);
  });

  it('load.k6Binary given as a relative path is found from where the gate runs (not from the report folder k6 runs in)', async () => {
    const dir = project({ k6Binary: './tools/k6' });
    fs.mkdirSync(path.join(dir, 'tools'));
    fs.symlinkSync(FAKE, path.join(dir, 'tools', 'k6'));
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k7'], { cwd: dir, env: { PATH: BASE_PATH, HOME: os.tmpdir(), K6_FIXTURE: 'handle-summary-pass-compact' } });
    const load = readJson(path.join(reportDir(dir, 'k7'), 'report.json')).stages.load;
    expect(load.reason).not.toMatch(/was not found/);
    expect(load).toMatchObject({ generator: 'k6', k6: { version: 'v1.5.0', summaryShape: 'handle-summary' } });
    expect(r.code, r.stdout + r.stderr).not.toBe(2);
    // a missing one is named as configured, never as an absolute path of this machine
    const gone = project({ k6Binary: './tools/none' });
    await runCli(['run', '--stages', 'load', '--run-id', 'k8'], { cwd: gone, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    const reason = readJson(path.join(reportDir(gone, 'k8'), 'report.json')).stages.load.reason;
    expect(reason).toMatch(/k6 \("\.\/tools\/none"\) was not found/);
    expect(reason).not.toContain(gone);
  });

  it('an absolute load.k6Binary is named like every path in a report: relative inside the working folder, else by its last part', async () => {
    const outside = project({ k6Binary: '/opt/toron-no-such-dir/k6' });
    await runCli(['run', '--stages', 'load', '--run-id', 'k11'], { cwd: outside, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    const rd = reportDir(outside, 'k11');
    expect(readJson(path.join(rd, 'report.json')).stages.load.reason).toMatch(/k6 \("…\/k6"\) was not found/);
    for (const f of ['report.json', 'load_summary.json', 'result.json', 'summary.md', 'run.log', 'warroom.log', 'report.html']) {
      expect(fs.readFileSync(path.join(rd, f), 'utf8'), f).not.toContain('/opt/toron-no-such-dir');
    }
    const inside = project();
    fs.writeFileSync(path.join(inside, 'testops.config.json'), JSON.stringify({ engine: `${server.url}/run`, load: { generator: 'k6', rate: 10, duration: '2s', k6Binary: path.join(inside, 'tools', 'none') } }));
    await runCli(['run', '--stages', 'load', '--run-id', 'k12'], { cwd: inside, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    const reason = readJson(path.join(reportDir(inside, 'k12'), 'report.json')).stages.load.reason;
    expect(reason).toMatch(/k6 \("tools\/none"\) was not found/);
    expect(reason).not.toContain(inside);
  });

  it("a k6 whose version check fails quoting the working folder and other folders of this machine: its words reach the reports without them", async () => {
    const dir = project({ k6Binary: './tools/k6' });
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-elsewhere-'));
    fs.mkdirSync(path.join(dir, 'tools'));
    fs.writeFileSync(path.join(dir, 'tools', 'k6'), `#!/bin/sh\necho "$0: cannot run in $(pwd) ${elsewhere}/lib" >&2\nexit 3\n`, { mode: 0o755 });
    await runCli(['run', '--stages', 'load', '--run-id', 'k13'], { cwd: dir, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    const rd = reportDir(dir, 'k13');
    const reason = readJson(path.join(rd, 'report.json')).stages.load.reason;
    // k6 runs in the report folder's k6/: named as the folder there; the other folder by its last part.
    expect(reason).toMatch(/"\.\/tools\/k6 version" exited with 3: \.\/tools\/k6: cannot run in k6 …\/lib$/);
    for (const f of ['report.json', 'load_summary.json', 'result.json', 'summary.md', 'run.log', 'warroom.log', 'report.html']) {
      const text = fs.readFileSync(path.join(rd, f), 'utf8');
      expect(text, f).not.toContain(dir);
      expect(text, f).not.toContain(elsewhere);
    }
  });

  it('k6 failing for its own reasons (script exception, exit 107): ERROR with its meaning', async () => {
    const dir = project();
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k4'], {
      cwd: dir,
      env: env({ K6_FIXTURE: 'handle-summary-pass-compact', FAKE_K6_EXIT_CODE: '107' }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const load = readJson(path.join(reportDir(dir, 'k4'), 'report.json')).stages.load;
    expect(load.verdict).toBe('ERROR');
    expect(load.reason).toMatch(/exited with code 107 \(the script threw an exception\)/);
  });

  it('k6 exiting 99 (thresholds crossed) with a summary where every threshold held: FAIL, never PASS', async () => {
    const dir = project({ thresholds: { http_req_duration: ['p(95)<500'], http_req_failed: ['rate<0.01'] } });
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k9'], { cwd: dir, env: env({ K6_FIXTURE: 'handle-summary-pass-compact', FAKE_K6_EXIT_CODE: '99' }) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const load = readJson(path.join(reportDir(dir, 'k9'), 'report.json')).stages.load;
    expect(load.verdict).toBe('FAIL');
    expect(load.thresholds.at(-1)).toMatchObject({ metric: 'k6', expression: 'exit code 99', passed: false });
    expect(load.reason).toMatch(/exited with code 99/);
  });

  it("k6's error lines quoting the script by its absolute path reach the report relative (no path of this machine)", async () => {
    const dir = project({ k6Binary: './tools/k6' });
    fs.mkdirSync(path.join(dir, 'tools'));
    // a k6 whose script throws: k6 quotes the script's location (file:///abs/.../script.js:42:9) and exits 107
    const stub = ['#!/bin/sh', 'if [ "$1" = version ]; then echo "k6 v1.5.0 (commit/x, go1.25.5, linux/amd64)"; exit 0; fi', 'for a; do last="$a"; done',
      `echo 'level=error msg="TypeError: x is undefined at default (file://'"$last"':42:9(34))"' >&2`, 'exit 107', ''].join('\n');
    fs.writeFileSync(path.join(dir, 'tools', 'k6'), stub, { mode: 0o755 });
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k10'], { cwd: dir, env: { PATH: BASE_PATH, HOME: os.tmpdir() } });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const rd = reportDir(dir, 'k10');
    const load = readJson(path.join(rd, 'report.json')).stages.load;
    expect(load.reason).toMatch(/exited with code 107/);
    expect(load.reason).toContain('file://k6/script.js:42:9');
    for (const f of ['report.json', 'load_summary.json', 'result.json', 'summary.md', 'run.log']) expect(fs.readFileSync(path.join(rd, f), 'utf8')).not.toContain(dir);
  });

  it("k6's exit codes are named as k6 names them (errext/exitcodes)", () => {
    expect(describeK6Exit({ code: 103, signal: null, tail: '' })).toMatch(/stopped through its REST API/);
    expect(describeK6Exit({ code: 105, signal: null, tail: '' })).toMatch(/aborted from outside/);
    expect(describeK6Exit({ code: null, signal: 'SIGKILL', tail: '' })).toBe('k6 was stopped by SIGKILL');
  });

  it('k6 that writes no summary: ERROR, never a pass', async () => {
    const dir = project();
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k5'], {
      cwd: dir,
      env: env({ K6_FIXTURE: 'handle-summary-pass-compact', FAKE_K6_NO_SUMMARY: '1' }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(readJson(path.join(reportDir(dir, 'k5'), 'report.json')).stages.load.reason).toMatch(/wrote no end-of-test summary/);
  });

  it('k6 against a non-HTTP engine is a configuration ERROR naming load.generator, before any stage runs', async () => {
    for (const engine of ['reference', 'cmd:node engine.mjs']) {
      const dir = project({}, engine);
      const r = await runCli(['run', '--stages', 'sim,load', '--run-id', 'k6'], { cwd: dir, env: env({ K6_FIXTURE: 'handle-summary-pass-compact' }) });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/testops\.config\.json:4\b.*load\.generator "k6" sends HTTP requests/);
      // SIM did not run first: the gate stopped at the configuration.
      expect(fs.existsSync(path.join(reportDir(dir, 'k6'), 'sim_summary.json'))).toBe(false);
    }
    // Without the load stage, k6 as the generator is no problem.
    const dir = project({}, 'reference');
    const r = await runCli(['run', '--stages', 'sim', '--run-id', 'k7'], { cwd: dir, env: env({}) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });
});
