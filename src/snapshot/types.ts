/**
 * A snapshot (DESIGN §3.2, issue 4): what the engine answered in one run, per case, in canonical form,
 * so that a later replay (same run, another build, another machine) can ask again and compare.
 *
 * The file is plain JSON, laid out one case per line (header last, see layout.ts) so a reader can
 * index a snapshot of 100k cases without holding it whole.
 *
 * Nothing in it is an absolute path or a secret: engine targets are redacted, paths are relative.
 */
export const SNAPSHOT_KIND = 'toron-testops.snapshot';
export const SNAPSHOT_SCHEMA_VERSION = 1;

export interface SnapshotEngine {
  kind: string;
  /** Redacted: no userinfo or query for URLs, no absolute paths for cmd: engines. */
  target: string;
  /** What the engine reported at its health check. */
  version: string | null;
  profile: string;
}

export interface SnapshotMetrics {
  sim: { verdict: string; total: number; passed: number; failed: number; errored: number; flaky: number; passRate: number } | null;
  /** Over the snapshot answers (repeat 0 of each case), client-side. */
  latencyMs: { p50: number; p95: number; max: number } | null;
  /** Headline load metrics, when the load stage ran (k6 names). */
  load: Record<string, unknown> | null;
  answered: number;
  errored: number;
}

export interface SnapshotHeader {
  schemaVersion: number;
  kind: typeof SNAPSHOT_KIND;
  runId: string;
  createdAt: string;
  /** formatRevision: the meanings of the fields (util/tool.ts); absent in snapshots of builds before format revisions (revision 1). */
  tool: { name: string; version: string; formatRevision?: number };
  engine: SnapshotEngine;
  /** sha256 of the run's settings in portable form (no run id, paths or secrets). */
  settingsHash: string;
  canonical: {
    form: 'RFC 8785';
    hash: 'sha256';
    /** The config's replay.ignorePaths at the time (each case adds its dataset's). */
    ignorePaths: string[];
  };
  metrics: SnapshotMetrics;
  /** The run's files, relative to the snapshot file's folder. */
  artifacts: Record<string, string | null>;
  caseCount: number;
}

export interface SnapshotCase {
  dataset: string;
  id: string;
  /** Which attempt this is (always the first: 0). */
  repeat: number;
  /** The request seed: a replay sends the same one. */
  seed: number;
  /** The case input as sent. */
  input: Record<string, unknown>;
  /** Every path left out of `answer` and its hash (config + dataset). */
  ignorePaths: string[];
  location?: { file: string; line: number };
  status: 'ok' | 'error';
  latencyMs: number;
  /** sha256 of the canonical answer text. */
  hash?: string;
  /** sha256 of the body bytes as the engine sent them. */
  rawHash?: string;
  /** Size of the raw body, in UTF-16 units. */
  bytes?: number;
  error?: { kind: string; message: string };
  /** The canonical answer (ignorePaths removed, keys sorted); absent for an error. */
  answer?: unknown;
}

/** What writing a snapshot produced. `file` is absolute (for the store, which makes it relative). */
export interface SnapshotWritten {
  file: string;
  sha256: string;
  /** CRC-32 of the file's bytes (zip's checksum), taken as they were written: bundling the file then need not run the whole of it through a CRC once more. */
  crc32?: number;
  cases: number;
  bytes: number;
  createdAt: string;
  settingsHash: string;
}
