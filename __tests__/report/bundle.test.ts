import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { buildBundle, bundleEpoch, bundledResultJson, bundleSources, DEFAULT_BUNDLE_EPOCH, recordedBundle, writeBundleZip } from '../../src/report/bundle.js';

/** A run's output folder as the runner leaves it: <out>/reports/<id>/ and <out>/snapshots/<id>.json. */
function fakeRun(opts: { skipLoad?: boolean } = {}): { out: string; dir: string } {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-bundle-'));
  const dir = path.join(out, 'reports', 'run-1');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(out, 'snapshots'));
  const report = {
    schemaVersion: 1,
    runId: 'run-1',
    stages: { sim: { verdict: 'PASS' }, load: opts.skipLoad ? { verdict: 'SKIPPED', reason: 'x' } : { verdict: 'PASS' }, replay: { verdict: 'PASS' }, pipeline: { verdict: 'SKIPPED', reason: 'y' } },
    artifacts: { report: 'report.json', log: 'run.log', snapshot: '../../snapshots/run-1.json', bundle: 'bundle.zip' },
  };
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report, null, 2) + '\n');
  fs.writeFileSync(path.join(dir, 'report.html'), '<!DOCTYPE html><p>report</p>\n');
  fs.writeFileSync(path.join(dir, 'summary.md'), '## PASS\n');
  fs.writeFileSync(path.join(dir, 'run.log'), 'line 1\nline 2\n');
  fs.writeFileSync(path.join(dir, 'sim_summary.json'), '{"sim":1}\n');
  fs.writeFileSync(path.join(dir, 'load_summary.json'), '{"load":1}\n');
  fs.writeFileSync(path.join(dir, 'replay_summary.json'), '{"replay":1}\n');
  fs.writeFileSync(path.join(dir, 'pipeline_summary.json'), '{"stale":true}\n');
  fs.writeFileSync(path.join(dir, 'warroom.log'), '{"severity":"HIGH"}\n');
  fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ schemaVersion: 1, runId: 'run-1', verdict: 'PASS', bundle: null }, null, 2) + '\n');
  fs.writeFileSync(path.join(out, 'snapshots', 'run-1.json'), '{"cases":[]}\n');
  return { out, dir };
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

const PY_INSPECT = `
import json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
print(json.dumps({
  "bad": z.testzip(),
  "entries": [[i.filename, list(i.date_time), i.external_attr >> 16, i.create_system, i.compress_type, len(i.extra)] for i in z.infolist()],
  "result": json.loads(z.read("result.json")),
}))
`;

