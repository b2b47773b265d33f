import { performance } from 'node:perf_hooks';
import type { EngineRequest } from '../types.js';
import type { Generation, ReferenceKnobs } from '../../settings/types.js';
import { InputError } from '../../util/errors.js';
import { deriveSeed, seededRandom, type Random } from '../../util/seed.js';
import { perturbAnswer } from './perturb.js';
import { SHAPES, ShapeRejection, type Toron3Form } from './shapes/index.js';

/**
 * The reference engine: answers like a real Toron generation (shapes/), deterministic for a request
 * seed, with faults switched on by knobs (DESIGN §3.1). Every knob draws from its own stream derived
 * from `knobs.seed`, so turning one knob on never changes what another one does. The latency, error and
 * nondeterminism draws are not taken in arrival order but per request: a function of the knob seed,
 * the request (its seed and prompt) and how many times that request was asked before, so `--run-id`
 * reproduces which cases fail or change whatever the latency, concurrency or transport:
 * - latencyMs: mean added delay; each request waits mean x (0.5 + 0.5 x Exp(1)) (never below half the
 *   mean, a long right tail like a real engine's), drawn per request as the faults are.
 * - errorRate: that fraction of requests is answered with an engine error (HTTP 500 in server mode).
 * - nondeterminism: that fraction of answers is perturbed (see perturb.ts). The draw counts the
 *   answers the request already had: the same request replayed gets a different answer with that
 *   probability.
 * - crashAfter N: the engine answers N requests (`/run` or `run`, not health), then is dead: later
 *   calls fail in process; the server and stdio modes exit or close (server.ts, stdio.ts).
 * - stallMs: every 1.5-2.5 s (seeded) the engine freezes for stallMs. In process ("delay" mode) a
 *   request arriving in a freeze waits for its end; the server and stdio modes ("busy" mode) block the
 *   event loop for real, so nothing at all is answered meanwhile.
 */

export const REFERENCE_ENGINE_VERSION = '2.0.0';
export const GENERATIONS: readonly Generation[] = ['2.5h', '2.5h-stability', '3'];

/** `index`: the request's 1-based number on this engine (absent when the engine was already dead). */
export type EngineAnswer =
  | { ok: true; body: Record<string, unknown>; index?: number }
  | { ok: false; status: number; error: string; reason: EngineFailReason; index?: number };

/** Why an answer failed: an adapter classifies errors by it. */
export type EngineFailReason = 'crashed' | 'injected' | 'rejected' | 'bad_request' | 'aborted';

export interface ReferenceEngineOptions {
  /** toron-3 only: the `/query` answer (default) or the full result. */
  toron3Form?: Toron3Form;
  /** How stalls freeze: "delay" (in process, default) or "busy" (a real event-loop freeze). */
  stallMode?: 'delay' | 'busy';
}

const STALL_PERIOD_MIN_MS = 1500;
const MAX_TRACKED_REQUESTS = 1_000_000;

/** A request's key and counters (ReferenceEngine.countsOf). */
interface RequestCounts {
  key: number;
  calls: number;
  answers: () => number;
}
const STALL_PERIOD_MAX_MS = 2500;

export function referenceVersion(generation: Generation): string {
  return `reference-${generation}/${REFERENCE_ENGINE_VERSION}`;
}

/** Throws InputError naming the flag of the first bad knob. */
export function checkKnobs(k: ReferenceKnobs): void {
  const bad = (flag: string, why: string, v: unknown) => {
    throw new InputError(`reference engine: --${flag} ${why} (got ${JSON.stringify(v) ?? String(v)})`);
  };
  const nonNeg = (flag: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) bad(flag, 'must be a number >= 0', v);
  };
  const fraction = (flag: string, v: number) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) bad(flag, 'must be a number from 0 to 1', v);
  };
  nonNeg('latency-ms', k.latencyMs);
  fraction('error-rate', k.errorRate);
  fraction('nondeterminism', k.nondeterminism);
  nonNeg('crash-after', k.crashAfter);
  if (!Number.isInteger(k.crashAfter)) bad('crash-after', 'must be a whole number of requests', k.crashAfter);
  nonNeg('stall-ms', k.stallMs);
  if (!GENERATIONS.includes(k.generation)) bad('generation', `must be one of ${GENERATIONS.join(', ')}`, k.generation);
  if (!Number.isSafeInteger(k.seed)) bad('seed', 'must be an integer', k.seed);
}

