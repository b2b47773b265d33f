import path from 'node:path';
import { renderSummaryMarkdown, COMMENT_BUDGET } from '../report/summary-md.js';
import { SUMMARY_LIMIT_BYTES, SUMMARY_NOTES_RESERVE, verdictHeadline } from '../github/summary.js';
import type { ActionContext } from './action-context.js';
import { guardWith } from './guard.js';
import { OUTPUT_NAMES, type ActionInputs } from './inputs.js';
import type { ActionOutcome, CancelledGate } from './outcome.js';
import { postCheckRun } from '../github/checks.js';
import { createOctokit, describeHttpError, isPermissionError } from '../github/octokit.js';
import { budgetSignal } from './cancel.js';
import { runOutputs } from './outputs.js';
import { publishAnnotations } from './publish-annotations.js';
import { publishComment } from './publish-comment.js';
import { publishedFileOutputs, type PublishSource } from './publish-source.js';
import { appendSummaryNotes, writeJobSummary } from './publish-summary.js';

/**
 * `mode: publish`: another run's validated report posted where that run could not post it. Every text
 * is regenerated from report.json (the artifact's summary.md is never posted); the check run goes on
 * the run's commit and the comment on the PR confirmed in publish-source.ts. Same order and guards as
 * a normal publish, without the upload (the data is already an artifact of the run it came from).
 */
export async function publishSourced(ctx: ActionContext, inputs: ActionInputs, o: ActionOutcome, s: PublishSource): Promise<void> {
  const { log, gh } = ctx;
  const guard = guardWith(log);
  const report = o.report!;

  await guard('writing outputs', () => {
    ctx.outputs.set(publishedFileOutputs(s));
    ctx.outputs.set({ 'artifact-id': String(s.artifact.id), 'artifact-url': s.artifact.url });
    ctx.outputs.set(runOutputs(o));
  });

  const links = { html: null, report: null, bundle: s.artifact.url };
  const origin = `Published from [run ${s.runId}](${s.runUrl}) · commit \`${s.headSha.slice(0, 12)}\`${s.pr !== null ? ` · pull request ${s.pr}` : ''} · artifact [${s.artifact.name.replace(/[[\]]/g, '')}](${s.artifact.url})${s.artifact.attempt !== null ? ` from attempt ${s.artifact.attempt}` : ''}`;
  const jobBudget = { bytes: SUMMARY_LIMIT_BYTES - SUMMARY_NOTES_RESERVE - Buffer.byteLength(origin) - 64 };
  const rendered = renderSummaryMarkdown(report, { budget: jobBudget, links });
  const summary = rendered.markdown;
  const cut = inputs.jobSummary ? await guard('writing the job summary', () => writeJobSummary(ctx, `${summary}\n${origin}\n`, `the artifact of run ${s.runId}`)) : null;

  const notes: string[] = [];
  // The PR and commit of the published run, as far as they were confirmed; this job's token writes.
  const target: ActionContext = {
    ...ctx,
    gh: { ...gh, headSha: s.headSha, pr: s.pr === null ? null : { number: s.pr, headSha: s.headSha, headRef: null, baseRef: null, isFork: false } },
  };
  const footer = [`${verdictHeadline(o.verdict)} · toron-testops`, `[workflow run](${s.runUrl})`, `[report bundle](${s.artifact.url})`].join(' · ');
  if (inputs.prComment !== 'off') {
    if (s.pr === null) notes.push(`PR comment: none (${s.prNote ?? 'no pull request'})`);
    else {
      const commentText = renderSummaryMarkdown(report, { budget: COMMENT_BUDGET, links }).markdown;
      const c = await guard('the PR comment', () => publishComment(target, inputs, o, s.key, commentText, footer));
      if (c) notes.push(c);
    }
  }

  // Workflow-command annotations would land on this publish run, not the PR: a check run on its commit.
  // The report's locations are relative to the run's working-directory (event.json), unless this job names one.
  const cwd = path.resolve(gh.workspace, inputs.workingDirectory ?? s.workingDirectory);
  const annotated = await guard('annotations', () =>
    publishAnnotations(target, { ...inputs, annotations: inputs.annotations === 'off' ? 'off' : 'checks' }, o, {
      cwd,
      checkName: `toron-testops (${s.key})`,
      summary,
      detailsUrl: s.runUrl,
      summaryListed: cut ? null : rendered.listed,
      reportHome: `the artifact of run ${s.runId}`,
    }),
  );
  if (annotated) notes.push(annotated);
  for (const w of log.warnings) notes.push(`⚠️ ${w}`);
  if (inputs.jobSummary && notes.length) {
    await guard('writing the job summary', () => appendSummaryNotes(ctx, ['<details><summary>toron-testops publishing</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>']));
  }
  await guard('writing outputs', () => ctx.outputs.fill(OUTPUT_NAMES));
}

