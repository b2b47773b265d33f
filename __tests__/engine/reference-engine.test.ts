import { performance } from 'node:perf_hooks';
import { describe, expect, it, vi } from 'vitest';
import type { ReferenceKnobs } from '../../src/settings/types.js';
import type { EngineRequest } from '../../src/engine/types.js';
import { InputError } from '../../src/util/errors.js';
import { createReferenceAdapter } from '../../src/engine/reference/adapter.js';
import { ReferenceEngine, checkKnobs, referenceVersion } from '../../src/engine/reference/engine.js';
import { DEFAULT_KNOBS, parseReferenceKnobFlags } from '../../src/engine/reference/main.js';

const knobs = (over: Partial<ReferenceKnobs> = {}): ReferenceKnobs => ({ ...DEFAULT_KNOBS, ...over });
const req = (prompt: string, seed = 1, extra: Record<string, unknown> = {}): EngineRequest => ({
  runId: 'run-1',
  caseId: 'case-1',
  seed,
  input: { prompt, ...extra },
});
const PROMPT = 'Compare how a Democrat and a Republican in Congress would approach election security policy.';

function withoutVolatile(body: unknown): unknown {
  const b = structuredClone(body) as Record<string, Record<string, unknown>>;
  delete b.metrics?.request_id;
  delete b.metrics?.timestamp;
  delete b.consensus?.timestamp;
  return b;
}

describe('reference adapter', () => {
  it('answers with the body, its raw JSON, status 200 and a measured latency', async () => {
    const a = createReferenceAdapter(knobs());
    expect(a.kind).toBe('reference');
    expect(a.target).toBe('reference');
    const r = await a.call(req('What is the capital of France?'));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    expect(r.raw).toBe(JSON.stringify(r.body));
    expect(typeof r.latencyMs).toBe('number');
    expect(r.latencyMs).toBeGreaterThanOrEqual(0);
    expect((r.body as Record<string, unknown>).final_answer).toContain('capital of France');
    await a.close();
  });

  it('reports health with the version of its generation', async () => {
    for (const generation of ['2.5h', '2.5h-stability', '3'] as const) {
      const h = await createReferenceAdapter(knobs({ generation })).health();
      expect(h.ok).toBe(true);
      expect(h.version).toBe(`reference-${generation}/2.0.0`);
      expect(h.version).toBe(referenceVersion(generation));
    }
  });

  it('gives identical JSON for the same request (nondeterminism 0), for every generation', async () => {
    for (const generation of ['2.5h', '2.5h-stability'] as const) {
      const a = createReferenceAdapter(knobs({ generation }));
      const r1 = await a.call(req(PROMPT, 77));
      const r2 = await a.call(req(PROMPT, 77));
      expect(r1.ok && r2.ok).toBe(true);
      if (r1.ok && r2.ok) expect(r2.raw).toBe(r1.raw);
      // A second engine (another process, say) answers the same.
      const r3 = await createReferenceAdapter(knobs({ generation })).call(req(PROMPT, 77));
      if (r1.ok && r3.ok) expect(r3.raw).toBe(r1.raw);
    }
    for (const toron3Form of ['query', 'full'] as const) {
      const a = createReferenceAdapter(knobs({ generation: '3' }), { toron3Form });
      const r1 = await a.call(req(PROMPT, 77));
      const r2 = await a.call(req(PROMPT, 77));
      if (!r1.ok || !r2.ok) throw new Error('expected answers');
      expect(r2.raw).not.toBe(r1.raw); // request ids and timestamps move on every call
      expect(withoutVolatile(r2.body)).toEqual(withoutVolatile(r1.body));
    }
  });

  it('classifies refused and malformed requests as engine errors', async () => {
    const three = createReferenceAdapter(knobs({ generation: '3' }));
    const empty = await three.call(req(''));
    expect(empty).toMatchObject({ ok: false, status: 500, error: { kind: 'engine_error', status: 500 } });
    if (!empty.ok) expect(empty.error.message).toBe('Query failed: Invalid prompt length: 0');
    const noPrompt = await createReferenceAdapter(knobs()).call({ runId: 'r', caseId: 'c', seed: 1, input: { text: 'x' } });
    expect(noPrompt).toMatchObject({ ok: false, status: 422, error: { kind: 'engine_error' } });
  });

  it('answers an aborted call as aborted', async () => {
    const a = createReferenceAdapter(knobs({ latencyMs: 5_000 }));
    const ctl = new AbortController();
    const pending = a.call(req('Hi'), ctl.signal);
    setTimeout(() => ctl.abort(), 20);
    const r = await pending;
    expect(r).toMatchObject({ ok: false, error: { kind: 'aborted' } });
    const pre = await a.call(req('Hi'), AbortSignal.abort());
    expect(pre).toMatchObject({ ok: false, error: { kind: 'aborted' } });
  });
});

