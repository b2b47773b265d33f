import { deriveSeed, seededRandom } from '../util/seed.js';

/**
 * Rate limits of SIM and replay requests: an engine (or the gateway in front of it) answering
 * 429 Too Many Requests, or 503 with Retry-After (a cold start, a scale-up), is asked again after the
 * wait it names, not counted as an engine error at once. Not for the load stage (a 429 under load is a
 * measured result, http_req_failed, as k6 counts it) and not for the health check (made once).
 */

export interface RateLimitSettings {
  /** Retries per request after a rate-limited answer; 0: not retried. */
  retries: number;
  /** Longest single wait, ms: a longer Retry-After (or backoff) is cut to this. */
  maxWaitMs: number;
}

/** What one request met: rate-limited answers, the retries they got, and the time waited before them. */
export interface RateLimitTally {
  /** Rate-limited answers received (the last attempt's included, when it was one). */
  times: number;
  retries: number;
  waitedMs: number;
}

/**
 * A stage's rate limits: requests that met one, in how many cases, their retries, the time waited, and
 * the requests still rate-limited after their retries (engine errors).
 */
export interface RateLimitCounts {
  cases: number;
  requests: number;
  retries: number;
  waitedMs: number;
  stillLimited: number;
}

/**
 * The one finding a stage raises for the rate limits it met (never one per case; its line is the
 * console's and run.log's): MEDIUM when requests were still rate-limited after their retries (engine
 * errors), LOW when every retry was answered.
 */
export function rateLimitedFinding(r: RateLimitCounts, stage: 'SIM' | 'replay') {
  const retries = (n: number) => `${n} retr${n === 1 ? 'y' : 'ies'}`;
  // From the counts alone (no settings), so merge can say it again for the union of its legs.
  const outcome = r.stillLimited > 0 ? `${r.stillLimited} request(s) still rate-limited after their retries (engine errors)` : 'every retry was answered';
  const message =
    `the engine rate-limited ${r.requests} ${stage} request(s) of ${r.cases} case(s) (HTTP 429, or 503 with Retry-After): ` +
    `${retries(r.retries)} after ${formatWait(r.waitedMs)} of waits, summed over the requests (they wait side by side; not counted in latency); ${outcome}`;
  return { type: 'engine-rate-limited', severity: r.stillLimited > 0 ? ('MEDIUM' as const) : ('LOW' as const), subsystem: 'engine', message };
}

/** First backoff step without a Retry-After (a 429 without one): 1 s, 2 s, 4 s ... */
export const BACKOFF_BASE_MS = 1_000;
/** The backoff step is multiplied by a factor in [1 - JITTER, 1 + JITTER), drawn from the case seed. */
const JITTER = 0.25;

/** Whether an HTTP answer is a rate limit: 429, or 503 with a Retry-After header. */
export function isRateLimitStatus(status: number, retryAfter: string | undefined): boolean {
  return status === 429 || (status === 503 && retryAfter !== undefined);
}

/**
 * A Retry-After value (RFC 9110 §10.2.3) in ms from `now`: delta-seconds, or an HTTP date (a date in
 * the past is 0). Undefined when it is neither: the caller backs off as without one.
 */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^[0-9]+$/.test(v)) return Math.min(Number(v), 1e9) * 1000;
  // An HTTP date names its weekday and its zone: a bare number or a stray word is not one.
  if (!/^[A-Za-z]{3,9},? /.test(v) || !/GMT$|UTC$|[0-9]{2}:[0-9]{2}:[0-9]{2}/.test(v)) return undefined;
  const at = Date.parse(v);
  if (!Number.isFinite(at)) return undefined;
  return Math.max(0, at - now);
}

/**
 * How long to wait before retry number `retry` (0 for the first): the engine's Retry-After when it gave
 * one, else 1 s x 2^retry with jitter from the request's seed (so a run id reproduces its waits); never
 * more than maxWaitMs.
 */
export function retryWaitMs(retryAfterMs: number | undefined, retry: number, seed: number, maxWaitMs: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, maxWaitMs);
  const nominal = BACKOFF_BASE_MS * 2 ** Math.min(retry, 30);
  const u = seededRandom(deriveSeed(seed, 'rate-limit', retry)).next();
  return Math.min(Math.round(nominal * (1 - JITTER + 2 * JITTER * u)), maxWaitMs);
}

/** "1.5 s", "250 ms": waits as a message says them. */
export function formatWait(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The end of an engine error's message when the request was still rate-limited after its retries. */
export function stillLimitedText(t: RateLimitTally): string {
  if (t.retries === 0) return `rate-limited, not retried (engine.rateLimit.retries is 0)`;
  return `still rate-limited after ${t.retries} retr${t.retries === 1 ? 'y' : 'ies'}: rate-limited ${t.times} times, waited ${formatWait(t.waitedMs)} in all (engine.rateLimit)`;
}

/** Waits `ms`, or less when the signal aborts (then resolves false at once). */
export function waitFor(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
