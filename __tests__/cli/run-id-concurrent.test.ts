import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli, startCli } from '../helpers/cli.js';

/**
 * Two runs of one run id at once in one --out (shard legs started with `&` and no --out of their own):
 * the second emptied the first's report folder mid-run, both wrote under one run id, and both exited 0
 * as if nothing happened. The second is now refused before it touches anything.
 */
const files = {
  'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
  'sim/tiny.json': {
    name: 'tiny',
    cases: Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, input: { prompt: `hello ${i}` }, assert: [{ type: 'contains', value: 'hello' }] })),
  },
};

describe('two runs of one run id in one out folder at once', () => {
  it('the second is refused (ERROR, exit 2, nothing touched); the first finishes whole', async () => {
    const cwd = makeProject(files);
    // ~6 cases x 700 ms one at a time: several seconds of SIM to start the second run in.
    const first = startCli(['run', '--engine', 'reference', '--latency-ms', '700', '--concurrency', '1', '--run-id', 'leg', '--stages', 'sim', '--out', 'out'], { cwd });
    let out1 = '';
    first.stdout!.on('data', (d) => (out1 += d));
    const exited = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
    while (!/\[sim\] 6 cases/.test(out1)) {
      await new Promise((r) => setTimeout(r, 50));
      if (first.exitCode !== null) throw new Error(`first run ended early: ${out1}`);
    }
    const runLog = path.join(cwd, 'out/reports/leg/run.log');
    const second = await runCli(['run', '--engine', 'reference', '--run-id', 'leg', '--stages', 'sim', '--shard', '2/2', '--out', 'out'], { cwd });
    expect(second.code, second.stdout + second.stderr).toBe(2);
    expect(second.stdout + second.stderr).toMatch(
      /run id leg is being run in out by another process \(pid \d+ on this host, started [^)]+\): two runs of one run id in one --out would delete and mix each other's files\. Give each run its own --out/,
    );
    expect(fs.existsSync(runLog)).toBe(true); // the first run's folder was not emptied
    expect(await exited).toBe(0);
    const report = readJson(path.join(cwd, 'out/reports/leg/report.json'));
    expect(report.verdict).toBe('PASS');
    expect(report.stages.sim.total).toBe(6);
    expect(report.shard ?? null).toBeNull();
    expect(fs.readdirSync(path.join(cwd, 'out/reports')).filter((n) => n.startsWith('.'))).toEqual([]); // the lock is gone
  }, 60_000);

  it("a lock left by a process that is gone (a killed run) is taken over", async () => {
    const cwd = makeProject(files);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    fs.mkdirSync(path.join(cwd, 'out/reports'), { recursive: true });
    const lock = path.join(cwd, 'out/reports/.leg.lock');
    fs.writeFileSync(lock, JSON.stringify({ pid: Number(dead.stdout), host: os.hostname(), token: 'x', startedAt: '2026-01-01T00:00:00.000Z' }));
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'leg', '--stages', 'sim', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fs.existsSync(lock)).toBe(false);
  }, 60_000);
});
