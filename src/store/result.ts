import fs from 'node:fs';
import path from 'node:path';
import type { RunResult } from '../report/types.js';
import type { Verdict } from '../runner/verdict.js';
import { writeJsonAtomic } from '../util/fs.js';
import type { Store } from './store.js';
import type { RunMetrics, RunStatus } from './types.js';

/**
 * result.json for a run the store had to close itself (ABORTED: its process died). Same shape as the
 * runner's RunResult, with status ABORTED, verdict ERROR (not a test verdict), exit code 2, artifacts
 * that may be missing (null), and counts of what the run had recorded before it died.
 */
export type StoredRunResult = Omit<RunResult, 'status' | 'artifacts'> & {
  status: RunStatus;
  artifacts: { [K in keyof RunResult['artifacts']]: string | null };
  partial: { simAttempts: number; simAttemptsPassed: number; warroomEvents: number };
};

export function reportDirOf(outDir: string, runId: string): string {
  return path.join(outDir, 'reports', runId);
}

/** Builds and atomically writes `<out>/reports/<run_id>/result.json` from what the database knows. */
export function writeResultForAborted(store: Store, runId: string, outDir: string): string {
  const run = store.getRun(runId);
  if (!run) throw new Error(`run ${runId} is not in the history database`);
  const dir = reportDirOf(outDir, runId);
  const file = path.join(dir, 'result.json');
  const has = (rel: string) => (fs.existsSync(path.join(dir, rel)) ? rel.split(path.sep).join('/') : null);
  const finishedAt = run.finishedAt ?? new Date().toISOString();
  const reason = run.reason ?? 'ABORTED: the run did not finish';
  const result: StoredRunResult = {
    schemaVersion: 1,
    runId,
    status: run.status,
    verdict: 'ERROR',
    exitCode: 2,
    reason,
    cancelled: false,
    error: { kind: 'aborted', message: reason },
    startedAt: run.startedAt,
    finishedAt,
    durationMs: run.durationMs ?? Math.max(0, Date.parse(finishedAt) - Date.parse(run.startedAt)),
    engine: {
      kind: run.engine.kind ?? 'unknown',
      target: run.engine.target ?? '(unknown)',
      version: run.engine.version,
      profile: run.engine.profile ?? 'auto',
    },
    stages: {},
    metrics: run.metrics,
    artifacts: {
      report: has('report.json'),
      html: has('report.html'),
      summary: has('summary.md'),
      log: has('run.log'),
      snapshot: has(path.join('..', '..', 'snapshots', `${runId}.json`)),
      bundle: has('bundle.zip'),
      result: 'result.json',
      simSummary: has('sim_summary.json'),
    },
    partial: { simAttempts: run.sim.attempts, simAttemptsPassed: run.sim.passed, warroomEvents: run.events.length },
  };
  writeJsonAtomic(file, result);
  store.setArtifactPaths(runId, { result: file, ...(result.artifacts.report ? { report: path.join(dir, 'report.json') } : {}) });
  return file;
}

export interface AdoptableResult {
  status: Verdict;
  verdict: Verdict;
  finishedAt: string;
  durationMs: number;
  reason: string;
  metrics: RunMetrics;
  engine?: { version?: string | null };
}

/**
 * The result.json a RUNNING row's run left behind, when the process wrote it and then died before
 * the database heard: only if it is this very run (same id and start time) and it finished.
 */
export function readAdoptableResult(outDir: string, runId: string, startedAt: string): AdoptableResult | null {
  let r: Partial<RunResult>;
  try {
    r = JSON.parse(fs.readFileSync(path.join(reportDirOf(outDir, runId), 'result.json'), 'utf8')) as Partial<RunResult>;
  } catch {
    return null;
  }
  const verdicts: Verdict[] = ['PASS', 'WARN', 'FAIL', 'ERROR'];
  if (!r || typeof r !== 'object' || r.runId !== runId || r.startedAt !== startedAt) return null;
  if (!verdicts.includes(r.status as Verdict) || typeof r.finishedAt !== 'string') return null;
  const m = (r.metrics ?? {}) as Partial<RunMetrics>;
  const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    status: r.status as Verdict,
    verdict: verdicts.includes(r.verdict as Verdict) ? (r.verdict as Verdict) : (r.status as Verdict),
    finishedAt: r.finishedAt,
    durationMs: n(r.durationMs) ?? Math.max(0, Date.parse(r.finishedAt) - Date.parse(startedAt)),
    reason: typeof r.reason === 'string' ? r.reason : String(r.status),
    metrics: {
      simPassRate: n(m.simPassRate),
      simTotal: n(m.simTotal),
      determinismScore: n(m.determinismScore),
      p95Ms: n(m.p95Ms),
      warroomCritical: n(m.warroomCritical) ?? 0,
      warroomHigh: n(m.warroomHigh) ?? 0,
    },
    engine: r.engine ? { version: r.engine.version ?? null } : undefined,
  };
}

/**
 * When an abandoned run last showed life: the newest write to its run.log (written as the run goes),
 * if that is after it started and not in the future; null otherwise. A run marked ABORTED at the next
 * open then ends when its process stopped writing, not when another process noticed (hours later, say).
 */
export function lastSignOfLife(outDir: string, runId: string, startedAt: string, now: Date): Date | null {
  try {
    const t = fs.statSync(path.join(reportDirOf(outDir, runId), 'run.log')).mtime;
    return t.getTime() >= Date.parse(startedAt) && t.getTime() <= now.getTime() ? t : null;
  } catch {
    return null;
  }
}
