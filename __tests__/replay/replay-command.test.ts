import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { parseReplayArgs } from '../../src/cli/replay-command.js';
import { runPipeline } from '../../src/runner/runner.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { createReplayStage } from '../../src/stages/replay/stage.js';
import { readJson, reportDir, runCli } from '../helpers/cli.js';
import { dataset, project } from './helpers.js';

describe('toron-testops replay SNAPSHOT (staging replay)', () => {
  let dir: string;
  let snapshot: string;
  let server: ReferenceServer;

  beforeAll(async () => {
    dir = project({ d: dataset('d', 15, { defaults: { ignorePaths: ['/random_witness'] } }) });
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'prod', '--stages', 'sim'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    snapshot = '.toron-testops/snapshots/prod.json';
    expect(fs.existsSync(path.join(dir, snapshot))).toBe(true);
    server = await startReferenceServer({ ...DEFAULTS.reference }, { port: 0 });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('the same engine over HTTP answers as the snapshot did: 100, PASS, nothing drifted', async () => {
    // The reference server takes its seed from the body, not the x-toron-seed header the http adapter
    // sends: its answers follow the prompt, so this snapshot is made over HTTP too.
    const made = await runCli(['run', '--engine', `${server.url}/run`, '--run-id', 'prod-http', '--stages', 'sim'], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const httpSnapshot = '.toron-testops/snapshots/prod-http.json';
    const r = await runCli(['replay', httpSnapshot, '--engine', `${server.url}/run`, '--run-id', 'stage1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Verdict: PASS {2}run stage1/);
    expect(r.stdout).toContain('.toron-testops/reports/stage1/replay_summary.json');
    const report = readJson(path.join(reportDir(dir, 'stage1'), 'report.json'));
    expect(report.stages.sim.verdict).toBe('SKIPPED');
    expect(report.stages.replay).toMatchObject({
      verdict: 'PASS',
      mode: 'staging',
      snapshot: { file: httpSnapshot, runId: 'prod-http', engine: { kind: 'http' } },
      determinismScore: 100,
      replayed: 15,
      drift: { baseline: httpSnapshot, baselineRunId: 'prod-http', unchanged: 15, changed: 0, probed: 0, verdict: 'PASS' },
    });
    expect(report.engine.kind).toBe('http');
    expect(readJson(path.join(reportDir(dir, 'stage1'), 'result.json')).metrics.determinismScore).toBe(100);
  });

  it('another build (the stability generation) answers differently: score 0, every stable case drifted, FAIL', async () => {
    const r = await runCli(['replay', snapshot, '--engine', 'reference', '--generation', '2.5h-stability', '--run-id', 'stage2', '--replay-rounds', '2'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const replay = readJson(path.join(reportDir(dir, 'stage2'), 'report.json')).stages.replay;
    expect(replay).toMatchObject({ verdict: 'FAIL', determinismScore: 0, rounds: 2, drift: { changed: 15, verdict: 'FAIL', rate: 1 } });
    // Stable but different: the builds differ in shape (stability adds top-level fields).
    expect(replay.cases[0].firstDivergence.pointer).not.toBe('');
    expect(replay.drift.cases[0].diff.length).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/CRITICAL replay .*determinism score 0 \(< 70\)/);
  });

  it('a nondeterministic build: noise, not drift (the staging stage in process)', async () => {
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', nondeterminism: 0.5, runId: 'stage3', stages: 'replay' }, env: {} });
    const out = await runPipeline(settings, { stages: { replay: createReplayStage({ snapshotFile: snapshot }) } });
    const replay = readJson(out.paths.report).stages.replay;
    expect(replay.determinismScore).toBeLessThan(50);
    expect(replay.drift.noise).toBeGreaterThan(0);
    // A case is "changed" only when all its replays agreed and differ from the snapshot: with P = 0.5,
    // three identical perturbations are rare; most disagreeing cases are noise.
    expect(replay.drift.noise).toBeGreaterThan(replay.drift.changed);
    expect(out.exitCode).toBe(1);
  });

  it('SNAPSHOT may be a bundle.zip, a report folder or its report.json, as --baseline may (no temporary copy is left)', async () => {
    for (const [i, given, file] of [
      [1, '.toron-testops/reports/prod/bundle.zip', '.toron-testops/reports/prod/bundle.zip!snapshot.json'],
      [2, '.toron-testops/reports/prod', '.toron-testops/snapshots/prod.json'],
      [3, '.toron-testops/reports/prod/report.json', '.toron-testops/snapshots/prod.json'],
    ] as const) {
      const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', runId: `stored${i}`, stages: 'replay' }, env: {} });
      const out = await runPipeline(settings, { stages: { replay: createReplayStage({ snapshotFile: given }) } });
      expect(out.verdict, given).toBe('PASS');
      expect(readJson(out.paths.report).stages.replay).toMatchObject({
        snapshot: { file, runId: 'prod' },
        determinismScore: 100,
        replayed: 15,
        drift: { baseline: file, unchanged: 15 },
      });
    }
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`toron-testops-baseline-${process.pid}-`))).toEqual([]);
    // A JSON file that is not a snapshot says what may be given.
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', runId: 'stored4', stages: 'replay' }, env: {} });
    const bad = await runPipeline(settings, { stages: { replay: createReplayStage({ snapshotFile: 'sim/d.json' }) } });
    expect(bad.verdict).toBe('ERROR');
    expect(bad.report!.error!.message).toMatch(/^sim\/d\.json:1 at \/kind: not a toron-testops snapshot .*give a snapshot file, a report folder, its report\.json or a bundle\.zip/);
  });

  it('usage errors are ERROR (exit 2) with a message', async () => {
    expect(parseReplayArgs(['snap.json', '--engine', 'reference', '-v'])).toEqual({ snapshot: 'snap.json', rest: ['--engine', 'reference', '-v'] });
    expect(parseReplayArgs(['--engine', 'reference'])).toEqual({ snapshot: null, rest: ['--engine', 'reference'] });
    expect(() => parseReplayArgs(['a.json', 'b.json'])).toThrow(/replay takes one snapshot, got 2/);
    expect(() => parseReplayArgs(['a.json', '--bogus'])).toThrow(/bogus.*see toron-testops replay --help/);
    const none = await runCli(['replay', '--engine', 'reference'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/replay needs a snapshot file/);
    const missing = await runCli(['replay', 'gone.json', '--engine', 'reference', '--run-id', 'gone', '--stages', 'replay'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--stages does not apply/);
    const gone = await runCli(['replay', 'gone.json', '--engine', 'reference', '--run-id', 'gone'], { cwd: dir });
    expect(gone.code).toBe(2);
    expect(gone.stdout).toMatch(/gone\.json: snapshot file not found/);
    // The bundle of the run whose run id the replay reuses: the run would delete it before reading it.
    const bundle = path.join(reportDir(dir, 'prod'), 'bundle.zip');
    const before = fs.readFileSync(bundle);
    const own = await runCli(['replay', '.toron-testops/reports/prod/bundle.zip', '--engine', 'reference', '--run-id', 'prod'], { cwd: dir });
    expect(own.code).toBe(2);
    expect(own.stderr).toMatch(/bundle\.zip is in the report folder of run prod, which this replay \(run id prod\) empties before reading it/);
    expect(fs.readFileSync(bundle).equals(before)).toBe(true);
  });
});
