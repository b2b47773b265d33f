import { performance } from 'node:perf_hooks';
import type { ReferenceKnobs } from '../../settings/types.js';
import type { EngineAdapter, EngineRequest, EngineResult, HealthResult } from '../types.js';
import { ReferenceEngine, type ReferenceEngineOptions } from './engine.js';

export interface ReferenceAdapter extends EngineAdapter {
  readonly kind: 'reference';
  /** The engine behind the adapter (its request count, crash state, perturbation count). */
  readonly engine: ReferenceEngine;
}

/**
 * The in-process reference engine behind the adapter contract. Hot path for the SIM benchmark: one
 * shape build per call, no timers unless a knob asks; the `raw` bytes are serialised only when read
 * (replay and snapshots read them, SIM does not), which was two thirds of a call's cost.
 * A crashed engine's failures are `process_exit` (what the same engine gives as a child process);
 * injected and refused answers are `engine_error` with the HTTP status the server would send.
 */
export function createReferenceAdapter(knobs: ReferenceKnobs, options: ReferenceEngineOptions = {}): ReferenceAdapter {
  const engine = new ReferenceEngine(knobs, options);
  let closed = false;

  return {
    kind: 'reference',
    target: 'reference',
    engine,

    async health(): Promise<HealthResult> {
      const tried = [`reference (${engine.version})`];
      if (engine.crashed) {
        return {
          ok: false,
          version: engine.version,
          tried,
          message: `reference engine ${engine.version} crashed after ${engine.requests} request(s) (crash-after)`,
        };
      }
      return { ok: true, version: engine.version, tried, message: `reference engine ${engine.version} is up` };
    },

    async call(req: EngineRequest, signal?: AbortSignal): Promise<EngineResult> {
      const t0 = performance.now();
      if (closed || signal?.aborted) {
        const message = closed ? 'the engine adapter is closed' : 'the run was cancelled';
        return { ok: false, error: { kind: 'aborted', message }, latencyMs: 0 };
      }
      const a = await engine.answer(req, signal);
      const latencyMs = performance.now() - t0;
      if (a.ok) return new InProcessAnswer(a.body, latencyMs);
      if (a.reason === 'crashed') return { ok: false, error: { kind: 'process_exit', message: a.error }, latencyMs };
      if (a.reason === 'aborted') return { ok: false, error: { kind: 'aborted', message: a.error }, latencyMs };
      return { ok: false, error: { kind: 'engine_error', message: a.error, status: a.status }, status: a.status, latencyMs };
    },

    async close(): Promise<void> {
      closed = true;
      engine.close();
    },
  };
}

/** A successful in-process answer whose raw bytes are the JSON text of the body, made on first read. */
class InProcessAnswer {
  readonly ok = true as const;
  readonly status = 200;
  private rawText: string | undefined;

  constructor(
    readonly body: unknown,
    readonly latencyMs: number,
  ) {}

  get raw(): string {
    return (this.rawText ??= JSON.stringify(this.body));
  }
}
