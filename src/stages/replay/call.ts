import { performance } from 'node:perf_hooks';
import type { EngineAdapter, EngineRequest, EngineResult } from '../../engine/types.js';

/**
 * One engine call with the case timeout, the way SIM calls (the adapter's own timeout may be
 * shorter). Never throws: a throwing adapter is an `engine_error`, a cancelled run `aborted`.
 */
export async function callEngine(engine: EngineAdapter, req: EngineRequest, timeoutMs: number, signal: AbortSignal): Promise<EngineResult> {
  const ac = new AbortController();
  const onAbort = () => ac.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<EngineResult>((resolve) => {
    timer = setTimeout(() => {
      ac.abort(new Error('case timeout'));
      resolve({ ok: false, error: { kind: 'timeout', message: `no answer within the case timeout of ${timeoutMs} ms` }, latencyMs: performance.now() - started });
    }, timeoutMs);
  });
  try {
    return await Promise.race([
      engine.call(req, ac.signal).catch(
        (err): EngineResult => ({
          ok: false,
          error: { kind: signal.aborted ? 'aborted' : 'engine_error', message: String((err as Error)?.message ?? err) },
          latencyMs: performance.now() - started,
        }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }
}

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
