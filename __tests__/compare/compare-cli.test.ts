import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateComparison } from '../../src/compare/schema.js';
import type { Comparison } from '../../src/compare/types.js';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { ROOT, makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * The staging gate end to end: the CLI from source as a real process, reference engines in process
 * (a real HTTP server on 127.0.0.1) and in the CLI, real runs with short load.
 */

// maxSchedulerLagMs: with 5 requests, one stall of a busy test machine would make a side's load run invalid (WARN).
const CONFIG = { load: { duration: '1s', rate: 5, maxSchedulerLagMs: 2000 }, replay: { rounds: 1 } };

function project(config: object = CONFIG): string {
  const dir = makeProject({ 'testops.config.json': config });
  fs.cpSync(path.join(ROOT, 'sim'), path.join(dir, 'sim'), { recursive: true });
  return dir;
}

function comparisonOf(dir: string, runId: string): { json: Comparison; md: string } {
  const base = path.join(dir, '.toron-testops', 'compare', runId);
  return { json: readJson<Comparison>(path.join(base, 'comparison.json')), md: fs.readFileSync(path.join(base, 'comparison.md'), 'utf8') };
}

function expectValid(c: Comparison): void {
  const v = validateComparison(c);
  expect(v.ok ? [] : v.errors).toEqual([]);
}

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let gen25: ReferenceServer;
let gen3: ReferenceServer;
let shared: string;

beforeAll(async () => {
  gen25 = await startReferenceServer({ ...DEFAULTS.reference }, { port: 0 });
  gen3 = await startReferenceServer({ ...DEFAULTS.reference, generation: '3' }, { port: 0 });
  // A previous run whose snapshot, report folder and bundle serve as baselines below.
  shared = project();
  const r = await runCli(['run', '--run-id', 'base1'], { cwd: shared });
  expect(r.code, r.stderr).toBe(0);
});

afterAll(async () => {
  await gen25?.close();
  await gen3?.close();
});

describe('toron-testops compare', () => {
  it('reference against reference with the same run id: every case unchanged, promote', async () => {
    const dir = project();
    const r = await runCli(['compare', '--candidate', 'reference', '--baseline', 'reference', '--run-id', 'same'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { json, md } = comparisonOf(dir, 'same');
    expectValid(json);
    expect(json.counts).toMatchObject({ unchanged: 86, changed: 0, new: 0, removed: 0, regressed: 0, fixed: 0 });
    expect(json.cases.every((c) => c.basis === 'snapshots' && c.similarity === 1)).toBe(true);
    expect(json.promote).toBe(true);
    expect(['PASS', 'WARN']).toContain(json.verdict);
    expect(json.candidate).toMatchObject({ kind: 'engine', runId: 'same', verdict: 'PASS', reportDir: '../../reports/same' });
    expect(json.baseline).toMatchObject({ kind: 'engine', runId: 'same', verdict: 'PASS', reportDir: 'baseline/reports/same' });
    expect(json.metrics.passRate).toMatchObject({ baseline: 100, candidate: 100, delta: 0 });
    expect(json.metrics.determinismScore).toMatchObject({ baseline: 100, candidate: 100, delta: 0 });
    expect(json.metrics.p95Ms.baseline).toBeGreaterThan(0);
    expect(json.metrics.p95Ms.candidate).toBeGreaterThan(0);
    // Both runs wrote their own folders; the candidate's is the normal run folder.
    expect(fs.existsSync(path.join(dir, '.toron-testops/reports/same/report.json'))).toBe(true);
    expect(fs.existsSync(path.join(dir, '.toron-testops/compare/same/baseline/reports/same/report.json'))).toBe(true);
    expect(md).toContain('promote yes');
    expect(r.stdout).toMatch(/Compare: (PASS|WARN) {2}promote: yes {2}run same/);
    expect(r.stdout).toContain(path.join('.toron-testops', 'compare', 'same', 'comparison.json'));
    expect(r.stdout).toContain(path.join('.toron-testops', 'compare', 'same', 'comparison.md'));
  });

  it('a candidate with errors and latency against a baseline served over HTTP: regressions, deltas, no promote', async () => {
    // 20 load requests: enough for a 30% error rate to show in http_req_failed.
    const dir = project({ ...CONFIG, load: { duration: '1s', rate: 20 } });
    const r = await runCli(
      ['compare', '--candidate', 'reference', '--error-rate', '0.3', '--latency-ms', '80', '--baseline', `${gen25.url}/run`, '--run-id', 'worse'],
      { cwd: dir },
    );
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const { json, md } = comparisonOf(dir, 'worse');
    expectValid(json);
    expect(json.verdict).toBe('FAIL');
    expect(json.comparisonVerdict).toBe('FAIL');
    expect(json.promote).toBe(false);
    expect(json.baseline.kind).toBe('engine');
    expect(json.baseline.engine?.kind).toBe('http');
    expect(json.counts.regressed).toBeGreaterThan(0);
    const regressed = json.cases.filter((c) => c.pass.change === 'regressed');
    expect(regressed.length).toBe(json.counts.regressed);
    expect(regressed.every((c) => c.pass.baseline === true && c.pass.candidate === false)).toBe(true);
    const rule = (n: string) => json.rules.find((x) => x.name === n)!;
    expect(rule('regressions')).toMatchObject({ status: 'broken', level: 'error' });
    expect(rule('errorRateIncrease').status).toBe('broken');
    expect(json.metrics.errorRate.candidate!).toBeGreaterThan(json.metrics.errorRate.baseline!);
    // 80 ms mean latency against an engine in the test process: p95 is far above +20% and +25 ms.
    expect(json.metrics.p95Ms.delta!).toBeGreaterThan(25);
    expect(rule('p95Increase').status).toBe('broken');
    expect(json.findings.some((f) => f.type === 'compare-regressions' && f.severity === 'HIGH')).toBe(true);
    const first = regressed[0];
    expect(json.findings.some((f) => f.type === 'compare-case-regressed' && f.caseId === first.id && f.location?.line === first.location?.line)).toBe(true);
    // The readable table names each regressed case with its file:line.
    expect(md).toContain(`### Regressed (pass → fail) (${regressed.length})`);
    expect(md).toContain(`| ${first.dataset}/${first.id} | ${first.location!.file}:${first.location!.line} |`);
    expect(r.stdout).toContain('promote: no');
  });

  it('a snapshot baseline from a previous run: no baseline run, drift judged by the replay with the baseline seeds', async () => {
    const r = await runCli(['compare', '--candidate', 'reference', '--baseline', '.toron-testops/snapshots/base1.json', '--run-id', 'snap1'], { cwd: shared });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { json } = comparisonOf(shared, 'snap1');
    expectValid(json);
    expect(json.baseline).toMatchObject({ kind: 'snapshot', runId: 'base1', verdict: null, reportDir: null, snapshot: '../../snapshots/base1.json' });
    expect(fs.existsSync(path.join(shared, '.toron-testops/compare/snap1/baseline'))).toBe(false);
    // Other run id, other seeds: the candidate's replay probed the baseline's requests.
    expect(json.cases.every((c) => c.basis === 'replay-drift')).toBe(true);
    expect(json.counts).toMatchObject({ unchanged: 86, changed: 0, regressed: 0 });
    // Its report was found through the snapshot's links: pass/fail and determinism are available.
    expect(json.rules.find((x) => x.name === 'regressions')).toMatchObject({ status: 'ok', value: 0 });
    expect(json.metrics.determinismScore.baseline).toBe(100);
    expect(json.promote).toBe(true);
    const report = readJson(path.join(shared, '.toron-testops/reports/snap1/report.json'));
    expect(report.stages.replay.drift.baselineRunId).toBe('base1');
  });

  it('a bundle baseline, and a bare snapshot without its report ("not available", never invented)', async () => {
    const bundle = await runCli(['compare', '--candidate', 'reference', '--baseline', '.toron-testops/reports/base1/bundle.zip', '--run-id', 'bund1', '--stages', 'sim,replay'], {
      cwd: shared,
    });
    expect(bundle.code, bundle.stdout + bundle.stderr).toBe(0);
    const b = comparisonOf(shared, 'bund1').json;
    expect(b.baseline.snapshot).toBe('../../reports/base1/bundle.zip!snapshot.json');
    expect(b.rules.find((x) => x.name === 'regressions')!.status).toBe('ok');
    // load did not run on the candidate: its p95 is not available.
    expect(b.metrics.p95Ms.candidate).toBeNull();
    expect(b.rules.find((x) => x.name === 'p95Increase')!.status).toBe('not-available');

    fs.copyFileSync(path.join(shared, '.toron-testops/snapshots/base1.json'), path.join(shared, 'lonely.json'));
    const snap = readJson(path.join(shared, 'lonely.json'));
    expect(snap.runId).toBe('base1');
    const bare = await runCli(['compare', '--candidate', 'reference', '--baseline', 'lonely.json', '--run-id', 'bare1', '--stages', 'sim,replay'], { cwd: shared });
    expect(bare.code, bare.stdout + bare.stderr).toBe(0);
    const { json, md } = comparisonOf(shared, 'bare1');
    expectValid(json);
    expect(json.rules.find((x) => x.name === 'regressions')).toMatchObject({ status: 'not-available', value: null });
    expect(json.cases.every((c) => c.pass.baseline === null && c.pass.change === 'unknown')).toBe(true);
    // The snapshot header still has the pass rate; determinism comes only from a report.
    expect(json.metrics.passRate.baseline).toBe(100);
    expect(json.metrics.determinismScore).toMatchObject({ baseline: null, delta: null });
    expect(md).toMatch(/\| determinism score \| not available \| 100 \| not available \|/);
  });

  it('engine map versions from the config: each side with its own target and profile', async () => {
    const dir = project({
      ...CONFIG,
      engines: {
        '2.5h': { target: `${gen25.url}/run`, profile: 'toron-2.5h' },
        '3': { target: `${gen3.url}/run`, profile: 'toron-3' },
      },
    });
    const r = await runCli(['compare', '--candidate', '3', '--baseline', '2.5h', '--run-id', 'upgrade', '--stages', 'sim,replay'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const { json } = comparisonOf(dir, 'upgrade');
    expectValid(json);
    expect(json.candidate).toMatchObject({ spec: '3', version: '3', engine: { kind: 'http', profile: 'toron-3' } });
    expect(json.baseline).toMatchObject({ spec: '2.5h', version: '2.5h', engine: { kind: 'http', profile: 'toron-2.5h' } });
    // Another generation answers in another shape: every answer changed, cases written for 2.5h regress.
    expect(json.counts.changed).toBe(86);
    expect(json.counts.regressed).toBeGreaterThan(0);
    // The answer text is read through each side's own profile, so texts are still compared.
    expect(json.cases.filter((c) => c.similarity !== null).length).toBeGreaterThan(0);
    expect(json.promote).toBe(false);
    // The candidate run's own CRITICAL findings (its drift) count against promotion, and the reason says
    // where they are: not among the comparison's findings, which the console table lists.
    const candidateReport = JSON.parse(fs.readFileSync(path.join(dir, '.toron-testops', 'reports', 'upgrade', 'report.json'), 'utf8'));
    const candidateCritical = candidateReport.warroom.filter((f: { severity: string }) => f.severity === 'CRITICAL').length;
    expect(candidateCritical).toBeGreaterThan(0);
    expect(json.reason).toContain(`(${candidateCritical} in the candidate's run report)`);
    // More findings than the console table shows: the rest are said to be in the comparison's files.
    expect(json.findings.length).toBeGreaterThan(30);
    expect(r.stdout).toContain('(all in comparison.json and comparison.md)');
    expect(r.stdout).not.toContain('all in report.json');
  });

  it('an unreachable candidate: ERROR, promote false, and the files are still written', async () => {
    const port = await closedPort();
    const r = await runCli(['compare', '--candidate', `http://127.0.0.1:${port}/run`, '--baseline', '.toron-testops/snapshots/base1.json', '--run-id', 'down1'], {
      cwd: shared,
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const { json, md } = comparisonOf(shared, 'down1');
    expectValid(json);
    expect(json).toMatchObject({ verdict: 'ERROR', comparisonVerdict: 'ERROR', promote: false });
    expect(json.candidate.verdict).toBe('ERROR');
    expect(json.candidate.error).toMatch(/unreachable/);
    expect(json.findings.some((f) => f.type === 'compare-side-error' && f.severity === 'CRITICAL')).toBe(true);
    expect(md).toContain('# Staging gate: ERROR, promote no');
    expect(fs.existsSync(path.join(shared, '.toron-testops/reports/down1/report.json'))).toBe(true);
    expect(r.stdout).toContain('Compare: ERROR (not a test verdict)  promote: no');
  });

  it('usage errors: exit 2 before anything runs, naming what is wrong', async () => {
    const dir = project({ ...CONFIG, engines: { '2.5h': { target: 'reference', profile: 'toron-2.5h' } } });
    const noBase = await runCli(['compare', '--candidate', 'reference'], { cwd: dir });
    expect(noBase.code).toBe(2);
    expect(noBase.stderr).toContain('--baseline');
    const unknown = await runCli(['compare', '--candidate', '9', '--baseline', 'reference'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('flag --candidate: "9" is not an engine SPEC');
    expect(unknown.stderr).toContain('"2.5h"');
    const missing = await runCli(['compare', '--candidate', 'reference', '--baseline', 'no/such/snapshot.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('or an existing snapshot file');
    const engine = await runCli(['compare', '--candidate', 'reference', '--baseline', 'reference', '--engine', 'reference'], { cwd: dir });
    expect(engine.code).toBe(2);
    expect(engine.stderr).toContain('--engine does not apply');
    expect(fs.existsSync(path.join(dir, '.toron-testops'))).toBe(false);
    const help = await runCli(['compare', '--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--candidate SPEC');
  });

  it('refuses a baseline that its own run would overwrite', async () => {
    const r = await runCli(['compare', '--candidate', 'reference', '--baseline', '.toron-testops/snapshots/base1.json', '--run-id', 'base1'], { cwd: shared });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('would be overwritten');
    expect(fs.existsSync(path.join(shared, '.toron-testops/snapshots/base1.json'))).toBe(true);
  });
});
