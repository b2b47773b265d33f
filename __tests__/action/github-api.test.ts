import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOctokit, describeHttpError, isPermissionError, isRateLimited, type Octokit } from '../../src/github/octokit.js';
import { batches, CheckRunIncomplete, conclusionFor, postCheckRun } from '../../src/github/checks.js';
import { commentBody, findSticky, marker, upsertSticky } from '../../src/github/comment.js';
import { listChangedFiles } from '../../src/github/pr-files.js';
import { startEmulator, type GitHubEmulator } from '../helpers/github-emulator.js';

let emu: GitHubEmulator;
let octokit: Octokit;

beforeAll(async () => {
  emu = await startEmulator();
  octokit = await createOctokit(emu.githubToken, emu.url);
});
afterAll(() => emu.close());

const ann = (i: number) => ({ path: 'sim/a.json', start_line: i, end_line: i, annotation_level: 'failure' as const, title: 't', message: `m${i}` });

describe('check runs (real Octokit against the local API)', () => {
  it('conclusion: success / neutral / failure for PASS / WARN / FAIL; ERROR fails; cancelled is cancelled', () => {
    expect(['PASS', 'WARN', 'FAIL', 'ERROR'].map((v) => conclusionFor(v as never, false))).toEqual(['success', 'neutral', 'failure', 'failure']);
    expect(conclusionFor('PASS', true)).toBe('cancelled');
    expect(batches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('120 annotations go in batches of 50: created in progress, updated, completed with the last batch', async () => {
    const r = await postCheckRun(octokit, {
      owner: emu.owner,
      repo: emu.repo,
      name: 'toron-testops (gate)',
      headSha: 'a'.repeat(40),
      conclusion: 'failure',
      title: 'FAIL',
      summary: 'x'.repeat(70_000),
      annotations: Array.from({ length: 120 }, (_, i) => ann(i + 1)),
    });
    expect(r.requests).toBe(3);
    const run = emu.checkRuns.find((c) => c.id === r.id)!;
    expect(run.annotations.map((a) => a.start_line)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure', head_sha: 'a'.repeat(40), requests: 3 });
    const posts = emu.requestsTo('POST', /\/check-runs$/).filter((q) => q.body.name === 'toron-testops (gate)');
    expect(posts.at(-1)!.body.status).toBe('in_progress');
    expect(posts.at(-1)!.body.output.summary.length).toBeLessThanOrEqual(65_535);
    expect(posts.at(-1)!.auth).toBe(`token ${emu.githubToken}`);
  });

  it('a summary or title cut to the API\'s limits is cut at a character: never half of an emoji (the summary\'s severity icons)', async () => {
    const r = await postCheckRun(octokit, {
      owner: emu.owner,
      repo: emu.repo,
      name: 'emoji',
      headSha: 'c'.repeat(40),
      conclusion: 'failure',
      title: `${'t'.repeat(254)}😀`,
      summary: `${'x'.repeat(65_494)}🟠 HIGH${'y'.repeat(100)}`,
      annotations: [],
    });
    const out = emu.checkRuns.find((c) => c.id === r.id)!.output;
    const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
    expect(out.summary!.length).toBeLessThanOrEqual(65_535);
    expect(out.summary).not.toMatch(lone);
    expect(out.title!.length).toBeLessThanOrEqual(255);
    expect(out.title).not.toMatch(lone);
  });

  it('a later batch refused: the run is concluded anyway (never left in progress) and the caller told how far it got', async () => {
    emu.fail('PATCH', /\/check-runs\/\d+$/, 500, 'boom', 1);
    let caught: unknown;
    try {
      await postCheckRun(octokit, {
        owner: emu.owner,
        repo: emu.repo,
        name: 'partial',
        headSha: 'd'.repeat(40),
        conclusion: 'failure',
        title: 'FAIL',
        summary: 's',
        annotations: Array.from({ length: 60 }, (_, i) => ann(i + 1)),
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(CheckRunIncomplete);
    expect((caught as CheckRunIncomplete).run).toMatchObject({ sent: 50, total: 60, concluded: true });
    const run = emu.checkRuns.find((c) => c.id === (caught as CheckRunIncomplete).run.id)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.annotations).toHaveLength(50);
  });

  it('one batch: a single request, completed at once', async () => {
    const r = await postCheckRun(octokit, {
      owner: emu.owner,
      repo: emu.repo,
      name: 'single',
      headSha: 'b'.repeat(40),
      conclusion: 'success',
      title: 'PASS',
      summary: 'ok',
      annotations: [ann(1)],
    });
    expect(r.requests).toBe(1);
    expect(emu.checkRuns.find((c) => c.id === r.id)).toMatchObject({ status: 'completed', conclusion: 'success' });
  });

  it('a read-only token (403) surfaces as a permission error', async () => {
    emu.fail('POST', /\/check-runs$/, 403, 'Resource not accessible by integration', 1);
    const err = await postCheckRun(octokit, { owner: emu.owner, repo: emu.repo, name: 'x', headSha: 'c', conclusion: 'success', title: 't', summary: 's', annotations: [] }).catch((e) => e);
    expect(isPermissionError(err)).toBe(true);
  });
});

describe('sticky PR comment', () => {
  it('finds the marker through pagination (page 3 of 100-comment pages) and edits that comment in place', async () => {
    for (let i = 0; i < 230; i++) emu.addComment(7, `chatter ${i}`, { login: 'someone', type: 'User' });
    const ours = emu.addComment(7, `${marker('gate', 'old')}\nold body`);
    emu.addComment(7, 'after');
    const found = await findSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 7, key: 'gate', author: { bot: true } });
    expect(found?.id).toBe(ours.id);
    const pages = emu.requestsTo('GET', /\/issues\/7\/comments$/).map((r) => r.query.page);
    expect(pages).toEqual(['1', '2', '3']);
    const r = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 7, key: 'gate', state: 'new', body: commentBody({ key: 'gate', state: 'new', summary: 'fresh', footer: 'f' }), mode: 'always', verdict: 'PASS' });
    expect(r).toMatchObject({ action: 'updated', id: ours.id });
    expect(ours.body).toContain('fresh');
    expect(ours.updates).toBe(1);
    expect(emu.comments.get(7)!.length).toBe(232); // edited, not added
  });

  it('prefers the bot comment over a person quoting the marker; other keys are left alone', async () => {
    emu.addComment(8, `${marker('gate', 's')} quoted by a person`, { login: 'dev', type: 'User' });
    const bot = emu.addComment(8, `${marker('gate', 's')}\nbot`);
    emu.addComment(8, `${marker('other-leg', 's')}\nother`);
    expect((await findSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 8, key: 'gate', author: { bot: true } }))!.id).toBe(bot.id);
  });

  it('a marker forged by a person before the first run is not ours: left alone (not edited, on-change not fooled), a new bot comment is posted', async () => {
    const state = 'f00dfeedf00dfeed';
    const forged = emu.addComment(11, `${marker('gate', state)}\n✅ all checks passed`, { login: 'mallory', type: 'User' });
    const body = commentBody({ key: 'gate', state, summary: 'FAIL: 3 cases failed', footer: 'f' });
    const r = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 11, key: 'gate', state, body, mode: 'on-change', verdict: 'FAIL' });
    expect(r.action).toBe('created');
    expect(forged).toMatchObject({ updates: 0, body: `${marker('gate', state)}\n✅ all checks passed` });
    const list = emu.comments.get(11)!;
    expect(list).toHaveLength(2);
    expect(list[1]).toMatchObject({ id: r.id, user: { login: 'github-actions[bot]', type: 'Bot' } });
    expect(list[1].body).toContain('3 cases failed');
    // The next run finds its own comment, not the forged one.
    const again = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 11, key: 'gate', state: 's2', body: commentBody({ key: 'gate', state: 's2', summary: 'PASS', footer: 'f' }), mode: 'always', verdict: 'PASS' });
    expect(again).toMatchObject({ action: 'updated', id: r.id });
    expect(forged.updates).toBe(0);
  });

  it('a personal access token: only comments by the login GET /user names are ours (asked once per run), not a bot\'s nor a person\'s', async () => {
    const pat = 'ghp_machine_user_token';
    emu.addToken(pat, { login: 'Toron-CI', type: 'User' });
    const ci = await createOctokit(pat, emu.url);
    emu.addComment(12, `${marker('gate', 's1')}\nforged`, { login: 'mallory', type: 'User' });
    const botOne = emu.addComment(12, `${marker('gate', 's1')}\nanother workflow's`);
    const ours = emu.addComment(12, `${marker('gate', 's0')}\nold`, { login: 'toron-ci', type: 'User' });
    const users = emu.requestsTo('GET', /^\/user$/).length;
    const r = await upsertSticky(ci, { owner: emu.owner, repo: emu.repo, number: 12, key: 'gate', state: 's1', body: commentBody({ key: 'gate', state: 's1', summary: 'new', footer: 'f' }), mode: 'on-change', verdict: 'PASS' });
    expect(r).toMatchObject({ action: 'updated', id: ours.id });
    expect(botOne.updates).toBe(0);
    expect(emu.requestsTo('GET', /^\/user$/).length - users).toBe(1);
    // A first comment by that token carries its login.
    const created = await upsertSticky(ci, { owner: emu.owner, repo: emu.repo, number: 13, key: 'gate', state: 's', body: 'b', mode: 'always', verdict: 'PASS' });
    expect(emu.comments.get(13)!.find((c) => c.id === created.id)!.user.login).toBe('Toron-CI');
  });

  it('a token GET /user refuses (a GitHub App installation token): only bot comments are taken as ours', async () => {
    const app = 'ghs_app_installation_token';
    emu.addToken(app, { login: 'toron-app[bot]', type: 'Bot' });
    const bot = await createOctokit(app, emu.url);
    const forged = emu.addComment(14, `${marker('gate', 's')}\nforged`, { login: 'mallory', type: 'User' });
    const r = await upsertSticky(bot, { owner: emu.owner, repo: emu.repo, number: 14, key: 'gate', state: 's', body: commentBody({ key: 'gate', state: 's', summary: 'x', footer: 'f' }), mode: 'on-change', verdict: 'PASS' });
    expect(r.action).toBe('created');
    expect(forged.updates).toBe(0);
    expect(emu.requestsTo('GET', /^\/user$/).at(-1)!.status).toBe(403);
  });

  it('modes: on-failure creates only for FAIL/ERROR; on-change skips the same state and edits a changed one', async () => {
    const req = (over: Partial<Parameters<typeof upsertSticky>[1]>) => ({
      owner: emu.owner,
      repo: emu.repo,
      number: 9,
      key: 'gate',
      state: 's1',
      body: commentBody({ key: 'gate', state: over.state ?? 's1', summary: 'sum', footer: 'f' }),
      mode: 'on-change' as const,
      verdict: 'PASS' as const,
      ...over,
    });
    expect((await upsertSticky(octokit, req({ mode: 'on-failure', verdict: 'PASS' }))).action).toBe('skipped');
    expect(emu.comments.get(9)).toBeUndefined();
    expect((await upsertSticky(octokit, req({ mode: 'on-change' }))).action).toBe('created');
    expect((await upsertSticky(octokit, req({ mode: 'on-change' }))).action).toBe('unchanged');
    expect((await upsertSticky(octokit, req({ mode: 'on-change', state: 's2' }))).action).toBe('updated');
    // on-failure keeps an existing comment current even when the run passes now.
    expect((await upsertSticky(octokit, req({ mode: 'on-failure', state: 's3' }))).action).toBe('updated');
    expect(emu.comments.get(9)).toHaveLength(1);
    expect(emu.comments.get(9)![0].body).toContain('state="s3"');
  });

  it('a rate-limited GET /user is no reason to take the token for an installation token: no comment rather than a second one', async () => {
    const body = (state: string) => commentBody({ key: 'rl', state, summary: state, footer: 'f' });
    const first = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 414, key: 'rl', state: 's1', body: body('s1'), mode: 'always', verdict: 'FAIL' });
    expect(first.action).toBe('created');
    emu.fail('GET', /\/user$/, 403, 'API rate limit exceeded for user ID 1.', 1);
    const err = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 414, key: 'rl', state: 's2', body: body('s2'), mode: 'always', verdict: 'FAIL' }).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isPermissionError(err)).toBe(false);
    expect(isRateLimited(err)).toBe(true);
    expect(describeHttpError(err)).toMatch(/a GitHub API rate limit, not a missing permission/);
    expect(emu.comments.get(414)).toHaveLength(1);
  });

  it('a 403 (fork or read-only token) is an error the caller can classify, not a crash', async () => {
    emu.fail('POST', /\/issues\/10\/comments$/, 403);
    const err = await upsertSticky(octokit, { owner: emu.owner, repo: emu.repo, number: 10, key: 'k', state: 's', body: 'b', mode: 'always', verdict: 'FAIL' }).catch((e) => e);
    expect(isPermissionError(err)).toBe(true);
  });
});

describe('changed files of a PR', () => {
  it('reads every page', async () => {
    emu.prFiles.set(11, Array.from({ length: 250 }, (_, i) => `sim/f${i}.json`));
    const files = await listChangedFiles(octokit, { owner: emu.owner, repo: emu.repo, number: 11 });
    expect(files.size).toBe(250);
    expect(files.has('sim/f249.json')).toBe(true);
  });
});