describe('knobs', () => {
  it('nondeterminism 0.3 perturbs about 30% of 2000 answers, drawn from the knob stream', async () => {
    for (const generation of ['2.5h', '3'] as const) {
      const base = createReferenceAdapter(knobs({ generation }));
      const baseline = await base.call(req(PROMPT, 5));
      if (!baseline.ok) throw new Error('no baseline');
      const want = JSON.stringify(withoutVolatile(baseline.body));
      const a = createReferenceAdapter(knobs({ generation, nondeterminism: 0.3, seed: 12 }));
      let differ = 0;
      for (let i = 0; i < 2000; i++) {
        const r = await a.call(req(PROMPT, 5)); // the very same request every time
        if (!r.ok) throw new Error('unexpected error');
        if (JSON.stringify(withoutVolatile(r.body)) !== want) differ++;
      }
      expect(differ / 2000, generation).toBeGreaterThan(0.26);
      expect(differ / 2000, generation).toBeLessThan(0.34);
      expect(a.engine.perturbed).toBe(differ);
    }
  });

  it('perturbs something meaningful: the answer text or the model order', async () => {
    const a = createReferenceAdapter(knobs({ nondeterminism: 1, seed: 3 }));
    const clean = await createReferenceAdapter(knobs()).call(req(PROMPT, 5));
    let textChanged = 0;
    let orderChanged = 0;
    for (let i = 0; i < 50; i++) {
      const r = await a.call(req(PROMPT, 5));
      if (!r.ok || !clean.ok) throw new Error('expected answers');
      const b = r.body as Record<string, unknown>;
      const c = clean.body as Record<string, unknown>;
      if (b.final_answer !== c.final_answer) textChanged++;
      if (JSON.stringify(b.models_used) !== JSON.stringify(c.models_used)) {
        orderChanged++;
        expect([...(b.models_used as string[])].sort()).toEqual([...(c.models_used as string[])].sort());
      }
    }
    expect(textChanged).toBeGreaterThan(0);
    expect(orderChanged).toBeGreaterThan(0);
    expect(textChanged + orderChanged).toBe(50);
  });

  it('errorRate answers that fraction with engine errors (HTTP 500)', async () => {
    const a = createReferenceAdapter(knobs({ errorRate: 0.2, seed: 4 }));
    let errors = 0;
    for (let i = 0; i < 1000; i++) {
      const r = await a.call(req('Hi', i));
      if (!r.ok) {
        errors++;
        expect(r.error.kind).toBe('engine_error');
        expect(r.status).toBe(500);
        expect(r.error.message).toContain('error-rate');
      }
    }
    expect(errors).toBeGreaterThan(150);
    expect(errors).toBeLessThan(250);
  });

  it('knob streams are independent: turning errors on does not reshuffle the perturbations', async () => {
    const flags = async (errorRate: number) => {
      const e = new ReferenceEngine(knobs({ nondeterminism: 0.5, errorRate, seed: 8 }));
      const out: boolean[] = [];
      for (let i = 0; i < 300; i++) {
        const before = e.perturbed;
        const r = await e.answer(req('Hi', 1));
        if (r.ok) out.push(e.perturbed > before);
      }
      return out;
    };
    const plain = await flags(0);
    const noisy = await flags(0.3);
    expect(noisy.length).toBeGreaterThan(150);
    expect(noisy.length).toBeLessThan(260);
    // The k-th answer is perturbed or not whatever the error knob does.
    expect(noisy).toEqual(plain.slice(0, noisy.length));
  });

  it('crashAfter N answers N requests, then every call fails as a dead process', async () => {
    const a = createReferenceAdapter(knobs({ crashAfter: 3 }));
    for (let i = 0; i < 3; i++) expect((await a.call(req('Hi', i))).ok).toBe(true);
    expect(a.engine.crashed).toBe(true);
    for (let i = 0; i < 3; i++) {
      const r = await a.call(req('Hi', i));
      expect(r).toMatchObject({ ok: false, error: { kind: 'process_exit' } });
    }
    expect(a.engine.requests).toBe(3);
    const h = await a.health();
    expect(h.ok).toBe(false);
    expect(h.message).toContain('crashed');
  });

  it('latencyMs delays each answer by at least half the mean', async () => {
    const a = createReferenceAdapter(knobs({ latencyMs: 40 }));
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      const r = await a.call(req('Hi', i));
      expect(r.ok).toBe(true);
      expect(performance.now() - t0).toBeGreaterThanOrEqual(19);
      expect(r.latencyMs).toBeGreaterThanOrEqual(19);
    }
  });

  it('stallMs freezes the engine every ~2 s: a request in a freeze waits for its end', async () => {
    // A freeze of 1 s: any sample that lands in it waits at least 300 ms more, however late the 25 ms
    // timer between samples fires on a busy machine.
    const e = new ReferenceEngine(knobs({ stallMs: 1000, seed: 2 }));
    const t0 = performance.now();
    let slowest = 0;
    // Sample for 3.3 s, past the start of the first freeze (1.5-2.5 s after start).
    while (performance.now() - t0 < 3_300) {
      const s = performance.now();
      await e.answer(req('Hi', 1));
      slowest = Math.max(slowest, performance.now() - s);
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(slowest).toBeGreaterThanOrEqual(300);
  });

  it('a freeze longer than the period between freezes still leaves the engine a free moment after each', () => {
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const e = new ReferenceEngine(knobs({ stallMs: 3000, seed: 2 }));
      const wait = () => (e as unknown as { stallWait(): number }).stallWait();
      const first = (e as unknown as { nextStallAt: number }).nextStallAt;
      now = first + 10;
      expect(wait()).toBe(2990); // in the first freeze: until its end
      now = first + 3000 + 10;
      expect(wait()).toBe(0); // just after it: free, not in a next freeze already
      now = first + 3000 + 1400;
      expect(wait()).toBe(0); // the next one comes 1.5-2.5 s after this one ended
    } finally {
      clock.mockRestore();
    }
  });

  it('rejects bad knobs with the flag name', () => {
    expect(() => checkKnobs(knobs({ errorRate: 2 }))).toThrow(InputError);
    expect(() => checkKnobs(knobs({ errorRate: 2 }))).toThrow('--error-rate');
    expect(() => new ReferenceEngine(knobs({ crashAfter: 1.5 }))).toThrow('--crash-after');
    expect(() => new ReferenceEngine(knobs({ generation: '4' as never }))).toThrow('--generation');
    expect(() => new ReferenceEngine(knobs({ latencyMs: -1 }))).toThrow('--latency-ms');
  });
});

