import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';

/**
 * A bare snapshot given as the baseline: compare looks for its run's report where the snapshot's
 * header.artifacts.report says (relative to the snapshot). A snapshot is a file from elsewhere (another
 * run, an artifact, a colleague): that link must not read a file of this machine outside the snapshot's
 * output folder, whose first characters the parse error quoted into comparison.md and comparison.json.
 */
const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-outside-'));
afterAll(() => fs.rmSync(outside, { recursive: true, force: true }));

describe('compare: the report link of a baseline snapshot', () => {
  it('is only followed to a report.json inside the snapshot\'s output folder', { timeout: 120_000 }, async () => {
    const p = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
      'sim/basic.json': { name: 'basic', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
      'testops.config.json': { engine: { target: 'reference' }, stages: ['sim'] },
    });
    const base = await runCli(['run', '--run-id', 'base1'], { cwd: p });
    expect(base.code, base.stdout + base.stderr).toBe(0);
    const secretFile = path.join(outside, 'private.txt');
    fs.writeFileSync(secretFile, 'PRIVATE-0123456789 of this machine\n');
    const snap = fs.readFileSync(path.join(p, '.toron-testops/snapshots/base1.json'), 'utf8');
    expect(snap).toContain('"report":"../reports/base1/report.json"');
    fs.writeFileSync(path.join(p, '.toron-testops/snapshots/evil.json'), snap.replace('"report":"../reports/base1/report.json"', `"report":${JSON.stringify(secretFile)}`));
    const r = await runCli(['compare', '--candidate', 'reference', '--baseline', '.toron-testops/snapshots/evil.json', '--run-id', 'cmp1'], { cwd: p });
    expect(r.code, r.stdout + r.stderr).toBeLessThan(2);
    const dir = path.join(p, '.toron-testops/compare/cmp1');
    for (const f of fs.readdirSync(dir)) expect(fs.readFileSync(path.join(dir, f), 'latin1'), f).not.toContain('PRIVATE-');
    expect(r.stdout + r.stderr).not.toContain('PRIVATE-');
    // The link as a run writes it is still followed.
    const ok = await runCli(['compare', '--candidate', 'reference', '--baseline', '.toron-testops/snapshots/base1.json', '--run-id', 'cmp2'], { cwd: p });
    expect(ok.code, ok.stdout + ok.stderr).toBeLessThan(2);
    const cmp = JSON.parse(fs.readFileSync(path.join(p, '.toron-testops/compare/cmp2/comparison.json'), 'utf8'));
    expect(JSON.stringify(cmp.baseline ?? cmp)).toContain('base1');
    expect(JSON.stringify(cmp)).not.toContain('pass/fail and determinism not available');
  });
});
