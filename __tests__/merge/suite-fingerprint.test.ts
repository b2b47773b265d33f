import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';

describe('merge: legs run on different datasets', () => {
  it('are refused though they hold as many cases (an edited prompt or assertion is another suite)', async () => {
    const cases = (edited: boolean) =>
      Array.from({ length: 8 }, (_, i) => ({ id: `c${i}`, input: { prompt: edited && i === 5 ? 'an edited prompt' : `question ${i}` }, assert: [{ type: 'contains', value: 'question' }] }));
    const files = (edited: boolean) => ({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
      'sim/d.json': { name: 'd', cases: cases(edited) },
      'testops.config.json': { engine: 'reference', stages: ['sim'] },
    });
    const a = makeProject(files(false));
    const b = makeProject(files(true));
    const cli = (cwd: string, args: string[]) => runCli(args, { cwd, timeoutMs: 120_000 });
    await cli(a, ['run', '--run-id', 'S', '--shard', '1/2', '--out', 's1']);
    await cli(a, ['run', '--run-id', 'S', '--shard', '2/2', '--out', 's2']);
    await cli(b, ['run', '--run-id', 'S', '--shard', '2/2', '--out', 's2']);
    // The same legs merge; leg 2 from the edited datasets does not.
    const same = await cli(a, ['merge', 's1', 's2', '--out', 'm']);
    expect(same.code, same.stdout + same.stderr).not.toBe(2);
    const mixed = await cli(a, ['merge', 's1', path.join(b, 's2'), '--out', 'mx']);
    expect(mixed.code).toBe(2);
    expect(mixed.stdout + mixed.stderr).toMatch(/the shards ran different suites/);
    expect(fs.existsSync(path.join(a, 'mx'))).toBe(true);
  }, 120_000);
});
