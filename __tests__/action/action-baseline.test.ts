import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PASSING, repoWith } from '../fixtures/action/repo.js';
import { readJson, runCli } from '../helpers/cli.js';
import { annotations, E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { withEmu, type GitHubEmulator } from '../helpers/github-emulator.js';
import { makeZip } from '../helpers/zip-writer.js';

/** SIM + replay (one round, to stay quick): the replay stage is what uses a baseline. */
const CONFIG = { stages: ['sim', 'replay'], replay: { rounds: 1 } };
const DAY = 86_400_000;
const daysAgo = (d: number) => new Date(Date.now() - d * DAY).toISOString();

let bundle: Buffer;

beforeAll(async () => {
  // The bundle a base-branch run left: made by a real run of the same cases.
  const ws = repoWith(PASSING, { config: CONFIG });
  const r = await runCli(['run', '--run-id', 'base-run'], { cwd: ws, timeoutMs: 240_000 });
  expect(r.code, r.stdout + r.stderr).toBe(0);
  bundle = fs.readFileSync(path.join(ws, '.toron-testops/reports/base-run/bundle.zip'));
}, E2E_TIMEOUT);

/** A successful push run on main holding `artifact`, plus runs that must not be taken. */
function seedBaseBranch(emu: GitHubEmulator, artifact: Buffer, createdDaysAgo = 1): number {
  emu.addRun({ id: 500, head_branch: 'main', event: 'push', created_at: daysAgo(createdDaysAgo) });
  emu.addArtifact(500, 'toron-testops-gate', artifact);
  // Newer, but a PR run from a fork's branch that happens to be called main, and a failed push.
  emu.addRun({ id: 610, head_branch: 'main', event: 'pull_request', created_at: daysAgo(0.5), head_repository: { full_name: 'someone/engine' } });
  emu.addArtifact(610, 'toron-testops-gate', makeZip([{ name: 'bundle.zip', data: 'not this one' }]));
  emu.addRun({ id: 620, head_branch: 'main', event: 'push', conclusion: 'failure', created_at: daysAgo(0.2) });
  return 500;
}

describe.concurrent('baseline: auto', { timeout: E2E_TIMEOUT }, () => {
  it('takes the snapshot of the newest successful run on the base branch through findBy, unpacked safely', () =>
    withEmu(async (emu) => {
      seedBaseBranch(emu, makeZip([{ name: 'bundle.zip', data: bundle }]));
      const ws = repoWith(PASSING, { config: CONFIG });
      const r = await runAction({ workspace: ws, emu, inputs: { baseline: 'auto', 'run-id': 'with-base' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs.result).toBe('pass');
      expect(r.stdout).toMatch(/baseline from run 500 on main/);

      // The lookup: this run's workflow, its successful runs on main, the artifact by name, the zip redirect, the blob.
      expect(emu.requestsTo('GET', /\/actions\/runs\/9001$/)).toHaveLength(1);
      const list = emu.requestsTo('GET', /\/actions\/workflows\/77\/runs$/)[0];
      expect(list.query).toMatchObject({ branch: 'main', status: 'success' });
      expect(emu.requestsTo('GET', /\/actions\/runs\/500\/artifacts$/)).toHaveLength(1); // the run's artifacts, for the name's newest upload
      expect(emu.requestsTo('GET', /\/actions\/runs\/610\/artifacts$/)).toEqual([]);
      expect(emu.requestsTo('GET', /\/actions\/artifacts\/\d+\/zip$/)[0].status).toBe(302);
      expect(list.auth).toBe(`token ${emu.githubToken}`);

      const snapshot = path.join(ws, '.toron-testops/baseline/500/bundle/snapshot.json');
      expect(fs.existsSync(snapshot)).toBe(true);
      const report = readJson(path.join(ws, '.toron-testops/reports/with-base/report.json'));
      expect(report.stages.replay.drift).toMatchObject({ baselineRunId: 'base-run' });
      expect(report.warroom.map((f: { type: string }) => f.type)).not.toContain('baseline-unavailable');
      expect(r.summary).toMatch(/Baseline: run \[500\]\(https:\/\/github.com\/ryuzen\/engine\/actions\/runs\/500\) on main/);
    }));

  it('a base-branch run that was re-run: the snapshot of its newest upload (<name>-2, the successful attempt), not the failed first attempt\'s', () =>
    withEmu(async (emu) => {
      // Attempt 1 failed (its artifact is what a broken run leaves); the re-run passed, found the name taken and uploaded -2.
      emu.addRun({ id: 500, head_branch: 'main', event: 'push', created_at: daysAgo(1) });
      emu.addArtifact(500, 'toron-testops-gate', makeZip([{ name: 'bundle.zip', data: 'the failed attempt' }]));
      emu.addArtifact(500, 'toron-testops-gate.html', Buffer.from('<html></html>'), { mimeType: 'text/html' });
      const good = emu.addArtifact(500, 'toron-testops-gate-2', makeZip([{ name: 'bundle.zip', data: bundle }]));
      const ws = repoWith(PASSING, { config: CONFIG });
      const r = await runAction({ workspace: ws, emu, inputs: { baseline: 'auto', 'run-id': 'rerun-base', 'upload-artifact': 'false' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toContain(`artifact toron-testops-gate-2 (${good.id})`);
      expect(r.outputs.result, r.stdout).toBe('pass');
      expect(readJson(path.join(ws, '.toron-testops/reports/rerun-base/report.json')).stages.replay.drift).toMatchObject({ baselineRunId: 'base-run' });
    }));

  it('no successful run on the base branch: WARN with the reason (never ERROR), promote still true', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING, { config: CONFIG });
      const r = await runAction({ workspace: ws, emu, inputs: { baseline: 'auto', 'run-id': 'no-base' } });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs).toMatchObject({ result: 'warn', promote: 'true' });
      const warnings = annotations(r).filter((a) => a.command === 'warning');
      expect(warnings[0].message).toBe('baseline: auto: no successful run of this workflow on main yet; the run goes on without drift (WARN)');
      const report = readJson(path.join(ws, '.toron-testops/reports/no-base/report.json'));
      expect(report.verdict).toBe('WARN');
      expect(report.stages.replay.verdict).toBe('WARN');
      const f = report.warroom.find((x: { type: string }) => x.type === 'baseline-unavailable');
      expect(f).toMatchObject({ severity: 'MEDIUM', subsystem: 'replay' });
      expect(f.remediation).toMatch(/actions: read/);
    }));

  it('an artifact with an entry that would land outside the folder is refused whole: WARN, nothing written outside', () =>
    withEmu(async (emu) => {
      seedBaseBranch(emu, makeZip([{ name: 'bundle.zip', data: bundle }, { name: '../../../escaped.txt', data: 'pwned' }]));
      const ws = repoWith(PASSING, { config: CONFIG });
      const r = await runAction({ workspace: ws, emu, inputs: { baseline: 'auto' } });
      expect(r.code).toBe(0);
      expect(r.outputs.result).toBe('warn');
      expect(annotations(r).find((a) => a.command === 'warning')!.message).toMatch(
        /the artifact of run 500 is not usable: unsafe or damaged archive: refused: entry "..\/..\/..\/escaped.txt" would not stay inside the target folder \(".." segment\)/,
      );
      const target = path.join(ws, '.toron-testops/baseline/500/artifact');
      expect(fs.existsSync(path.resolve(target, '../../../escaped.txt'))).toBe(false);
      expect(fs.existsSync(path.join(target, 'bundle.zip'))).toBe(false);
    }));

  it('a stale baseline (the newest successful run is 40 days old) is a WARN with the age', () =>
    withEmu(async (emu) => {
      seedBaseBranch(emu, makeZip([{ name: 'bundle.zip', data: bundle }]), 40);
      emu.runs.splice(emu.runs.findIndex((r) => r.id === 610), 1); // only the old run is eligible anyway
      const r = await runAction({ workspace: repoWith(PASSING, { config: CONFIG }), emu, inputs: { baseline: 'auto', 'upload-artifact': 'false' } });
      expect(r.code).toBe(0);
      expect(r.outputs.result).toBe('warn');
      expect(r.stdout).toMatch(/the newest successful run on main \(500\) is 40 days old \(stale: over 30\)/);
      expect(emu.requestsTo('GET', /\/actions\/artifacts\/\d+\/zip$/)).toEqual([]);
    }));
});
