import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';

/**
 * `toron-testops bundle REPORT_DIR` on a report folder copied without <out>/snapshots/ (the usual way a
 * report folder travels) rebuilt a bundle without snapshot.json and said the bytes differ because "a
 * file of the report folder changed since the run, or SOURCE_DATE_EPOCH differs": neither was so. It
 * now names the entries the run's bundle had that it could not find, and where the snapshot should be.
 */
describe('bundle of a report folder whose snapshot is not beside it', () => {
  it('says which entries of the recorded bundle are missing, not that a file changed', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const run = await runCli(['run', '--engine', 'reference', '--run-id', 'r1', '--stages', 'sim', '--out', 'out'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const alone = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-alone-'));
    fs.cpSync(path.join(cwd, 'out/reports/r1'), path.join(alone, 'r1'), { recursive: true });

    const r = await runCli(['bundle', 'r1', '--out', 'again.zip'], { cwd: alone });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /differs from the sha256 the run recorded in result\.json \([0-9a-f]{64}\): the run's bundle also held snapshot\.json, not found here \(report\.json names it \.\.\/\.\.\/snapshots\/r1\.json: copy the run's <out>\/snapshots\/r1\.json there\)/,
    );
    expect(r.stdout).not.toMatch(/a file of the report folder changed/);

    // With the snapshot where report.json names it: the same bytes again.
    fs.mkdirSync(path.join(alone, 'snapshots'));
    fs.renameSync(path.join(alone, 'r1'), path.join(alone, 'reports-r1'));
    fs.mkdirSync(path.join(alone, 'reports'));
    fs.renameSync(path.join(alone, 'reports-r1'), path.join(alone, 'reports/r1'));
    fs.copyFileSync(path.join(cwd, 'out/snapshots/r1.json'), path.join(alone, 'snapshots/r1.json'));
    const whole = await runCli(['bundle', 'reports/r1', '--out', 'again.zip'], { cwd: alone });
    expect(whole.stdout).toContain('same bytes as the bundle the run recorded in result.json');
  }, 60_000);
});

describe('bundle of a damaged report folder', () => {
  it("refuses a truncated JSON file, naming it; with result.json gone, bundle.zip.sha256 still keeps the run's bundle from being replaced", async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const run = await runCli(['run', '--engine', 'reference', '--run-id', 'd1', '--stages', 'sim', '--out', 'out'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    const dir = path.join(cwd, 'out/reports/d1');
    const bundle = fs.readFileSync(path.join(dir, 'bundle.zip'));

    for (const name of ['result.json', 'report.json']) {
      const whole = fs.readFileSync(path.join(dir, name));
      fs.writeFileSync(path.join(dir, name), whole.subarray(0, 100));
      const r = await runCli(['bundle', 'out/reports/d1'], { cwd });
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`out/reports/d1/${name} is not valid JSON`);
      expect(r.stderr).toMatch(/a damaged report folder is not bundled/);
      expect(fs.readFileSync(path.join(dir, 'bundle.zip')).equals(bundle)).toBe(true);
      fs.writeFileSync(path.join(dir, name), whole);
    }

    // result.json deleted: the rebuild (no result.json inside) would be other bytes; the run's bundle stays.
    fs.rmSync(path.join(dir, 'result.json'));
    const gone = await runCli(['bundle', 'out/reports/d1'], { cwd });
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/would replace the run's bundle\.zip, the one bundle\.zip\.sha256 records \(result\.json is gone\)/);
    expect(fs.readFileSync(path.join(dir, 'bundle.zip')).equals(bundle)).toBe(true);
  }, 60_000);
});
