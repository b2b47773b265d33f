import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { makeProject } from '../helpers/cli.js';
import { withEmu, type GitHubEmulator } from '../helpers/github-emulator.js';
import { makeZip } from '../helpers/zip-writer.js';

/**
 * `mode: publish` reads an artifact a fork PR's job made: untrusted data. When it is refused (an
 * entry that escapes, a report.json off the schema), the ERROR's reason quotes what was wrong, entry
 * names and member names included, and the job summary (built from the reason, as there is no report)
 * must show that text as text: no HTML (an <img> loading from another host), links or @-mentions.
 */
const HEAD = 'a'.repeat(40);
const NAME = 'toron-testops-gate';
const PR_RUN = 700;
const REPORT = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, '../fixtures/merge/legacy-replay-legs/clean-1/report.json'), 'utf8'));
const HOSTILE = '<img src="https://evil.example/x.png"> @octocat [x](https://evil.example)';

function publish(emu: GitHubEmulator, bundle: Buffer) {
  emu.addRun({ id: PR_RUN, head_branch: 'feature', event: 'pull_request', conclusion: 'failure', head_repository: { full_name: `someone/${emu.repo}` } });
  emu.addArtifact(PR_RUN, NAME, makeZip([{ name: 'bundle.zip', data: bundle }]));
  return runAction({
    workspace: makeProject({ 'README.md': 'base repository' }),
    emu,
    event: {
      action: 'completed',
      workflow_run: { id: PR_RUN, name: 'toron-testops', event: 'pull_request', status: 'completed', conclusion: 'failure', head_sha: HEAD, head_branch: 'feature', head_repository: { full_name: `someone/${emu.repo}` }, pull_requests: [], html_url: `https://github.com/${emu.owner}/${emu.repo}/actions/runs/${PR_RUN}` },
      repository: { full_name: `${emu.owner}/${emu.repo}`, default_branch: 'main' },
    },
    eventName: 'workflow_run',
    inputs: { mode: 'publish', 'artifact-name': NAME, 'pr-comment': 'always' },
  });
}

describe('mode publish refusing an artifact', { timeout: E2E_TIMEOUT }, () => {
  it.each([
    // A real report (a shard leg's, kept as a fixture) with a stage named with HTML that is no stage.
    ['a report.json member named with HTML', makeZip([{ name: 'report.json', data: JSON.stringify({ ...REPORT, stages: { ...REPORT.stages, [HOSTILE]: 5 } }) }])],
    ['an entry named with HTML that escapes', makeZip([{ name: 'report.json', data: '{}' }, { name: `../${HOSTILE}`, data: 'x' }])],
  ])('%s: the job summary quotes it as text', (_what, bundle) =>
    withEmu(async (emu) => {
      const r = await publish(emu, bundle);
      expect(r.code, r.stdout + r.stderr).toBe(2);
      expect(r.summary).toContain('octocat');
      expect(r.summary).not.toMatch(/<img\b/i);
      expect(r.summary).not.toContain('@octocat');
      // Brackets escaped, no :// to autolink: no link of theirs.
      expect(r.summary).not.toMatch(/(?<!\\)\]\(/);
      expect(r.summary).not.toContain('https://evil');
    }));
});