describe('knob flags', () => {
  it('parses serve|stdio and every knob flag', () => {
    const f = parseReferenceKnobFlags([
      'serve', '--latency-ms', '25', '--error-rate', '0.1', '--nondeterminism', '0.3', '--crash-after', '7',
      '--stall-ms', '100', '--generation', '2.5h-stability', '--seed', '42', '--port', '8123', '--host', '0.0.0.0',
    ]);
    expect(f.positionals).toEqual(['serve']);
    expect(f.knobs).toEqual({
      latencyMs: 25, errorRate: 0.1, nondeterminism: 0.3, crashAfter: 7, stallMs: 100, generation: '2.5h-stability', seed: 42,
    });
    expect(f.port).toBe(8123);
    expect(f.host).toBe('0.0.0.0');
    expect(f.toron3Form).toBe('query');
  });

  it('defaults to everything off', () => {
    const f = parseReferenceKnobFlags(['stdio']);
    expect(f.knobs).toEqual(DEFAULT_KNOBS);
    expect(DEFAULT_KNOBS).toMatchObject({ latencyMs: 0, errorRate: 0, nondeterminism: 0, crashAfter: 0, stallMs: 0 });
    expect(f.port).toBe(0);
    expect(f.host).toBe('127.0.0.1');
  });

  it('rejects unknown flags and bad values as InputError', () => {
    expect(() => parseReferenceKnobFlags(['serve', '--bogus'])).toThrow(InputError);
    expect(() => parseReferenceKnobFlags(['serve', '--error-rate', 'lots'])).toThrow('--error-rate must be a number');
    expect(() => parseReferenceKnobFlags(['serve', '--generation', '4'])).toThrow('--generation must be one of');
    expect(() => parseReferenceKnobFlags(['serve', '--port', '70000'])).toThrow('--port');
    expect(() => parseReferenceKnobFlags(['serve', '--toron3-form', 'long'])).toThrow('--toron3-form');
  });
});
