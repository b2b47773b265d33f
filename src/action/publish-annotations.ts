import {
  planCheckAnnotations,
  planWorkflowAnnotations,
  repoPath,
  toCheckAnnotation,
  workflowCommandLines,
  PER_LEVEL_LIMIT,
  overflowText,
} from '../github/annotations.js';
import { CheckRunIncomplete, conclusionFor, postCheckRun } from '../github/checks.js';
import { createOctokit, describeHttpError, isPermissionError, type Octokit } from '../github/octokit.js';
import { listChangedFiles } from '../github/pr-files.js';
import type { ActionContext } from './action-context.js';
import { budgetSignal } from './cancel.js';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';

const GITHUB_TIMEOUT_MS = 60_000;

/**
 * WAR ROOM findings as annotations: a check run (`checks`) or workflow commands. A check run needs
 * `checks: write`, which fork PRs never get: those, and refusals, fall back to workflow commands.
 * Returns a line for the job summary.
 */
export async function publishAnnotations(
  ctx: ActionContext,
  inputs: ActionInputs,
  o: ActionOutcome,
  opts: {
    cwd: string;
    checkName: string;
    summary: string;
    detailsUrl: string | null;
    /** How many findings the summary lists (null: not known). */
    summaryListed?: number | null;
    /** Where the whole report is (publish-summary.ts reportHome); the artifact when not said. */
    reportHome?: string;
    /** Warning slots kept for the steps that publish after the annotations (their warnings are annotations too). */
    laterWarnings?: number;
  },
): Promise<string | null> {
  const { gh, log } = ctx;
  if (inputs.annotations === 'off') return null;
  const place = (file: string) => repoPath(file, opts.cwd, gh.workspace);
  const canCallApi = Boolean(gh.repo && inputs.githubToken);
  let octokit: Octokit | null = null;
  const api = async () => (octokit ??= await createOctokit(inputs.githubToken, gh.apiUrl));
  const signal = () => budgetSignal(ctx.cancel, GITHUB_TIMEOUT_MS);
  const where = seeAlso(inputs.jobSummary, o.findings.length, opts.summaryListed ?? null, opts.reportHome ?? 'the artifact');

  let changed = new Set<string>();
  if (gh.pr && canCallApi && !o.cancelled && !ctx.cancel.signal.aborted && o.findings.some((f) => f.location)) {
    try {
      changed = await listChangedFiles(await api(), { owner: gh.repo!.owner, repo: gh.repo!.repo, number: gh.pr.number, signal: signal() });
    } catch (err) {
      log.debug(`changed files of the PR not available (${describeHttpError(err)}): annotations are ordered by severity only`);
    }
  }

  if (inputs.annotations === 'checks') {
    const why = checksUnavailable(ctx, inputs, o);
    if (why) {
      log.info(`toron-testops: annotations: checks: ${why}; using workflow commands instead`);
    } else {
      const plan = planCheckAnnotations(o.findings, { place, changedFiles: changed, maxTotal: inputs.maxAnnotations });
      // A check run has no per-level limit: max-annotations holds annotations back, or findings have no place.
      const limit = plan.items.length >= inputs.maxAnnotations ? { maxAnnotations: inputs.maxAnnotations } : ('unplaced' as const);
      const more = plan.overflow > 0 ? `\n\n${overflowText(plan.overflow, plan.items.length, where, limit)}` : '';
      try {
        const r = await postCheckRun(await api(), {
          owner: gh.repo!.owner,
          repo: gh.repo!.repo,
          name: opts.checkName,
          headSha: gh.headSha!,
          conclusion: conclusionFor(o.verdict, o.cancelled),
          // An ERROR's reason already opens with "ERROR (not a test verdict): ": said once.
          title: o.reason.startsWith(`${o.verdict} `) ? o.reason : `${o.verdict}${o.verdict === 'ERROR' ? ' (not a test verdict)' : ''}: ${o.reason}`,
          summary: opts.summary + more,
          annotations: plan.items.map(toCheckAnnotation),
          detailsUrl: opts.detailsUrl,
          signal: signal(),
        });
        log.info(`toron-testops: check run "${opts.checkName}" with ${plan.items.length} annotation(s) in ${r.requests} request(s)${r.url ? `: ${r.url}` : ''}`);
        if (plan.overflow > 0) log.info(`toron-testops: ${overflowText(plan.overflow, plan.items.length, where, limit)}`);
        return `Annotations: ${plan.items.length} on the check run${r.url ? ` [${opts.checkName}](${r.url})` : ''}${notShown(plan.overflow, o.findings.length, opts.summaryListed ?? null, opts.reportHome ?? 'the artifact')}`;
      } catch (err) {
        if (err instanceof CheckRunIncomplete) {
          // It was created (the token may create check runs): say what it got, and how it ended.
          const { sent, total, concluded, url } = err.run;
          log.warning(
            `check run "${opts.checkName}" got ${sent} of ${total} annotation(s) (${describeHttpError(err.cause)})${concluded ? ', and was concluded with the verdict' : ' and could not be concluded: it shows as in progress'}${url ? `: ${url}` : ''}; the annotations follow as workflow commands`,
          );
        } else {
          const reason = describeHttpError(err);
          log.info(
            `toron-testops: annotations: checks: ${isPermissionError(err) ? `the token may not create check runs (${reason}; needs checks: write)` : `the check run failed (${reason})`}; using workflow commands instead`,
          );
        }
      }
    }
  }

  // The verdict line at the end takes one error or warning slot; the action's own warnings took theirs,
  // and the steps after this one (upload, comment) may still need theirs.
  const room = {
    error: Math.max(0, PER_LEVEL_LIMIT - log.used.error - 1),
    warning: Math.max(0, PER_LEVEL_LIMIT - log.used.warning - 1 - (opts.laterWarnings ?? 0)),
    notice: Math.max(0, PER_LEVEL_LIMIT - log.used.notice),
  };
  const plan = planWorkflowAnnotations(o.findings, { place, changedFiles: changed, maxTotal: inputs.maxAnnotations, room, where });
  for (const line of workflowCommandLines(plan)) {
    ctx.log.rawLine(line);
  }
  for (const a of plan.items) log.used[a.level]++;
  if (plan.overflowNotice) log.used.notice++;
  if (o.findings.length === 0) return null;
  return `Annotations: ${plan.items.length} of ${o.findings.length} finding(s)${notShown(plan.overflow, o.findings.length, opts.summaryListed ?? null, opts.reportHome ?? 'the artifact')}`;
}

