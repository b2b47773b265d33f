import type { SnapshotHeaderInput, SnapshotWriterOptions } from './writer.js';
import type { SnapshotWritten } from './types.js';
import type { EngineError } from '../engine/types.js';

/**
 * Messages between the main thread and the snapshot writer thread (thread-main.ts). Answers travel as
 * their raw text and are parsed again over there: a string is copied, where an object graph would be
 * serialised field by field on the main thread.
 */
export interface ThreadAnswer {
  case: { dataset: string; id: string; input: Record<string, unknown>; ignorePaths: readonly string[]; location: { file: string; line: number } };
  caseIndex: number;
  seed: number;
  passed: boolean;
  /** `rawHash`: sha256 of `raw`, taken on the main thread (which waits on this one otherwise). */
  result: { ok: true; raw: string; rawHash: string; latencyMs: number } | { ok: false; error: EngineError; latencyMs: number };
}

export type ToThread =
  | { type: 'answers'; batch: ThreadAnswer[] }
  | { type: 'counts'; id: number }
  | { type: 'finish'; id: number; header: SnapshotHeaderInput }
  | { type: 'discard'; id: number };

export type FromThread =
  | { type: 'ack'; answers: number }
  | { type: 'reply'; id: number; counts?: SnapshotCounts; written?: SnapshotWritten | null; error?: string };

export interface SnapshotCounts {
  answered: number;
  errored: number;
  latencies: readonly number[];
}

export interface ThreadInit {
  role: typeof SNAPSHOT_THREAD_ROLE;
  options: SnapshotWriterOptions;
}

export const SNAPSHOT_THREAD_ROLE = 'toron-testops/snapshot-writer';
