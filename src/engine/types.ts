import type { RateLimitTally } from './rate-limit.js';

/** The engine contract (DESIGN §3.5): one request in, one parsed answer or one classified error out. */

export interface EngineRequest {
  runId: string;
  caseId: string;
  /** Derived from run id + case id (+ repeat), so `--run-id` reproduces a run. */
  seed: number;
  /** The case input, POSTed as the JSON body (at least `prompt`). */
  input: Record<string, unknown>;
}

export type EngineErrorKind =
  | 'timeout' // no complete answer within the per-request timeout
  | 'connection' // refused, reset, DNS, socket closed
  | 'http_status' // non-2xx
  | 'invalid_json' // body is not JSON (HTML error pages included)
  | 'too_large' // body over the response size cap
  | 'process_exit' // a cmd: engine died
  | 'protocol' // a cmd: engine wrote something that is not a JSON line answer
  | 'engine_error' // the engine itself reported an error for this request
  | 'aborted'; // the run was cancelled

export interface EngineError {
  kind: EngineErrorKind;
  message: string;
  status?: number;
  /**
   * The engine said "not now" (HTTP 429, or 503 with Retry-After; see rate-limit.ts), with the wait it
   * asked for when it named one: SIM and replay ask again (callEngine), the load stage does not.
   */
  rateLimit?: { retryAfterMs?: number };
}

/**
 * `latencyMs` is the last attempt's; `rateLimited` is set when a SIM or replay request met rate limits
 * (callEngine retried it, or it ended as one).
 */
export type EngineResult =
  | {
      ok: true;
      body: unknown;
      raw: string;
      /**
       * Set when secrets were blanked out of `body` apart from `raw`: `raw` then need not parse to `body`
       * (a token the engine escaped, "a\/b", is found in the parsed answer, not in its text). Whatever
       * needs the answer takes `body`, never `raw` parsed again.
       */
      bodyRedacted?: true;
      status?: number;
      latencyMs: number;
      rateLimited?: RateLimitTally;
    }
  | { ok: false; error: EngineError; raw?: string; status?: number; latencyMs: number; rateLimited?: RateLimitTally };

export interface HealthResult {
  ok: boolean;
  /** The version the engine reports, when it reports one. */
  version?: string;
  /** What was tried, in order, for the error message of an unreachable engine. */
  tried: string[];
  message: string;
  /** Not ok, though the engine answered (a 503, a 401 on its health route): it is not unreachable. */
  answered?: boolean;
}

export type EngineKind = 'reference' | 'http' | 'command';

export interface EngineAdapter {
  readonly kind: EngineKind;
  /** The target as it may be printed: never contains a secret. */
  readonly target: string;
  health(signal?: AbortSignal): Promise<HealthResult>;
  call(req: EngineRequest, signal?: AbortSignal): Promise<EngineResult>;
  close(): Promise<void>;
}

/**
 * Where an adapter's side output (a child's stderr, say) goes: run.log. `debug` lines go to run.log
 * only (the console shows them with --verbose); the other levels are on the console too.
 */
export type EngineLogger = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
