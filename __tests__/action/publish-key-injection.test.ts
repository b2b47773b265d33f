import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { makeProject } from '../helpers/cli.js';
import { withEmu, type GitHubEmulator } from '../helpers/github-emulator.js';
import { makeZip } from '../helpers/zip-writer.js';

/**
 * `mode: publish` without artifact-name takes the publication's key from the artifact's event.json,
 * which the fork PR's job wrote: the key names the check run the publish job creates with its write
 * token (`toron-testops (KEY)`) and sits in the PR comment's hidden marker. A genuine record holds the
 * artifact's name, which cannot contain < > : " and the like; a forged one put any text into the
 * check run's name on the PR ('gate) ✅ all passed (', markup). The marker percent-encodes the key.
 */
const HEAD = 'a'.repeat(40);
const PR_RUN = 700;
const REPORT = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/merge/legacy-replay-legs/clean-1/report.json'), 'utf8'));
const KEY = 'toron-testops-gate --> <img src=https://evil.example/p.png> @octocat <!--';

function publish(emu: GitHubEmulator) {
  const { shard: _shard, ...report } = REPORT;
  const bundle = makeZip([{ name: 'report.json', data: JSON.stringify({ ...report, runId: 'fork-run' }) }]);
  const event = { kind: 'toron-testops-event', version: 1, eventName: 'pull_request', prNumber: 42, headSha: HEAD, headRepo: `someone/${emu.repo}`, baseRepo: `${emu.owner}/${emu.repo}`, runId: PR_RUN, runAttempt: 1, artifactName: KEY, workingDirectory: '', actionVersion: '2.0.0' };
  emu.addRun({ id: PR_RUN, head_branch: 'feature', event: 'pull_request', conclusion: 'failure', head_repository: { full_name: `someone/${emu.repo}` } });
  emu.addArtifact(PR_RUN, 'toron-testops-gate', makeZip([{ name: 'bundle.zip', data: bundle }, { name: 'event.json', data: JSON.stringify(event) }]));
  emu.addPull(42, HEAD, { headRepo: `someone/${emu.repo}` });
  return runAction({
    workspace: makeProject({ 'README.md': 'base repository' }),
    emu,
    event: {
      action: 'completed',
      workflow_run: { id: PR_RUN, name: 'toron-testops', event: 'pull_request', status: 'completed', conclusion: 'failure', head_sha: HEAD, head_branch: 'feature', head_repository: { full_name: `someone/${emu.repo}` }, pull_requests: [], html_url: `https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}` },
      repository: { full_name: `${emu.owner}/${emu.repo}`, default_branch: 'main' },
    },
    eventName: 'workflow_run',
    inputs: { mode: 'publish', 'pr-comment': 'always' },
  });
}

describe('mode publish: a key from a forged event.json', { timeout: E2E_TIMEOUT }, () => {
  it('is not taken when no artifact could have that name: the check run is named after the artifact, the comment holds no HTML of it', () =>
    withEmu(async (emu) => {
      const r = await publish(emu);
      expect(r.code, r.stdout + r.stderr).not.toBe(2);
      const comments = emu.comments.get(42) ?? [];
      expect(comments, r.stdout).toHaveLength(1);
      const body = comments[0].body;
      // The only HTML in the body is the marker, one comment that ends where ours ends.
      const first = body.split('\n')[0];
      expect(first).toMatch(/^<!-- toron-testops:comment key="[^"]*" state="[A-Za-z0-9_-]*" -->$/);
      expect(first.indexOf('-->')).toBe(first.length - 3);
      expect(body).not.toMatch(/<img\b/);
      expect(body).not.toContain('@octocat');
      expect(emu.checkRuns.map((c) => c.name)).toEqual(['toron-testops (toron-testops-gate)']);
    }));
});
