import { performance } from 'node:perf_hooks';
import type { EngineAdapter, EngineRequest, EngineResult } from './types.js';

/**
 * The case timer waits this much past the case timeout when the adapter has a timer of its own of the
 * same length: the adapter knows more (HTTP headers arrived and the body trickled, say) and its answer
 * should be the one reported, not a bare "no answer".
 */
const ADAPTER_FIRST_MS = 100;

/**
 * One engine call with the case timeout, as SIM and replay make it (the adapter's own timeout may be
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
    }, timeoutMs + ADAPTER_FIRST_MS);
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
