import { CANCEL_SIGNALS } from './early-signals.js';

/**
 * A cancelled job: the runner sends SIGINT, then SIGTERM 7.5 s later (on Windows: Ctrl+C, then
 * Ctrl+Break, which Node names SIGBREAK), then kills the process 2.5 s after that. The first signal
 * stops new work (the runner finalises what it has); publishing then runs on a short budget; a second
 * signal means "now": outputs are already written, so exit at once.
 */
export interface Cancellation {
  readonly signal: AbortSignal;
  /** Handles a signal as if it came now (one held while the action loaded, see early-signals.ts). */
  deliver(sig: NodeJS.Signals): void;
  /** When the first signal came (performance.now()), or null. */
  cancelledAt(): number | null;
  /** Milliseconds a network step may still take: `normalMs`, or what is left of the budget after a cancel. */
  budget(normalMs: number): number;
  dispose(): void;
}

const SIGNALS = CANCEL_SIGNALS;

/** Everything after the first signal (finalising, outputs, summary, a partial artifact) fits in this. */
export const CANCEL_BUDGET_MS = 6000;

export function watchCancellation(opts: {
  onCancel: (signal: string) => void;
  onSecondSignal: (signal: string) => void;
  budgetMs?: number;
  process?: Pick<NodeJS.Process, 'on' | 'off'>;
}): Cancellation {
  const proc = opts.process ?? process;
  const budgetMs = opts.budgetMs ?? CANCEL_BUDGET_MS;
  const controller = new AbortController();
  let at: number | null = null;
  const handler = (sig: NodeJS.Signals) => {
    if (at === null) {
      at = performance.now();
      opts.onCancel(sig);
      controller.abort(new Error(`cancelled (${sig})`));
    } else {
      opts.onSecondSignal(sig);
    }
  };
  // Windows runners send Ctrl+C, then Ctrl+Break where others send SIGTERM: Node names it SIGBREAK, and
  // its default action ends the process at once, before the outputs of a second signal are written.
  for (const s of SIGNALS) proc.on(s, handler);
  return {
    signal: controller.signal,
    deliver: handler,
    cancelledAt: () => at,
    budget(normalMs) {
      if (at === null) return normalMs;
      return Math.max(0, Math.min(normalMs, budgetMs - (performance.now() - at)));
    },
    dispose() {
      for (const s of SIGNALS) proc.off(s, handler);
    },
  };
}

/**
 * Resolves after one turn of the event loop. A signal reaches its handler only when the loop polls, and
 * reading the inputs and settings never lets it: awaited before a run starts, a job cancelled meanwhile
 * does not start its run.
 */
export function pendingSignalsDelivered(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Settles with the promise, or with `onTimeout()` (its value, or what it throws) when `ms` pass first.
 * The promise keeps running: the libraries behind it take no signal.
 */
export async function withDeadline<T>(promise: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<T>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onTimeout());
      } catch (err) {
        reject(err);
      }
    }, Math.max(0, ms));
  });
  promise.catch(() => {}); // a rejection after the deadline must not become an unhandled one
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Calls `fire` when a step started now runs out of time: `normalMs` while the job runs; once the job is
 * cancelled (before the step or in the middle of it), what is left of the cancel budget, if that is
 * sooner. Returns the function that stops watching.
 */
export function whenTimeRunsOut(c: Cancellation, normalMs: number, fire: () => void): () => void {
  const started = performance.now();
  const left = () => Math.max(0, Math.min(normalMs - (performance.now() - started), c.budget(normalMs)));
  let timer = setTimeout(fire, left());
  const shorten = () => {
    clearTimeout(timer);
    timer = setTimeout(fire, left());
  };
  if (c.cancelledAt() === null) c.signal.addEventListener('abort', shorten, { once: true });
  return () => {
    clearTimeout(timer);
    c.signal.removeEventListener('abort', shorten);
  };
}

/**
 * An AbortSignal for a network step: aborts (a TimeoutError, like AbortSignal.timeout) after `normalMs`,
 * or when the cancel budget runs out, also when the cancel comes in the middle of the step.
 */
export function budgetSignal(c: Cancellation, normalMs: number): AbortSignal {
  const controller = new AbortController();
  const stop = whenTimeRunsOut(c, normalMs, () => controller.abort(new DOMException('The operation timed out.', 'TimeoutError')));
  controller.signal.addEventListener('abort', stop, { once: true });
  return controller.signal;
}

/**
 * A network step bounded by the job's cancellation budget: `normalMs` while the job runs, what is left
 * of the cancel budget once the job is cancelled (a cancel in the middle of the step shortens the wait
 * too). Throws, naming the step and how long it was waited for, when the time runs out.
 */
export function withinBudget<T>(c: Cancellation, normalMs: number, what: string, promise: Promise<T>): Promise<T> {
  promise.catch(() => {}); // a rejection after the deadline must not become an unhandled one
  const started = performance.now();
  return new Promise<T>((resolve, reject) => {
    const stop = whenTimeRunsOut(c, normalMs, () => {
      const waited = Math.round((performance.now() - started) / 1000);
      reject(new Error(`${what} did not finish within ${waited} s${c.cancelledAt() !== null ? ' (the job was cancelled)' : ''}`));
    });
    promise.then(
      (v) => {
        stop();
        resolve(v);
      },
      (err) => {
        stop();
        reject(err);
      },
    );
  });
}
