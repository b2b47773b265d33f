import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

/**
 * `toron-testops bundle REPORT_DIR` on a run an older toron-testops made (fixtures/report/legacy-bundle:
 * the dist of bd692c5, whose bundles were deflated at another level). The action's @v2 tag floats, so
 * last week's run folder meets this week's release.
 */
const FIX = path.join(ROOT, '__tests__/fixtures/report/legacy-bundle');
const copy = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-legacy-bundle-'));
  fs.cpSync(FIX, dir, { recursive: true });
  return dir;
};
const sha = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('bundle of a run an older toron-testops made', () => {
  it('says its files are the same and the archive was packed by another version, not that a file changed', async () => {
    const dir = copy();
    const r = await runCli(['bundle', 'reports/legacy-bundle', '--out', 'again.zip'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/differs from the sha256 the run recorded in result\.json \([0-9a-f]{64}\): every file in it is the same as in the run's bundle\.zip .*another toron-testops version/);
    expect(r.stdout).not.toMatch(/a file of the report folder changed/);
  }, 60_000);

  it('names the file that did change since the run', async () => {
    const dir = copy();
    fs.appendFileSync(path.join(dir, 'reports/legacy-bundle/summary.md'), '\nedited\n');
    const r = await runCli(['bundle', 'reports/legacy-bundle', '--out', 'again.zip'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/: summary\.md changed since the run's bundle\.zip was made/);
  }, 60_000);
});

describe('bundle REPORT_DIR in place, on a run an older toron-testops made', () => {
  it("keeps the run's bundle.zip (the one result.json and bundle.zip.sha256 record) rather than replace it with other bytes", async () => {
    const dir = copy();
    const zip = path.join(dir, 'reports/legacy-bundle/bundle.zip');
    const before = sha(zip);
    expect(fs.readFileSync(`${zip}.sha256`, 'utf8')).toContain(before);
    const r = await runCli(['bundle', 'reports/legacy-bundle'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(/ERROR.*would replace the run's bundle\.zip.*every file in it is the same.*kept.*--out FILE/s);
    expect(sha(zip)).toBe(before);
    expect(fs.readdirSync(path.dirname(zip)).filter((n) => n.includes('rebuild'))).toEqual([]);
  }, 60_000);
});
