import { describe, expect, it } from 'vitest';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';
import { startReferenceServer } from '../../src/engine/reference/server.js';
import { DEFAULTS } from '../../src/settings/defaults.js';

/**
 * `--run-id` reproduces a run: the same run id against the same engine gives the same per-case
 * results. The reference engine's fault knobs (all seeded, DESIGN §3.1) drew from one stream per knob
 * in the order requests arrived, so with latency or concurrency (or over HTTP) which cases got an
 * injected error or a perturbed answer changed from run to run: 20 of 86 bundled cases differed
 * between two runs of one run id. Each draw is now a function of the knob seed, the request and how
 * many times that request was asked before, so a replayed request still gets a fresh draw.
 */
const cases = Array.from({ length: 24 }, (_, i) => ({
  id: `c${i}`,
  input: { prompt: `question number ${i}` },
  assert: [{ type: 'contains', value: 'question' }],
  repeat: 2,
}));
const files = {
  'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true }] },
  'sim/d.json': { name: 'd', defaults: { ignorePaths: ['/random_witness', '/state_snapshot/RWL_RESULT/model'] }, cases },
};

const perCase = (cwd: string, runId: string, out: string) =>
  readJson(`${reportDir(cwd, runId, out)}/report.json`).stages.sim.cases.map((c: any) => `${c.id}:${c.passes}/${c.repeats}`);
const hashes = (cwd: string, runId: string, out: string) =>
  readJson(`${cwd}/${out}/snapshots/${runId}.json`).cases.map((c: any) => `${c.id}:${c.status}:${c.hash ?? '-'}`);

describe('reference engine fault knobs and --run-id', () => {
  it('the same run id gives the same per-case results and answers, whatever the latency, concurrency or transport', async () => {
    const cwd = makeProject(files);
    const knobs = ['--error-rate', '0.3', '--nondeterminism', '0.4'];
    const a = await runCli(['run', '--engine', 'reference', ...knobs, '--latency-ms', '6', '--concurrency', '16', '--run-id', 'k1', '--stages', 'sim', '--out', 'a'], { cwd });
    const b = await runCli(['run', '--engine', 'reference', ...knobs, '--concurrency', '1', '--run-id', 'k1', '--stages', 'sim', '--out', 'b'], { cwd });
    expect(a.code, a.stderr).not.toBe(2);
    expect(b.code, b.stderr).not.toBe(2);
    const ra = perCase(cwd, 'k1', 'a');
    expect(ra.filter((x: string) => !x.endsWith(':2/2')).length).toBeGreaterThan(3); // the knobs did bite
    expect(perCase(cwd, 'k1', 'b')).toEqual(ra);
    expect(hashes(cwd, 'k1', 'b')).toEqual(hashes(cwd, 'k1', 'a'));

    const server = await startReferenceServer({ ...DEFAULTS.reference, errorRate: 0.3, nondeterminism: 0.4, latencyMs: 6 }, { port: 0 });
    try {
      const c = await runCli(['run', '--engine', `${server.url}/run`, '--concurrency', '16', '--run-id', 'k1', '--stages', 'sim', '--out', 'c'], { cwd });
      expect(c.code, c.stderr).not.toBe(2);
      expect(perCase(cwd, 'k1', 'c')).toEqual(ra);
      expect(hashes(cwd, 'k1', 'c')).toEqual(hashes(cwd, 'k1', 'a'));
    } finally {
      await server.close();
    }
  }, 90_000);
});
