import { performance } from 'node:perf_hooks';

const YIELD_EVERY_MS = 20;

/**
 * Runs `job(i)` for i in [0, n) with at most `concurrency` in flight; stops starting new ones when the
 * signal aborts. In-process engines answer in microtasks only, so the loop yields to the event loop
 * now and then (progress timers and cancellation must still run).
 */
export async function pool(n: number, concurrency: number, signal: AbortSignal, job: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  let lastTurn = performance.now();
  const worker = async (): Promise<void> => {
    while (next < n && !signal.aborted) {
      if (performance.now() - lastTurn > YIELD_EVERY_MS) {
        lastTurn = performance.now();
        await new Promise((r) => setImmediate(r));
        continue;
      }
      await job(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, n)) }, worker));
}
