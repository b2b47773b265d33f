import fs from 'node:fs';
import type { RunPaths } from './paths.js';

/**
 * What an earlier run of this run id left in the out folder. `--run-id` reproduces a run, so a run id
 * used again replaces the earlier run (its report folder, its snapshot, its rows in the store): that
 * is said, and nothing of the earlier run is left beside the new run's files under the same id.
 */
export interface EarlierRun {
  /** Its verdict and start, from its result.json (null when it left none, or an unreadable one). */
  verdict: string | null;
  startedAt: string | null;
  snapshot: boolean;
  /** Why its snapshot could not be removed, or null. */
  snapshotLeft: string | null;
}

/**
 * Reads what an earlier run of this id left (before the report folder is emptied). Null when it left
 * nothing. Only a file or link at the snapshot's path counts: anything else there is no snapshot a run wrote.
 */
export function earlierRun(paths: RunPaths): EarlierRun | null {
  const hasReport = fs.existsSync(paths.reportDir);
  let st: fs.Stats | null = null;
  try {
    st = fs.lstatSync(paths.snapshot);
  } catch {
    st = null;
  }
  const snapshot = st !== null && (st.isFile() || st.isSymbolicLink());
  if (!hasReport && !snapshot) return null;
  let verdict: string | null = null;
  let startedAt: string | null = null;
  try {
    const r = JSON.parse(fs.readFileSync(paths.result, 'utf8')) as { verdict?: unknown; startedAt?: unknown };
    if (typeof r.verdict === 'string') verdict = r.verdict;
    if (typeof r.startedAt === 'string') startedAt = r.startedAt;
  } catch {
    // no result.json (killed, or only a snapshot left): the notice says less
  }
  return { verdict, startedAt, snapshot, snapshotLeft: null };
}

/**
 * Removes the earlier run's snapshot, once its report folder is emptied and after the checks that refuse
 * a run whose input (a baseline) is among its files: left there, it would stand beside this run's report
 * under one run id (served as this run's, replayed as this run's) when this run writes none.
 */
export function removeEarlierSnapshot(paths: RunPaths, e: EarlierRun): void {
  if (!e.snapshot) return;
  try {
    fs.rmSync(paths.snapshot, { force: true });
  } catch (err) {
    e.snapshotLeft = (err as Error).message;
  }
}

/** The warning line: which run is replaced, what of it, and how to keep both. */
export function replacedNotice(runId: string, shownOut: string, e: EarlierRun): string {
  const what = [e.verdict, e.startedAt ? `started ${e.startedAt}` : null].filter(Boolean).join(', ');
  const parts = ['its report folder', ...(e.snapshot ? ['its snapshot'] : []), 'its history rows'];
  const list = parts.length > 2 ? `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}` : parts.join(' and ');
  const left = e.snapshotLeft ? ` (its snapshot could not be removed: ${e.snapshotLeft})` : '';
  return `run id ${runId} was used before in ${shownOut}: this run replaces that run${what ? ` (${what})` : ''}: ${list}; give each run its own --run-id to keep both${left}`;
}

/** Why a run of a used run id did not start: its input cannot run, and the earlier run is left as it was. */
export function keptNotice(runId: string, shownOut: string, e: EarlierRun, problem: string): string {
  const what = [e.verdict, e.startedAt ? `started ${e.startedAt}` : null].filter(Boolean).join(', ');
  return `${problem}. Nothing was run, and the earlier run ${runId} in ${shownOut}${what ? ` (${what})` : ''} is kept as it was: fix the input, or give this run another --run-id`;
}
