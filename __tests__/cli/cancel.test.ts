import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT, makeProject, readJson, reportDir, startCli } from '../helpers/cli.js';

const SILENT = `cmd:${process.execPath} ${path.join(ROOT, '__tests__/fixtures/engines/silent.mjs')}`;

function project(n: number, config: Record<string, unknown> = {}) {
  const cases = Array.from({ length: n }, (_, i) => ({ id: `c${i}`, input: { prompt: `question ${i}` }, assert: [{ type: 'contains', value: 'question' }] }));
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', description: 'cancel test', seed: 1, defaults: { assert: [] }, cases },
    'testops.config.json': config,
  });
}

/** Waits until the child's output holds `text`, then `afterMs` more; rejects if it exits first. */
function waitForOutput(child: ChildProcess, text: string, afterMs: number): Promise<string> {
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d: Buffer) => {
      out += d;
      if (out.includes(text)) {
        child.stdout!.off('data', on);
        child.stderr!.off('data', on);
        setTimeout(() => resolve(out), afterMs);
      }
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('close', () => reject(new Error(`exited before printing ${JSON.stringify(text)}:\n${out}`)));
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((r) => child.on('close', (code) => r(code)));

describe('cancelling a run (SIGINT, a real process)', () => {
  it('during the engine health check: only the cancellation is reported, not an unreachable engine', async () => {
    const dir = project(5);
    const child = startCli(['run', '--engine', SILENT, '--stages', 'sim', '--run-id', 'hc1'], { cwd: dir });
    const code = exited(child);
    await waitForOutput(child, 'health check', 800);
    child.kill('SIGINT');
    expect(await code).toBe(2);
    const report = readJson(path.join(reportDir(dir, 'hc1'), 'report.json'));
    expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true, error: null });
    const types = report.warroom.map((f: { type: string }) => f.type);
    expect(types).toEqual(['run-cancelled']);
    expect(report.stages.sim).toEqual({ verdict: 'SKIPPED', reason: 'run cancelled before this stage' });
  }, 60_000);

  it('before the first SIM answer: the reason says so, and there is no pass rate (not 0)', async () => {
    const dir = project(30, { sim: { concurrency: 2 } });
    const child = startCli(['run', '--engine', 'reference', '--latency-ms', '20000', '--stages', 'sim', '--run-id', 'sc1'], { cwd: dir });
    const code = exited(child);
    await waitForOutput(child, '▶ sim', 500);
    child.kill('SIGINT');
    expect(await code).toBe(2);
    const rd = reportDir(dir, 'sc1');
    const report = readJson(path.join(rd, 'report.json'));
    expect(report.stages.sim.verdict).toBe('ERROR');
    expect(report.stages.sim.reason).toBe('cancelled: the run was cancelled before any of the 30 selected case(s) finished');
    expect(report.stages.sim.passRate).toBeNull();
    expect(report.stages.sim.notRun).toBe(30);
    expect(readJson(path.join(rd, 'result.json')).metrics.simPassRate).toBeNull();
    // Its datasets have no pass rate either, and the page does not say every case passed.
    expect(report.stages.sim.datasets.map((d: { total: number; passRate: number | null }) => [d.total, d.passRate])).toEqual([[0, null]]);
    const html = fs.readFileSync(path.join(rd, 'report.html'), 'utf8');
    expect(html).toContain('No case was judged. 30 case(s) were not run.');
    expect(html).not.toContain('Every case passed.');
  }, 60_000);

  it('a second signal quits at once, with exit code 2 (ERROR), as result.json says: never a code outside 0/1/2', async () => {
    const dir = project(30, { sim: { concurrency: 2 } });
    const child = startCli(['run', '--engine', 'reference', '--latency-ms', '20000', '--stages', 'sim', '--run-id', 'twice'], { cwd: dir });
    const code = exited(child);
    await waitForOutput(child, '▶ sim', 500);
    child.kill('SIGINT');
    await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGINT');
    expect(await code).toBe(2);
  }, 60_000);
});
