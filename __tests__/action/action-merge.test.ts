import { describe, expect, it } from 'vitest';
import { repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { readJson } from '../helpers/cli.js';
import { withEmu } from '../helpers/github-emulator.js';
import { listZip } from '../../src/github/zip.js';

/** Eight cases, two failing: enough for every leg of a 3-way split to hold some. */
const CASES = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((id) => ({ id, ok: id !== 'c' && id !== 'f' }));

type CaseRow = { id: string; passed: boolean };
const caseResults = (report: { stages: { sim: { cases: CaseRow[] } } }) =>
  report.stages.sim.cases.map((c) => [c.id, c.passed]).sort((x, y) => String(x[0]).localeCompare(String(y[0])));

describe('mode merge', { timeout: E2E_TIMEOUT }, () => {
  it('the shard legs\' artifacts of this run → one merged artifact, with the verdict and case results of the unsharded run', () =>
    withEmu(async (emu) => {
      const legs = await Promise.all(
        [1, 2, 3].map((i) => runAction({ workspace: repoWith(CASES), emu, inputs: { shard: `${i}/3`, 'artifact-name': 'gate', 'run-id': 'm-run', 'fail-on': 'never' } })),
      );
      for (const l of legs) expect(l.code, l.stdout + l.stderr).toBe(0);
      expect(emu.artifacts.map((a) => a.name).filter((n) => n.startsWith('gate-shard-') && !n.endsWith('.html')).sort()).toEqual([
        'gate-shard-1-of-3',
        'gate-shard-2-of-3',
        'gate-shard-3-of-3',
      ]);

      const [merged, whole] = await Promise.all([
        runAction({ workspace: repoWith(CASES), emu, inputs: { mode: 'merge', 'artifact-name': 'gate' } }),
        runAction({ workspace: repoWith(CASES), emu: null, inputs: { 'run-id': 'm-run', 'upload-artifact': 'false' } }),
      ]);
      expect(whole.code).toBe(1);
      expect(merged.code, merged.stdout + merged.stderr).toBe(1);
      // A merge runs no engine: its log does not name a run id and engine of its own.
      expect(merged.stdout).toContain("toron-testops: mode merge: this workflow run's shard artifacts into one report");
      expect(merged.stdout).not.toMatch(/toron-testops: run \S+, engine /);
      expect(merged.outputs.result).toBe(whole.outputs.result);
      expect(merged.outputs['sim-pass-rate']).toBe(whole.outputs['sim-pass-rate']);
      const mergedCases = caseResults(readJson(merged.outputs['report-path']));
      expect(mergedCases).toHaveLength(8);
      expect(mergedCases.filter((c) => c[1] === false).map((c) => c[0])).toEqual(['c', 'f']);
      expect(mergedCases).toEqual(caseResults(readJson(whole.outputs['report-path'])));
      // Each leg ran only its slice (hash-partitioned: a leg may hold none).
      const legCases = legs.map((l) => (readJson(l.outputs['report-path']).stages.sim.cases ?? []).length);
      expect(legCases.reduce((a, b) => a + b, 0)).toBe(8);
      expect(Math.max(...legCases)).toBeLessThan(8);

      const out = emu.artifacts.find((a) => a.name === 'gate');
      expect(out, merged.stdout).toBeDefined();
      expect(merged.outputs['artifact-id']).toBe(String(out!.id));
      expect(listZip(emu.artifactBytes(out!)!).map((e) => e.name).sort()).toEqual(['bundle.zip', 'event.json']);

      // Without artifact-name (the legs ran in another job, under another default name): the one set of legs there is.
      const unnamed = await runAction({ workspace: repoWith(CASES), emu, inputs: { mode: 'merge' } });
      expect(unnamed.code, unnamed.stdout).toBe(1);
      expect(unnamed.stdout).toContain('shard 1/3: artifact gate-shard-1-of-3');
      expect(unnamed.stdout).toContain('artifact name gate is taken in this run; uploaded as gate-2');
    }));

  it('after "Re-run failed jobs": merge says which artifact and attempt each leg comes from, and warns that the legs come from different attempts', () =>
    withEmu(async (emu) => {
      const leg = (i: number, attempt: string) =>
        runAction({ workspace: repoWith(CASES), emu, env: { GITHUB_RUN_ATTEMPT: attempt }, inputs: { shard: `${i}/2`, 'artifact-name': 'gate', 'run-id': 'r-run', 'fail-on': 'never' } });
      for (const l of await Promise.all([leg(1, '1'), leg(2, '1')])) expect(l.code, l.stdout + l.stderr).toBe(0);
      const again = await leg(2, '2');
      expect(again.code, again.stdout + again.stderr).toBe(0);
      const ids = Object.fromEntries(emu.artifacts.map((a) => [a.name, a.id]));
      expect(ids['gate-shard-2-of-2-2']).toBeDefined();

      const merged = await runAction({ workspace: repoWith(CASES), emu, env: { GITHUB_RUN_ATTEMPT: '2' }, inputs: { mode: 'merge', 'artifact-name': 'gate', 'fail-on': 'never' } });
      expect(merged.code, merged.stdout + merged.stderr).toBe(0);
      expect(merged.stdout).toContain(`shard 1/2: artifact gate-shard-1-of-2 (${ids['gate-shard-1-of-2']}) from attempt 1`);
      expect(merged.stdout).toContain(`shard 2/2: artifact gate-shard-2-of-2-2 (${ids['gate-shard-2-of-2-2']}) from attempt 2`);
      const w = annotations(merged).filter((a) => a.command === 'warning').map((a) => a.message);
      expect(w).toContainEqual(expect.stringMatching(/^mode: merge: the legs come from different attempts of this workflow run \(shard 1\/2: attempt 1; shard 2\/2: attempt 2\)/));
    }));

  it('legs of one attempt: no attempt warning', () =>
    withEmu(async (emu) => {
      const legs = await Promise.all([1, 2].map((i) => runAction({ workspace: repoWith(CASES), emu, inputs: { shard: `${i}/2`, 'artifact-name': 'gate', 'run-id': 'o-run', 'fail-on': 'never' } })));
      for (const l of legs) expect(l.code, l.stdout + l.stderr).toBe(0);
      const merged = await runAction({ workspace: repoWith(CASES), emu, inputs: { mode: 'merge', 'artifact-name': 'gate', 'fail-on': 'never' } });
      expect(merged.code, merged.stdout + merged.stderr).toBe(0);
      expect(merged.stdout).toContain('shard 2/2: artifact gate-shard-2-of-2 (');
      expect(merged.stdout).toContain(') from attempt 1');
      expect(merged.stdout).not.toMatch(/different attempts/);
    }));

  it('no shard artifacts in this run → ERROR naming what it looked for', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(CASES), emu, inputs: { mode: 'merge', 'artifact-name': 'gate' } });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/mode: merge: this run has no shard artifacts named gate-shard-<i>-of-<n>/);
    }));
});
