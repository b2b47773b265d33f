import { execFileSync } from 'node:child_process';
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
});
