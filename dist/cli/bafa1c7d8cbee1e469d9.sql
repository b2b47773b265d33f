-- toron-testops history store (DESIGN §3.7): the CURRENT schema, applied whole to a new database.
-- A database made by an older version is upgraded step by step by src/store/migrations.ts instead;
-- changing this file means adding a migration step and bumping the version below together.
-- Times are ISO-8601 UTC strings (they sort as text). Paths are relative to the output folder.

CREATE TABLE IF NOT EXISTS test_runs (
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
-- Newest first (run lists, metric history) and the RUNNING scan on open.
CREATE INDEX IF NOT EXISTS test_runs_started ON test_runs (started_at DESC);
CREATE INDEX IF NOT EXISTS test_runs_status ON test_runs (status, started_at);

CREATE TABLE IF NOT EXISTS snapshots (
  run_id        TEXT NOT NULL REFERENCES test_runs (run_id) ON DELETE CASCADE,
  path          TEXT NOT NULL,
  sha256        TEXT NOT NULL,
  created_at    TEXT NOT NULL,
  cases         INTEGER NOT NULL DEFAULT 0,
  settings_hash TEXT,
  PRIMARY KEY (run_id, path)
);
CREATE INDEX IF NOT EXISTS snapshots_created ON snapshots (created_at DESC);

CREATE TABLE IF NOT EXISTS warroom_events (
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
-- One run's events in order; events of one severity across runs, newest first.
CREATE INDEX IF NOT EXISTS warroom_events_run ON warroom_events (run_id, seq);
CREATE INDEX IF NOT EXISTS warroom_events_severity ON warroom_events (severity, timestamp DESC);

CREATE TABLE IF NOT EXISTS sim_results (
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
-- A case's history across runs (flakiness over time).
CREATE INDEX IF NOT EXISTS sim_results_case ON sim_results (dataset, case_id);

PRAGMA user_version = 2;
