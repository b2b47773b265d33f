import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJson, reportDir, runCli } from '../helpers/cli.js';
import { dataset, project } from './helpers.js';

/**
 * `toron-testops replay .toron-testops/snapshots/prod.json --run-id prod`: the replay is a run of its
 * own under the run id prod, and a run empties its report folder first, so the report, report.html and
 * bundle of the run prod whose snapshot is replayed were deleted without a word, and the out folder was
 * left with prod's snapshot beside a replay's report under the same run id.
 */
describe('replay of a run\'s snapshot under that run\'s own run id', () => {
  it('is refused (ERROR, exit 2) and the run\'s report is kept; another run id replays it', async () => {
    const dir = project({ d: dataset('d', 4, { defaults: { ignorePaths: ['/random_witness'] } }) });
    const made = await runCli(['run', '--engine', 'reference', '--run-id', 'prod', '--stages', 'sim'], { cwd: dir });
    expect(made.code, made.stderr).toBe(0);
    const folder = reportDir(dir, 'prod');
    const before = fs.readFileSync(path.join(folder, 'report.json'));
    const bundle = fs.readFileSync(path.join(folder, 'bundle.zip'));

    for (const snapshot of ['.toron-testops/snapshots/prod.json', path.join(dir, '.toron-testops/snapshots/prod.json')]) {
      const r = await runCli(['replay', snapshot, '--engine', 'reference', '--run-id', 'prod'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.stderr).toMatch(/is the snapshot of run prod, whose report folder this replay \(run id prod\) would replace: give the replay another --run-id or --out/);
      expect(fs.readFileSync(path.join(folder, 'report.json')).equals(before)).toBe(true);
      expect(fs.readFileSync(path.join(folder, 'bundle.zip')).equals(bundle)).toBe(true);
      expect(readJson(path.join(folder, 'report.json')).stages.sim.verdict).toBe('PASS');
    }

    const other = await runCli(['replay', '.toron-testops/snapshots/prod.json', '--engine', 'reference', '--run-id', 'prod-replay'], { cwd: dir });
    expect(other.code, other.stdout + other.stderr).toBe(0);
    expect(fs.readFileSync(path.join(folder, 'report.json')).equals(before)).toBe(true);
  }, 60_000);
});
