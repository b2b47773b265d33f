import { portablePath } from '../snapshot/portable.js';
import path from 'node:path';

/** Where a run's files go (DESIGN §3.2). Absolute for writing; `rel()` for anything printed into a report. */
export interface RunPaths {
  cwd: string;
  out: string;
  reportDir: string;
  snapshotsDir: string;
  snapshot: string;
  warroomDir: string;
  warroomLog: string;
  db: string;
  runLog: string;
  /** This run's own WAR ROOM lines (the appended log across runs is `warroomLog`): goes into the bundle. */
  runWarroom: string;
  report: string;
  html: string;
  summaryMd: string;
  result: string;
  simSummary: string;
  loadSummary: string;
  replaySummary: string;
  bundle: string;
}

export function runPaths(cwd: string, out: string, runId: string): RunPaths {
  const outAbs = path.resolve(cwd, out);
  const reportDir = path.join(outAbs, 'reports', runId);
  const snapshotsDir = path.join(outAbs, 'snapshots');
  const warroomDir = path.join(outAbs, 'warroom');
  return {
    cwd,
    out: outAbs,
    reportDir,
    snapshotsDir,
    snapshot: path.join(snapshotsDir, `${runId}.json`),
    warroomDir,
    warroomLog: path.join(warroomDir, 'warroom.log'),
    db: path.join(outAbs, 'testops.db'),
    runLog: path.join(reportDir, 'run.log'),
    runWarroom: path.join(reportDir, 'warroom.log'),
    report: path.join(reportDir, 'report.json'),
    html: path.join(reportDir, 'report.html'),
    summaryMd: path.join(reportDir, 'summary.md'),
    result: path.join(reportDir, 'result.json'),
    simSummary: path.join(reportDir, 'sim_summary.json'),
    loadSummary: path.join(reportDir, 'load_summary.json'),
    replaySummary: path.join(reportDir, 'replay_summary.json'),
    bundle: path.join(reportDir, 'bundle.zip'),
  };
}

/** A path as it may appear in a report: relative to `from`, forward slashes, never absolute. */
export function relPath(from: string, to: string): string {
  return path.relative(from, to).split(path.sep).join('/');
}

/**
 * Replaces the working directory (and so every path under it) by "." in a text meant for a report:
 * logs and engine specs name files the user gave, but reports must not carry this machine's paths.
 * An output folder outside the working directory (`--out /tmp/x`, a runner's temp folder) is replaced
 * by its path relative to the working directory, since the store and the snapshot name files in it.
 * `named`: absolute paths the settings name (see enginePaths), shown by their last part.
 */
export function pathScrubber(cwd: string, out?: string, named: readonly string[] = []): (text: string) => string {
  const withSep = (p: string) => (p.endsWith(path.sep) ? p : p + path.sep);
  const cwdPrefix = withSep(cwd);
  const pairs: [string, string][] = [];
  // Files the user named by absolute path outside the working directory (a cmd: engine's interpreter
  // and script): by their last part, as the snapshot names them; longest first, so none cuts another.
  const outside = [...new Set(named)].filter((p) => path.isAbsolute(p) && !withSep(p).startsWith(cwdPrefix) && p !== out);
  for (const p of outside.sort((a, b) => b.length - a.length)) pairs.push([p, portablePath(p, cwd)]);
  if (out !== undefined && !withSep(out).startsWith(cwdPrefix)) {
    pairs.push([withSep(out), withSep(path.relative(cwd, out) || '.')]);
  }
  pairs.push([cwdPrefix, '.' + path.sep]);
  return (text) => pairs.reduce((t, [from, to]) => (t.includes(from) ? t.split(from).join(to) : t), text);
}
