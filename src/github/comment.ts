import { createHash } from 'node:crypto';
import type { Verdict } from '../runner/verdict.js';
import { isPermissionError, type Octokit } from './octokit.js';

export type CommentMode = 'off' | 'always' | 'on-change' | 'on-failure';

/** GitHub refuses comment bodies over 65,536 characters; stay well under it. */
export const COMMENT_LIMIT = 60_000;

/**
 * The sticky comment is found again by a hidden marker: one per key (the artifact name, so matrix legs
 * with their own names keep their own comments). The marker also carries a digest of what the comment
 * says, so `on-change` can tell "same result again" without parsing the comment.
 */
export function markerPrefix(key: string): string {
  return `<!-- toron-testops:comment key="${encodeURIComponent(key)}"`;
}

export function marker(key: string, state: string): string {
  return `${markerPrefix(key)} state="${state}" -->`;
}

export function markerState(body: string, key: string): string | null | undefined {
  const at = body.indexOf(markerPrefix(key));
  if (at < 0) return undefined; // not ours
  const m = /^ state="([A-Za-z0-9_-]*)" -->/.exec(body.slice(at + markerPrefix(key).length));
  return m ? m[1] : null;
}

/** A digest of what matters for "did the result change": verdict, metrics, and which findings. */
export function stateDigest(parts: { verdict: Verdict; metrics: Record<string, unknown> | null; findings: string[] }): string {
  const canonical = JSON.stringify([parts.verdict, parts.metrics, [...parts.findings].sort()]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16);
}

/** The body: marker, the summary (cut at a line to fit), the footer. Never over `limit` characters. */
export function commentBody(opts: { key: string; state: string; summary: string; footer: string; limit?: number }): string {
  const limit = opts.limit ?? COMMENT_LIMIT;
  const head = marker(opts.key, opts.state) + '\n';
  const foot = `\n\n${opts.footer}\n`;
  const room = limit - head.length - foot.length;
  let summary = opts.summary.trimEnd();
  if (summary.length > room) {
    const note = '\n\n…(cut to fit a PR comment: the full summary is in the job summary and the report artifact)';
    let cut = summary.slice(0, Math.max(0, room - note.length));
    // Never split a surrogate pair; prefer a line boundary.
    if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
    const nl = cut.lastIndexOf('\n');
    if (nl > cut.length / 2) cut = cut.slice(0, nl);
    if ((cut.match(/^```/gm)?.length ?? 0) % 2 === 1) cut += '\n```';
    summary = (cut + note).slice(0, room);
  }
  return head + summary + foot;
}

const PER_PAGE = 100;
/** 10,000 comments: a PR with more is not one we can keep a sticky comment on anyway. */
const MAX_PAGES = 100;

export type CommentAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface StickyRequest {
  owner: string;
  repo: string;
  number: number;
  key: string;
  state: string;
  body: string;
  mode: Exclude<CommentMode, 'off'>;
  verdict: Verdict;
  signal?: AbortSignal;
}

/**
 * Whose comments are ours: the login the token writes as, or, when GitHub will not say (GET /user is
 * refused to installation tokens: the workflow's GITHUB_TOKEN, which writes as github-actions[bot],
 * and a GitHub App's token), only bots' comments. Anyone can write the marker into a comment: one by
 * another author is never taken as ours, so it is neither edited nor read for `on-change`.
 */
export type CommentAuthor = { login: string } | { bot: true };

/** Who the token writes as (one GET /user). */
export async function commentAuthor(octokit: Octokit, signal?: AbortSignal): Promise<CommentAuthor> {
  try {
    const { data } = await octokit.request('GET /user', { request: { signal } });
    const login = (data as { login?: unknown } | null)?.login;
    if (typeof login === 'string' && login !== '') return { login };
  } catch (err) {
    if (!isPermissionError(err)) throw err;
  }
  return { bot: true };
}

function writtenBy(user: { login?: string; type?: string } | null | undefined, author: CommentAuthor): boolean {
  if (!user) return false;
  // GitHub logins are case-insensitive.
  if ('login' in author) return typeof user.login === 'string' && user.login.toLowerCase() === author.login.toLowerCase();
  return user.type === 'Bot';
}

/** Our comment on the PR: the first (oldest) by `author` with the marker, through every page of comments. */
export async function findSticky(
  octokit: Octokit,
  q: { owner: string; repo: string; number: number; key: string; author: CommentAuthor; signal?: AbortSignal },
): Promise<{ id: number; body: string; url: string } | null> {
  for (let page = 1; page <= MAX_PAGES; page++) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: q.owner,
      repo: q.repo,
      issue_number: q.number,
      per_page: PER_PAGE,
      page,
      request: { signal: q.signal },
    });
    for (const c of data) {
      const body = c.body ?? '';
      if (markerState(body, q.key) === undefined || !writtenBy(c.user, q.author)) continue;
      return { id: Number(c.id), body, url: c.html_url };
    }
    if (data.length < PER_PAGE) break;
  }
  return null;
}

/**
 * Create or edit the sticky comment as `mode` says: `always` writes every run; `on-failure` creates one
 * only for FAIL or ERROR but keeps an existing one current (a stale red comment would mislead);
 * `on-change` creates one when none exists and edits it only when the result changed.
 */
export async function upsertSticky(octokit: Octokit, r: StickyRequest): Promise<{ action: CommentAction; id?: number; url?: string; reason?: string }> {
  const author = await commentAuthor(octokit, r.signal);
  const existing = await findSticky(octokit, { ...r, author });
  const failing = r.verdict === 'FAIL' || r.verdict === 'ERROR';
  if (!existing) {
    if (r.mode === 'on-failure' && !failing) return { action: 'skipped', reason: `verdict ${r.verdict} and no earlier comment (pr-comment: on-failure)` };
    const created = await octokit.request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      owner: r.owner,
      repo: r.repo,
      issue_number: r.number,
      body: r.body,
      request: { signal: r.signal },
    });
    return { action: 'created', id: Number(created.data.id), url: created.data.html_url };
  }
  if (r.mode === 'on-change' && markerState(existing.body, r.key) === r.state) {
    return { action: 'unchanged', id: existing.id, url: existing.url, reason: 'same result as the comment already shows (pr-comment: on-change)' };
  }
  const updated = await octokit.request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
    owner: r.owner,
    repo: r.repo,
    comment_id: existing.id,
    body: r.body,
    request: { signal: r.signal },
  });
  return { action: 'updated', id: existing.id, url: updated.data.html_url };
}
