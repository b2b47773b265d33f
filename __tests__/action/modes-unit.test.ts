import { describe, expect, it } from 'vitest';
import { parseEventRecord } from '../../src/action/event-record.js';
import { shardLegs, shardPrefixes } from '../../src/action/merge-mode.js';
import { legName } from '../../src/action/prepare.js';
import { pickArtifact, resolvePr, triggeringRun } from '../../src/action/publish-source.js';

const SHA = 'a'.repeat(40);
const art = (name: string, id = 1) => ({ id, name, size: 10 });

describe('mode helpers', () => {
  it('legName: a shard leg gets -shard-<i>-of-<n>; shardLegs finds them in order, not the pages or other names', () => {
    expect(legName('gate', { index: 2, total: 3 })).toBe('gate-shard-2-of-3');
    expect(legName('gate', null)).toBe('gate');
    const list = [art('gate-shard-2-of-3', 2), art('gate-shard-1-of-3', 1), art('gate-shard-1-of-3.html', 3), art('gatex-shard-1-of-3', 4), art('gate', 5)];
    expect(shardLegs(list, 'gate').map((l) => [l.id, l.index, l.total])).toEqual([
      [1, 1, 3],
      [2, 2, 3],
    ]);
    expect(shardPrefixes(list)).toEqual(['gate', 'gatex']);
  });

  it('shardLegs: a leg re-run in a later attempt (its name taken, so uploaded as -2) replaces the attempt before it', () => {
    // Attempt 1: both legs; leg 2 failed and "Re-run failed jobs" ran it again, uploading gate-shard-2-of-2-2.
    const list = [art('gate-shard-1-of-2', 1000), art('gate-shard-2-of-2', 1008), art('gate-shard-2-of-2.html', 1012), art('gate-shard-2-of-2-2', 1016), art('gate-shard-2-of-2-2.html', 1020)];
    expect(shardLegs(list, 'gate').map((l) => [l.id, l.name, l.index, l.total])).toEqual([
      [1000, 'gate-shard-1-of-2', 1, 2],
      [1016, 'gate-shard-2-of-2-2', 2, 2],
    ]);
    // The newest, whatever order the service lists them in, and a third attempt over both.
    expect(shardLegs([art('gate-shard-1-of-2-3', 1030), art('gate-shard-1-of-2', 1000), art('gate-shard-1-of-2-2', 1016)], 'gate').map((l) => l.id)).toEqual([1030]);
    expect(shardPrefixes([art('gate-shard-2-of-2-2', 7)])).toEqual(['gate']);
  });

  it('triggeringRun: only a workflow_run event with a run id and a head sha', () => {
    expect(triggeringRun('push', {})).toEqual({ problem: expect.stringMatching(/triggered by workflow_run.*this event is push/) });
    expect(triggeringRun('workflow_run', { workflow_run: { id: 5, head_sha: 'nope' } })).toEqual({ problem: 'the workflow_run payload has no head_sha' });
    expect(triggeringRun('workflow_run', { workflow_run: { id: 5, head_sha: SHA, pull_requests: [{ number: 3, head: { sha: SHA } }, { number: 'x' }] } })).toEqual({
      id: 5,
      headSha: SHA,
      pullRequests: [{ number: 3, headSha: SHA }],
      conclusion: null,
    });
    expect(triggeringRun('workflow_run', { workflow_run: { id: 5, head_sha: SHA, conclusion: 'cancelled' } })).toMatchObject({ conclusion: 'cancelled' });
  });

  it('pickArtifact: the named one; unnamed, the only toron-testops report artifact (not pages, not shard legs)', () => {
    expect(pickArtifact([art('a'), art('b')], 'b')).toEqual(art('b'));
    expect(pickArtifact([art('a')], 'b')).toEqual({ problem: 'the run has no artifact named "b" (it has: a)' });
    expect(pickArtifact([art('toron-testops-gate'), art('toron-testops-gate.html'), art('toron-testops-gate-shard-1-of-2')], null)).toEqual(art('toron-testops-gate'));
    expect(pickArtifact([art('toron-testops-a'), art('toron-testops-b')], null)).toEqual({ problem: expect.stringMatching(/several report artifacts \(toron-testops-a, toron-testops-b\)/) });
  });

  it('pickArtifact: after a re-run, the newest upload of the name (taken by the attempt before, so <name>-2, -3), not the stale first attempt', () => {
    // Attempt 1 FAILed and uploaded toron-testops-gate; the re-run found the name taken and uploaded toron-testops-gate-2.
    const list = [art('toron-testops-gate', 10), art('toron-testops-gate.html', 11), art('toron-testops-gate-2', 20), art('toron-testops-gate-2.html', 21)];
    expect(pickArtifact(list, 'toron-testops-gate')).toEqual(art('toron-testops-gate-2', 20));
    expect(pickArtifact(list, null)).toEqual(art('toron-testops-gate-2', 20));
    expect(pickArtifact([...list, art('toron-testops-gate-3', 30), art('toron-testops-gate-shard-1-of-2-2', 40)], null)).toEqual(art('toron-testops-gate-3', 30));
    // Not the family: another name that only starts the same way.
    expect(pickArtifact([art('gate', 1), art('gate-x', 5), art('gate-2x', 6)], 'gate')).toEqual(art('gate', 1));
    expect(pickArtifact([art('toron-testops-a', 1), art('toron-testops-a-2', 2), art('toron-testops-b', 3)], null)).toEqual({ problem: expect.stringMatching(/several report artifacts/) });
  });

  it('resolvePr: the run\'s own PR list first; event.json\'s number only with the API\'s confirmation', async () => {
    const run = { id: 1, headSha: SHA, pullRequests: [] };
    const record = parseEventRecord(JSON.stringify({ kind: 'toron-testops-event', version: 1, prNumber: 9, headSha: SHA }))!;
    expect(await resolvePr(null, { owner: 'o', repo: 'r', run: { ...run, pullRequests: [{ number: 4, headSha: SHA }] }, record })).toEqual({ pr: 4, note: null, warning: null });
    expect((await resolvePr(null, { owner: 'o', repo: 'r', run, record })).warning).toMatch(/event\.json names PR #9, but without github-token it cannot be checked/);
    expect((await resolvePr(null, { owner: 'o', repo: 'r', run, record: null })).pr).toBeNull();
  });

  it('parseEventRecord: untrusted, so anything malformed is dropped rather than guessed', () => {
    expect(parseEventRecord('not json')).toBeNull();
    expect(parseEventRecord(JSON.stringify({ kind: 'other', version: 1 }))).toBeNull();
    expect(parseEventRecord('{"kind":"toron-testops-event","version":1,"pad":"' + 'x'.repeat(20_000) + '"}')).toBeNull();
    const r = parseEventRecord(JSON.stringify({ kind: 'toron-testops-event', version: 1, prNumber: -1, headSha: 'zz', headRepo: '../../x', runId: 12, eventName: 'pull_request' }))!;
    expect(r).toMatchObject({ prNumber: null, headSha: null, headRepo: null, runId: 12, eventName: 'pull_request' });
    const wd = (workingDirectory: unknown) => parseEventRecord(JSON.stringify({ kind: 'toron-testops-event', version: 1, workingDirectory }))!.workingDirectory;
    expect(wd('engine/sub')).toBe('engine/sub');
    for (const bad of ['../x', 'a/../../b', '/etc', 'C:/x', 'a\\b', 'a//b', './a', 'a\nb', 7, null]) expect(wd(bad), String(bad)).toBe('');
  });
});

describe('artifactServiceProblem', () => {
  it('says which variable is missing; on a server other than github.com it does not guess "not running in GitHub Actions?"', async () => {
    const { artifactServiceProblem } = await import('../../src/github/artifact.js');
    expect(artifactServiceProblem({ ACTIONS_RUNTIME_TOKEN: 't', ACTIONS_RESULTS_URL: 'http://127.0.0.1:1/' })).toBeNull();
    // Not in a job at all: the guess is right.
    expect(artifactServiceProblem({})).toMatch(/ACTIONS_RUNTIME_TOKEN, ACTIONS_RESULTS_URL not set.*not running in GitHub Actions\?/);
    // GitHub Enterprise Server: a job, with a runtime token, but no results service.
    const ghes = artifactServiceProblem({ GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://ghe.example.com/', ACTIONS_RUNTIME_TOKEN: 't' })!;
    expect(ghes).toContain('ACTIONS_RESULTS_URL is not set');
    expect(ghes).toContain('https://ghe.example.com');
    expect(ghes).not.toContain('ACTIONS_RUNTIME_TOKEN');
    expect(ghes).not.toMatch(/not running in GitHub Actions/);
    // github.com without the variables (a step that cleared them, a container job): as before.
    expect(artifactServiceProblem({ GITHUB_ACTIONS: 'true', GITHUB_SERVER_URL: 'https://github.com' })).toMatch(/not running in GitHub Actions\?/);
  });
});
