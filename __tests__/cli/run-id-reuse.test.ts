import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * A run id used again in the same out folder: the new run replaces the earlier one (its report folder,
 * its history rows). That happened without a word, and the earlier run's snapshot stayed in
 * <out>/snapshots/<run_id>.json beside the new run's report when the new run wrote none: the server's
 * /master/runs/<id>/snapshot, `replay` and anyone reading the folder took another run's answers for it.
 */
describe('a run id used again in one out folder', () => {
  it("says the earlier run is replaced, and leaves none of its files beside the new run's", async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const args = ['run', '--stages', 'sim', '--run-id', 'again', '--out', 'out'];
    const snapshot = path.join(cwd, 'out/snapshots/again.json');

    const first = await runCli([...args, '--engine', 'reference'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).not.toMatch(/was used before/);
    expect(fs.existsSync(snapshot)).toBe(true);

    // The engine is down: this run writes no snapshot.
    const second = await runCli([...args, '--engine', 'http://127.0.0.1:1/run'], { cwd });
    expect(second.code, second.stderr).toBe(2);
    const notice = /WARN: \[runner\] run id again was used before in out: this run replaces that run \(PASS, started \d{4}-\d\d-\d\dT[\d:.]+Z\): its report folder, its snapshot and its history rows; give each run its own --run-id to keep both/;
    expect(second.stdout).toMatch(notice);
    expect(fs.readFileSync(path.join(cwd, 'out/reports/again/run.log'), 'utf8')).toMatch(/WARN  \[runner\] run id again was used before in out: this run replaces that run \(PASS/);
    expect(fs.existsSync(snapshot)).toBe(false);
    expect(readJson(path.join(cwd, 'out/reports/again/report.json')).verdict).toBe('ERROR');

    // The earlier run was an ERROR with no snapshot: the notice says what there was.
    const third = await runCli([...args, '--engine', 'reference'], { cwd });
    expect(third.code, third.stderr).toBe(0);
    expect(third.stdout).toMatch(/run id again was used before in out: this run replaces that run \(ERROR, started [^)]+\): its report folder and its history rows;/);
    expect(fs.existsSync(snapshot)).toBe(true);
  }, 60_000);

  it('a broken dataset does not cost the earlier run of the id its files: nothing is run, the earlier run is kept', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const args = ['run', '--stages', 'sim,load', '--run-id', 'good1', '--out', 'out', '--engine', 'reference', '--config', 'cfg.json'];
    fs.writeFileSync(path.join(cwd, 'cfg.json'), JSON.stringify({ load: { rate: 20, duration: '1s' } }));
    const first = await runCli(args, { cwd });
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const report = fs.readFileSync(path.join(cwd, 'out/reports/good1/report.json'), 'utf8');
    const snapshot = fs.readFileSync(path.join(cwd, 'out/snapshots/good1.json'), 'utf8');

    fs.writeFileSync(path.join(cwd, 'sim/tiny.json'), JSON.stringify({ name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, repeat: 0 }] }));
    const second = await runCli(args, { cwd });
    expect(second.code).toBe(2);
    expect(second.stdout + second.stderr).toMatch(/sim\/tiny\.json:1 at \/cases\/0\/repeat case "one": "repeat" must be >= 1, got 0\. Nothing was run, and the earlier run good1 in out \(PASS, started [^)]+\) is kept as it was: fix the input, or give this run another --run-id/);
    expect(fs.readFileSync(path.join(cwd, 'out/reports/good1/report.json'), 'utf8')).toBe(report);
    expect(fs.readFileSync(path.join(cwd, 'out/snapshots/good1.json'), 'utf8')).toBe(snapshot);

    // A fresh run id with the same broken dataset is a run like any other: an ERROR report naming the field.
    const fresh = await runCli(['run', '--stages', 'sim', '--run-id', 'fresh', '--out', 'out', '--engine', 'reference'], { cwd });
    expect(fresh.code).toBe(2);
    expect(readJson(path.join(cwd, 'out/reports/fresh/report.json')).verdict).toBe('ERROR');
  }, 60_000);

  it('a folder where the snapshot goes is not removed (only a file an earlier run wrote is)', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    fs.mkdirSync(path.join(cwd, 'out/snapshots/odd.json/keep'), { recursive: true });
    const r = await runCli(['run', '--stages', 'sim', '--run-id', 'odd', '--out', 'out', '--engine', 'reference'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    // the snapshot cannot be written there: a HIGH finding, as before
    expect(readJson(path.join(cwd, 'out/reports/odd/report.json')).warroom.map((f: { type: string }) => f.type)).toContain('snapshot-not-written');
    expect(fs.existsSync(path.join(cwd, 'out/snapshots/odd.json/keep'))).toBe(true);
  }, 60_000);
});