/**
 * Where the findings that are not annotations are, said truthfully: the summary only when it lists
 * every finding (a summary cut to fit 1 MiB lists some), report.json always.
 */
export function notShown(overflow: number, total: number, listed: number | null, home = 'the artifact'): string {
  if (overflow <= 0) return '';
  if (listed !== null && listed >= total) return `; ${overflow} more are only in this summary and report.json`;
  const some = listed === null ? '' : `; this summary lists ${listed} of the ${total}`;
  return `; ${overflow} more are not annotations: every finding is in report.json (in ${home})${some}`;
}

/**
 * Where the findings that are not annotations can be read: the job summary only when one is written
 * and lists every finding (a summary cut to fit 1 MiB lists some); report.json always.
 */
export function seeAlso(jobSummary: boolean, total: number, listed: number | null, home = 'the artifact'): string {
  if (jobSummary && listed !== null && listed >= total) return 'the job summary and report.json';
  const some = jobSummary ? `; the job summary lists ${listed === null ? 'some' : `${listed} of the ${total}`}` : '';
  return `report.json, in ${home}${some}`;
}

function checksUnavailable(ctx: ActionContext, inputs: ActionInputs, o: ActionOutcome): string | null {
  const { gh } = ctx;
  if (!gh.repo || !gh.headSha) return 'not running in GitHub Actions (no repository or commit)';
  if (!inputs.githubToken) return 'github-token is empty';
  if (gh.pr?.isFork) return 'this pull request comes from a fork, whose token cannot create check runs';
  if (o.cancelled || ctx.cancel.signal.aborted) return 'the job was cancelled';
  return null;
}

