import { commentBody, stateDigest, upsertSticky } from '../github/comment.js';
import { createOctokit, describeHttpError, isPermissionError } from '../github/octokit.js';
import type { ActionContext } from './action-context.js';
import { budgetSignal } from './cancel.js';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';

const COMMENT_TIMEOUT_MS = 60_000;

/** What "the result changed" means for `pr-comment: on-change`: verdict, metrics, which findings. */
export function outcomeState(o: ActionOutcome): string {
  const m = o.result?.metrics ?? null;
  return stateDigest({
    verdict: o.verdict,
    metrics: m ? { simPassRate: m.simPassRate, determinismScore: m.determinismScore, p95Ms: m.p95Ms } : { error: o.error },
    findings: o.findings.map((f) => `${f.severity}|${f.type}|${f.caseId ?? ''}|${f.location?.file ?? ''}:${f.location?.line ?? ''}`),
  });
}

/** The sticky PR comment. A refusal (403 on a read-only token) is a warning, never a test verdict. */
export async function publishComment(
  ctx: ActionContext,
  inputs: ActionInputs,
  o: ActionOutcome,
  key: string,
  summary: string,
  footer: string,
): Promise<string | null> {
  const mode = inputs.prComment;
  const { gh, log } = ctx;
  if (mode === 'off') return null;
  if (!gh.pr || !gh.repo) {
    log.info(`toron-testops: pr-comment: not a pull request event (${gh.eventName || 'no event'}), no comment`);
    return null;
  }
  if (o.cancelled || ctx.cancel.signal.aborted) return 'PR comment: not updated (the job was cancelled)';
  if (gh.pr.isFork) {
    log.info('toron-testops: pr-comment: this pull request comes from a fork, whose token cannot comment; publish from a workflow_run workflow instead (see the README of ryuzen/toron-testops, "Fork PRs: publish from a workflow_run workflow")');
    return 'PR comment: skipped (fork pull request: read-only token)';
  }
  if (!inputs.githubToken) {
    log.warning('pr-comment needs github-token (with pull-requests: write); no comment posted');
    return 'PR comment: skipped (no token)';
  }
  const state = outcomeState(o);
  try {
    const octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
    const r = await upsertSticky(octokit, {
      owner: gh.repo.owner,
      repo: gh.repo.repo,
      number: gh.pr.number,
      key,
      state,
      body: commentBody({ key, state, summary, footer }),
      mode,
      verdict: o.verdict,
      signal: budgetSignal(ctx.cancel, COMMENT_TIMEOUT_MS),
    });
    log.info(`toron-testops: PR comment ${r.action}${r.url ? `: ${r.url}` : ''}${r.reason ? ` (${r.reason})` : ''}`);
    return `PR comment: ${r.action}${r.url ? ` ([link](${r.url}))` : ''}`;
  } catch (err) {
    const why = describeHttpError(err);
    log.warning(
      isPermissionError(err)
        ? `PR comment not posted (${why}): the token needs pull-requests: write (permissions: pull-requests: write)`
        : `PR comment not posted: ${why}`,
    );
    return `PR comment: not posted (${why})`;
  }
}