/** Busy-waits: freezes the whole event loop, which is the point of a stall in server/stdio mode. */
export function freezeEventLoop(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // spin
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export class ReferenceEngine {
  readonly knobs: ReferenceKnobs;
  readonly version: string;
  readonly toron3Form: Toron3Form;
  /** Run requests accepted so far (health checks do not count). */
  requests = 0;
  /** True once crashAfter requests were accepted: every later one fails. */
  crashed = false;
  /** Answers the nondeterminism knob changed (for tests and logs). */
  perturbed = 0;

  /** Per request key: how many times it was asked, and how many answers it got (the draws' counters). */
  private readonly asked = new Map<number, { calls: number; answers: number }>();
  private readonly stallRnd: Random;
  private readonly stallMode: 'delay' | 'busy';
  private readonly started = performance.now();
  private nextStallAt = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(knobs: ReferenceKnobs, options: ReferenceEngineOptions = {}) {
    checkKnobs(knobs);
    this.knobs = { ...knobs };
    this.version = referenceVersion(knobs.generation);
    this.toron3Form = options.toron3Form ?? 'query';
    if (this.toron3Form !== 'query' && this.toron3Form !== 'full') {
      throw new InputError(`reference engine: --toron3-form must be query or full (got ${JSON.stringify(this.toron3Form)})`);
    }
    this.stallRnd = seededRandom(deriveSeed(knobs.seed, 'stall'));
    this.stallMode = options.stallMode ?? 'delay';
    if (knobs.stallMs > 0) {
      this.nextStallAt = this.stallPeriod();
      if (this.stallMode === 'busy') this.scheduleBusyStall();
    }
  }

  get generation(): Generation {
    return this.knobs.generation;
  }

  /** One answer. Never throws; never waits when latency and stalls are off. */
  answer(req: EngineRequest, signal?: AbortSignal): Promise<EngineAnswer> {
    if (this.crashed) return Promise.resolve(this.crashedAnswer());
    this.requests++;
    const index = this.requests;
    if (this.knobs.crashAfter > 0 && index >= this.knobs.crashAfter) this.crashed = true;

    const k = this.knobs;
    const prompt = (req.input as Record<string, unknown> | null | undefined)?.prompt;
    const counts = k.errorRate > 0 || k.nondeterminism > 0 || k.latencyMs > 0 ? this.countsOf(req, prompt) : null;
    const wait = this.stallWait() + this.latencyDraw(counts);
    if (wait <= 0) return Promise.resolve(this.respond(req, index, counts));
    return sleep(wait, signal).then((done) =>
      done ? this.respond(req, index, counts) : { ok: false, status: 499, error: 'the request was aborted', reason: 'aborted', index },
    );
  }

  /** True for the answer after which a crash-after engine dies (its server or process then goes). */
  isLastAnswer(a: EngineAnswer): boolean {
    return this.knobs.crashAfter > 0 && a.index === this.knobs.crashAfter;
  }

  /** Stops the stall timer (busy mode); the engine still answers. */
  close(): void {
    this.closed = true;
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private crashedAnswer(): EngineAnswer {
    return {
      ok: false,
      status: 503,
      error: `reference engine crashed after ${this.knobs.crashAfter} request(s) (crash-after)`,
      reason: 'crashed',
    };
  }

  private respond(req: EngineRequest, index: number, counts: RequestCounts | null): EngineAnswer {
    const k = this.knobs;
    const input = req.input as Record<string, unknown> | null | undefined;
    const prompt = input?.prompt;
    if (counts && k.errorRate > 0 && this.draw('error', counts.key, counts.calls).next() < k.errorRate) {
      return { ok: false, status: 500, error: `reference engine: injected engine error (error-rate ${k.errorRate})`, reason: 'injected', index };
    }
    if (typeof prompt !== 'string') {
      return { ok: false, status: 422, error: 'input.prompt must be a string', reason: 'bad_request', index };
    }
    const seed = Number.isFinite(req.seed) ? req.seed : deriveSeed('prompt', prompt);
    const now = typeof input?.now === 'number' ? input.now : undefined;
    let body: Record<string, unknown>;
    try {
      body = SHAPES[k.generation](prompt, seededRandom(seed), {
        now,
        callIndex: index,
        knobSeed: k.seed,
        toron3Form: this.toron3Form,
      });
    } catch (err) {
      if (err instanceof ShapeRejection) return { ok: false, status: err.status, error: err.message, reason: 'rejected', index };
      return { ok: false, status: 500, error: `reference engine bug: ${(err as Error).message}`, reason: 'rejected', index };
    }
    if (counts && k.nondeterminism > 0) {
      const rnd = this.draw('nondeterminism', counts.key, counts.answers());
      if (rnd.next() < k.nondeterminism) {
        perturbAnswer(k.generation, body, rnd);
        this.perturbed++;
      }
    }
    return { ok: true, body, index };
  }

  /**
   * The request's key (its seed and prompt: two prompts sent with one fixed seed are two requests) and
   * its counters: `calls` counts this call; `answers()` counts an answer, called once one is made.
   */
  private countsOf(req: EngineRequest, prompt: unknown): RequestCounts {
    const key = deriveSeed(Number.isFinite(req.seed) ? req.seed : 'none', typeof prompt === 'string' ? prompt : JSON.stringify(prompt ?? null));
    // A long-lived engine (engine serve) asked endless distinct requests must not grow without bound.
    if (this.asked.size >= MAX_TRACKED_REQUESTS && !this.asked.has(key)) this.asked.clear();
    let c = this.asked.get(key);
    if (!c) this.asked.set(key, (c = { calls: 0, answers: 0 }));
    const calls = ++c.calls;
    const entry = c;
    return { key, calls, answers: () => ++entry.answers };
  }

  private draw(knob: 'error' | 'nondeterminism' | 'latency', key: number, n: number): Random {
    return seededRandom(deriveSeed(this.knobs.seed, knob, key, n));
  }

  private latencyDraw(counts: RequestCounts | null): number {
    const mean = this.knobs.latencyMs;
    if (mean <= 0 || !counts) return 0;
    const u = this.draw('latency', counts.key, counts.calls).next();
    return mean * (0.5 - 0.5 * Math.log(1 - u));
  }

  private stallPeriod(): number {
    return this.stallRnd.int(STALL_PERIOD_MIN_MS, STALL_PERIOD_MAX_MS);
  }

  /** In delay mode: how long a request arriving now waits for the current freeze to end. */
  private stallWait(): number {
    const ms = this.knobs.stallMs;
    if (ms <= 0 || this.stallMode !== 'delay') return 0;
    const t = performance.now() - this.started;
    // The next freeze comes a period after this one ends (as in busy mode): counted from its start,
    // freezes longer than the period ran back to back and the engine never answered between them.
    while (t >= this.nextStallAt + ms) this.nextStallAt += ms + this.stallPeriod();
    return t >= this.nextStallAt ? this.nextStallAt + ms - t : 0;
  }

  private scheduleBusyStall(): void {
    if (this.closed) return;
    const delay = Math.max(0, this.nextStallAt - (performance.now() - this.started));
    this.stallTimer = setTimeout(() => {
      freezeEventLoop(this.knobs.stallMs);
      this.nextStallAt = performance.now() - this.started + this.stallPeriod();
      this.scheduleBusyStall();
    }, delay);
    // A stall must not keep a finished process alive.
    this.stallTimer.unref();
  }
}
