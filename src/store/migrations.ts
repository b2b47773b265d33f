import type { DatabaseSync } from 'node:sqlite';

/**
 * Schema versions by `PRAGMA user_version`. `schema.sql` is the current schema (SCHEMA_VERSION) and is
 * applied whole to a new database; an older database is brought up through the ordered steps below.
 * Steps are frozen history: never edit one that has shipped, add the next one (and bump schema.sql).
 */
export const SCHEMA_VERSION = 2;

export interface Migration {
  from: number;
  to: number;
  description: string;
  sql: string;
}

const V2_TEST_RUNS = `
CREATE TABLE test_runs_v2 (
  run_id            TEXT PRIMARY KEY,
  status            TEXT NOT NULL CHECK (status IN ('RUNNING', 'PASS', 'WARN', 'FAIL', 'ERROR', 'ABORTED')),
  verdict           TEXT CHECK (verdict IS NULL OR verdict IN ('PASS', 'WARN', 'FAIL', 'ERROR')),
  started_at        TEXT NOT NULL,
  finished_at       TEXT,
  duration_ms       INTEGER,
  engine_kind       TEXT,
  engine_target     TEXT,
  engine_version    TEXT,
  profile           TEXT,
  pid               INTEGER,
  host              TEXT,
  result_path       TEXT,
  report_path       TEXT,
  bundle_path       TEXT,
  sim_pass_rate     REAL,
  sim_total         INTEGER,
  determinism_score REAL,
  p95_ms            REAL,
  warroom_critical  INTEGER NOT NULL DEFAULT 0,
  warroom_high      INTEGER NOT NULL DEFAULT 0,
  reason            TEXT
);
INSERT INTO test_runs_v2 (run_id, status, verdict, started_at, finished_at, duration_ms, engine_kind, engine_target,
                          result_path, report_path, sim_pass_rate, sim_total)
  SELECT run_id, status, CASE WHEN verdict IN ('PASS', 'WARN', 'FAIL', 'ERROR') THEN verdict END, started_at, finished_at,
         duration_ms, engine_kind, engine_target, result_path, report_path, sim_pass_rate, sim_total
  FROM test_runs;
DROP TABLE test_runs;
ALTER TABLE test_runs_v2 RENAME TO test_runs;
CREATE INDEX test_runs_started ON test_runs (started_at DESC);
CREATE INDEX test_runs_status ON test_runs (status, started_at);
`;

// v1 had no score, remediation or location on findings, and kept severities unchecked.
const V2_WARROOM = `
CREATE TABLE warroom_events_v2 (
  id          TEXT PRIMARY KEY,
  run_id      TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  seq         INTEGER,
  type        TEXT NOT NULL,
  severity    TEXT NOT NULL CHECK (severity IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO')),
  score       INTEGER NOT NULL,
  subsystem   TEXT NOT NULL,
  message     TEXT NOT NULL,
  remediation TEXT,
  case_id     TEXT,
  file        TEXT,
  line        INTEGER,
  timestamp   TEXT NOT NULL
);
INSERT INTO warroom_events_v2 (id, run_id, seq, type, severity, score, subsystem, message, case_id, timestamp)
  SELECT id, run_id, seq, type, sev,
         CASE sev WHEN 'CRITICAL' THEN 100 WHEN 'HIGH' THEN 75 WHEN 'MEDIUM' THEN 40 WHEN 'LOW' THEN 10 ELSE 0 END,
         subsystem, message, case_id, timestamp
  FROM (SELECT *, CASE WHEN upper(severity) IN ('CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO') THEN upper(severity) ELSE 'INFO' END AS sev
        FROM warroom_events);
DROP TABLE warroom_events;
ALTER TABLE warroom_events_v2 RENAME TO warroom_events;
CREATE INDEX warroom_events_run ON warroom_events (run_id, seq);
CREATE INDEX warroom_events_severity ON warroom_events (severity, timestamp DESC);
`;

const V2_SIM = `
CREATE TABLE sim_results_v2 (
  run_id     TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  dataset    TEXT NOT NULL,
  case_id    TEXT NOT NULL,
  repeat     INTEGER NOT NULL,
  passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
  latency_ms REAL,
  error_kind TEXT,
  message    TEXT,
  file       TEXT,
  line       INTEGER,
  PRIMARY KEY (run_id, dataset, case_id, repeat)
);
INSERT INTO sim_results_v2 (run_id, dataset, case_id, repeat, passed, latency_ms, message)
  SELECT run_id, dataset, case_id, repeat, CASE WHEN passed THEN 1 ELSE 0 END, latency_ms, message FROM sim_results;
DROP TABLE sim_results;
ALTER TABLE sim_results_v2 RENAME TO sim_results;
CREATE INDEX sim_results_case ON sim_results (dataset, case_id);
`;

