import type { StageName } from '../runner/events.js';
import type { StageVerdict, Verdict } from '../runner/verdict.js';
import type { Finding } from '../warroom/finding.js';
import type { ShardBlock } from '../shard/block.js';
import type { ToolStamp } from '../util/tool.js';

export interface MergedBlock {
  /** n of the shards' i/n; null when no shard report could be read. */
  total: number | null;
  fingerprint: string | null;
  shards: { index: number; verdict: Verdict; source: string; cases: number | null }[];
  /** Shard indices no input provided. */
  missing: number[];
  /** k6 summaries merged into the load stage, as given. */
  k6Summaries?: string[];
}

/** report.json, schemaVersion 1 (DESIGN §3.3). Paths inside are relative to the report folder. */
export interface Report {
  schemaVersion: 1;
  /** The toron-testops that wrote it and its format revision; absent in reports of builds before format revisions (revision 1). */
  tool?: ToolStamp;
  runId: string;
  verdict: Verdict;
  /** Why the run has its verdict, in one line. */
  reason: string;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  cancelled: boolean;
  /** Set when the run ended in ERROR: what broke (not a test verdict). */
  error: { kind: string; message: string } | null;
  /** proxy: host:port of the proxy engine requests went through (engine.proxy), absent when direct. */
  engine: { kind: string; target: string; version: string | null; profile: string; proxy?: string };
  settings: { configFile: string | null; stages: StageName[]; failOn: string; shard: string | null };
  stages: Record<StageName, { verdict: StageVerdict; reason?: string; [k: string]: unknown }>;
  /** One shard of a sharded run (--shard i/n): its slice, the settings fingerprint and the rules merge needs. */
  shard?: ShardBlock;
  /** A report `toron-testops merge` built from shards. */
  merged?: MergedBlock;
  warroom: Finding[];
  artifacts: { report: string; html: string | null; summary: string | null; log: string; snapshot: string | null; bundle: string | null; result: string; simSummary: string | null };
}

/** result.json: the small record of a run's outcome that the store and the action read. */
export interface RunResult {
  schemaVersion: 1;
  runId: string;
  status: Verdict;
  verdict: Verdict;
  exitCode: number;
  reason: string;
  cancelled: boolean;
  error: Report['error'];
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  engine: Report['engine'];
  stages: Record<string, StageVerdict>;
  metrics: { simPassRate: number | null; simTotal: number | null; determinismScore: number | null; p95Ms: number | null; warroomCritical: number; warroomHigh: number };
  artifacts: Report['artifacts'];
  /**
   * bundle.zip's record, written once the bundle is built (after every other file of the run). null
   * until then, when no bundle was built, and always in the copy of result.json inside the bundle
   * (a file cannot hold the hash of the archive it is in).
   */
  bundle?: { path: string; sha256: string; bytes: number; sourceDateEpoch: number; entries: string[] } | null;
}
