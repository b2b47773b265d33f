import type { RunContext } from '../runner/stage.js';
import type { Verdict } from '../runner/verdict.js';
import type { Finding, Severity, SourceLocation } from '../warroom/finding.js';

/** test_runs.status: a verdict once finished; ABORTED when the process died while RUNNING. */
export type RunStatus = 'RUNNING' | 'PASS' | 'WARN' | 'FAIL' | 'ERROR' | 'ABORTED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'PASS', 'WARN', 'FAIL', 'ERROR', 'ABORTED'];
export const SEVERITIES: readonly Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];

export interface RunEngine {
  kind: string;
  target: string;
  version?: string | null;
  profile?: string | null;
}

export interface BeginRunRow {
  runId: string;
  startedAt: string;
  engine: RunEngine;
  /** Default: this process and host (what the ABORTED sweep probes). */
  pid?: number;
  host?: string;
}

/** Same names as RunResult.metrics, so `result.metrics` can be passed as it is. */
export interface RunMetrics {
  simPassRate: number | null;
  simTotal: number | null;
  determinismScore: number | null;
  p95Ms: number | null;
  warroomCritical: number;
  warroomHigh: number;
}

/** Absolute paths, or paths relative to the output folder; stored relative to it. */
export interface RunArtifactPaths {
  result?: string | null;
  report?: string | null;
  bundle?: string | null;
}

export interface FinishRun {
  status: Exclude<RunStatus, 'RUNNING'>;
  verdict: Verdict | null;
  finishedAt: string;
  /** Default: finishedAt - started_at. */
  durationMs?: number;
  /** Missing WAR ROOM counts are counted from the run's recorded events. */
  metrics?: Partial<RunMetrics>;
  paths?: RunArtifactPaths;
  reason?: string | null;
  /** The engine version is only known after the health check. */
  engine?: Partial<RunEngine>;
}

export interface RunRow {
  runId: string;
  status: RunStatus;
  verdict: Verdict | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  engine: { kind: string | null; target: string | null; version: string | null; profile: string | null };
  pid: number | null;
  host: string | null;
  /** Relative to the output folder. */
  paths: { result: string | null; report: string | null; bundle: string | null };
  metrics: RunMetrics;
  reason: string | null;
}

/** A finding as stored: the event's sequence number when it came through the event bus. */
export type EventInput = Finding & { seq?: number | null };
export type EventRow = Finding & { seq: number | null };

export interface SimResultRow {
  runId: string;
  dataset: string;
  caseId: string;
  repeat: number;
  passed: boolean;
  latencyMs: number | null;
  errorKind?: string | null;
  message?: string | null;
  location?: SourceLocation | null;
}

export interface SnapshotRow {
  runId: string;
  /** Relative to the output folder (absolute paths are converted). */
  path: string;
  sha256: string;
  createdAt: string;
  cases: number;
  settingsHash?: string | null;
}

export interface RunDetail extends RunRow {
  events: EventRow[];
  snapshots: SnapshotRow[];
  sim: { attempts: number; passed: number };
}

export interface MetricPoint extends RunMetrics {
  runId: string;
  status: RunStatus;
  verdict: Verdict | null;
  startedAt: string;
  finishedAt: string | null;
  durationMs: number | null;
}

export type RaiseInput = Parameters<RunContext['raise']>[0];

/**
 * Something the store found while opening that the run should raise as a WAR ROOM event
 * (`raise(notice.finding)`): an abandoned run marked ABORTED, a database moved aside, a newer schema.
 */
export interface StoreNotice {
  finding: RaiseInput & { remediation: string };
  /** The other run concerned (an ABORTED or recovered one). */
  runId?: string;
  /** Where an unusable database was moved. */
  movedTo?: string;
  /** result.json written for an ABORTED run. */
  resultPath?: string;
}

export type StoreLog = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;

export interface StoreOptions {
  log?: StoreLog;
  now?: () => Date;
  /** Paths are stored relative to this; result.json of ABORTED runs goes under it. Default: the db's folder. */
  outDir?: string;
  /** SQLite busy timeout: how long a writer waits for another process's lock. Default 5000. */
  busyTimeoutMs?: number;
  /** A RUNNING row that cannot be probed (other host, no pid) is given up after this long. Default 6 h. */
  staleAfterMs?: number;
  /** `PRAGMA quick_check` on open for databases up to this size (bytes). Default 256 MiB. */
  quickCheckMaxBytes?: number;
  /** Write `<out>/reports/<id>/result.json` for runs marked ABORTED on open. Default true. */
  writeAbortedResults?: boolean;
  /** This host's name (default os.hostname()). */
  host?: string;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly dbPath: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StoreError';
  }
}