describe('bundle.zip', () => {
  it('holds the run files under their §3.8 names, sorted, with the snapshot and logs/run.log', async () => {
    const { dir } = fakeRun();
    const info = await buildBundle(dir, { env: {} });
    expect(info.entries).toEqual([
      'load_summary.json',
      'logs/run.log',
      'replay_summary.json',
      'report.html',
      'report.json',
      'result.json',
      'sim_summary.json',
      'snapshot.json',
      'summary.md',
      'warroom.log',
    ]);
    // pipeline was SKIPPED in this report: its summary file is a stale one and stays out
    expect(info.entries).not.toContain('pipeline_summary.json');
    expect(info.sha256).toBe(sha256(info.file));
    expect(info.bytes).toBe(fs.statSync(info.file).size);
    expect(info.sourceDateEpoch).toBe(DEFAULT_BUNDLE_EPOCH);
  });

  it('passes unzip -t and Python zipfile: fixed 1980-01-01 timestamps, mode 0644, no extra fields', async () => {
    const { dir } = fakeRun();
    const info = await buildBundle(dir, { env: {} });
    const unzip = execFileSync('unzip', ['-t', info.file], { encoding: 'utf8' });
    expect(unzip).toContain('No errors detected in compressed data');
    const py = JSON.parse(execFileSync('python3', ['-c', PY_INSPECT, info.file], { encoding: 'utf8' }));
    expect(py.bad).toBeNull();
    for (const [name, date, mode, system, method, extra] of py.entries) {
      expect(date, name).toEqual([1980, 1, 1, 0, 0, 0]);
      expect(mode, name).toBe(0o100644);
      expect(system, name).toBe(3); // Unix, whatever the OS that made it
      expect(method, name).toBe(8); // deflate
      expect(extra, name).toBe(0);
    }
    expect(py.result.bundle).toBeNull();
  });

  it('gives identical bytes for identical inputs, whatever the files mtimes and modes', async () => {
    const { dir } = fakeRun();
    const a = await buildBundle(dir, { env: {}, out: path.join(dir, 'a.zip') });
    for (const f of fs.readdirSync(dir)) {
      fs.utimesSync(path.join(dir, f), new Date(2030, 1, 1), new Date(2030, 1, 1));
      fs.chmodSync(path.join(dir, f), 0o600);
    }
    const b = await buildBundle(dir, { env: {}, out: path.join(dir, 'b.zip') });
    expect(b.sha256).toBe(a.sha256);
    expect(fs.readFileSync(b.file).equals(fs.readFileSync(a.file))).toBe(true);
  });

  it('changes when a file changes, and when SOURCE_DATE_EPOCH does', async () => {
    const { dir } = fakeRun();
    const a = await buildBundle(dir, { env: {}, out: path.join(dir, 'a.zip') });
    const e = await buildBundle(dir, { env: { SOURCE_DATE_EPOCH: '1700000000' }, out: path.join(dir, 'e.zip') });
    expect(e.sha256).not.toBe(a.sha256);
    expect(e.sourceDateEpoch).toBe(1700000000);
    const py = JSON.parse(execFileSync('python3', ['-c', PY_INSPECT, e.file], { encoding: 'utf8' }));
    expect(py.entries[0][1]).toEqual([2023, 11, 14, 22, 13, 20]);
    fs.appendFileSync(path.join(dir, 'run.log'), 'one more line\n');
    const c = await buildBundle(dir, { env: {}, out: path.join(dir, 'c.zip') });
    expect(c.sha256).not.toBe(a.sha256);
  });

  it('stores result.json with "bundle": null, so recording the hash does not change the bundle', async () => {
    const { dir } = fakeRun();
    const first = await buildBundle(dir, { env: {} });
    const resultFile = path.join(dir, 'result.json');
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    result.bundle = { path: 'bundle.zip', sha256: first.sha256, bytes: first.bytes, sourceDateEpoch: first.sourceDateEpoch, entries: first.entries };
    fs.writeFileSync(resultFile, JSON.stringify(result, null, 2) + '\n');
    expect(recordedBundle(dir)!.sha256).toBe(first.sha256);
    const again = await buildBundle(dir, { env: {}, recordedEpoch: recordedBundle(dir)!.sourceDateEpoch });
    expect(again.sha256).toBe(first.sha256);
    expect(bundledResultJson(fs.readFileSync(resultFile)).toString()).not.toContain(first.sha256);
  });

  it('follows report.json paths only inside the output folder', () => {
    const { dir } = fakeRun();
    const outside = path.join(os.tmpdir(), `toron-outside-${process.pid}.json`);
    fs.writeFileSync(outside, 'secret');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    report.artifacts.snapshot = path.relative(dir, outside);
    report.artifacts.log = '/etc/hostname';
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    const names = bundleSources(dir).map((s) => s.name);
    expect(names).not.toContain('snapshot.json');
    expect(names).not.toContain('logs/run.log');
    fs.rmSync(outside);
  });

  it('a report folder outside the run layout (an unpacked bundle in ~/Downloads/x) cannot pull a file of the home folder in', async () => {
    // home/.ssh/id_rsa and home/Downloads/x/: x/../.. is the home folder itself.
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-home-'));
    fs.mkdirSync(path.join(home, '.ssh'));
    fs.writeFileSync(path.join(home, '.ssh', 'id_rsa'), 'PRIVATE KEY');
    const { dir: run } = fakeRun();
    const dir = path.join(home, 'Downloads', 'x');
    fs.cpSync(run, dir, { recursive: true });
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    report.artifacts.snapshot = '../../.ssh/id_rsa';
    report.artifacts.log = '../../.ssh/id_rsa';
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    const info = await buildBundle(dir, { env: {}, out: path.join(home, 'out.zip') });
    expect(info.entries).not.toContain('snapshot.json');
    expect(info.entries).not.toContain('logs/run.log');
    expect(execFileSync('unzip', ['-p', info.file], { encoding: 'utf8' })).not.toContain('PRIVATE KEY');
  });

  it('a symbolic link in the report folder (an unpacked folder from elsewhere: a link to /etc/passwd, ~/.ssh) is refused, naming the entry; nothing is written', async () => {
    const secrets = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-secrets-'));
    fs.writeFileSync(path.join(secrets, 'id_rsa'), 'PRIVATE KEY');
    // A file of the folder replaced by a link.
    const a = fakeRun();
    fs.rmSync(path.join(a.dir, 'summary.md'));
    fs.symlinkSync(path.join(secrets, 'id_rsa'), path.join(a.dir, 'summary.md'));
    await expect(buildBundle(a.dir, { env: {}, out: path.join(a.out, 'out.zip') })).rejects.toThrow(/summary\.md.*symbolic link/);
    expect(fs.existsSync(path.join(a.out, 'out.zip'))).toBe(false);
    const cli = await runCli(['bundle', a.dir, '--out', path.join(a.out, 'cli.zip')], { cwd: a.out });
    expect(cli.code, cli.stdout + cli.stderr).toBe(2);
    expect(cli.stderr).toMatch(/summary\.md.*symbolic link/);
    expect(fs.existsSync(path.join(a.out, 'cli.zip'))).toBe(false);
    // A folder inside it that is a link (report.json names logs/run.log as its log).
    const b = fakeRun();
    fs.symlinkSync(secrets, path.join(b.dir, 'logs'));
    fs.renameSync(path.join(secrets, 'id_rsa'), path.join(secrets, 'run.log'));
    const report = JSON.parse(fs.readFileSync(path.join(b.dir, 'report.json'), 'utf8'));
    report.artifacts.log = 'logs/run.log';
    fs.writeFileSync(path.join(b.dir, 'report.json'), JSON.stringify(report));
    await expect(buildBundle(b.dir, { env: {}, out: path.join(b.out, 'out.zip') })).rejects.toThrow(/logs.*symbolic link/);
    // The snapshot replaced by a link.
    const c = fakeRun();
    fs.rmSync(path.join(c.out, 'snapshots', 'run-1.json'));
    fs.symlinkSync(path.join(secrets, 'run.log'), path.join(c.out, 'snapshots', 'run-1.json'));
    await expect(buildBundle(c.dir, { env: {}, out: path.join(c.out, 'out.zip') })).rejects.toThrow(/run-1\.json.*symbolic link/);
    // A link that points nowhere is refused as well (not silently left out).
    const d = fakeRun();
    fs.rmSync(path.join(d.dir, 'warroom.log'));
    fs.symlinkSync(path.join(secrets, 'gone'), path.join(d.dir, 'warroom.log'));
    await expect(buildBundle(d.dir, { env: {}, out: path.join(d.out, 'out.zip') })).rejects.toThrow(/warroom\.log.*symbolic link/);
  });

  it.runIf(fs.existsSync('/proc/self/fd'))('opens each file only when its entry is written: memory stays at one file\'s buffers', async () => {
    // archiver (and zip-stream) pipe every appended stream into a PassThrough at once, so a stream made up front starts
    // reading straight away: at 100k cases that held 8 MB of every large file (snapshot, report.json,
    // sim_summary.json) for the whole bundle, up to 100 MB of buffers on a busy machine.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-bundle-lazy-'));
    const names = ['a.json', 'b.json', 'c.json', 'd.json'];
    const block = Buffer.alloc(1 << 20, 'x');
    for (const n of names) {
      const fd = fs.openSync(path.join(dir, n), 'w');
      for (let i = 0; i < 24; i++) fs.writeSync(fd, block);
      fs.closeSync(fd);
    }
    const openSources = (): number => {
      let n = 0;
      for (const fd of fs.readdirSync('/proc/self/fd')) {
        try {
          if (fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir + path.sep) && !fs.readlinkSync(`/proc/self/fd/${fd}`).endsWith('.tmp')) n++;
        } catch {
          // an fd closed between readdir and readlink
        }
      }
      return n;
    };
    let most = 0;
    const timer = setInterval(() => (most = Math.max(most, openSources())), 2);
    try {
      const sources = names.map((n) => ({ name: n, path: path.join(dir, n) }));
      const zipped = writeBundleZip(sources, path.join(dir, 'out', 'bundle.zip'), DEFAULT_BUNDLE_EPOCH);
      most = Math.max(most, openSources());
      await zipped;
    } finally {
      clearInterval(timer);
    }
    expect(most).toBe(1);
    const listed = execFileSync('unzip', ['-l', path.join(dir, 'out', 'bundle.zip')], { encoding: 'utf8' });
    for (const n of names) expect(listed).toContain(n);
  });

  it('a source file that cannot be read fails the bundle (no partial zip left), never the process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-bundle-unreadable-'));
    fs.writeFileSync(path.join(dir, 'a.json'), '{}');
    fs.mkdirSync(path.join(dir, 'b.json')); // opens, then every read fails (EISDIR), as a file gone bad would
    const out = path.join(dir, 'out', 'bundle.zip');
    const sources = [{ name: 'a.json', path: path.join(dir, 'a.json') }, { name: 'b.json', path: path.join(dir, 'b.json') }];
    await expect(writeBundleZip(sources, out, DEFAULT_BUNDLE_EPOCH)).rejects.toThrow(/^could not write .*bundle\.zip: EISDIR/);
    expect(fs.readdirSync(path.join(dir, 'out'))).toEqual([]);
  });

  it('refuses an --out that is one of the files it bundles, leaving that file as it was', async () => {
    const { out, dir } = fakeRun();
    const report = path.join(dir, 'report.json');
    const snapshot = path.join(out, 'snapshots', 'run-1.json');
    const before = { report: fs.readFileSync(report, 'utf8'), snapshot: fs.readFileSync(snapshot, 'utf8') };
    await expect(buildBundle(dir, { env: {}, out: report })).rejects.toThrow(/is the run's report\.json/);
    await expect(buildBundle(dir, { env: {}, out: snapshot })).rejects.toThrow(/is the run's snapshot\.json/);
    // Another name for the same file.
    const link = path.join(out, 'link-to-report.json');
    fs.linkSync(report, link);
    await expect(buildBundle(dir, { env: {}, out: link })).rejects.toThrow(/is the run's report\.json/);
    expect(fs.readFileSync(report, 'utf8')).toBe(before.report);
    expect(fs.readFileSync(snapshot, 'utf8')).toBe(before.snapshot);
    // bundle.zip itself is not a source: rebuilding over it is the normal case.
    await expect(buildBundle(dir, { env: {}, out: path.join(dir, 'bundle.zip') })).resolves.toMatchObject({ path: 'bundle.zip' });
  });

  it('rejects a folder without report.json and a malformed SOURCE_DATE_EPOCH', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-empty-'));
    await expect(buildBundle(empty, { env: {} })).rejects.toThrow(/has no report\.json/);
    expect(() => bundleEpoch({ SOURCE_DATE_EPOCH: '12.5' })).toThrow(/SOURCE_DATE_EPOCH must be a whole number/);
    expect(bundleEpoch({ SOURCE_DATE_EPOCH: '' }, 42)).toBe(42);
    expect(bundleEpoch({}, null)).toBe(DEFAULT_BUNDLE_EPOCH);
    expect(bundleEpoch({ SOURCE_DATE_EPOCH: '7' }, 42)).toBe(7);
  });
});
