import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { makeProject, readJson } from '../helpers/cli.js';

function project(load: Record<string, unknown>) {
  const cases = Array.from({ length: 4 }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert: [] }));
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', description: 'abortOnFail', seed: 1, cases },
    'testops.config.json': { load: { maxSchedulerLagMs: 5000, ...load } },
  });
}

describe("k6's abortOnFail", () => {
  it('built-in generator: a crossed abortOnFail threshold stops the load early, and the stage fails on it', async () => {
    // 100 ms answers against p(95)<50: crossed from the first second; the plan is 20 s.
    const dir = project({
      rate: 10,
      duration: '20s',
      thresholds: { http_req_duration: [{ threshold: 'p(95)<50', abortOnFail: true, delayAbortEval: '1s' }], http_req_failed: ['rate<0.01'] },
    });
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', latencyMs: 100, runId: 'ab1', stages: 'load' }, env: process.env });
    const outcome = await runPipeline(settings, { env: process.env });
    const load = readJson(outcome.paths.report).stages.load;
    expect(load.verdict).toBe('FAIL');
    expect(load.reason).toMatch(/^aborted at \d+\.\d s \(abortOnFail\): threshold\(s\) crossed: http_req_duration p\(95\)<50/);
    expect(load.aborted.atMs).toBeGreaterThanOrEqual(1000);
    expect(load.aborted.atMs).toBeLessThan(20_000);
    expect(load.cancelled).toBeUndefined();
    const summary = readJson(path.join(path.dirname(outcome.paths.report), 'load_summary.json'));
    expect(summary.sent).toBeLessThan(summary.plan.requests);
    expect(summary.thresholds.find((t: any) => t.expression === 'p(95)<50').passed).toBe(false);
  });

  it('no abort before delayAbortEval, nor when the threshold holds', async () => {
    const dir = project({
      rate: 10,
      duration: '2s',
      thresholds: { http_req_duration: [{ threshold: 'p(95)<50', abortOnFail: true, delayAbortEval: '1h' }, { threshold: 'max<60000', abortOnFail: true }] },
    });
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', latencyMs: 100, runId: 'ab2', stages: 'load' }, env: process.env });
    const outcome = await runPipeline(settings, { env: process.env });
    const load = readJson(outcome.paths.report).stages.load;
    expect(load.aborted).toBeUndefined();
    expect(load.verdict).toBe('FAIL'); // judged at the end as usual
    expect(readJson(path.join(path.dirname(outcome.paths.report), 'load_summary.json')).sent).toBe(20);
  });
});
