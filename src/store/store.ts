import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Verdict } from '../runner/verdict.js';
import { SEVERITY_SCORE, type Severity } from '../warroom/finding.js';
import { SCHEMA_VERSION, UnknownSchemaVersionError, UnrecognizedDatabaseError, migrate, type MigrationOutcome } from './migrations.js';
import { fileIdentity, moveAside } from './move-aside.js';
import { abandonedBecause } from './owner.js';
import { lastSignOfLife, readAdoptableResult, writeResultForAborted } from './result.js';
import { schemaSql } from './schema.js';
import {
  StoreError,
  type BeginRunRow,
  type EventInput,
  type EventRow,
  type FinishRun,
  type MetricPoint,
  type RunArtifactPaths,
  type RunDetail,
  type RunRow,
  type RunStatus,
  type SimResultRow,
  type SnapshotRow,
  type StoreLog,
  type StoreNotice,
  type StoreOptions,
} from './types.js';

const DEFAULT_BUSY_MS = 5000;
/**
 * The runs this process began and has not finished, over all its stores: a RUNNING row with this
 * process's pid is alive only if it is one of them (serve runs several in one process; a restarted
 * container's server may get the pid its killed predecessor had).
 */
const runsOfThisProcess = new Set<string>();

// Longer than a hosted GitHub job may run (6 h). A run wrongly given up heals: its own finishRun still lands.
const DEFAULT_STALE_MS = 6 * 3600_000;
const DEFAULT_CHECK_MAX = 256 * 1024 * 1024;
const FINISHED: RunStatus[] = ['PASS', 'WARN', 'FAIL', 'ERROR'];

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_CORRUPT = 11;
const SQLITE_NOTADB = 26;

/** The file exists and is a database we cannot use: moved aside rather than failing the gate. */
class UnusableDatabaseError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnusableDatabaseError';
  }
}

type Row = Record<string, SQLInputValue>;

/** Case rows per INSERT statement: one statement per row costs about twice the time at 100k rows. */
const SIM_ROWS_PER_STATEMENT = 25;

function pushSimRow(params: SQLInputValue[], r: SimResultRow): void {
  params.push(
    r.runId,
    r.dataset,
    r.caseId,
    r.repeat,
    r.passed ? 1 : 0,
    r.latencyMs ?? null,
    r.errorKind ?? null,
    r.message ?? null,
    r.location?.file ?? null,
    r.location?.line ?? null,
  );
}

/**
 * The history store (DESIGN §3.7) on node:sqlite: runs, snapshots, WAR ROOM events, case results.
 * WAL and a busy timeout let several processes share one file; every write is one IMMEDIATE
 * transaction (the write lock is taken up front, so a waiting writer queues instead of failing).
 */
export class Store {
  private readonly insertEvent;
  private readonly insertSim;
  private readonly insertSimBatch;
  private closed = false;

