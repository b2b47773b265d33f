import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readZipFile } from '../github/zip.js';
import { openSnapshot, type OpenSnapshot } from '../snapshot/reader.js';
import { InputError } from '../util/errors.js';
import { isInside, realPath } from '../util/real-path.js';

/**
 * `--baseline` (DESIGN §3.1, §4.2): a snapshot file, a report folder (or its report.json), or a
 * bundle.zip. A report folder leads to its snapshot through report.json's `artifacts.snapshot`, or a
 * `snapshot.json` beside it (the layout of an unpacked bundle).
 */
export interface LoadedBaseline {
  /** What was given, as it may be printed (relative to cwd). */
  label: string;
  /** The snapshot file actually read (relative to cwd). */
  snapshotFile: string;
  snapshot: OpenSnapshot;
}

export function loadBaseline(spec: string, cwd: string): LoadedBaseline {
  const abs = path.resolve(cwd, spec);
  const shown = (p: string) => shownPath(cwd, p);
  const label = shown(abs);
  const stat = baselineStat(spec, cwd);
  if (!stat.isDirectory() && /\.zip$/i.test(abs)) return snapshotOfBundle(abs, label);
  const file = stat.isDirectory() ? snapshotOfFolder(abs, shown) : snapshotOfFile(abs, shown);
  return { label, snapshotFile: shown(file), snapshot: openSnapshot(file, shown(file)) };
}

/**
 * The baseline's file or folder; an InputError when there is none. The runner asks before SIM, so that a
 * mistyped --baseline costs no suite run before its ERROR.
 */
export function baselineStat(spec: string, cwd: string): fs.Stats {
  const abs = path.resolve(cwd, spec);
  try {
    return fs.statSync(abs);
  } catch {
    const auto = spec.trim().toLowerCase() === 'auto' ? '; `auto` is the action\'s baseline input, not the CLI\'s' : '';
    throw new InputError(`baseline not found (--baseline takes a snapshot .json, a report folder or a bundle.zip${auto})`, { file: shownPath(cwd, abs) });
  }
}

/**
 * Why `--baseline` cannot be read by this run, or null. A run starts by emptying its report folder and
 * ends SIM by writing `<out>/snapshots/<run_id>.json`: a baseline that is that snapshot would be
 * overwritten with this run's own answers before the replay reads it, so every stable case would be
 * "unchanged" and the gate would pass whatever the engine now answers (and the baseline is lost); one
 * inside the report folder (its report.json, its bundle.zip) would be deleted before it is read.
 */
export function baselineClash(spec: string, cwd: string, run: { runId: string; snapshot: string; reportDir: string }): string | null {
  const abs = path.resolve(cwd, spec);
  // By real paths: a symbolic link to the snapshot (or into the report folder) is overwritten all the same.
  const own = realPath(abs) === realPath(run.snapshot);
  if (!own && !isInside(abs, run.reportDir)) return null;
  return (
    `--baseline ${shownPath(cwd, abs)} is ${own ? "this run's own snapshot" : "in this run's own report folder"} (run id ${run.runId}): ` +
    `the run would overwrite it before comparing with it; give this run another --run-id or --out, or copy the baseline elsewhere`
  );
}

/**
 * A baseline as reports name it: relative to the working directory, also when it lies outside it
 * (`../baselines/bundle.zip`). The label and the file go into report.json, summary.md, run.log and the
 * bundle, which must never carry a path of the machine (DESIGN §3.3): a baseline downloaded to the
 * runner's temp folder would otherwise print `/home/runner/work/_temp/...` into every report.
 */
export function shownPath(cwd: string, p: string): string {
  return path.relative(cwd, p).split(path.sep).join('/') || '.';
}

/**
 * A bundle.zip (DESIGN §3.8) holds its run's snapshot as `snapshot.json`. It is copied out to a
 * temporary file (the reader indexes a file by offsets) that goes away when the snapshot is closed.
 */
function snapshotOfBundle(zip: string, label: string): LoadedBaseline {
  const shownAs = `${label}!snapshot.json`;
  let data: Buffer | null;
  try {
    data = readZipFile(fs.readFileSync(zip), 'snapshot.json');
  } catch (err) {
    throw new InputError(`cannot read the bundle: ${(err as Error).message}`, { file: label });
  }
  if (!data) {
    throw new InputError('this bundle has no snapshot.json (its run wrote no snapshot: SIM did not complete, or it was cancelled)', { file: label });
  }
  const tmp = path.join(os.tmpdir(), `toron-testops-baseline-${process.pid}-${randomBytes(4).toString('hex')}.json`);
  fs.writeFileSync(tmp, data);
  let snapshot: OpenSnapshot;
  try {
    snapshot = openSnapshot(tmp, shownAs);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const close = snapshot.close.bind(snapshot);
  snapshot.close = () => {
    close();
    fs.rmSync(tmp, { force: true });
  };
  return { label, snapshotFile: shownAs, snapshot };
}

function snapshotOfFolder(dir: string, shown: (p: string) => string): string {
  const beside = path.join(dir, 'snapshot.json');
  if (fs.existsSync(beside)) return beside;
  const report = path.join(dir, 'report.json');
  if (fs.existsSync(report)) return snapshotOfReport(report, shown);
  throw new InputError('this folder has neither report.json nor snapshot.json: pass a report folder (<out>/reports/<run_id>) or a snapshot file', {
    file: shown(dir),
  });
}

function snapshotOfFile(file: string, shown: (p: string) => string): string {
  if (path.basename(file) === 'report.json') return snapshotOfReport(file, shown);
  return file;
}

/** A report's `artifacts.snapshot` is relative to the report folder (DESIGN §3.3). */
function snapshotOfReport(reportFile: string, shown: (p: string) => string): string {
  let report: { artifacts?: { snapshot?: unknown }; runId?: unknown };
  try {
    report = JSON.parse(fs.readFileSync(reportFile, 'utf8')) as typeof report;
  } catch (err) {
    throw new InputError(`cannot read the baseline report: ${(err as Error).message}`, { file: shown(reportFile) });
  }
  const rel = report?.artifacts?.snapshot;
  if (typeof rel !== 'string' || rel === '') {
    throw new InputError(
      `the baseline run${typeof report?.runId === 'string' ? ` ${report.runId}` : ''} has no snapshot (artifacts.snapshot is empty: its SIM did not complete, or it was cancelled)`,
      { file: shown(reportFile), pointer: '/artifacts/snapshot' },
    );
  }
  const file = path.resolve(path.dirname(reportFile), rel);
  if (!fs.existsSync(file)) {
    throw new InputError(
      `the baseline report names its snapshot ${rel}, which is not there (${shown(file)}); a report folder copied alone lacks it: pass the snapshot or the bundle's folder`,
      { file: shown(reportFile), pointer: '/artifacts/snapshot' },
    );
  }
  return file;
}
