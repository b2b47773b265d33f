import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runner/events.js';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { makeProject, readJson } from '../helpers/cli.js';

function project() {
  const cases = Array.from({ length: 4 }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert: [{ type: 'contains', value: 'question' }] }));
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', description: 'load cancel test', seed: 1, cases },
    'testops.config.json': { load: { rate: 20, duration: '30s', maxSchedulerLagMs: 5000 } },
  });
}

describe('a load run cancelled mid-way', () => {
  it('load_summary.json says it was cancelled and partial, as report.json does', async () => {
    const dir = project();
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', runId: 'lc1', stages: 'load' }, env: process.env });
    const ac = new AbortController();
    // Cancelled at the first progress line of the load (about 1 s into a 30 s plan).
    const sink = { name: 'cancel', handle: (e: RunEvent) => void (e.type === 'progress' && e.stage === 'load' && ac.abort(new Error('SIGINT'))) };
    const outcome = await runPipeline(settings, { env: process.env, signal: ac.signal, sinks: [sink] });
    const load = readJson(outcome.paths.report).stages.load;
    expect(load.cancelled).toBe(true);
    expect(load.reason).toMatch(/^cancelled, partial results: /);
    const summary = readJson(path.join(path.dirname(outcome.paths.report), 'load_summary.json'));
    expect(summary).toMatchObject({ runId: 'lc1', cancelled: true, verdict: load.verdict, reason: load.reason });
    expect(summary.sent).toBeLessThan(summary.plan.requests);
  });
});
