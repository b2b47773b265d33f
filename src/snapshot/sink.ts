import type { AnswerObservation, AnswerObserver } from '../runner/answers.js';
import type { SnapshotCounts } from './thread-protocol.js';
import { ThreadedSnapshotWriter, snapshotThreadScript } from './threaded-writer.js';
import type { SnapshotWritten } from './types.js';
import { SnapshotWriter, type SnapshotHeaderInput, type SnapshotWriterOptions } from './writer.js';

/** Where SIM's answers become the run's snapshot: the same writer on SIM's thread or on its own. */
export interface SnapshotSink extends AnswerObserver {
  /** Cases recorded so far. */
  readonly cases: number;
  /** Whether the writing happens on a thread of its own. */
  readonly threaded: boolean;
  /** Why a suite large enough for a thread of its own is written in-thread (the thread would not start). */
  readonly fallback?: string;
  counts(): Promise<SnapshotCounts>;
  finish(header: SnapshotHeaderInput): Promise<SnapshotWritten | null>;
  discard(): Promise<void>;
}

/**
 * Below this many answers a thread's start (loading its script) costs more than it saves: the 86
 * bundled cases are written in-thread, 100k cases on a thread of their own.
 */
export const THREAD_FROM_ANSWERS = 2000;

/**
 * The run's snapshot sink. It picks its writer when SIM says how many answers to expect (plan): on a
 * thread of its own for a large suite, when the thread's script is there; in-thread otherwise.
 */
export function createSnapshotSink(options: SnapshotWriterOptions, threadFrom = THREAD_FROM_ANSWERS, threadScript = snapshotThreadScript): SnapshotSink {
  let chosen: SnapshotSink | null = null;
  let fallback: string | undefined;
  const choose = (answers: number): SnapshotSink => {
    if (chosen) return chosen;
    const script = answers >= threadFrom ? threadScript() : null;
    if (script) {
      try {
        return (chosen = new ThreadedSnapshotWriter(options, script));
      } catch (err) {
        // The thread is only a speed-up: the same writer on SIM's thread writes the same bytes.
        fallback = `the snapshot thread did not start (${(err as Error).message}); writing in-thread`;
      }
    }
    return (chosen = inThread(new SnapshotWriter(options)));
  };
  return {
    name: 'snapshot',
    get cases() {
      return chosen?.cases ?? 0;
    },
    get threaded() {
      return chosen?.threaded ?? false;
    },
    get fallback() {
      return fallback;
    },
    plan(answers: number) {
      choose(answers);
    },
    observe(o: AnswerObservation) {
      choose(0).observe(o);
    },
    ready() {
      return chosen?.ready?.() ?? null;
    },
    counts: () => choose(0).counts(),
    finish: (header) => (chosen ? chosen.finish(header) : Promise.resolve(null)),
    discard: () => (chosen ? chosen.discard() : Promise.resolve()),
  };
}

/** The writer on the calling thread, behind the sink's interface. */
export function inThread(writer: SnapshotWriter): SnapshotSink {
  return {
    name: writer.name,
    get cases() {
      return writer.cases;
    },
    threaded: false,
    observe: (o) => writer.observe(o),
    counts: async () => writer.counts,
    finish: async (header) => writer.finish(header),
    discard: async () => writer.discard(),
  };
}
