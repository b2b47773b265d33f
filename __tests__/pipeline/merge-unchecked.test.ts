import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli } from '../helpers/cli.js';
import { cannedEngine } from './helpers.js';

/**
 * A sharded run merged must say what the unsharded run says about the pipeline checker, findings
 * included. Real CLI processes against a real HTTP engine on 127.0.0.1.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('merge of shards whose answers have no known Toron shape', () => {
  it('keeps the MEDIUM pipeline-unchecked finding the unsharded run raises', async () => {
    const bodies = [0, 1, 2, 3].map((i) => ({ final_answer: `toy ${i}` }));
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'toy', path: 'toy.json', enabled: true, tags: [] }] },
      'sim/toy.json': {
        name: 'toy',
        description: 'answers of no Toron shape',
        seed: 1,
        cases: bodies.map((_, i) => ({ id: `t${i}`, input: { prompt: `p${i}`, sample: i }, assert: [{ type: 'starts-with', value: 'toy' }] })),
      },
    });
    dirs.push(dir);
    const engine = await cannedEngine(bodies);
    try {
      const run = (extra: string[]) => runCli(['run', '--engine', engine.url, '--stages', 'sim,pipeline', '--run-id', 'm1', ...extra], { cwd: dir, timeoutMs: 60_000 });
      const legs = await Promise.all([run(['--out', 'full']), run(['--shard', '1/2', '--out', 's1']), run(['--shard', '2/2', '--out', 's2'])]);
      for (const l of legs) expect(l.code, l.stderr + l.stdout).toBe(0);
      const merged = await runCli(['merge', 's1', 's2', '--out', 'merged'], { cwd: dir, timeoutMs: 60_000 });
      expect(merged.code, merged.stderr + merged.stdout).toBe(0);
      const findings = (out: string) =>
        readJson(path.join(dir, out, 'reports', 'm1', 'report.json')).warroom.map((f: any) => `${f.type} ${f.severity} ${f.message}`);
      expect(findings('full')).toEqual([
        'pipeline-unchecked MEDIUM pipeline checks did not run: none of the 4 answers has a known Toron shape; set pipeline.profile (or "custom" with pipeline.custom pointers) to check this engine',
      ]);
      expect(findings('merged')).toEqual(findings('full'));
    } finally {
      await engine.close();
    }
  }, 120_000);
});
