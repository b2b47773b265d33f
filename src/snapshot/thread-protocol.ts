import type { PreparedLine, SnapshotHeaderInput, SnapshotWriterOptions } from './writer.js';
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
  /** `bodyText`: the body's JSON text, when `raw` does not parse to the body (bodyRedacted, engine/types.ts). */
  result: { ok: true; raw: string; bodyText?: string; latencyMs: number } | { ok: false; error: EngineError; latencyMs: number };
}

/** A line the main thread made itself (when this thread was behind): spooled as it is, or hashed first (PreparedLine.raw). */
export type ThreadLine = PreparedLine & { prepared: true };

export type ToThread =
  | { type: 'answers'; batch: (ThreadAnswer | ThreadLine)[] }
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
  /**
   * One Int32: answers (and lines) the thread has spooled so far, added to as each batch is done. Read
   * by the main thread without waiting for a message: SIM's thread seldom turns its event loop while
   * an in-process engine answers, so acknowledgements arrive late and in bursts.
   */
  spooled: SharedArrayBuffer;
}

export const SNAPSHOT_THREAD_ROLE = 'toron-testops/snapshot-writer';
