import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * merge writes one run under the legs' run id: into an --out that holds an earlier run of that id, it
 * replaced that run without a word, and left its snapshot in <out>/snapshots/<run_id>.json beside the
 * merged report when the legs had none to merge (legs without SIM).
 */
describe('merge into an --out holding an earlier run of the run id', () => {
  it('warns which run it replaces and leaves none of its files beside the merged run', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': {
        name: 'tiny',
        cases: ['one', 'two', 'three', 'four'].map((id) => ({ id, input: { prompt: `hello ${id}` }, assert: [{ type: 'contains', value: 'hello' }] })),
      },
      'testops.config.json': { load: { rate: 10, duration: '1s' } },
    });
    const first = await runCli(['run', '--engine', 'reference', '--run-id', 'X', '--stages', 'sim', '--out', 'M'], { cwd });
    expect(first.code, first.stderr).toBe(0);
    const snapshot = path.join(cwd, 'M/snapshots/X.json');
    expect(fs.existsSync(snapshot)).toBe(true);
    for (const i of [1, 2]) {
      const leg = await runCli(['run', '--engine', 'reference', '--run-id', 'X', '--stages', 'load', '--shard', `${i}/2`, '--out', `s${i}`], { cwd });
      expect(leg.code, leg.stdout + leg.stderr).toBe(0);
    }
    const merged = await runCli(['merge', 's1', 's2', '--out', 'M'], { cwd });
    expect(merged.code, merged.stdout + merged.stderr).toBe(0);
    expect(merged.stdout).toMatch(/WARN: \[merge\] run id X was used before in M: this run replaces that run \(PASS, started [^)]+\): its report folder, its snapshot and its history rows/);
    expect(fs.existsSync(snapshot)).toBe(false);
    const report = readJson(path.join(cwd, 'M/reports/X/report.json'));
    expect(report.merged.shards).toHaveLength(2);
    expect(report.artifacts.snapshot ?? null).toBeNull();
  }, 90_000);
});
