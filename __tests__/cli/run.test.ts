import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, makeProject, readJson, reportDir, runCli, startCli } from '../helpers/cli.js';

const SEEDED = `cmd:${process.execPath} ${path.join(ROOT, '__tests__/fixtures/cli-engines/seeded.mjs')}`;
const EXIT_AFTER = (k: number) => `cmd:${process.execPath} ${path.join(ROOT, '__tests__/fixtures/engines/exit-after.mjs')} ${k}`;

function dataset(name: string, n: number, assert: unknown[], extra: Record<string, unknown> = {}) {
  return {
    name,
    description: 'test',
    seed: 1,
    defaults: { assert: [] },
    cases: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert, ...extra })),
  };
}

function project(ds: Record<string, unknown>, config: Record<string, unknown> = {}) {
  const entries = Object.keys(ds).map((name) => ({ name, path: `${name}.json`, enabled: true, tags: [] }));
  const files: Record<string, unknown> = { 'sim/sim_dataset.json': { datasets: entries }, 'testops.config.json': config };
  for (const [name, d] of Object.entries(ds)) files[`sim/${name}.json`] = d;
  return makeProject(files);
}

describe('toron-testops run', () => {
  it('runs every stage against the reference engine by default and writes every file', async () => {
    // Default stages and load plan; only the scheduler-lag gate is loosened: one stall of this busy test
    // machine must not make the load run invalid (the gate has its own test in load/verdict.test.ts).
    const dir = project({ basic: dataset('basic', 12, [{ type: 'contains', value: 'question' }]) }, { load: { maxSchedulerLagMs: 2000 } });
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'r1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Verdict: PASS');
    const rd = reportDir(dir, 'r1');
    for (const f of ['report.json', 'result.json', 'sim_summary.json', 'run.log']) expect(fs.existsSync(path.join(rd, f)), f).toBe(true);
    const report = readJson(path.join(rd, 'report.json'));
    expect(report.verdict).toBe('PASS');
    expect(report.stages.sim).toMatchObject({ verdict: 'PASS', total: 12, passed: 12, failed: 0, passRate: 1 });
    expect(report.stages.sim.cases[0]).toMatchObject({ id: 'c0', dataset: 'basic', location: { file: 'sim/basic.json' } });
    expect(report.stages.sim.cases[0].location.line).toBeGreaterThan(1);
    expect(report.stages.load).toMatchObject({ verdict: 'PASS', generator: 'builtin' }); // load runs by default (issue 6)
    expect(report.stages.pipeline).toMatchObject({ verdict: 'PASS', profile: { used: 'toron-2.5h' } }); // pipeline runs by default (issue 5)
    expect(report.stages.replay).toMatchObject({ verdict: 'PASS', determinismScore: 100 }); // replay runs by default (issue 4)
    expect(JSON.stringify(report)).not.toContain(dir); // no machine paths in a report
    expect(readJson(path.join(rd, 'result.json'))).toMatchObject({ verdict: 'PASS', exitCode: 0, metrics: { simPassRate: 1, simTotal: 12 } });
    expect(fs.readFileSync(path.join(rd, 'run.log'), 'utf8')).toMatch(/\[sim\] finished PASS/);
    // The console lists every file the run wrote, the stage summaries and the snapshot included.
    const listed = r.stdout.slice(r.stdout.indexOf('Reports in'));
    for (const f of ['load_summary.json', 'replay_summary.json', 'pipeline_summary.json', 'bundle.zip.sha256']) expect(listed, f).toContain(`.toron-testops/reports/r1/${f}`);
    expect(listed).toContain('Snapshot: .toron-testops/snapshots/r1.json');
  });

  it('--run-id reproduces every seed: same run id, same per-case results; another run id, other results', async () => {
    const dir = project({ luck: dataset('luck', 40, [{ type: 'equals', path: '/lucky', value: true }]) }, { sim: { passRate: { warn: 1, fail: 0 } } });
    const outcome = async (runId: string) => {
      const r = await runCli(['run', '--engine', SEEDED, '--stages', 'sim', '--run-id', runId], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const cases = readJson(path.join(reportDir(dir, runId), 'report.json')).stages.sim.cases as { id: string; passed: boolean }[];
      return cases.map((c) => `${c.id}:${c.passed}`).sort().join(',');
    };
    const a = await outcome('same');
    fs.rmSync(path.join(dir, '.toron-testops'), { recursive: true });
    const b = await outcome('same');
    const c = await outcome('other');
    expect(a).toBe(b);
    expect(a).not.toBe(c);
    expect(a).toContain(':true');
    expect(a).toContain(':false');
  });

  it('FAIL on failing assertions, exit 1, with the failure, expected vs actual and the dataset line', async () => {
    const dir = project({ bad: dataset('bad', 3, [{ type: 'contains', value: 'no such words' }]) });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'f1'], { cwd: dir });
    expect(r.code).toBe(1);
    const report = readJson(path.join(reportDir(dir, 'f1'), 'report.json'));
    expect(report.verdict).toBe('FAIL');
    const c = report.stages.sim.cases[0];
    expect(c.failures[0].message).toContain('no such words');
    expect(c.actual).toContain('question');
    const f = report.warroom.find((w: any) => w.type === 'sim-case-failed');
    expect(f).toMatchObject({ severity: 'HIGH', score: 75, subsystem: 'sim', location: { file: 'sim/bad.json' } });
    expect(f.remediation.length).toBeGreaterThan(20);
  });

  it('says when no engine was named and the run tested the built-in reference engine, before and after the verdict', async () => {
    const dir = project({ ok: dataset('ok', 2, [{ type: 'contains', value: 'question' }]) });
    const unnamed = await runCli(['run', '--stages', 'sim', '--run-id', 'n1'], { cwd: dir });
    expect(unnamed.code).toBe(0);
    const note = 'no engine was named (--engine, or engine / engineVersion in the config): this run tested the built-in reference engine, a test engine';
    expect(unnamed.stderr.split('\n').filter((l) => l === `toron-testops: ${note}`)).toHaveLength(2);
    const named = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'n2'], { cwd: dir });
    expect(named.code).toBe(0);
    expect(named.stderr).not.toContain('no engine was named');
  });

  it('--fail-on warn turns WARN into exit 1; warn-level failures make WARN', async () => {
    const dir = project({ w: dataset('w', 2, [{ type: 'contains', value: 'nope', level: 'warn' }]) });
    const r1 = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'w1'], { cwd: dir });
    expect(r1.code).toBe(0);
    expect(readJson(path.join(reportDir(dir, 'w1'), 'report.json')).verdict).toBe('WARN');
    const r2 = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'w2', '--fail-on', 'warn'], { cwd: dir });
    expect(r2.code).toBe(1);
  });

  it('an engine URL that refuses connections: ERROR (exit 2), saying what was tried, with the report written', async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r)); // a port that was just free: refused
    const dir = project({ basic: dataset('basic', 2, []) });
    const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/run`, '--run-id', 'e1'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('not a test verdict');
    const report = readJson(path.join(reportDir(dir, 'e1'), 'report.json'));
    expect(report.verdict).toBe('ERROR');
    expect(report.error.message).toContain(`127.0.0.1:${port}/health`);
    expect(report.stages.sim.verdict).toBe('SKIPPED');
    expect(report.warroom[0]).toMatchObject({ severity: 'CRITICAL', type: 'engine-unreachable' });
    expect(fs.readFileSync(path.join(reportDir(dir, 'e1'), 'run.log'), 'utf8')).toContain('engine unreachable');
  });

  it('an engine up on /health but refusing every case with 404 (a wrong path): ERROR, wiring, not FAIL', async () => {
    // Health answers; POST goes to a path the engine does not serve. One run with a 404, one with a
    // redirect to https (not followed); a 404 on some cases only stays a FAIL (the engine's behaviour).
    const server = http.createServer((req, res) => {
      if (req.url === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      if (req.url === '/redirect') return res.writeHead(301, { location: 'https://127.0.0.1/run' }).end();
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        if (req.url === '/some' && body.includes('question 1')) return res.writeHead(200, { 'content-type': 'application/json' }).end('{"final_answer":"question 1"}');
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = project({ basic: dataset('basic', 3, []) });
      for (const [route, runId, status] of [['wrong', 'm1', 404], ['redirect', 'm2', 301]] as const) {
        const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/${route}`, '--stages', 'sim', '--run-id', runId], { cwd: dir });
        expect(r.code, r.stdout + r.stderr).toBe(2);
        const report = readJson(path.join(reportDir(dir, runId), 'report.json'));
        expect(report.verdict).toBe('ERROR');
        expect(report.stages.sim.verdict).toBe('ERROR');
        expect(report.stages.sim.reason).toMatch(new RegExp(`^every request was refused with HTTP ${status}: the engine is up`));
        expect(report.warroom.find((w: any) => w.type === 'engine-misrouted')).toMatchObject({ severity: 'CRITICAL' });
      }
      const some = await runCli(['run', '--engine', `http://127.0.0.1:${port}/some`, '--stages', 'sim', '--run-id', 'm3'], { cwd: dir });
      expect(some.code, some.stdout + some.stderr).toBe(1);
      const report = readJson(path.join(reportDir(dir, 'm3'), 'report.json'));
      expect(report.stages.sim).toMatchObject({ verdict: 'FAIL', passed: 1, errored: 2 });
      expect(report.warroom.some((w: any) => w.type === 'engine-misrouted')).toBe(false);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('a body that trickles past the timeout: the adapter says what it saw (headers, then an incomplete body)', async () => {
    const open: http.ServerResponse[] = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"final_answer": "sta');
      open.push(res);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = project({ basic: dataset('basic', 2, []) });
      const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/run`, '--stages', 'sim', '--timeout-ms', '400', '--run-id', 't1'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const report = readJson(path.join(reportDir(dir, 't1'), 'report.json'));
      expect(report.stages.sim.errored).toBe(2);
      for (const c of report.stages.sim.cases) {
        expect(c.engineErrors[0]).toMatchObject({ kind: 'timeout', message: expect.stringMatching(/HTTP 200 headers arrived, but the body was incomplete \(\d+ bytes received\) within 400 ms/) });
      }
    } finally {
      for (const res of open) res.destroy();
      await new Promise((r) => server.close(r));
    }
  });

  it('a dataset with a JSON syntax error: ERROR naming file:line:column, reports still written', async () => {
    const dir = project({ ok: dataset('ok', 1, []) });
    fs.writeFileSync(path.join(dir, 'sim/ok.json'), '{\n  "name": "ok",\n  "cases": [\n    { "id": "a", }\n  ]\n}\n');
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'd1'], { cwd: dir });
    expect(r.code).toBe(2);
    const report = readJson(path.join(reportDir(dir, 'd1'), 'report.json'));
    expect(report.verdict).toBe('ERROR');
    expect(report.error.message).toMatch(/sim\/ok\.json:4:\d+/);
    expect(report.stages.sim.verdict).toBe('ERROR');
    expect(report.warroom[0].location).toEqual({ file: 'sim/ok.json', line: 4 });
  });

  it('a config value of the wrong type: ERROR naming the file, the JSON path and the line', async () => {
    const dir = project({ ok: dataset('ok', 1, []) });
    fs.writeFileSync(path.join(dir, 'testops.config.json'), '{\n  "sim": {\n    "concurrency": "8"\n  }\n}\n');
    const r = await runCli(['run', '--engine', 'reference'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('testops.config.json:3');
    expect(r.stderr).toContain('/sim/concurrency');
  });

  it('a cmd: engine that exits mid-run: SIM FAILs with the death reported, every file written', async () => {
    const dir = project({ many: dataset('many', 30, []) }, { sim: { concurrency: 1 } });
    const r = await runCli(['run', '--engine', EXIT_AFTER(10), '--run-id', 'x1'], { cwd: dir });
    const rd = reportDir(dir, 'x1');
    const report = readJson(path.join(rd, 'report.json'));
    expect(report.stages.sim.verdict).toBe('FAIL');
    // The dead engine answers no replay: no determinism figure (never a score of 0), and FAIL as engine
    // errors are in SIM: a crashed engine is engine behaviour, not broken wiring (exit 1, not 2).
    expect(report.stages.replay).toMatchObject({ verdict: 'FAIL', determinismScore: null });
    expect(report.stages.replay.reason).toMatch(/^no usable replay answers \(engine errors\)/);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(report.verdict).toBe('FAIL');
    expect(report.stages.sim.passed).toBe(10);
    expect(report.stages.sim.errored).toBe(20);
    expect(report.stages.sim.engineErrors.process_exit).toBe(20);
    const died = report.warroom.find((w: any) => w.type === 'engine-died');
    expect(died).toMatchObject({ severity: 'CRITICAL' });
    expect(died.message).toMatch(/exit/);
    expect(fs.readFileSync(path.join(rd, 'run.log'), 'utf8')).toContain('out of patience'); // the engine's stderr
  });

  it('SIGTERM mid-run: stops, writes the partial report and says the run was cancelled', async () => {
    const dir = project({ slow: dataset('slow', 200, []) }, { sim: { concurrency: 2 } });
    const child = startCli(['run', '--engine', 'reference', '--latency-ms', '100', '--run-id', 'c1'], { cwd: dir });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (out.includes('▶ sim')) {
          clearInterval(t);
          setTimeout(resolve, 700);
        }
      }, 50);
    });
    child.kill('SIGTERM');
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(2);
    const report = readJson(path.join(reportDir(dir, 'c1'), 'report.json'));
    expect(report.cancelled).toBe(true);
    expect(report.verdict).toBe('ERROR');
    expect(report.stages.sim.notRun).toBeGreaterThan(0);
    expect(report.stages.sim.total).toBeGreaterThan(0);
    expect(report.warroom.some((w: any) => w.type === 'run-cancelled')).toBe(true);
  });

  it('a console whose reader went away (`run | head`): the run goes on, writes every file, exits with its verdict', async () => {
    const dir = project({ d: dataset('d', 40, [{ type: 'contains', value: 'question' }]) }, { sim: { concurrency: 2 } });
    const child = startCli(['run', '--engine', 'reference', '--latency-ms', '20', '--stages', 'sim', '--run-id', 'p1'], { cwd: dir });
    // Both ends closed after the first line, as `| head -1` does (2>&1): later writes meet EPIPE.
    const first = new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    child.stderr!.destroy();
    await first;
    child.stdout!.destroy();
    const code = await new Promise((r) => child.on('close', r));
    expect(code).toBe(0);
    const report = readJson(path.join(reportDir(dir, 'p1'), 'report.json'));
    expect(report.verdict).toBe('PASS');
    expect(report.stages.sim.total).toBe(40);
    expect(fs.existsSync(path.join(reportDir(dir, 'p1'), 'bundle.zip'))).toBe(true);
    // What the console lost is in run.log.
    expect(fs.readFileSync(path.join(reportDir(dir, 'p1'), 'run.log'), 'utf8')).toMatch(/done: PASS \(exit 0\)/);
  });
});

describe('toron-testops run --shard', () => {
  it('runs only its slice: each case in exactly one shard, an empty slice is SKIPPED (not a whole suite)', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
      'sim/d.json': { name: 'd', cases: [{ id: 'a', input: { prompt: 'x' } }] },
    });
    const reports = [];
    for (const i of [1, 2]) {
      const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--shard', `${i}/2`, '--run-id', 's1', '--out', `o${i}`], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      reports.push(readJson(path.join(reportDir(dir, 's1', `o${i}`), 'report.json')));
    }
    expect(reports.map((r) => r.stages.sim.total ?? 0).sort()).toEqual([0, 1]);
    const empty = reports.find((r) => r.stages.sim.verdict === 'SKIPPED')!;
    expect(empty.stages.sim.reason).toMatch(/^shard [12]\/2 holds none of the 1 case\(s\)$/);
    expect(reports.map((r) => r.shard.index)).toEqual([1, 2]);
  });
});
