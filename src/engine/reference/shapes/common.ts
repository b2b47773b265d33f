import type { Random } from '../../../util/seed.js';

/** What a shape builder may use besides the prompt and the request's random stream. */
export interface ShapeOptions {
  /** The request's `now` (epoch seconds), when it sent one: the 2.5h engine picks its witness by it. */
  now?: number;
  /** 1-based index of this call on its engine: toron-3's request ids and timestamps come from it. */
  callIndex?: number;
  /** The engine's knob seed (mixed into toron-3's request ids so two engines do not share them). */
  knobSeed?: number;
  /** toron-3 only: the HTTP `/query` answer or the engine's full result. */
  toron3Form?: Toron3Form;
}

export type Toron3Form = 'query' | 'full';

export type ShapeBuilder = (prompt: string, rnd: Random, opts: ShapeOptions) => Record<string, unknown>;

/** A prompt the engine refuses, the way the real one does (toron-3's empty prompt): an HTTP 500. */
export class ShapeRejection extends Error {
  readonly status: number;
  constructor(message: string, status = 500) {
    super(message);
    this.name = 'ShapeRejection';
    this.status = status;
  }
}

export function shuffled<T>(items: readonly T[], rnd: Random): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd.int(0, i);
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** `k` distinct indices below `n`, ascending (a partial Fisher-Yates). */
export function pickIndices(n: number, k: number, rnd: Random): number[] {
  const pool = Array.from({ length: n }, (_, i) => i);
  const m = Math.max(0, Math.min(k, n));
  for (let i = 0; i < m; i++) {
    const j = rnd.int(i, n - 1);
    const t = pool[i];
    pool[i] = pool[j];
    pool[j] = t;
  }
  return pool.slice(0, m).sort((a, b) => a - b);
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
