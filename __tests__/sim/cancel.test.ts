import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import type { RunEvent } from '../../src/runner/events.js';
import { markPartial, runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { makeProject, readJson } from '../helpers/cli.js';

function project(n: number) {
  const cases = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert: [{ type: 'contains', value: 'question' }] }));
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', description: 'cancel test', seed: 1, defaults: { assert: [] }, cases },
    'testops.config.json': { sim: { concurrency: 2 } },
  });
}

describe('a stage the cancellation stopped says it is partial', () => {
  it('markPartial: the verdict stays, the reason leads with "cancelled", the report says cancelled', () => {
    const load = { verdict: 'PASS' as const, reason: 'p95 120 ms', report: { generator: 'builtin' } };
    expect(markPartial(load, true)).toEqual({ ...load, reason: `cancelled, partial results: ${load.reason}`, report: { generator: 'builtin', cancelled: true } });
    expect(markPartial(load, false)).toBe(load);
    // A stage that says it finished its work before the signal, a skipped one, and one that already says so.
    expect(markPartial({ ...load, partial: false }, true).reason).toBe(load.reason);
    expect(markPartial({ verdict: 'SKIPPED', reason: 'x', report: {} }, true).reason).toBe('x');
    expect(markPartial({ verdict: 'FAIL', reason: 'cancelled: 3 of 9 done', report: {}, partial: true }, false)).toMatchObject({ reason: 'cancelled: 3 of 9 done', report: { cancelled: true } });
  });

  it('SIM cancelled after some cases: verdict over the cases run, the reason leads with "cancelled:", report.json still valid', async () => {
    const dir = project(80);
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', latencyMs: 40, runId: 'sp1', stages: 'sim' }, env: process.env });
    const ac = new AbortController();
    let cases = 0;
    const sink = { name: 'cancel', handle: (e: RunEvent) => void (e.type === 'case' && ++cases === 10 && ac.abort(new Error('test'))) };
    const outcome = await runPipeline(settings, { env: process.env, signal: ac.signal, sinks: [sink] });
    const report = readJson(outcome.paths.report);
    const sim = report.stages.sim;
    expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true });
    expect(sim.verdict).toBe('PASS');
    expect(sim.reason).toMatch(/^cancelled: \d+ of 80 case\(s\) run, partial: all \d+ cases passed$/);
    expect(sim.cancelled).toBe(true);
    expect(sim.notRun).toBeGreaterThan(0);
    expect(sim.total + sim.notRun).toBe(80);
    expect(validateReport(report)).toEqual({ ok: true });
    expect(readJson(outcome.paths.result).stages.sim).toBe('PASS');
  });

  it('SIM that finished all its cases is not partial', async () => {
    const dir = project(6);
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', runId: 'sp2', stages: 'sim' }, env: process.env });
    const outcome = await runPipeline(settings, { env: process.env });
    const sim = readJson(outcome.paths.report).stages.sim;
    expect(sim).toMatchObject({ verdict: 'PASS', reason: 'all 6 cases passed', passRate: 1 });
    expect(sim.cancelled).toBeUndefined();
  });
});
