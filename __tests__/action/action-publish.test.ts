import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAILING, PASSING, repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, pullRequestEvent, runAction } from '../helpers/action.js';
import { withEmu } from '../helpers/github-emulator.js';

const findingErrors = (r: Awaited<ReturnType<typeof runAction>>) => annotations(r).filter((a) => a.props.title?.startsWith('toron-testops HIGH'));

describe.concurrent('publishing', { timeout: E2E_TIMEOUT }, () => {
  it('annotations: checks → one check run on the PR head commit, annotations on the dataset line, no workflow-command copies', () =>
    withEmu(async (emu) => {
      const ws = repoWith(FAILING);
      emu.prFiles.set(42, ['sim/gate.json']);
      const r = await runAction({ workspace: ws, emu, inputs: { annotations: 'checks', 'run-id': 'c1' } });
      expect(r.code, r.stdout).toBe(1);
      expect(emu.checkRuns).toHaveLength(1);
      const run = emu.checkRuns[0];
      expect(run).toMatchObject({ name: 'toron-testops (toron-testops-gate)', head_sha: 'a'.repeat(40), status: 'completed', conclusion: 'failure' });
      expect(run.annotations).toEqual([expect.objectContaining({ path: 'sim/gate.json', annotation_level: 'failure', title: 'toron-testops HIGH: sim-case-failed' })]);
      expect(run.output.title).toMatch(/^FAIL: sim FAIL/);
      expect(run.output.summary).toContain('toron-testops');
      expect(run.details_url).toBe(`https://github.com/${emu.owner}/${emu.repo}/actions/runs/${emu.runId}`);
      expect(findingErrors(r)).toEqual([]);
      expect(emu.requestsTo('GET', /\/pulls\/42\/files$/)).toHaveLength(1);
    }));

  it('annotations: checks with a read-only token (403) → workflow commands and an info line; the verdict is untouched', () =>
    withEmu(async (emu) => {
      emu.fail('POST', /\/check-runs$/, 403);
      const r = await runAction({ workspace: repoWith(FAILING), emu, inputs: { annotations: 'checks' } });
      expect(r.code).toBe(1);
      expect(r.outputs.result).toBe('fail');
      expect(r.stdout).toMatch(/annotations: checks: the token may not create check runs \(HTTP 403.*needs checks: write\); using workflow commands instead/);
      expect(findingErrors(r)).toHaveLength(1);
      expect(findingErrors(r)[0].props).toMatchObject({ file: 'sim/gate.json' });
    }));

  it('a fork PR: no check run and no comment attempted (read-only token), workflow commands, info lines', () =>
    withEmu(async (emu) => {
      const r = await runAction({
        workspace: repoWith(FAILING),
        emu,
        event: pullRequestEvent(emu, { fork: true }),
        inputs: { annotations: 'checks', 'pr-comment': 'always' },
      });
      expect(r.code).toBe(1);
      expect(emu.requestsTo('POST', /\/check-runs$/)).toEqual([]);
      expect(emu.requestsTo('POST', /\/comments$/)).toEqual([]);
      expect(r.stdout).toMatch(/this pull request comes from a fork, whose token cannot create check runs; using workflow commands instead/);
      expect(r.stdout).toMatch(/pr-comment: this pull request comes from a fork.*workflow_run/);
      expect(findingErrors(r)).toHaveLength(1);
    }));

  it('pr-comment: always → one sticky comment with the summary, edited in place on the next run', () =>
    withEmu(async (emu) => {
      const ws = repoWith(FAILING);
      emu.addComment(42, 'unrelated review comment', { login: 'dev', type: 'User' });
      const first = await runAction({ workspace: ws, emu, inputs: { 'pr-comment': 'always', 'run-id': 'k1' } });
      expect(first.code).toBe(1);
      const mine = emu.comments.get(42)!.filter((c) => c.body.includes('toron-testops:comment'));
      expect(mine).toHaveLength(1);
      const body = mine[0].body;
      expect(body.startsWith('<!-- toron-testops:comment key="toron-testops-gate" state="')).toBe(true);
      expect(body).toContain('FAIL');
      expect(body).toContain(`[report bundle](https://github.com/${emu.owner}/${emu.repo}/actions/runs/${emu.runId}/artifacts/`);
      expect(body.length).toBeLessThanOrEqual(60_000);

      const second = await runAction({ workspace: ws, emu, inputs: { 'pr-comment': 'always', 'run-id': 'k2', 'artifact-name': 'toron-testops-gate' } });
      expect(second.code).toBe(1);
      const after = emu.comments.get(42)!.filter((c) => c.body.includes('toron-testops:comment'));
      expect(after).toHaveLength(1);
      expect(after[0].id).toBe(mine[0].id);
      expect(after[0].updates).toBe(1);
      expect(after[0].body).toContain('k2');
      expect(second.stdout).toMatch(/PR comment updated: https:\/\/github.com\/.*#issuecomment-/);
      // The second run's name was taken by the first run of this test's workflow run: -2.
      expect(second.outputs['artifact-id']).toBe(String(emu.artifacts.find((a) => a.name === 'toron-testops-gate-2')!.id));
    }));

  it('an ERROR check run says "not a test verdict" once in its title', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { annotations: 'checks', engine: 'http://127.0.0.1:1/run', 'run-id': 'err-title' } });
      expect(r.code).toBe(2);
      const run = emu.checkRuns.at(-1)!;
      expect(run.conclusion).toBe('failure');
      expect(run.output.title).toMatch(/^ERROR \(not a test verdict\): /);
      expect(run.output.title).not.toMatch(/not a test verdict\).*not a test verdict\)/);
    }));

  it('a 403 on the comment is a warning, never a FAIL: PASS stays PASS with exit 0', () =>
    withEmu(async (emu) => {
      emu.fail('POST', /\/issues\/42\/comments$/, 403);
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { 'pr-comment': 'always' } });
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.result).toBe('pass');
      const w = annotations(r).filter((a) => a.command === 'warning');
      expect(w.map((a) => a.message)).toEqual([expect.stringMatching(/^PR comment not posted \(HTTP 403: Resource not accessible by integration\): the token needs pull-requests: write/)]);
      expect(r.summary).toMatch(/PR comment: not posted \(HTTP 403/);
    }));

  it('pr-comment: on-change creates once, then leaves an identical result alone (its state ignores run ids and times)', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING);
      await runAction({ workspace: ws, emu, inputs: { 'pr-comment': 'on-change', 'artifact-name': 'leg' } });
      expect(emu.comments.get(42)).toHaveLength(1);
      expect(emu.comments.get(42)![0].body.startsWith('<!-- toron-testops:comment key="leg" state="')).toBe(true);
      const again = await runAction({ workspace: ws, emu, inputs: { 'pr-comment': 'on-change', 'artifact-name': 'leg' } });
      expect(again.stdout).toMatch(/PR comment unchanged/);
      expect(emu.comments.get(42)).toHaveLength(1);
      expect(emu.comments.get(42)![0].updates).toBe(0);
    }));

  it('artifact names: a name taken in this run (matrix legs) gets -2, a 409 race the next suffix; no single-file support: the page stays in the bundle', () =>
    withEmu(async (emu) => {
      emu.singleFileArtifacts = false;
      emu.addArtifact(emu.runId, 'results', Buffer.from('other leg'));
      emu.fail('POST', /CreateArtifact$/, 409, 'an artifact with this name already exists on the workflow run', 1);
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { 'artifact-name': 'results' } });
      expect(r.code).toBe(0);
      const creates = emu.requestsTo('POST', /CreateArtifact$/).map((q) => [q.body.name, q.status]);
      expect(creates).toEqual([
        ['results-2', 409],
        ['results-3', 200],
        ['results-3.html', 400],
      ]);
      expect(r.outputs['artifact-id']).toBe(String(emu.artifacts.find((a) => a.name === 'results-3')!.id));
      expect(r.stdout).toContain('artifact name results is taken in this run; uploaded as results-3');
      expect(r.stdout).toMatch(/report.html not uploaded as its own file .*only zip artifacts are supported.*; it is inside the bundle/);
      expect(annotations(r).filter((a) => a.command === 'warning')).toEqual([]);
    }));

  it('upload-artifact: false, job-summary: false, fail-on: never: no artifact calls, no summary, FAIL exits 0, all outputs there', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(FAILING), emu, inputs: { 'upload-artifact': 'false', 'job-summary': 'false', 'fail-on': 'never' } });
      expect(r.code).toBe(0);
      expect(r.outputs).toMatchObject({ result: 'fail', promote: 'false', 'artifact-id': '', 'artifact-url': '' });
      // The step passes, but the FAIL is at least as visible as a WARN would be: a warning annotation.
      expect(annotations(r).at(-1)).toMatchObject({ command: 'warning', props: { title: 'toron-testops FAIL' } });
      expect(annotations(r).at(-1)!.message).toMatch(/^toron-testops FAIL: .*\(fail-on: never: the step passes\)$/);
      expect(emu.requests.filter((q) => q.path.includes('twirp'))).toEqual([]);
      expect(r.summary).toBe('');
      expect(Object.keys(r.outputs).sort()).toEqual(
        [
          'artifact-id', 'artifact-url', 'bundle-path', 'bundle-sha256', 'determinism-score', 'p95-ms', 'promote', 'report-path', 'result', 'sim-pass-rate', 'warroom-critical',
          // mode: compare's, empty in mode run
          'pass-rate-delta', 'p95-delta-ms', 'determinism-delta', 'comparison-path',
        ].sort(),
      );
    }));

  it('a summary over 1 MiB: listed findings counted truly in the publishing note, no relative report links', () =>
    withEmu(async (emu) => {
      // 3,000 failing cases with long ids: their finding lines are far more than 1 MiB.
      const cases = Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}-${'x'.repeat(150)}`, ok: false }));
      const r = await runAction({ workspace: repoWith(cases), emu, inputs: { 'run-id': 'big', 'upload-artifact': 'false' } });
      expect(r.code, r.stderr).toBe(1);
      expect(Buffer.byteLength(r.summary)).toBeLessThanOrEqual(1024 * 1024);
      expect(r.summary).toMatch(/\*\*truncated:\*\* [\d,]+ more items not shown; the full report is in the bundle \(bundle\.zip\)\./);
      expect(r.summary).not.toMatch(/\]\(<?(report\.html|report\.json|bundle\.zip)>?\)/);
      const listed = r.summary.split('\n').filter((l) => /^- \S+ \*\*HIGH\*\* /.test(l)).length;
      expect(listed).toBeGreaterThan(100);
      expect(listed).toBeLessThan(3000);
      const note = /- Annotations: (\d+) of 3000 finding\(s\); (\d+) more are not annotations: every finding is in report\.json \(in \.toron-testops\/reports\/big on the runner \(upload-artifact is false: nothing was uploaded\)\); this summary lists (\d+) of the 3000/.exec(r.summary);
      // Nothing was uploaded, so the cut note must not send readers to an artifact.
      expect(r.summary).not.toContain('in the artifact');
      expect(note, r.summary.slice(-2000)).not.toBeNull();
      expect(Number(note![1]) + Number(note![2])).toBe(3000);
      expect(Number(note![3])).toBe(listed);
    }));

  it('working-directory: paths resolve there, annotations point at the file from the repository root', () =>
    withEmu(async (emu) => {
      const ws = repoWith(FAILING, { sub: 'services/engine' });
      const r = await runAction({ workspace: ws, emu, inputs: { 'working-directory': 'services/engine', 'run-id': 'wd' } });
      expect(r.code).toBe(1);
      expect(findingErrors(r)[0].props.file).toBe('services/engine/sim/gate.json');
      expect(r.outputs['report-path']).toBe(path.join(ws, 'services/engine/.toron-testops/reports/wd/report.json'));
    }));

});
