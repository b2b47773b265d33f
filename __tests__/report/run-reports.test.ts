import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { readJson, reportDir, runCli, type CliResult } from '../helpers/cli.js';
import { failingProject, XSS_SCRIPT } from './failing-project.js';

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function unzipEntry(zip: string, name: string): Buffer {
  return execFileSync('unzip', ['-p', zip, name], { maxBuffer: 64 * 1024 * 1024 });
}

describe('a run writes report.html, summary.md and a reproducible bundle.zip', () => {
  let project: string;
  let dir: string;
  let run: CliResult;

  beforeAll(async () => {
    project = failingProject();
    run = await runCli(['run', '--engine', 'reference', '--error-rate', '0.25', '--run-id', 'fail-1'], { cwd: project });
    dir = reportDir(project, 'fail-1');
  });

  it('fails, and its report.json validates against schemas/report.schema.json', () => {
    expect(run.code, run.stderr).toBe(1);
    const report = readJson(path.join(dir, 'report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.artifacts).toMatchObject({ html: 'report.html', summary: 'summary.md', bundle: 'bundle.zip', report: 'report.json' });
    expect(report.stages.sim.failed).toBeGreaterThanOrEqual(3);
  });

  it('records the bundle sha256 in result.json and beside the bundle, and prints it', () => {
    const result = readJson(path.join(dir, 'result.json'));
    const zip = path.join(dir, 'bundle.zip');
    expect(result.bundle.sha256).toBe(sha256(zip));
    expect(result.bundle).toMatchObject({ path: 'bundle.zip', bytes: fs.statSync(zip).size, sourceDateEpoch: 315532800 });
    expect(fs.readFileSync(`${zip}.sha256`, 'utf8')).toBe(`${result.bundle.sha256}  bundle.zip\n`);
    expect(run.stdout).toContain(`bundle.zip  sha256 ${result.bundle.sha256}`);
    expect(run.stdout).toContain('report.html');
  });

  it('bundles the final files: the same bytes as on disk (result.json with "bundle": null)', () => {
    const zip = path.join(dir, 'bundle.zip');
    expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected');
    const names = execFileSync('python3', ['-c', 'import sys,zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual([...names].sort());
    for (const n of ['report.json', 'report.html', 'summary.md', 'logs/run.log', 'snapshot.json', 'sim_summary.json', 'warroom.log', 'result.json']) expect(names).toContain(n);
    for (const [entry, file] of [
      ['report.json', 'report.json'],
      ['report.html', 'report.html'],
      ['summary.md', 'summary.md'],
      ['logs/run.log', 'run.log'],
      ['warroom.log', 'warroom.log'],
    ]) {
      expect(unzipEntry(zip, entry).equals(fs.readFileSync(path.join(dir, file))), entry).toBe(true);
    }
    const bundled = JSON.parse(unzipEntry(zip, 'result.json').toString('utf8'));
    const onDisk = readJson(path.join(dir, 'result.json'));
    expect(bundled.bundle).toBeNull();
    expect({ ...bundled, bundle: 'x' }).toEqual({ ...onDisk, bundle: 'x' });
    // The run.log inside is complete: it ends with the run's last line.
    expect(unzipEntry(zip, 'logs/run.log').toString()).toMatch(/done: FAIL \(exit 1\)\n$/);
  });

  it('`toron-testops bundle` rebuilds the same bytes, from another working folder too', async () => {
    const out = path.join(project, 'rebuilt.zip');
    const r = await runCli(['bundle', dir, '--out', out], { cwd: path.dirname(project) });
    expect(r.code, r.stderr).toBe(0);
    expect(fs.readFileSync(out).equals(fs.readFileSync(path.join(dir, 'bundle.zip')))).toBe(true);
    expect(r.stdout).toContain(`sha256: ${sha256(out)}`);
    expect(r.stdout).toContain('same bytes as the bundle the run recorded');
  });

  it('`toron-testops bundle` says when the folder changed since the run (keeping the run\'s bundle), and errors on a non-report folder', async () => {
    const copy = path.join(project, 'copy');
    fs.cpSync(path.join(project, '.toron-testops'), copy, { recursive: true });
    const copied = path.join(copy, 'reports', 'fail-1');
    fs.appendFileSync(path.join(copied, 'summary.md'), 'edited\n');
    // In place, the run's own bundle.zip is kept (the rebuild has other bytes): ERROR, pointing at --out.
    const kept = fs.readFileSync(path.join(copied, 'bundle.zip'));
    const inPlace = await runCli(['bundle', copied], { cwd: project });
    expect(inPlace.code).toBe(2);
    expect(inPlace.stderr).toMatch(/summary\.md[\s\S]*give --out FILE/);
    expect(fs.readFileSync(path.join(copied, 'bundle.zip')).equals(kept)).toBe(true);
    const r = await runCli(['bundle', copied, '--out', path.join(copy, 'rebuilt.zip')], { cwd: project });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('differs from the sha256 the run recorded');
    const bad = await runCli(['bundle', project], { cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('has no report.json');
  });

  it('an ERROR run (engine unreachable) still lands its page, summary and bundle', async () => {
    const r = await runCli(['run', '--engine', 'http://127.0.0.1:9/run', '--run-id', 'err-1', '--stages', 'sim'], { cwd: project });
    expect(r.code).toBe(2);
    const d = reportDir(project, 'err-1');
    const report = readJson(path.join(d, 'report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.verdict).toBe('ERROR');
    const html = fs.readFileSync(path.join(d, 'report.html'), 'utf8');
    expect(html).toContain('data-verdict="ERROR"');
    expect(html).toContain('(not a test verdict)');
    expect(fs.readFileSync(path.join(d, 'summary.md'), 'utf8')).toMatch(/^## 🛑 toron-testops: ERROR \(not a test verdict\)/);
    expect(readJson(path.join(d, 'result.json')).bundle.sha256).toBe(sha256(path.join(d, 'bundle.zip')));
  });

  it('report.html and summary.md show the failures with the engine markup as text', () => {
    const html = fs.readFileSync(path.join(dir, 'report.html'), 'utf8');
    expect(html).not.toContain(XSS_SCRIPT);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<del>');
    expect(html).toMatch(/<code>sim\/hostile\.json:\d+<\/code>/);
    const md = fs.readFileSync(path.join(dir, 'summary.md'), 'utf8');
    expect(md.split('\n')[0]).toBe('## ❌ toron-testops: FAIL');
    expect(md).not.toContain('<script>');
    expect(md).toMatch(/`sim\/hostile\.json:\d+`/);
    // No report names a path of the machine that made it.
    for (const f of ['report.json', 'report.html', 'summary.md']) expect(fs.readFileSync(path.join(dir, f), 'utf8'), f).not.toContain(project);
  });

  it('a second run in the same folder has trend charts from the store', async () => {
    const second = await runCli(['run', '--engine', 'reference', '--run-id', 'fail-2', '--stages', 'sim'], { cwd: project });
    expect(second.code).toBe(1);
    const html = fs.readFileSync(path.join(reportDir(project, 'fail-2'), 'report.html'), 'utf8');
    expect(html).toContain('<figcaption>SIM pass rate</figcaption>');
    expect(html).toContain('<title>fail-1 (');
    expect(html).not.toContain('Not enough history yet');
  });

  it('SOURCE_DATE_EPOCH sets the timestamps, and the rebuild reuses the recorded one', async () => {
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'epoch-1', '--stages', 'sim'], { cwd: project, env: { SOURCE_DATE_EPOCH: '1700000000' } });
    expect(r.code).toBe(1);
    const d = reportDir(project, 'epoch-1');
    const result = readJson(path.join(d, 'result.json'));
    expect(result.bundle.sourceDateEpoch).toBe(1700000000);
    const date = execFileSync('python3', ['-c', 'import sys,zipfile; print(zipfile.ZipFile(sys.argv[1]).infolist()[0].date_time)', path.join(d, 'bundle.zip')], { encoding: 'utf8' }).trim();
    expect(date).toBe('(2023, 11, 14, 22, 13, 20)');
    const out = path.join(project, 'epoch.zip');
    const rebuilt = await runCli(['bundle', d, '--out', out], { cwd: project, env: { SOURCE_DATE_EPOCH: '' } });
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    expect(sha256(out)).toBe(result.bundle.sha256);
  });
});
