import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

/** The last `[replay] progress` line of a run's run.log, as numbers. */
function lastReplayProgress(log: string): { done: number; total: number; failures: number; errors: number } {
  const lines = log.split('\n').filter((l) => l.includes('[replay] progress'));
  const m = /progress (\d+)\/(\d+) \d+\/s failures=(\d+) errors=(\d+)/.exec(lines.at(-1) ?? '');
  if (!m) throw new Error(`no replay progress line in:\n${log}`);
  return { done: Number(m[1]), total: Number(m[2]), failures: Number(m[3]), errors: Number(m[4]) };
}

describe('replay progress counts what the engine did', () => {
  it('failures are replay answers that differed from the snapshot; errors are engine errors', async () => {
    const dir = project({ d: dataset('d', 3) });
    // "question 1" answers differently on every call: its 3 replay answers all differ from its SIM answer.
    const flaky = await run(dir, { engine: cmd(DRIFT_ENGINE, '--flaky', 'question 1'), runId: 'flaky', stages: 'sim,replay' });
    expect(lastReplayProgress(fs.readFileSync(flaky.paths.runLog, 'utf8'))).toEqual({ done: 9, total: 9, failures: 3, errors: 0 });
    // The build breaks after SIM's 3 answers: every replay answer is an engine error.
    const broken = await run(dir, { engine: cmd(DRIFT_ENGINE, '--fail-from', '3'), runId: 'broken', stages: 'sim,replay' });
    expect(broken.reportJson.stages.sim.passed).toBe(3);
    expect(lastReplayProgress(fs.readFileSync(broken.paths.runLog, 'utf8'))).toEqual({ done: 9, total: 9, failures: 0, errors: 9 });
  });
});