/**
 * `mode: publish` of a gate run that was cancelled (a superseded push, `concurrency: cancel-in-progress`):
 * nothing was judged, so no annotations and no comment (the next push's run has them). A check run on
 * its commit says so in one line, with conclusion `cancelled`, not `neutral`: branch protection counts
 * a neutral check as passed, and this commit was never judged. Outputs: the partial report's, if it
 * left one; else an empty result. The exit status is 0 (finish).
 */
export async function publishCancelledGate(ctx: ActionContext, inputs: ActionInputs, o: ActionOutcome, g: CancelledGate): Promise<void> {
  const { log, gh } = ctx;
  const guard = guardWith(log);
  await guard('writing outputs', () => {
    if (g.artifact) ctx.outputs.set({ 'artifact-id': String(g.artifact.id), 'artifact-url': g.artifact.url });
    if (o.source) {
      ctx.outputs.set(publishedFileOutputs(o.source));
      ctx.outputs.set(runOutputs(o));
    } else {
      ctx.outputs.set({ result: '', promote: 'false' });
    }
  });

  const a = g.artifact;
  const partial = !a
    ? 'It left no report artifact.'
    : `${g.reportRead ? 'Its partial report' : 'Its artifact, with no readable report'}: artifact [${a.name.replace(/[[\]]/g, '')}](${a.url})${a.attempt !== null ? ` from attempt ${a.attempt}` : ''}.`;
  const line = `The gate run [${g.runId}](${g.runUrl}) was cancelled: nothing was judged. ${partial}`;
  if (inputs.jobSummary) await guard('writing the job summary', () => writeJobSummary(ctx, `## ⏹️ toron-testops: cancelled\n\n${line}\n`, `the artifact of run ${g.runId}`));

  const notes: string[] = ['PR comment: none (the gate run was cancelled)'];
  const why = inputs.annotations === 'off' ? 'annotations: off' : !gh.repo ? 'no repository' : null;
  if (why) notes.push(`Check run: none (${why})`);
  else {
    const posted = await guard('the check run', async () => {
      try {
        const r = await postCheckRun(await createOctokit(inputs.githubToken, gh.apiUrl), {
          owner: gh.repo!.owner,
          repo: gh.repo!.repo,
          name: `toron-testops (${g.key})`,
          headSha: g.headSha,
          conclusion: 'cancelled',
          title: 'Cancelled: nothing was judged',
          summary: line,
          annotations: [],
          detailsUrl: g.runUrl,
          signal: budgetSignal(ctx.cancel, 60_000),
        });
        log.info(`toron-testops: check run "toron-testops (${g.key})" (cancelled)${r.url ? `: ${r.url}` : ''}`);
        return `Check run: cancelled${r.url ? ` [toron-testops (${g.key})](${r.url})` : ''}`;
      } catch (err) {
        const reason = describeHttpError(err);
        log.warning(`check run not posted: ${isPermissionError(err) ? `the token may not create check runs (${reason}; needs checks: write)` : reason}`);
        return null;
      }
    });
    if (posted) notes.push(posted);
  }
  for (const w of log.warnings) notes.push(`⚠️ ${w}`);
  if (inputs.jobSummary) {
    await guard('writing the job summary', () => appendSummaryNotes(ctx, ['<details><summary>toron-testops publishing</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>']));
  }
  await guard('writing outputs', () => ctx.outputs.fill(OUTPUT_NAMES));
}
