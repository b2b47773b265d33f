/**
 * A cancelled job: the runner sends SIGINT, then SIGTERM 7.5 s later, then kills the process 2.5 s
 * after that. The first signal stops new work (the runner finalises what it has); publishing then runs
 * on a short budget; a second signal means "now": outputs are already written, so exit at once.
 */
export interface Cancellation {
  readonly signal: AbortSignal;
  /** When the first signal came (performance.now()), or null. */
  cancelledAt(): number | null;
  /** Milliseconds a network step may still take: `normalMs`, or what is left of the budget after a cancel. */
  budget(normalMs: number): number;
  dispose(): void;
}

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
  proc.on('SIGINT', handler);
  proc.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    cancelledAt: () => at,
    budget(normalMs) {
      if (at === null) return normalMs;
      return Math.max(0, Math.min(normalMs, budgetMs - (performance.now() - at)));
    },
    dispose() {
      proc.off('SIGINT', handler);
      proc.off('SIGTERM', handler);
    },
  };
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
 * A network step bounded by the job's cancellation budget: `normalMs` while the job runs, what is left
 * of the cancel budget after a cancel. Throws, naming the step, when the time runs out.
 */
export function withinBudget<T>(c: Cancellation, normalMs: number, what: string, promise: Promise<T>): Promise<T> {
  const ms = c.budget(normalMs);
  return withDeadline(promise, ms, () => {
    throw new Error(`${what} did not finish within ${Math.round(ms / 1000)} s${c.cancelledAt() !== null ? ' (the job was cancelled)' : ''}`);
  });
}
