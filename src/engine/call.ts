import { performance } from 'node:perf_hooks';
import type { EngineAdapter, EngineRequest, EngineResult } from './types.js';
import { retryWaitMs, stillLimitedText, waitFor, type RateLimitSettings, type RateLimitTally } from './rate-limit.js';

/**
 * The case timer waits this much past the case timeout when the adapter has a timer of its own of the
 * same length: the adapter knows more (HTTP headers arrived and the body trickled, say) and its answer
 * should be the one reported, not a bare "no answer".
 */
const ADAPTER_FIRST_MS = 100;

/**
 * One engine call with the case timeout, as SIM and replay make it (the adapter's own timeout may be
 * shorter). Never throws: a throwing adapter is an `engine_error`, a cancelled run `aborted`.
 *
 * A rate-limited answer (EngineError.rateLimit: HTTP 429, or 503 with Retry-After) is asked again, at
 * most `rateLimit.retries` times, after the wait the engine named (else a seeded backoff), each wait at
 * most `rateLimit.maxWaitMs` (rate-limit.ts). Each attempt has the whole case timeout; the result is the
 * last attempt's (its latency too), with `rateLimited` saying what was met and waited. Cancelling the
 * run ends a wait at once.
 */
export async function callEngine(
  engine: EngineAdapter,
  req: EngineRequest,
  timeoutMs: number,
  signal: AbortSignal,
  rateLimit: RateLimitSettings = NO_RETRIES,
): Promise<EngineResult> {
  let res = await callOnce(engine, req, timeoutMs, signal);
  if (res.ok || !res.error.rateLimit) return res;
  const tally: RateLimitTally = { times: 1, retries: 0, waitedMs: 0 };
  while (!res.ok && res.error.rateLimit && tally.retries < rateLimit.retries) {
    const wait = retryWaitMs(res.error.rateLimit.retryAfterMs, tally.retries, req.seed, rateLimit.maxWaitMs);
    const waitStarted = performance.now();
    if (!(await waitFor(wait, signal))) {
      tally.waitedMs += Math.round(performance.now() - waitStarted);
      return { ok: false, error: { kind: 'aborted', message: 'the run was cancelled while waiting out a rate limit' }, latencyMs: res.latencyMs, rateLimited: tally };
    }
    tally.waitedMs += wait;
    tally.retries++;
    res = await callOnce(engine, req, timeoutMs, signal);
    if (!res.ok && res.error.rateLimit) tally.times++;
  }
  if (!res.ok && res.error.rateLimit) {
    return { ...res, error: { ...res.error, message: `${res.error.message}; ${stillLimitedText(tally)}` }, rateLimited: tally };
  }
  return { ...res, rateLimited: tally };
}

/** Retrying off: the callers that pass no rate-limit settings (a rate limit is then an engine error). */
const NO_RETRIES: RateLimitSettings = { retries: 0, maxWaitMs: 0 };

async function callOnce(engine: EngineAdapter, req: EngineRequest, timeoutMs: number, signal: AbortSignal): Promise<EngineResult> {
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
