import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli, startCli } from '../helpers/cli.js';

/**
 * merge writes the run of the legs' run id into --out: while a run of that id was going on there, it
 * emptied that run's report folder under it and wrote its own, and both said nothing. It is refused now,
 * as a second run of the id is (run-lock.ts).
 */
describe('merge into an --out where a run of the run id is going on', () => {
  it('is refused (ERROR, exit 2) and the run finishes whole', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': {
        name: 'tiny',
        cases: Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, input: { prompt: `hello ${i}` }, assert: [{ type: 'contains', value: 'hello' }] })),
      },
    });
    for (const i of [1, 2]) {
      const leg = await runCli(['run', '--engine', 'reference', '--run-id', 'X', '--stages', 'sim', '--shard', `${i}/2`, '--out', `s${i}`], { cwd });
      expect(leg.code, leg.stdout + leg.stderr).toBe(0);
    }
    const run = startCli(['run', '--engine', 'reference', '--latency-ms', '700', '--concurrency', '1', '--run-id', 'X', '--stages', 'sim', '--out', 'M'], { cwd });
    let out = '';
    run.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((resolve) => run.on('close', (code) => resolve(code)));
    while (!/\[sim\] 6 cases/.test(out)) {
      await new Promise((r) => setTimeout(r, 50));
      if (run.exitCode !== null) throw new Error(`the run ended early: ${out}`);
    }
    const merged = await runCli(['merge', 's1', 's2', '--out', 'M'], { cwd });
    expect(merged.code, merged.stdout + merged.stderr).toBe(2);
    expect(merged.stdout + merged.stderr).toMatch(/run id X is being run in M by another process \(pid \d+ on this host/);
    expect(fs.existsSync(path.join(cwd, 'M/reports/X/run.log'))).toBe(true);
    expect(await exited).toBe(0);
    const report = readJson(path.join(cwd, 'M/reports/X/report.json'));
    expect(report.merged ?? null).toBeNull();
    expect(report.stages.sim.total).toBe(6);

    // Once the run is over, the merge goes ahead (replacing it, and saying so).
    const after = await runCli(['merge', 's1', 's2', '--out', 'M'], { cwd });
    expect(after.code, after.stdout + after.stderr).toBe(0);
    expect(after.stdout).toMatch(/run id X was used before in M/);
  }, 90_000);
});
