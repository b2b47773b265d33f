import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { cmd, project, run } from './helpers.js';

// Issue 4, item 6 (DESIGN §4.4): a case repeated n times with c passes has pass rate c/n with a Wilson
// 95% interval, and is flaky when 0 < c < n. SIM computes it (src/stages/sim/score.ts); this checks the
// numbers a run reports against the formula, on an engine that passes about half the attempts.
const SEEDED = path.join(ROOT, '__tests__/fixtures/cli-engines/seeded.mjs'); // `lucky` when the attempt's seed is even

function wilson(c: number, n: number, z = 1.959963984540054): [number, number] {
  const p = c / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = ((z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n)));
  return [Math.round((centre - half) * 1e4) / 1e4, Math.round((centre + half) * 1e4) / 1e4];
}

describe('flakiness of repeated cases', () => {
  it('pass rate c/n with the Wilson 95% interval; flaky when 0 < c < n, with a MEDIUM event', async () => {
    const ds = {
      name: 'luck',
      description: 'repeats',
      seed: 1,
      defaults: { assert: [{ type: 'equals', path: '/lucky', value: true }] },
      cases: [
        { id: 'coin', input: { prompt: 'flip' }, repeat: 40 },
        { id: 'once', input: { prompt: 'once' } },
      ],
    };
    const dir = project({ luck: ds }, { sim: { passRate: { warn: 1, fail: 0 } } });
    const out = await run(dir, { engine: cmd(SEEDED), runId: 'flaky-1', stages: 'sim' });
    const coin = out.reportJson.stages.sim.cases.find((c: { id: string }) => c.id === 'coin');
    expect(coin.repeats).toBe(40);
    expect(coin.passes).toBeGreaterThan(0);
    expect(coin.passes).toBeLessThan(40);
    expect(coin.passRate).toBeCloseTo(coin.passes / 40, 4);
    expect(coin.wilson).toEqual(wilson(coin.passes, 40));
    expect(coin.wilson[0]).toBeLessThan(coin.passRate);
    expect(coin.wilson[1]).toBeGreaterThan(coin.passRate);
    expect(coin).toMatchObject({ flaky: true, status: 'flaky', passed: false });
    expect(out.reportJson.stages.sim.flaky).toBe(1);
    const once = out.reportJson.stages.sim.cases.find((c: { id: string }) => c.id === 'once');
    expect(once.wilson).toEqual(wilson(once.passes, 1));
    expect(once.flaky).toBe(false);
    const event = out.reportJson.warroom.find((f: { type: string }) => f.type === 'sim-case-flaky');
    expect(event).toMatchObject({ severity: 'MEDIUM', caseId: 'coin' });
    expect(event.message).toContain(`passed ${coin.passes}/40 (95% CI ${coin.wilson[0]}-${coin.wilson[1]})`);
  });
});