const V2_SNAPSHOTS = `
CREATE TABLE snapshots (
  run_id        TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  path          TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  cases         INTEGER NOT NULL DEFAULT 0,
  settings_hash TEXT,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX snapshots_created ON snapshots (created_at DESC);
`;

export const MIGRATIONS: readonly Migration[] = [
  {
    from: 1,
    to: 2,
    description:
      'ABORTED status; engine version/profile, owner pid/host, bundle path, determinism/p95/WAR ROOM headline metrics and reason on runs; score, remediation and location on findings; error kind and location on case results; snapshots table; cascading deletes',
    // Tables are rebuilt (SQLite cannot alter a CHECK or a foreign key in place); rows are copied.
    sql: V2_TEST_RUNS + V2_WARROOM + V2_SIM + V2_SNAPSHOTS,
  },
];

/** The steps from `from` to `to`, in order; throws when the chain has a gap. */
export function migrationPath(from: number, to: number = SCHEMA_VERSION, steps: readonly Migration[] = MIGRATIONS): Migration[] {
  const path: Migration[] = [];
  let v = from;
  while (v < to) {
    const next = steps.find((m) => m.from === v);
    if (!next) throw new UnknownSchemaVersionError(`no migration from schema version ${v} (this toron-testops knows versions ${knownVersions(steps).join(', ')})`);
    path.push(next);
    v = next.to;
  }
  return path;
}

function knownVersions(steps: readonly Migration[]): number[] {
  return [...new Set(steps.flatMap((m) => [m.from, m.to]))].sort((a, b) => a - b);
}

/** The version schema.sql declares (its `PRAGMA user_version = N`). */
export function declaredVersion(schemaSql: string): number | null {
  const m = /PRAGMA\s+user_version\s*=\s*(\d+)/i.exec(schemaSql);
  return m ? Number(m[1]) : null;
}

export interface MigrationOutcome {
  /** user_version found on open (0: a new, empty database). */
  from: number;
  /** user_version after (equals `from` when nothing was done). */
  to: number;
  applied: string[];
  /** The database was made by a newer toron-testops: left as it is. */
  newer: boolean;
}

export class UnknownSchemaVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnknownSchemaVersionError';
  }
}

/** The database holds tables but no version: it is not one of ours (or lost its header). */
export class UnrecognizedDatabaseError extends Error {
  constructor(objects: number) {
    super(`the database has ${objects} schema object(s) but no schema version: it was not made by toron-testops`);
    this.name = 'UnrecognizedDatabaseError';
  }
}

export function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number };
  return Number(row.user_version);
}

/**
 * Brings the database to SCHEMA_VERSION in one IMMEDIATE transaction (all steps or none). The version
 * is read again under the write lock, so two processes opening one old database at once migrate it once.
 */
export function migrate(db: DatabaseSync, schemaSql: string): MigrationOutcome {
  const declared = declaredVersion(schemaSql);
  if (declared !== SCHEMA_VERSION) {
    throw new Error(`schema.sql declares version ${declared ?? '(none)'} but the migrations end at ${SCHEMA_VERSION}`);
  }
  const seen = userVersion(db);
  if (seen === SCHEMA_VERSION) return { from: seen, to: seen, applied: [], newer: false };
  if (seen > SCHEMA_VERSION) return { from: seen, to: seen, applied: [], newer: true };

  // Rebuilding a table that others reference needs foreign keys off, which only works outside a transaction.
  db.exec('PRAGMA foreign_keys = OFF');
  try {
    db.exec('BEGIN IMMEDIATE');
    try {
      const from = userVersion(db);
      const applied: string[] = [];
      if (from >= SCHEMA_VERSION) {
        db.exec('COMMIT');
        return { from, to: from, applied, newer: from > SCHEMA_VERSION };
      }
      if (from === 0) {
        const { n } = db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
        if (n > 0) throw new UnrecognizedDatabaseError(n);
        db.exec(schemaSql);
        applied.push(`schema.sql (version ${SCHEMA_VERSION})`);
      } else {
        for (const step of migrationPath(from)) {
          db.exec(step.sql);
          db.exec(`PRAGMA user_version = ${step.to}`);
          applied.push(`${step.from}→${step.to}: ${step.description}`);
        }
      }
      const to = userVersion(db);
      if (to !== SCHEMA_VERSION) throw new Error(`after migrating, the schema version is ${to}, expected ${SCHEMA_VERSION}`);
      db.exec('COMMIT');
      return { from, to, applied, newer: false };
    } catch (err) {
      if (db.isTransaction) db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.exec('PRAGMA foreign_keys = ON');
  }
}
