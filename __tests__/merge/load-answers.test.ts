import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';
import { shardOfCase } from '../../src/shard/slice.js';

/**
 * Shard 1 runs the load for all, and judged its answers under load against its own slice's SIM pass
 * rate: a slice that all passed made "under load 50% passed (SIM: 100%)" a finding the unsharded run
 * (SIM 50%) never raised. The merge judges it again against the merged SIM pass rate.
 */
describe('merge: answers under load are judged against the merged SIM pass rate', () => {
  it('as the unsharded run judges them', async () => {
    // Cases that pass exactly when shard 1 of 2 holds them: shard 1's slice all passes, shard 2's all fails.
    const cases = Array.from({ length: 16 }, (_, i) => {
      const id = `c${i}`;
      const passes = shardOfCase({ dataset: 'd', id }, 2) === 1;
      return { id, input: { prompt: `question ${i}` }, assert: [{ type: 'contains', value: passes ? 'question' : 'no such words' }] };
    });
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
      'sim/d.json': { name: 'd', cases },
      'testops.config.json': { engine: 'reference', stages: ['sim', 'load'], load: { rate: 20, duration: '1s' } },
    });
    const cli = (args: string[]) => runCli(args, { cwd, timeoutMs: 120_000 });
    const runs = await Promise.all([cli(['run', '--run-id', 'L', '--out', 'full']), cli(['run', '--run-id', 'L', '--shard', '1/2', '--out', 's1']), cli(['run', '--run-id', 'L', '--shard', '2/2', '--out', 's2'])]);
    // The whole run and shard 2 fail cases; shard 1's slice passes.
    expect(runs.map((r) => r.code)).toEqual([1, 0, 1]);
    const shard1 = readJson(path.join(reportDir(cwd, 'L', 's1'), 'report.json'));
    expect(shard1.stages.sim.passRate).toBe(1);
    const merged = await cli(['merge', 's1', 's2', '--out', 'm']);
    expect(merged.code, merged.stdout + merged.stderr).toBe(1);
    const full = readJson(path.join(reportDir(cwd, 'L', 'full'), 'report.json'));
    const m = readJson(path.join(reportDir(cwd, 'L', 'm'), 'report.json'));
    expect(m.stages.sim.passRate).toBe(full.stages.sim.passRate);
    expect(m.stages.load.quality.simPassRate).toBe(full.stages.sim.passRate);
    const answers = (r: { warroom: { type: string; message: string }[] }) => r.warroom.filter((f) => f.type === 'load-answers-failed').map((f) => f.message);
    expect(answers(m)).toEqual(answers(full));
  }, 180_000);
});
