import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';
import { openSnapshot } from '../../src/snapshot/reader.js';
import { THREAD_FROM_ANSWERS } from '../../src/snapshot/sink.js';
import { COMPACT_ABOVE_CASES } from '../../src/runner/finalise-run.js';

// A suite large enough for the snapshot to be written on a thread of its own, run from source (the
// thread through tsx) and from the committed build (dist/snapshot-thread): one snapshot either way.
// Large enough too for compact reports, whose case entries sim_summary.json and report.json share.
describe('a large run writes its snapshot on a thread of its own', () => {
  const n = Math.max(THREAD_FROM_ANSWERS, COMPACT_ABOVE_CASES) + 100;
  const cases = Array.from({ length: n }, (_, i) => ({
    id: `c${i}`,
    input: { prompt: `case ${i}: what is ${i} plus ${i}?` },
    assert: [{ type: 'contains', value: `case ${i}` }],
  }));
  const files = {
    'sim/sim_dataset.json': { datasets: [{ name: 'big', path: 'big.json', enabled: true, tags: [] }] },
    'sim/big.json': { name: 'big', description: 'generated', seed: 1, defaults: { assert: [], ignorePaths: ['/random_witness'] }, cases },
    'testops.config.json': { sim: { registry: 'sim/sim_dataset.json', concurrency: 8 } },
  };

  it('from source and from dist/, with the same cases, answers and hashes', async () => {
    const dir = makeProject(files);
    try {
      const args = ['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'big1', '--config', 'testops.config.json'];
      const src = await runCli([...args, '--out', 'out-src'], { cwd: dir, timeoutMs: 120_000 });
      expect(src.stderr).toBe('');
      expect(src.code, src.stdout).toBe(0);
      // With a V8 flag, as CI runners often set one: the thread inherits it (a Worker refuses it as execArgv).
      const built = spawnSync(process.execPath, ['--max-old-space-size=3072', path.join(ROOT, 'bin/toron-testops.js'), ...args, '--out', 'out-dist'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(built.stderr).toBe('');
      expect(built.status).toBe(0);
      for (const [out, stdout] of [['out-src', src.stdout], ['out-dist', built.stdout]] as const) {
        expect(stdout).toContain(`snapshot of ${n} case(s) written (on a thread of its own)`);
        expect(readJson(path.join(reportDir(dir, 'big1', out), 'report.json')).stages.sim.passed).toBe(n);
        expect(fs.readdirSync(path.join(dir, out, 'snapshots'))).toEqual(['big1.json']); // no spool left
        // Compact reports, the case entries written once and read back the same from both files.
        const reports = reportDir(dir, 'big1', out);
        const reportText = fs.readFileSync(path.join(reports, 'report.json'), 'utf8');
        expect(reportText.startsWith('{"')).toBe(true);
        const summary = readJson(path.join(reports, 'sim_summary.json'));
        expect(JSON.parse(reportText).stages.sim.cases).toEqual(summary.cases);
        expect(summary.cases).toHaveLength(n);
        // The bundle's snapshot entry carries the CRC its writer thread took: unzip checks it against the bytes.
        const zip = path.join(reports, 'bundle.zip');
        expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected in compressed data');
        const bundled = execFileSync('unzip', ['-p', zip, 'snapshot.json'], { maxBuffer: 256 << 20 });
        const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
        expect(sha(bundled)).toBe(sha(fs.readFileSync(path.join(dir, out, 'snapshots', 'big1.json'))));
      }
      const a = openSnapshot(path.join(dir, 'out-src/snapshots/big1.json'));
      const b = openSnapshot(path.join(dir, 'out-dist/snapshots/big1.json'));
      expect(a.entries.length).toBe(n);
      // Latencies are measured, so they differ; everything else is the same.
      const strip = (e: (typeof a.entries)[number]) => ({ ...e, latencyMs: 0 });
      expect(b.entries.map(strip)).toEqual(a.entries.map(strip));
      expect(a.entries.every((e) => e.status === 'ok' && /^[0-9a-f]{64}$/.test(e.hash!))).toBe(true);
      expect(b.readAnswer(n - 1)).toEqual(a.readAnswer(n - 1));
      expect(a.readAnswer(0)).not.toHaveProperty('random_witness');
      a.close();
      b.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
