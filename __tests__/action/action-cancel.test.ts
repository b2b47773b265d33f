import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { repoWith } from '../fixtures/action/repo.js';
import { readJson } from '../helpers/cli.js';
import { collect, E2E_TIMEOUT, startAction } from '../helpers/action.js';
import { withEmu } from '../helpers/github-emulator.js';

/** 60 cases at 1 s each, two at a time: half a minute of work, cancelled a moment in. */
const SLOW = { config: { reference: { latencyMs: 1000 }, sim: { concurrency: 2 } } };
const CASES = Array.from({ length: 60 }, (_, i) => ({ id: `c${i}`, ok: true }));

function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const onData = (d: Buffer) => {
      seen += d;
      if (pattern.test(seen)) {
        child.stdout!.off('data', onData);
        resolve();
      }
    };
    child.stdout!.on('data', onData);
    child.on('close', () => reject(new Error(`exited before ${pattern}:\n${seen}`)));
  });
}

describe('cancellation (SIGINT / SIGTERM from a cancelled job)', { timeout: E2E_TIMEOUT }, () => {
  it('SIGTERM: stops new work, writes the partial report, bundle, summary and outputs, uploads, exits within seconds', () =>
    withEmu(async (emu) => {
      const ws = repoWith(CASES, SLOW);
      const { child, files } = startAction({ workspace: ws, emu, inputs: { 'run-id': 'cancelled' } });
      const done = collect(child, files);
      await waitFor(child, /▶ sim/);
      const t0 = performance.now();
      child.kill('SIGTERM');
      const r = await done;
      const seconds = (performance.now() - t0) / 1000;
      expect(seconds).toBeLessThan(10); // the runner kills the process 10 s after its first signal

      expect(r.stdout).toMatch(/SIGTERM: the job is being cancelled; stopping new work/);
      expect(r.code).toBe(2);
      expect(r.outputs).toMatchObject({ result: 'error', promote: 'false' });
      const rd = path.join(ws, '.toron-testops/reports/cancelled');
      expect(r.outputs['report-path']).toBe(path.join(rd, 'report.json'));
      const report = readJson(path.join(rd, 'report.json'));
      expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true });
      expect(report.stages.sim.total ?? 0).toBeLessThan(60);
      expect(fs.existsSync(path.join(rd, 'bundle.zip'))).toBe(true);
      expect(r.outputs['bundle-path']).toBe(path.join(rd, 'bundle.zip'));
      expect(r.summary).toContain('ERROR');
      expect(r.stdout).toMatch(/::error title=toron-testops ERROR::toron-testops ERROR \(not a test verdict\)/);
      // The partial bundle made it within the budget.
      expect(emu.artifacts.find((a) => a.name === 'toron-testops-gate')?.finalized).toBe(true);
      expect(r.outputs['artifact-id']).not.toBe('');
    }));

  it('a cancel while the action is still loading is kept: the run does not start, and the outputs, report and summary say ERROR', () =>
    withEmu(async (emu) => {
      const ws = repoWith(CASES, SLOW);
      const { child, files } = startAction({ workspace: ws, emu, inputs: { 'run-id': 'early' } });
      const done = collect(child, files);
      // The first line is out before the steps load: the signal lands while they do.
      await waitFor(child, /starting/);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.signal).toBeNull();
      expect(r.stdout).toMatch(/SIGTERM: the job is being cancelled/);
      expect(r.stdout).not.toMatch(/▶ sim/);
      expect(r.code).toBe(2);
      expect(r.outputs).toMatchObject({ result: 'error', promote: 'false' });
      const report = readJson(path.join(ws, '.toron-testops/reports/early/report.json'));
      expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true });
      expect(report.stages.sim.verdict).toBe('SKIPPED');
      expect(r.summary).toContain('ERROR');
    }));

  it('a second signal exits at once, with the outputs known so far', () =>
    withEmu(async (emu) => {
      const ws = repoWith(CASES, SLOW);
      const { child, files } = startAction({ workspace: ws, emu, inputs: { 'run-id': 'twice' } });
      const done = collect(child, files);
      await waitFor(child, /▶ sim/);
      child.kill('SIGINT');
      await waitFor(child, /being cancelled/);
      child.kill('SIGINT');
      const r = await done;
      expect(r.stdout).toMatch(/SIGINT again: exiting now/);
      expect(r.code).not.toBe(0);
      expect(r.outputs.result).toBe('error');
      expect(r.outputs.promote).toBe('false');
    }));
});
