import { portablePath } from '../util/portable-path.js';
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
 * Takes this machine's paths out of a text meant for a report: logs and engine specs name files the
 * user gave, but reports must not carry them (DESIGN §3.3).
 * - the working directory, and every path under it, becomes "." ("./x");
 * - an output folder outside it (`--out /tmp/x`, a runner's temp folder) becomes its path relative to
 *   the working directory, since the store and the snapshot name files in it;
 * - `named`: absolute paths outside both that the settings name (a cmd: engine's interpreter and
 *   script, see enginePaths) become their last part, as the snapshot names them.
 * A path is replaced only where it stands as one (not inside a longer name), longest first, so a named
 * parent of the working directory (`--cache=/home/runner`) does not cut paths under the working
 * directory, and a text scrubbed twice stays as it was scrubbed once.
 */
export function pathScrubber(cwd: string, out?: string, named: readonly string[] = []): (text: string) => string {
  const inside = (p: string) => p === cwd || p.startsWith(cwd.endsWith(path.sep) ? cwd : cwd + path.sep);
  const rules: [string, string][] = [[trimSep(cwd), '.']];
  if (out !== undefined && !inside(out)) rules.push([trimSep(out), relPath(cwd, out) || '.']);
  for (const p of new Set(named)) {
    if (path.isAbsolute(p) && !inside(p) && p !== out && trimSep(p) !== path.parse(p).root) rules.push([trimSep(p), portablePath(p, cwd)]);
  }
  rules.sort((a, b) => b[0].length - a[0].length);
  const compiled = rules.map(([from, to]) => ({ from, to, re: new RegExp(`(?<![\\w.~…-])${escapeRegExp(from)}(?![\\w.~-])`, 'g') }));
  return (text) => compiled.reduce((t, r) => (t.includes(r.from) ? t.replace(r.re, () => r.to) : t), text);
}

function trimSep(p: string): string {
  return p.length > 1 && p.endsWith(path.sep) ? p.slice(0, -1) : p;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
