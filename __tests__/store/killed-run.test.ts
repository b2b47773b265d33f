import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli, startCli } from '../helpers/cli.js';

/**
 * A run killed with SIGKILL in its load stage, after SIM finished: the next run marks it ABORTED and
 * says "its partial WAR ROOM events and case results are kept". SIM's case results must then be in
 * the history: a stage's buffered rows are written when the stage finishes, not only at the run's end.
 */
describe('a run killed after SIM, during load', () => {
  it('keeps every SIM case result in the history', async () => {
    const cwd = makeProject({
      'testops.config.json': { load: { rate: 5, duration: '30s' } },
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': {
        name: 'tiny',
        cases: [
          { id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }], repeat: 2 },
          { id: 'two', input: { prompt: 'world' } },
        ],
      },
    });
    const args = ['run', '--engine', 'reference', '--config', 'testops.config.json', '--stages', 'sim,load', '--out', 'out'];
    const child = startCli([...args, '--run-id', 'killed'], { cwd });
    const runLog = path.join(cwd, 'out', 'reports', 'killed', 'run.log');
    for (let i = 0; i < 300 && !(fs.existsSync(runLog) && fs.readFileSync(runLog, 'utf8').includes('[load] started')); i++) await sleep(100);
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGKILL');
    await exited;

    const next = await runCli([...args, '--stages', 'sim', '--run-id', 'next'], { cwd });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    const db = new DatabaseSync(path.join(cwd, 'out', 'testops.db'));
    try {
      expect(db.prepare("SELECT status FROM test_runs WHERE run_id = 'killed'").get()).toEqual({ status: 'ABORTED' });
      const rows = db.prepare("SELECT case_id, repeat, passed FROM sim_results WHERE run_id = 'killed' ORDER BY case_id, repeat").all();
      expect(rows).toEqual([
        { case_id: 'one', repeat: 0, passed: 1 },
        { case_id: 'one', repeat: 1, passed: 1 },
        { case_id: 'two', repeat: 0, passed: 1 },
      ]);
    } finally {
      db.close();
    }
  });
});
