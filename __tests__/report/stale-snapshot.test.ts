import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * `--run-id` reproduces a run: its report folder starts empty. A rerun that writes no snapshot (here
 * its engine is down) must not name, nor bundle, the snapshot an earlier run of that id left in
 * <out>/snapshots/: it is not this run's, and a bundle is read as one run's files (merge, baselines).
 */
describe('a rerun under the same run id that wrote no snapshot', () => {
  it('names no snapshot in report.json and result.json, and bundles none', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const args = ['run', '--stages', 'sim', '--run-id', 'again', '--out', 'out'];
    const first = await runCli([...args, '--engine', 'reference'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const dir = path.join(cwd, 'out', 'reports', 'again');
    expect(readJson(path.join(dir, 'report.json')).artifacts.snapshot).toBe('../../snapshots/again.json');

    const second = await runCli([...args, '--engine', 'http://127.0.0.1:1/run'], { cwd });
    expect(second.code, second.stderr).toBe(2);
    const report = readJson(path.join(dir, 'report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.verdict).toBe('ERROR');
    expect(report.artifacts.snapshot).toBeNull();
    expect(readJson(path.join(dir, 'result.json')).artifacts.snapshot).toBeNull();
    const entries = execFileSync('unzip', ['-Z1', path.join(dir, 'bundle.zip')], { encoding: 'utf8' }).trim().split('\n');
    expect(entries).not.toContain('snapshot.json');
    expect(entries).toContain('report.json');
  });

  it("replays only this run's snapshot: a rerun whose SIM ended in ERROR does not replay the earlier run's answers", async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const args = ['run', '--stages', 'sim,replay', '--run-id', 'again', '--out', 'out'];
    expect((await runCli([...args, '--engine', 'reference'], { cwd })).code).toBe(0);
    // Up on /health, 404 on every case: SIM is ERROR (wiring), and no snapshot is written.
    const server = http.createServer((req, res) => {
      if (req.url === '/health') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`;
      const second = await runCli([...args, '--engine', url], { cwd });
      expect(second.code, second.stdout + second.stderr).toBe(2);
      const report = readJson(path.join(cwd, 'out/reports/again/report.json'));
      expect(report.stages.sim.verdict).toBe('ERROR');
      expect(report.stages.replay).toMatchObject({ verdict: 'SKIPPED', reason: 'no snapshot was written (SIM did not complete)' });
    } finally {
      server.close();
    }
  });

  it('a snapshot that cannot be written: a HIGH finding, and the replay asked for is ERROR, not a silent PASS', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    // A folder (not empty) where the snapshot file goes: the finished snapshot cannot be renamed there,
    // whoever runs the test (root ignores permission bits).
    fs.mkdirSync(path.join(cwd, 'out/snapshots/blocked.json/x'), { recursive: true });
    const r = await runCli(['run', '--stages', 'sim,replay', '--run-id', 'blocked', '--out', 'out', '--engine', 'reference'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const report = readJson(path.join(cwd, 'out/reports/blocked/report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.stages.sim.verdict).toBe('PASS');
    expect(report.stages.replay.verdict).toBe('ERROR');
    expect(report.stages.replay.reason).toMatch(/^could not write the snapshot out\/snapshots\/blocked\.json: .*: nothing to replay$/);
    // The system's message names the files it could not rename: by their paths in the working folder.
    expect(report.stages.replay.reason).toContain("'./out/snapshots/blocked.json");
    expect(JSON.stringify(report)).not.toContain(cwd);
    expect(report.warroom.filter((f: { type: string }) => f.type === 'snapshot-not-written')).toHaveLength(1);
    expect(report.artifacts.snapshot).toBeNull();
    // Without replay, the same failure is the finding alone: SIM's verdict stands.
    const simOnly = await runCli(['run', '--stages', 'sim', '--run-id', 'blocked', '--out', 'out', '--engine', 'reference'], { cwd });
    expect(simOnly.code, simOnly.stdout + simOnly.stderr).toBe(0);
    const again = readJson(path.join(cwd, 'out/reports/blocked/report.json'));
    expect(again.warroom.map((f: { type: string; severity: string }) => [f.type, f.severity])).toContainEqual(['snapshot-not-written', 'HIGH']);
  });
});
