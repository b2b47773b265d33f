import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { FAILING, repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, runAction, type ActionResult } from '../helpers/action.js';
import { makeProject } from '../helpers/cli.js';
import { withEmu, type GitHubEmulator } from '../helpers/github-emulator.js';
import { makeZip, type ZipInput } from '../helpers/zip-writer.js';
import { extractZip, listZip, readZipFile } from '../../src/github/zip.js';
import { FORMAT_REVISION } from '../../src/util/tool.js';

/**
 * Fork PRs end to end: a `mode: run` job with a read-only token uploads bundle + event.json; a
 * `mode: publish` job (workflow_run) downloads that artifact from the emulated service and posts the
 * check run, the comment and the summary, without running anything of the PR.
 */
const HEAD = 'a'.repeat(40);
const NAME = 'toron-testops-gate';
const PR_RUN = 700;

let gate: ActionResult;
/** The artifact the gate uploaded, as the service stored it. */
let artifact: Buffer;
let bundle: Buffer;

beforeAll(async () => {
  await withEmu(async (emu) => {
    // The read-only token of a fork PR: every write answers 403.
    emu.fail('POST', /\/check-runs$/, 403);
    emu.fail('POST', /\/issues\/\d+\/comments$/, 403);
    emu.prFiles.set(42, ['sim/gate.json']);
    gate = await runAction({ workspace: repoWith(FAILING), emu, inputs: { annotations: 'checks', 'pr-comment': 'always', 'run-id': 'fork-run', 'artifact-name': NAME } });
    const a = emu.artifacts.find((x) => x.name === NAME);
    expect(a, gate.stdout).toBeDefined();
    artifact = emu.artifactBytes(a!)!;
    bundle = readZipFile(artifact, 'bundle.zip')!;
  });
}, E2E_TIMEOUT);

function workflowRunEvent(emu: GitHubEmulator, over: { pullRequests?: unknown[]; headSha?: string; conclusion?: string } = {}) {
  return {
    action: 'completed',
    workflow_run: {
      id: PR_RUN,
      name: 'toron-testops',
      event: 'pull_request',
      status: 'completed',
      conclusion: over.conclusion ?? 'failure',
      head_sha: over.headSha ?? HEAD,
      head_branch: 'feature',
      head_repository: { full_name: `someone/${emu.repo}` },
      pull_requests: over.pullRequests ?? [],
      html_url: `https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}`,
    },
    repository: { full_name: `${emu.owner}/${emu.repo}`, default_branch: 'main' },
  };
}

/** The publish workflow's job: no checkout of the PR, an empty workspace. */
function publishJob(emu: GitHubEmulator, inputs: Record<string, string> = {}, event: Record<string, unknown> = workflowRunEvent(emu), eventName = 'workflow_run') {
  return runAction({
    workspace: makeProject({ 'README.md': 'base repository' }),
    emu,
    event,
    eventName,
    inputs: { mode: 'publish', 'artifact-name': NAME, 'pr-comment': 'always', ...inputs },
  });
}

/** The PR's run, holding `bytes` as its report artifact; PR 42's head is the run's commit. */
function seedPrRun(emu: GitHubEmulator, bytes: Buffer, name = NAME): void {
  emu.addRun({ id: PR_RUN, head_branch: 'feature', event: 'pull_request', conclusion: 'failure', head_repository: { full_name: `someone/${emu.repo}` } });
  emu.addArtifact(PR_RUN, name, bytes);
  emu.addPull(42, HEAD, { headRepo: `someone/${emu.repo}` });
}

const eventJson = (over: Record<string, unknown>) =>
  JSON.stringify({ ...JSON.parse(readZipFile(artifact, 'event.json')!.toString('utf8')), ...over });

