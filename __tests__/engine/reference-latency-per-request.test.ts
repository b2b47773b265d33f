import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { DEFAULT_KNOBS } from '../../src/engine/reference/main.js';
import type { EngineRequest } from '../../src/engine/types.js';

/**
 * --latency-ms drew each delay from one stream in the order requests arrived, so a case's latency (and
 * its `latency` assertions, and the latency checks of the pipeline) depended on which requests happened
 * to come before it: another concurrency or transport gave the same run id other per-case latencies. The
 * delay is now drawn per request (knob seed, request, how many times it was asked), like the other knobs.
 */
const req = (i: number): EngineRequest => ({ runId: 'r', caseId: `c${i}`, seed: 1000 + i, input: { prompt: `question ${i}` } });

async function latencies(order: number[]): Promise<Map<number, number>> {
  const e = new ReferenceEngine({ ...DEFAULT_KNOBS, latencyMs: 500 });
  const out = new Map<number, number>();
  // All at once, as a concurrent SIM sends them: only the order of arrival differs between the calls.
  await Promise.all(
    order.map(async (i) => {
      const t0 = performance.now();
      const a = await e.answer(req(i));
      expect(a.ok).toBe(true);
      out.set(i, performance.now() - t0);
    }),
  );
  e.close();
  return out;
}

describe('reference engine --latency-ms', () => {
  it("gives a request the same delay whatever arrived before it", async () => {
    const ids = [0, 1, 2, 3, 4, 5, 6, 7];
    const forward = await latencies(ids);
    const backward = await latencies([...ids].reverse());
    const spread = Math.max(...forward.values()) - Math.min(...forward.values());
    expect(spread).toBeGreaterThan(150); // the delays do differ between requests
    for (const i of ids) expect(Math.abs(forward.get(i)! - backward.get(i)!), `request ${i}`).toBeLessThan(100);
  }, 30_000);
});