  private constructor(
    private readonly db: DatabaseSync,
    readonly dbPath: string,
    readonly outDir: string,
    private readonly log: StoreLog,
    private readonly now: () => Date,
    readonly migration: MigrationOutcome,
  ) {
    this.insertEvent = db.prepare(
      `INSERT INTO warroom_events (id, run_id, seq, type, severity, score, subsystem, message, remediation, case_id, file, line, timestamp)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
    );
    this.insertSim = db.prepare(
      `INSERT OR REPLACE INTO sim_results (run_id, dataset, case_id, repeat, passed, latency_ms, error_kind, message, file, line)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // Rows go in order, so a key repeated inside one statement ends as the later row, as with single inserts.
    this.insertSimBatch = db.prepare(
      `INSERT OR REPLACE INTO sim_results (run_id, dataset, case_id, repeat, passed, latency_ms, error_kind, message, file, line)
       VALUES ${Array(SIM_ROWS_PER_STATEMENT).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`,
    );
  }

  /**
   * Opens (or creates) the database, upgrades its schema, and sweeps runs left RUNNING by dead
   * processes into ABORTED. A file that is not a usable database is moved aside and a fresh one is
   * started. Throws StoreError only when no database can be had at that path at all (unwritable folder,
   * I/O error, lock held past the busy timeout): the caller then runs without history.
   */
  static open(dbPath: string, opts: StoreOptions = {}): { store: Store; notices: StoreNotice[] } {
    const log = opts.log ?? (() => {});
    const now = opts.now ?? (() => new Date());
    const outDir = opts.outDir ?? path.dirname(dbPath);
    const notices: StoreNotice[] = [];
    try {
      fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    } catch (err) {
      throw new StoreError(`cannot create the folder of the history database ${dbPath}: ${msg(err)}`, dbPath, { cause: err });
    }

    let conn: { db: DatabaseSync; migration: MigrationOutcome } | null = null;
    for (let attempt = 0; conn === null; attempt++) {
      const identity = fileIdentity(dbPath);
      try {
        conn = connect(dbPath, opts);
      } catch (err) {
        if (!(err instanceof UnusableDatabaseError) || attempt > 0) {
          throw new StoreError(`cannot open the history database ${dbPath}: ${msg(err)}`, dbPath, { cause: err });
        }
        // Another process may have moved it aside already: only move the very file we judged.
        if (identity !== null && fileIdentity(dbPath) === identity) {
          let movedTo: string;
          try {
            movedTo = moveAside(dbPath, now());
          } catch (moveErr) {
            throw new StoreError(`the history database ${dbPath} is unusable (${msg(err)}) and could not be moved aside: ${msg(moveErr)}`, dbPath, { cause: moveErr });
          }
          log('warn', `history database ${dbPath} is unusable (${msg(err)}); kept as ${movedTo}, starting a fresh one`);
          notices.push({
            movedTo,
            finding: {
              type: 'store-db-moved-aside',
              severity: 'HIGH',
              subsystem: 'store',
              message: `the history database was unusable (${msg(err)}); it was kept as ${path.basename(movedTo)} and a fresh database was started: earlier history is not in it`,
              remediation: `Nothing blocks the gate. To recover old history, inspect ${path.basename(movedTo)} with the sqlite3 shell (.recover); find what wrote a non-SQLite file at the database path (a cache step restoring a partial file, a disk filling up).`,
            },
          });
        }
      }
    }

    if (conn.migration.applied.length) {
      log('info', `history database ${dbPath}: schema ${conn.migration.from === 0 ? 'created' : 'upgraded'} to version ${conn.migration.to}`);
    }
    if (conn.migration.newer) {
      notices.push({
        finding: {
          type: 'store-schema-newer',
          severity: 'MEDIUM',
          subsystem: 'store',
          message: `the history database has schema version ${conn.migration.from}, newer than this toron-testops knows (${SCHEMA_VERSION}); it is used as it is`,
          remediation: 'Use the same toron-testops version in every workflow that shares this output folder (pin the action version), or give older versions their own --out folder.',
        },
      });
    }
    const store = new Store(conn.db, dbPath, outDir, log, now, conn.migration);
    notices.push(...store.sweepAbandoned(opts));
    return { store, notices };
  }

  // ---- writes -------------------------------------------------------------------------------------

  /**
   * Records a run as RUNNING. A run id used before (`--run-id` reproduces a run) replaces the old
   * row and everything recorded under it, as its report folder is replaced too. Returns the replaced status.
   */
  beginRun(row: BeginRunRow): { replaced: RunStatus | null } {
    if ((row.pid ?? process.pid) === process.pid) runsOfThisProcess.add(row.runId);
    return this.tx(() => {
      const old = this.db.prepare('SELECT status FROM test_runs WHERE run_id = ?').get(row.runId) as { status: RunStatus } | undefined;
      if (old) this.deleteRunRows(row.runId);
      this.db
        .prepare(
          `INSERT INTO test_runs (run_id, status, started_at, engine_kind, engine_target, engine_version, profile, pid, host)
           VALUES (?, 'RUNNING', ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(row.runId, row.startedAt, row.engine.kind, row.engine.target, row.engine.version ?? null, row.engine.profile ?? null, row.pid ?? process.pid, row.host ?? os.hostname());
      return { replaced: old?.status ?? null };
    });
  }

  /** WAR ROOM findings in one transaction (pass one for per-event crash safety). Duplicates (same id) are ignored. */
  recordEvents(events: EventInput[]): number {
    if (events.length === 0) return 0;
    return this.tx(() => {
      let n = 0;
      for (const e of events) {
        const r = this.insertEvent.run(
          e.id,
          e.runId,
          e.seq ?? null,
          e.type,
          e.severity,
          typeof e.score === 'number' ? e.score : SEVERITY_SCORE[e.severity],
          e.subsystem,
          e.message,
          e.remediation ?? null,
          e.caseId ?? null,
          e.location?.file ?? null,
          e.location?.line ?? null,
          e.timestamp,
        );
        n += Number(r.changes);
      }
      return n;
    });
  }

  /** Case results (one row per case and repeat) in one transaction; a repeated key replaces its row. */
  recordSimResults(rows: SimResultRow[]): number {
    if (rows.length === 0) return 0;
    return this.tx(() => {
      let i = 0;
      const params: SQLInputValue[] = [];
      for (; i + SIM_ROWS_PER_STATEMENT <= rows.length; i += SIM_ROWS_PER_STATEMENT) {
        params.length = 0;
        for (let j = i; j < i + SIM_ROWS_PER_STATEMENT; j++) pushSimRow(params, rows[j]);
        this.insertSimBatch.run(...params);
      }
      for (; i < rows.length; i++) {
        params.length = 0;
        pushSimRow(params, rows[i]);
        this.insertSim.run(...params);
      }
      return rows.length;
    });
  }

  recordSnapshot(row: SnapshotRow): void {
    this.tx(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO snapshots (run_id, path, sha256, created_at, cases, settings_hash) VALUES (?, ?, ?, ?, ?, ?)')
        .run(row.runId, this.rel(row.path), row.sha256, row.createdAt, row.cases, row.settingsHash ?? null);
    });
  }

  /** Closes a run with its outcome. Returns false when the run id is not in the database. */
  finishRun(runId: string, f: FinishRun): boolean {
    runsOfThisProcess.delete(runId);
    return this.tx(() => {
      const run = this.db.prepare('SELECT started_at FROM test_runs WHERE run_id = ?').get(runId) as { started_at: string } | undefined;
      if (!run) return false;
      const counts = this.severityCounts(runId);
      const m = f.metrics ?? {};
      const duration = f.durationMs ?? Math.max(0, Date.parse(f.finishedAt) - Date.parse(run.started_at));
      this.db
        .prepare(
          `UPDATE test_runs SET status = ?, verdict = ?, finished_at = ?, duration_ms = ?,
             engine_kind = coalesce(?, engine_kind), engine_target = coalesce(?, engine_target),
             engine_version = coalesce(?, engine_version), profile = coalesce(?, profile),
             result_path = coalesce(?, result_path), report_path = coalesce(?, report_path), bundle_path = coalesce(?, bundle_path),
             sim_pass_rate = ?, sim_total = ?, determinism_score = ?, p95_ms = ?,
             warroom_critical = ?, warroom_high = ?, reason = ?
           WHERE run_id = ?`,
        )
        .run(
          f.status,
          f.verdict,
          f.finishedAt,
          Number.isFinite(duration) ? duration : null,
          f.engine?.kind ?? null,
          f.engine?.target ?? null,
          f.engine?.version ?? null,
          f.engine?.profile ?? null,
          this.rel(f.paths?.result),
          this.rel(f.paths?.report),
          this.rel(f.paths?.bundle),
          m.simPassRate ?? null,
          m.simTotal ?? null,
          m.determinismScore ?? null,
          m.p95Ms ?? null,
          m.warroomCritical ?? counts.CRITICAL,
          m.warroomHigh ?? counts.HIGH,
          f.reason ?? null,
          runId,
        );
      return true;
    });
  }

  setArtifactPaths(runId: string, paths: RunArtifactPaths): void {
    this.tx(() => {
      this.db
        .prepare('UPDATE test_runs SET result_path = coalesce(?, result_path), report_path = coalesce(?, report_path), bundle_path = coalesce(?, bundle_path) WHERE run_id = ?')
        .run(this.rel(paths.result), this.rel(paths.report), this.rel(paths.bundle), runId);
    });
  }

  // ---- reads --------------------------------------------------------------------------------------

  /** Runs newest first, a page at a time, with the total count. */
  listRuns(opts: { limit?: number; offset?: number } = {}): { total: number; runs: RunRow[] } {
    const limit = clampInt(opts.limit, 20, 1, 1000);
    const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const { n } = this.db.prepare('SELECT count(*) AS n FROM test_runs').get() as { n: number };
    const rows = this.db.prepare('SELECT * FROM test_runs ORDER BY started_at DESC, rowid DESC LIMIT ? OFFSET ?').all(limit, offset) as Row[];
    return { total: Number(n), runs: rows.map(toRunRow) };
  }

  /** One run with its WAR ROOM events (in the order raised), snapshots and case-attempt counts. */
  getRun(runId: string): RunDetail | null {
    const row = this.db.prepare('SELECT * FROM test_runs WHERE run_id = ?').get(runId) as Row | undefined;
    if (!row) return null;
    const events = (this.db.prepare('SELECT * FROM warroom_events WHERE run_id = ? ORDER BY seq IS NULL, seq, timestamp, rowid').all(runId) as Row[]).map(toEventRow);
    const snapshots = (this.db.prepare('SELECT * FROM snapshots WHERE run_id = ? ORDER BY created_at, path').all(runId) as Row[]).map(toSnapshotRow);
    const sim = this.db.prepare('SELECT count(*) AS attempts, coalesce(sum(passed), 0) AS passed FROM sim_results WHERE run_id = ?').get(runId) as { attempts: number; passed: number };
    return { ...toRunRow(row), events, snapshots, sim: { attempts: Number(sim.attempts), passed: Number(sim.passed) } };
  }

  /**
   * A page of one run's WAR ROOM events, in the order raised (as getRun has them), with how many match:
   * paged in SQL, so a big run's findings are not all read for one page. null when there is no such run.
   */
  runEvents(runId: string, opts: { severities?: Severity[]; limit?: number; offset?: number } = {}): { total: number; events: EventRow[] } | null {
    if (!this.db.prepare('SELECT 1 FROM test_runs WHERE run_id = ?').get(runId)) return null;
    const limit = clampInt(opts.limit, 1000, 1, 10_000);
    const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const list = opts.severities ?? [];
    const where = `run_id = ?${list.length > 0 ? ` AND severity IN (${list.map(() => '?').join(', ')})` : ''}`;
    const params: SQLInputValue[] = [runId, ...list];
    const { n } = this.db.prepare(`SELECT count(*) AS n FROM warroom_events WHERE ${where}`).get(...params) as { n: number };
    const rows = this.db.prepare(`SELECT * FROM warroom_events WHERE ${where} ORDER BY seq IS NULL, seq, timestamp, rowid LIMIT ? OFFSET ?`).all(...params, limit, offset) as Row[];
    return { total: Number(n), events: rows.map(toEventRow) };
  }

  /** Events of one severity (or several), newest first, across runs or in one run. */
  eventsBySeverity(severity: Severity | Severity[], opts: { limit?: number; offset?: number; runId?: string } = {}): EventRow[] {
    const list = Array.isArray(severity) ? severity : [severity];
    if (list.length === 0) return [];
    const limit = clampInt(opts.limit, 100, 1, 10_000);
    const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const marks = list.map(() => '?').join(', ');
    const where = `severity IN (${marks})${opts.runId !== undefined ? ' AND run_id = ?' : ''}`;
    const params: SQLInputValue[] = [...list, ...(opts.runId !== undefined ? [opts.runId] : []), limit, offset];
    const rows = this.db.prepare(`SELECT * FROM warroom_events WHERE ${where} ORDER BY timestamp DESC, rowid DESC LIMIT ? OFFSET ?`).all(...params) as Row[];
    return rows.map(toEventRow);
  }

  /** Headline metrics of the last `n` finished runs (PASS/WARN/FAIL/ERROR), oldest first, for charts. */
  metricHistory(n: number): MetricPoint[] {
    const limit = clampInt(n, 20, 1, 10_000);
    const marks = FINISHED.map(() => '?').join(', ');
    const rows = this.db
      .prepare(`SELECT * FROM test_runs WHERE status IN (${marks}) ORDER BY started_at DESC, rowid DESC LIMIT ?`)
      .all(...FINISHED, limit) as Row[];
    return rows.reverse().map((r) => {
      const run = toRunRow(r);
      return { runId: run.runId, status: run.status, verdict: run.verdict, startedAt: run.startedAt, finishedAt: run.finishedAt, durationMs: run.durationMs, ...run.metrics };
    });
  }

  /** One run's case results, ordered by dataset, case and repeat. */
  simResults(runId: string, opts: { limit?: number; offset?: number } = {}): SimResultRow[] {
    const limit = clampInt(opts.limit, 1000, 1, 1_000_000);
    const offset = clampInt(opts.offset, 0, 0, Number.MAX_SAFE_INTEGER);
    const rows = this.db.prepare('SELECT * FROM sim_results WHERE run_id = ? ORDER BY dataset, case_id, repeat LIMIT ? OFFSET ?').all(runId, limit, offset) as Row[];
    return rows.map(toSimRow);
  }

  /** `PRAGMA integrity_check`: ['ok'] when the file is sound. */
  integrityCheck(): string[] {
    return (this.db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  // ---- internals ----------------------------------------------------------------------------------

  /** RUNNING rows whose process is gone become ABORTED (or take the outcome of a result.json they left). */
  private sweepAbandoned(opts: StoreOptions): StoreNotice[] {
    const notices: StoreNotice[] = [];
    const running = this.db.prepare("SELECT run_id, pid, host, started_at FROM test_runs WHERE status = 'RUNNING'").all() as Row[];
    const nowDate = this.now();
    const probe = {
      host: opts.host ?? os.hostname(),
      nowMs: nowDate.getTime(),
      staleAfterMs: opts.staleAfterMs ?? DEFAULT_STALE_MS,
      ownsRun: (runId: string) => runsOfThisProcess.has(runId),
    };
    for (const r of running) {
      const runId = String(r.run_id);
      const startedAt = String(r.started_at);
      const why = abandonedBecause({ runId, pid: r.pid === null ? null : Number(r.pid), host: r.host === null ? null : String(r.host), startedAt }, probe);
      if (why === null) continue;

      const adopted = readAdoptableResult(this.outDir, runId, startedAt);
      const ended = adopted ? null : (lastSignOfLife(this.outDir, runId, startedAt, nowDate) ?? nowDate);
      const reason = adopted
        ? `${adopted.reason} (recorded from result.json: the process died before recording the run)`
        : `ABORTED: the run was left RUNNING and ${why}; results are partial`;
      const changed = this.tx(() => {
        const counts = this.severityCounts(runId);
        const res = this.db
          .prepare(
            `UPDATE test_runs SET status = ?, verdict = ?, finished_at = ?, duration_ms = ?, reason = ?,
               warroom_critical = ?, warroom_high = ?, engine_version = coalesce(?, engine_version),
               sim_pass_rate = ?, sim_total = ?, determinism_score = ?, p95_ms = ?, result_path = ?, report_path = ?
             WHERE run_id = ? AND status = 'RUNNING'`,
          )
          .run(
            adopted ? adopted.status : 'ABORTED',
            adopted ? adopted.verdict : 'ERROR',
            adopted ? adopted.finishedAt : ended!.toISOString(),
            adopted ? adopted.durationMs : elapsedMs(startedAt, ended!),
            reason,
            adopted ? adopted.metrics.warroomCritical : counts.CRITICAL,
            adopted ? adopted.metrics.warroomHigh : counts.HIGH,
            adopted?.engine?.version ?? null,
            adopted?.metrics.simPassRate ?? null,
            adopted?.metrics.simTotal ?? null,
            adopted?.metrics.determinismScore ?? null,
            adopted?.metrics.p95Ms ?? null,
            adopted ? `reports/${runId}/result.json` : null,
            adopted ? `reports/${runId}/report.json` : null,
            runId,
          );
        return Number(res.changes) > 0;
      });
      // Another process swept it first: its notice, not ours.
      if (!changed) continue;

      if (adopted) {
        this.log('warn', `run ${runId} finished ${adopted.status} but ${why} before it was recorded; recorded from its result.json`);
        notices.push({
          runId,
          finding: {
            type: 'store-run-recovered',
            severity: 'LOW',
            subsystem: 'store',
            message: `run ${runId} finished (${adopted.status}) but ${why} before the history database recorded it; recorded from its result.json`,
            remediation: 'Nothing to fix in the engine. If it happens often, the job is being killed right at the end (a step timeout too tight, the runner shutting down).',
          },
        });
        continue;
      }

      let resultPath: string | undefined;
      if (opts.writeAbortedResults !== false) {
        try {
          resultPath = writeResultForAborted(this, runId, this.outDir);
        } catch (err) {
          this.log('warn', `could not write result.json for the ABORTED run ${runId}: ${msg(err)}`);
        }
      }
      this.log('warn', `run ${runId} was left RUNNING and ${why}: marked ABORTED`);
      notices.push({
        runId,
        ...(resultPath ? { resultPath } : {}),
        finding: {
          type: 'store-run-aborted',
          severity: 'HIGH',
          subsystem: 'store',
          message: `run ${runId} (started ${startedAt}) was left RUNNING and ${why}: marked ABORTED; its results are partial`,
          remediation:
            'The earlier run was killed (job cancelled or timed out, out of memory, runner lost) before it could finish: check that job\'s log and resources, and re-run it for a verdict. Its partial WAR ROOM events and case results are kept.',
        },
      });
    }
    return notices;
  }

  private deleteRunRows(runId: string): void {
    // Explicit, not by cascade: databases upgraded from older schemas may lack ON DELETE CASCADE.
    for (const table of ['warroom_events', 'sim_results', 'snapshots', 'test_runs']) {
      this.db.prepare(`DELETE FROM ${table} WHERE run_id = ?`).run(runId);
    }
  }

  private severityCounts(runId: string): Record<Severity, number> {
    const counts: Record<Severity, number> = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 };
    const rows = this.db.prepare('SELECT severity, count(*) AS n FROM warroom_events WHERE run_id = ? GROUP BY severity').all(runId) as { severity: Severity; n: number }[];
    for (const r of rows) counts[r.severity] = Number(r.n);
    return counts;
  }

  /** A path as stored: relative to the output folder, forward slashes. */
  private rel(p: string | null | undefined): string | null {
    if (p === null || p === undefined) return null;
    const r = path.isAbsolute(p) ? path.relative(this.outDir, p) : p;
    return r.split(path.sep).join('/');
  }

  private tx<T>(fn: () => T): T {
    if (this.closed) throw new Error('the history store is closed');
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}

function connect(dbPath: string, opts: StoreOptions): { db: DatabaseSync; migration: MigrationOutcome } {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(dbPath, { timeout: opts.busyTimeoutMs ?? DEFAULT_BUSY_MS, enableForeignKeyConstraints: true });
  } catch (err) {
    throw classify(err);
  }
  try {
    // The first statement reads the header: a file that is not SQLite fails here with SQLITE_NOTADB.
    // Switching a new file to WAL can answer SQLITE_BUSY at once (no busy handler) while another
    // process is switching it too, so that one statement is retried for up to the busy timeout.
    const mode = retryBusy(() => db.prepare('PRAGMA journal_mode = WAL').get() as { journal_mode: string }, opts.busyTimeoutMs ?? DEFAULT_BUSY_MS);
    if (mode.journal_mode !== 'wal') opts.log?.('warn', `history database ${dbPath}: WAL not available (journal mode ${mode.journal_mode})`);
    db.exec('PRAGMA synchronous = NORMAL');
    db.exec('PRAGMA foreign_keys = ON');
    quickCheck(db, dbPath, opts.quickCheckMaxBytes ?? DEFAULT_CHECK_MAX);
    let migration: MigrationOutcome;
    try {
      migration = migrate(db, schemaSql());
    } catch (err) {
      const c = classify(err);
      if (c instanceof UnusableDatabaseError) throw c;
      // An SQL error while upgrading means tables that do not match their recorded version.
      if (err instanceof UnknownSchemaVersionError || (hasSqliteCode(err) && !isTransient(err))) {
        throw new UnusableDatabaseError(`its schema could not be upgraded: ${msg(err)}`, { cause: err });
      }
      throw err;
    }
    return { db, migration };
  } catch (err) {
    try {
      db.close();
    } catch {
      // Already failing; the original error says why.
    }
    throw classify(err);
  }
}

function retryBusy<T>(fn: () => T, timeoutMs: number): T {
  const until = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return fn();
    } catch (err) {
      if (!isSqliteCode(err, [SQLITE_BUSY, SQLITE_LOCKED]) || Date.now() >= until) throw err;
      Atomics.wait(pause, 0, 0, 5 + Math.floor(Math.random() * 20));
    }
  }
}

/** The whole-file scan costs time on big histories; past the size limit, corruption shows up on use instead. */
function quickCheck(db: DatabaseSync, dbPath: string, maxBytes: number): void {
  let size = 0;
  try {
    size = fs.statSync(dbPath).size;
  } catch {
    return;
  }
  if (size === 0 || size > maxBytes) return;
  const rows = db.prepare('PRAGMA quick_check(5)').all() as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check.replace(/\s+/g, ' ').trim()).filter((s) => s !== 'ok');
  if (problems.length) throw new UnusableDatabaseError(`it fails the integrity check: ${problems.join('; ')}`);
}

function classify(err: unknown): unknown {
  if (err instanceof UnusableDatabaseError) return err;
  if (err instanceof UnrecognizedDatabaseError) return new UnusableDatabaseError(err.message, { cause: err });
  if (isSqliteCode(err, [SQLITE_NOTADB])) return new UnusableDatabaseError('it is not an SQLite database', { cause: err });
  if (isSqliteCode(err, [SQLITE_CORRUPT])) return new UnusableDatabaseError(`it is corrupt (${msg(err)})`, { cause: err });
  return err;
}

function hasSqliteCode(err: unknown): boolean {
  return typeof (err as { errcode?: unknown } | null)?.errcode === 'number';
}

function isSqliteCode(err: unknown, codes: number[]): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && codes.includes(code & 0xff);
}

/** Errors that say nothing about the file's content: a lock, I/O, permissions, a full disk. */
function isTransient(err: unknown): boolean {
  // BUSY 5, LOCKED 6, NOMEM 7, READONLY 8, IOERR 10, FULL 13, CANTOPEN 14, PERM 3, AUTH 23
  return isSqliteCode(err, [3, 5, 6, 7, 8, 10, 13, 14, 23]);
}

function elapsedMs(startedAt: string, now: Date): number | null {
  const d = now.getTime() - Date.parse(startedAt);
  return Number.isFinite(d) ? Math.max(0, d) : null;
}

function clampInt(v: number | undefined, dflt: number, min: number, max: number): number {
  if (v === undefined || !Number.isFinite(v)) return dflt;
  return Math.min(max, Math.max(min, Math.floor(v)));
}

function msg(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const str = (v: SQLInputValue | undefined): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: SQLInputValue | undefined): number | null => (v === null || v === undefined ? null : Number(v));

function toRunRow(r: Row): RunRow {
  return {
    runId: String(r.run_id),
    status: r.status as RunStatus,
    verdict: (r.verdict ?? null) as Verdict | null,
    startedAt: String(r.started_at),
    finishedAt: str(r.finished_at),
    durationMs: num(r.duration_ms),
    engine: { kind: str(r.engine_kind), target: str(r.engine_target), version: str(r.engine_version), profile: str(r.profile) },
    pid: num(r.pid),
    host: str(r.host),
    paths: { result: str(r.result_path), report: str(r.report_path), bundle: str(r.bundle_path) },
    metrics: {
      simPassRate: num(r.sim_pass_rate),
      simTotal: num(r.sim_total),
      determinismScore: num(r.determinism_score),
      p95Ms: num(r.p95_ms),
      warroomCritical: num(r.warroom_critical) ?? 0,
      warroomHigh: num(r.warroom_high) ?? 0,
    },
    reason: str(r.reason),
  };
}

function toEventRow(r: Row): EventRow {
  const e: EventRow = {
    id: String(r.id),
    runId: String(r.run_id),
    seq: num(r.seq),
    type: String(r.type),
    severity: r.severity as Severity,
    score: Number(r.score),
    subsystem: String(r.subsystem),
    message: String(r.message),
    remediation: str(r.remediation) ?? '',
    timestamp: String(r.timestamp),
  };
  if (r.case_id !== null && r.case_id !== undefined) e.caseId = String(r.case_id);
  if (r.file !== null && r.file !== undefined) e.location = { file: String(r.file), line: num(r.line) ?? 1 };
  return e;
}

function toSnapshotRow(r: Row): SnapshotRow {
  return { runId: String(r.run_id), path: String(r.path), sha256: String(r.sha256), createdAt: String(r.created_at), cases: Number(r.cases), settingsHash: str(r.settings_hash) };
}

function toSimRow(r: Row): SimResultRow {
  return {
    runId: String(r.run_id),
    dataset: String(r.dataset),
    caseId: String(r.case_id),
    repeat: Number(r.repeat),
    passed: Number(r.passed) === 1,
    latencyMs: num(r.latency_ms),
    errorKind: str(r.error_kind),
    message: str(r.message),
    location: r.file === null || r.file === undefined ? null : { file: String(r.file), line: num(r.line) ?? 1 },
  };
}