describe.concurrent('fork PRs: mode run, then mode publish from workflow_run', { timeout: E2E_TIMEOUT }, () => {
  it('mode run with a read-only token: 403s are warnings, the step ends per verdict, the artifact holds bundle.zip + event.json', () => {
    expect(gate.code, gate.stdout).toBe(1);
    expect(gate.outputs.result).toBe('fail');
    expect(gate.stdout).toMatch(/the token may not create check runs \(HTTP 403/);
    expect(annotations(gate).filter((a) => a.command === 'warning').map((a) => a.message)).toEqual([expect.stringMatching(/^PR comment not posted \(HTTP 403/)]);
    expect(listZip(artifact).map((e) => e.name).sort()).toEqual(['bundle.zip', 'event.json']);
    const ev = JSON.parse(readZipFile(artifact, 'event.json')!.toString('utf8'));
    expect(ev).toEqual({
      kind: 'toron-testops-event',
      version: 1,
      eventName: 'pull_request',
      prNumber: 42,
      headSha: HEAD,
      headRepo: 'ryuzen/engine',
      baseRepo: 'ryuzen/engine',
      runId: 9001,
      runAttempt: 1,
      artifactName: NAME,
      workingDirectory: '',
      actionVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
    });
    expect(readZipFile(bundle, 'report.json')).not.toBeNull();
  });

  it('mode publish: check run on the head commit with the annotation, sticky comment on the PR, summary from the report, outputs, exit per verdict', () =>
    withEmu(async (emu) => {
      seedPrRun(emu, artifact);
      emu.prFiles.set(42, ['sim/gate.json']);
      const r = await publishJob(emu);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.outputs).toMatchObject({ result: 'fail', promote: 'false', 'sim-pass-rate': '0.5', 'artifact-id': String(emu.artifacts[0].id) });
      expect(r.outputs['artifact-url']).toBe(`https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}/artifacts/${emu.artifacts[0].id}`);
      expect(fs.existsSync(r.outputs['report-path'])).toBe(true);

      expect(emu.checkRuns).toHaveLength(1);
      expect(emu.checkRuns[0]).toMatchObject({ name: `toron-testops (${NAME})`, head_sha: HEAD, conclusion: 'failure', status: 'completed' });
      expect(emu.checkRuns[0].annotations).toEqual([expect.objectContaining({ path: 'sim/gate.json', annotation_level: 'failure', title: 'toron-testops HIGH: sim-case-failed' })]);
      expect(emu.checkRuns[0].details_url).toBe(`https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}`);

      // The PR number came from event.json, confirmed through the API.
      expect(emu.requestsTo('GET', /\/pulls\/42$/)).toHaveLength(1);
      const comments = emu.comments.get(42) ?? [];
      expect(comments).toHaveLength(1);
      expect(comments[0].body.startsWith(`<!-- toron-testops:comment key="${NAME}" state="`)).toBe(true);
      expect(comments[0].body).toContain('toron-testops: FAIL');
      expect(comments[0].body).toContain(`/actions/runs/${PR_RUN}/artifacts/`);

      expect(r.summary).toContain('## ❌ toron-testops: FAIL');
      expect(r.summary).toContain(`Published from [run ${PR_RUN}]`);
      expect(r.summary).toMatch(new RegExp(`artifact \\[${NAME}\\]\\([^)]+/artifacts/\\d+\\) from attempt 1\\n`));
      // Nothing was uploaded by the publish job, and no workflow-command copy of the finding.
      expect(emu.requests.filter((q) => q.path.includes('CreateArtifact'))).toEqual([]);
      expect(annotations(r).filter((a) => a.props.title?.startsWith('toron-testops HIGH'))).toEqual([]);
    }));

  it('mode publish of a gate run with working-directory: the check run\'s annotations are on the repository path (event.json says where the run ran)', () =>
    withEmu(async (emu) => {
      const sub = await runAction({ workspace: repoWith(FAILING, { sub: 'engine' }), emu, inputs: { 'working-directory': 'engine', 'artifact-name': NAME, 'run-id': 'sub-run' } });
      expect(sub.code, sub.stdout).toBe(1);
      expect(annotations(sub).find((a) => a.props.title === 'toron-testops HIGH: sim-case-failed')!.props.file).toBe('engine/sim/gate.json');
      const uploaded = emu.artifactBytes(emu.artifacts.find((x) => x.name === NAME)!)!;
      expect(JSON.parse(readZipFile(uploaded, 'event.json')!.toString('utf8')).workingDirectory).toBe('engine');
      seedPrRun(emu, uploaded);
      const r = await publishJob(emu);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(emu.checkRuns[0].annotations).toEqual([expect.objectContaining({ path: 'engine/sim/gate.json', annotation_level: 'failure' })]);
    }));

  it('mode publish: the "Published from" line names the artifact and the attempt of the run it comes from (a re-run\'s -2 upload)', () =>
    withEmu(async (emu) => {
      seedPrRun(emu, artifact);
      emu.addArtifact(PR_RUN, `${NAME}-2`, makeZip([{ name: 'bundle.zip', data: bundle }, { name: 'event.json', data: eventJson({ runAttempt: 2 }) }]));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(1);
      const second = emu.artifacts.find((a) => a.name === `${NAME}-2`)!;
      expect(r.summary).toContain(`· artifact [${NAME}-2](https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}/artifacts/${second.id}) from attempt 2\n`);
    }));

  it('mode publish of a cancelled gate run (a superseded push) without an artifact: a cancelled check run saying nothing was judged, empty result, exit 0', () =>
    withEmu(async (emu) => {
      emu.addRun({ id: PR_RUN, head_branch: 'feature', event: 'pull_request', conclusion: 'cancelled', head_repository: { full_name: `someone/${emu.repo}` } });
      emu.addPull(42, HEAD, { headRepo: `someone/${emu.repo}` });
      const r = await publishJob(emu, {}, workflowRunEvent(emu, { conclusion: 'cancelled' }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs.result).toBe('');
      expect(r.outputs['artifact-id']).toBe('');
      expect(r.outputs.promote).toBe('false');
      expect(emu.checkRuns).toHaveLength(1);
      expect(emu.checkRuns[0]).toMatchObject({ name: `toron-testops (${NAME})`, head_sha: HEAD, conclusion: 'cancelled', status: 'completed' });
      const summary = emu.checkRuns[0].output.summary as string;
      expect(summary.split('\n')).toHaveLength(1);
      expect(summary).toMatch(new RegExp(`^The gate run \\[${PR_RUN}\\]\\(.*/actions/runs/${PR_RUN}\\) was cancelled: nothing was judged\\.`));
      expect(summary).toContain('no report artifact');
      expect(emu.checkRuns[0].annotations).toEqual([]);
      expect(emu.comments.size).toBe(0);
      expect(r.summary).toContain(summary);
      expect(annotations(r).filter((a) => a.command === 'error' || a.command === 'warning')).toEqual([]);
    }));

  it('mode publish of a cancelled gate run with a partial artifact: linked, its verdict in the outputs, no annotations or comment, exit 0', () =>
    withEmu(async (emu) => {
      seedPrRun(emu, artifact);
      const r = await publishJob(emu, {}, workflowRunEvent(emu, { conclusion: 'cancelled' }));
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const a = emu.artifacts[0];
      expect(r.outputs).toMatchObject({ result: 'fail', promote: 'false', 'artifact-id': String(a.id) });
      expect(fs.existsSync(r.outputs['report-path'])).toBe(true);
      expect(emu.checkRuns).toHaveLength(1);
      expect(emu.checkRuns[0]).toMatchObject({ head_sha: HEAD, conclusion: 'cancelled' });
      expect(emu.checkRuns[0].annotations).toEqual([]);
      const summary = emu.checkRuns[0].output.summary as string;
      expect(summary).toContain(`was cancelled: nothing was judged. Its partial report: artifact [${NAME}](https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}/artifacts/${a.id}) from attempt 1`);
      expect(emu.comments.size).toBe(0);
      expect(annotations(r).filter((x) => x.command === 'error')).toEqual([]);
    }));

  it('mode publish: a PR listed in workflow_run.pull_requests is used as is; fail-on never makes the FAIL exit 0', () =>
    withEmu(async (emu) => {
      seedPrRun(emu, artifact);
      const r = await publishJob(emu, { 'fail-on': 'never' }, workflowRunEvent(emu, { pullRequests: [{ number: 5, head: { sha: HEAD } }] }));
      expect(r.code, r.stdout).toBe(0);
      expect(r.outputs.result).toBe('fail');
      expect(emu.comments.get(5)).toHaveLength(1);
      expect(emu.comments.get(42)).toBeUndefined();
    }));

  it('mode publish: a forged event.json naming another PR → no comment there, a warning; the check still goes on the run\'s commit', () =>
    withEmu(async (emu) => {
      const forged = makeZip([
        { name: 'bundle.zip', data: bundle },
        { name: 'event.json', data: eventJson({ prNumber: 7 }) },
      ]);
      seedPrRun(emu, forged);
      emu.addPull(7, 'f'.repeat(40));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(1);
      expect(emu.comments.get(7)).toBeUndefined();
      expect(emu.comments.get(42)).toBeUndefined();
      expect(emu.requests.filter((q) => q.method === 'POST' && /comments$/.test(q.path))).toEqual([]);
      const w = annotations(r).filter((a) => a.command === 'warning').map((a) => a.message);
      expect(w).toEqual([expect.stringMatching(/^event\.json names PR #7, whose head is ffffffffffff, not the run's commit aaaaaaaaaaaa: not commenting there/)]);
      expect(r.summary).toMatch(/PR comment: none \(event\.json names PR #7/);
      expect(emu.checkRuns.map((c) => c.head_sha)).toEqual([HEAD]);
    }));

  const hostile: [string, ZipInput[]][] = [
    ['an entry "../x"', [{ name: 'bundle.zip', data: Buffer.alloc(0) }, { name: '../x', data: 'escaped' }]],
    ['a symbolic link', [{ name: 'report.json', data: '/etc/passwd', mode: 0o120777 }]],
  ];
  it.each(hostile)('mode publish: an artifact with %s is refused as a whole (ERROR), nothing written outside its folder', (_, entries) =>
    withEmu(async (emu) => {
      seedPrRun(emu, makeZip(entries));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(2);
      expect(r.outputs.result).toBe('error');
      expect(r.stdout).toMatch(/the report artifact of run 700 is not usable: unsafe or damaged archive: refused: entry "(\.\.\/x|report\.json)" would not stay inside the target folder \((".." segment|symbolic link)\)/);
      const work = path.join(path.dirname(r.files.output), `toron-testops-publish-${PR_RUN}`);
      expect(fs.existsSync(path.join(work, 'x'))).toBe(false);
      expect(fs.existsSync(path.join(work, 'unpacked', 'x'))).toBe(false);
      expect(fs.existsSync(path.join(work, 'unpacked', 'artifact'))).toBe(false);
      expect(emu.checkRuns).toEqual([]);
      expect(emu.comments.size).toBe(0);
    }),
  );

  it('mode publish: a bundle inside the artifact that tries to escape is refused too', () =>
    withEmu(async (emu) => {
      const evil = makeZip([{ name: 'report.json', data: '{}' }, { name: 'logs/../../../y', data: 'escaped' }]);
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: evil }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/refused: entry "logs\/\.\.\/\.\.\/\.\.\/y"/);
      const work = path.join(path.dirname(r.files.output), `toron-testops-publish-${PR_RUN}`);
      expect(fs.existsSync(path.join(work, 'y'))).toBe(false);
      expect(fs.existsSync(path.join(path.dirname(work), 'y'))).toBe(false);
    }));

  it('mode publish: a report.json that does not match the schema is an ERROR, and nothing is posted', () =>
    withEmu(async (emu) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-bad-'));
      extractZip(bundle, dir);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      const bad = makeZip([{ name: 'report.json', data: JSON.stringify({ ...report, verdict: 'PASS', warroom: 'none', extra: '<script>' }) }]);
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: bad }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/report\.json does not match the report schema: .*\/warroom must be array/);
      expect(emu.checkRuns).toEqual([]);
      expect(emu.comments.size).toBe(0);
    }));

  it('mode publish: a report.json with members this toron-testops does not know (a later release added them) is published', () =>
    withEmu(async (emu) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-later-'));
      extractZip(bundle, dir);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      report.futureRootField = { a: 1 };
      report.stages.sim.futureStageField = 'x';
      report.stages.sim.cases[0].futureCaseField = 'x';
      const later = makeZip([{ name: 'report.json', data: JSON.stringify(report) }]);
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: later }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(1);
      expect(r.outputs.result).toBe('fail');
      expect(emu.checkRuns).toHaveLength(1);
      expect(emu.checkRuns[0]).toMatchObject({ conclusion: 'failure' });
    }));

  it('mode publish: a report.json a newer toron-testops wrote (a newer schemaVersion) is an ERROR that says so, and nothing is posted', () =>
    withEmu(async (emu) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-newer-'));
      extractZip(bundle, dir);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      const newer = makeZip([{ name: 'report.json', data: JSON.stringify({ ...report, schemaVersion: 2, tool: { name: 'toron-testops', version: '2.4.0' } }) }]);
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: newer }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/report\.json has schemaVersion 2, newer than this toron-testops \(\S+\) reads \(1\): .*the same version of the action/);
      expect(emu.checkRuns).toEqual([]);
      expect(emu.comments.size).toBe(0);
    }));

  it('mode publish: a report.json of a newer format revision (same schemaVersion, newer meanings) is an ERROR that names both revisions, and nothing is posted', () =>
    withEmu(async (emu) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-newer-rev-'));
      extractZip(bundle, dir);
      const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      const newer = makeZip([{ name: 'report.json', data: JSON.stringify({ ...report, tool: { name: 'toron-testops', version: '2.3.0', formatRevision: FORMAT_REVISION + 1 } }) }]);
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: newer }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(2);
      expect(r.stdout).toMatch(
        new RegExp(`report\\.json is of format revision ${FORMAT_REVISION + 1} \\(toron-testops 2\\.3\\.0\\), newer than this toron-testops's format revision ${FORMAT_REVISION} .*the same version of the action in the gate and the publish workflow`),
      );
      expect(emu.checkRuns).toEqual([]);
      expect(emu.comments.size).toBe(0);
    }));

  it('mode publish: a report.json of an older format revision (a gate before revisions records none) is published, with a note naming both', () =>
    withEmu(async (emu) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-older-rev-'));
      extractZip(bundle, dir);
      const { tool: _tool, ...report } = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
      seedPrRun(emu, makeZip([{ name: 'bundle.zip', data: makeZip([{ name: 'report.json', data: JSON.stringify(report) }]) }, { name: 'event.json', data: eventJson({}) }]));
      const r = await publishJob(emu);
      expect(r.code, r.stdout).toBe(1);
      expect(r.stdout).toMatch(new RegExp(`the gate's report\\.json is of format revision 1 \\(none recorded: a toron-testops from before format revisions\\), older than this toron-testops's format revision ${FORMAT_REVISION}`));
      expect(emu.checkRuns).toHaveLength(1);
    }));

  it('mode publish: no such artifact, or not a workflow_run event → ERROR with the reason', () =>
    withEmu(async (emu) => {
      seedPrRun(emu, artifact, 'something-else');
      const missing = await publishJob(emu);
      expect(missing.code).toBe(2);
      expect(missing.outputs.result).toBe('error');
      expect(missing.stdout).toMatch(/ERROR \(not a test verdict\): mode: publish: the run has no artifact named "toron-testops-gate" \(it has: something-else\)/);

      const push = await publishJob(emu, {}, { repository: { full_name: `${emu.owner}/${emu.repo}` } }, 'push');
      expect(push.code).toBe(2);
      expect(push.stdout).toMatch(/mode: publish runs in a workflow triggered by workflow_run \(types: \[completed\]\); this event is push/);
    }));
});
