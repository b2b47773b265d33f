import fs from 'node:fs';
import path from 'node:path';
import { Store } from '../store/store.js';
import type { RunRow } from '../store/types.js';
import { errorMessage } from '../util/errors.js';
import { redactTarget } from '../engine/spec.js';
import { listReportFiles } from './files.js';
import type { ManagedRun } from './run-manager.js';
import { isFinished } from './run-state.js';
import { CANCELLED_BEFORE_START } from '../runner/finalise-run.js';

/**
 * The status a stored run is shown with: CANCELLED for a run cancelled before any stage ran (the
 * database keeps it as ERROR, with that reason), as the live status of a run cancelled in the queue is.
 */
export function shownStatus(row: Pick<RunRow, 'status' | 'reason'>): string {
  return row.status === 'ERROR' && row.reason === CANCELLED_BEFORE_START ? 'CANCELLED' : row.status;
}

/**
 * The server's read connection to `<out>/testops.db`. Runs write through their own connections
 * (WAL lets both work at once). When the database cannot be opened, history routes answer 503 and
 * the next request tries again.
 */
export class History {
  private store: Store | null = null;
  private lastError: string | null = null;

  constructor(
    readonly dbPath: string,
    readonly outDir: string,
    private readonly log: (line: string) => void,
  ) {}

  get(): Store | null {
    if (this.store) return this.store;
    try {
      const opened = Store.open(this.dbPath, { outDir: this.outDir, log: (level, m) => this.log(`${level}: ${m}`) });
      for (const n of opened.notices) this.log(`history: ${n.finding.message}`);
      this.store = opened.store;
      this.lastError = null;
    } catch (err) {
      const message = errorMessage(err);
      if (message !== this.lastError) this.log(`history is not available: ${message}`);
      this.lastError = message;
    }
    return this.store;
  }

  error(): string {
    return this.lastError ?? 'the history database is not available';
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}

export function runLinks(runId: string, outDir: string): Record<string, unknown> {
  const id = encodeURIComponent(runId);
  return {
    status: `/master/status/${id}`,
    stream: `/master/stream/${id}`,
    warroom: `/master/runs/${id}/warroom`,
    detail: `/master/runs/${id}`,
    cancel: `/master/runs/${id}/cancel`,
    report: `/master/runs/${id}/files/report.json`,
    html: `/master/runs/${id}/files/report.html`,
    bundle: `/master/runs/${id}/bundle`,
    files: listReportFiles(outDir, runId).map((name) => ({ name, href: `/master/runs/${id}/files/${encodeURIComponent(name)}` })),
  };
}

/** The status answer of a run the server manages (queued, running, or recently finished). */
export function liveStatus(run: ManagedRun, queuePosition: number): Record<string, unknown> {
  const s = run.state;
  return {
    runId: s.runId,
    status: s.status,
    verdict: s.verdict,
    exitCode: s.exitCode,
    finished: isFinished(s),
    // After `done` the run still builds its bundle and records its history row; settled when all is written.
    settled: run.settledFlag,
    // Why it ended as it did (result.json's reason), once written: `done` does not say.
    reason: run.settledFlag ? (readResult(run.outDir, s.runId)?.reason ?? null) : null,
    ...(s.status === 'QUEUED' ? { queuePosition } : {}),
    queuedAt: s.queuedAt,
    startedAt: s.startedAt,
    finishedAt: s.finishedAt,
    cancelRequested: s.cancelRequested,
    stages: s.stages,
    progress: s.progress,
    warroom: s.warroom,
    cases: s.cases,
    lastEventId: s.lastEventId,
    engine: { target: redactTarget(run.settings.engine.target), profile: run.settings.engine.profile },
    links: runLinks(s.runId, run.outDir),
  };
}

/** The status answer of a run known only from the history database (finished before, or elsewhere). */
export function storedStatus(row: RunRow, outDir: string): Record<string, unknown> {
  const result = readResult(outDir, row.runId);
  const stages: Record<string, { state: 'finished'; verdict: string }> = {};
  for (const [name, verdict] of Object.entries(result?.stages ?? {})) stages[name] = { state: 'finished', verdict };
  return {
    runId: row.runId,
    status: shownStatus(row),
    verdict: row.verdict,
    exitCode: result?.exitCode ?? null,
    finished: row.status !== 'RUNNING',
    settled: row.status !== 'RUNNING',
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    durationMs: row.durationMs,
    reason: row.reason,
    stages,
    metrics: row.metrics,
    engine: row.engine,
    links: runLinks(row.runId, outDir),
  };
}

/** A row of the history table, with the live status laid over it while the run is still in memory. */
export function historyRow(row: RunRow, live: ManagedRun | undefined, outDir: string): Record<string, unknown> {
  const base: Record<string, unknown> = { ...row, status: shownStatus(row), links: runLinks(row.runId, outDir) };
  delete base.pid;
  delete base.host;
  if (live && (row.status === 'RUNNING' || live.cancelledInQueue)) {
    // The database row is closed a moment after the run's `done`; the live state knows first.
    base.status = live.state.status;
    base.verdict = live.state.verdict;
  }
  return base;
}

/** A stored run's exit code (from its result.json), or null when it has none. */
export function storedExitCode(outDir: string, runId: string): number | null {
  const code = readResult(outDir, runId)?.exitCode;
  return typeof code === 'number' ? code : null;
}

function readResult(outDir: string, runId: string): { exitCode?: number; stages?: Record<string, string>; reason?: string } | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(outDir, 'reports', runId, 'result.json'), 'utf8'));
  } catch {
    return null;
  }
}
