import { verdictHeadline } from '../github/summary.js';
import type { ActionContext } from './action-context.js';
import { runUrl } from './context.js';
import { OUTPUT_NAMES, readInputs, type ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';
import { runOutputs } from './outputs.js';
import type { Prepared } from './prepare.js';
import { publishAnnotations } from './publish-annotations.js';
import { uploadReportArtifacts } from './publish-artifact.js';
import { publishComment } from './publish-comment.js';
import { appendSummaryNotes, reportHome, summaryText, writeJobSummary, type SummaryText } from './publish-summary.js';
import { publishCancelledGate, publishSourced } from './publish-sourced.js';
import { guardWith } from './guard.js';
import path from 'node:path';

/**
 * Every side effect after the run, each guarded on its own: one that fails is a warning and the next
 * still runs; none of them changes the verdict. Outputs go first (a cancelled job may be killed
 * before the end), then the summary and the annotations (local and cheap: a slow, black-holed or
 * cancelled upload cannot hold them back; they leave warning slots for the steps after them), the
 * artifact (whose links join the summary and the comment), the comment. The exit status comes after.
 */
export async function publish(ctx: ActionContext, p: Prepared, o: ActionOutcome): Promise<void> {
  const inputs: ActionInputs = p.inputs ?? readInputs({}); // invalid inputs: publish with the defaults
  const { log, gh } = ctx;
  const guard = guardWith(log);

  if (o.gateCancelled) return publishCancelledGate(ctx, inputs, o, o.gateCancelled);
  if (o.source) return publishSourced(ctx, inputs, o, o.source);
  await guard('writing outputs', () => ctx.outputs.set(runOutputs(o)));
  // mode: compare: the comparison is the summary (the candidate's own summary.md is in its bundle).
  const built: SummaryText = o.comparison?.markdown
    ? { markdown: o.comparison.markdown, listed: null }
    : ((await guard('building the summary', () => summaryText(o))) ?? { markdown: `toron-testops ${o.verdict}: ${o.reason}\n`, listed: 0 });
  const summary = built.markdown;
  const cwd = p.settings?.cwd ?? gh.workspace;
  // Said before the upload is tried: a failed upload adds its own warning to the notes.
  const home = reportHome(inputs.uploadArtifact, o.paths ? relativeTo(gh.workspace, o.paths.reportDir) : null);
  const cut = inputs.jobSummary ? await guard('writing the job summary', () => writeJobSummary(ctx, summary, home)) : null;

  const notes: string[] = [];
  const run = runUrl(gh);
  // What may still warn after the annotations: the upload (bundle missing + upload failed), the comment.
  const laterWarnings = (inputs.uploadArtifact ? 2 : 0) + (inputs.prComment !== 'off' ? 1 : 0);
  const annotated = await guard('annotations', () =>
    publishAnnotations(ctx, inputs, o, {
      cwd,
      checkName: `toron-testops (${p.artifactName})`,
      summary,
      detailsUrl: run,
      summaryListed: cut ? null : built.listed,
      reportHome: home,
      laterWarnings,
    }),
  );

  const artifacts = await guard('uploading the artifact', () => uploadReportArtifacts(ctx, inputs, o, p.artifactName));
  const links: string[] = [];
  if (artifacts?.bundle) {
    const b = artifacts.bundle;
    const sha = ctx.outputs.written['bundle-sha256'];
    links.push(`**Report bundle:** ${b.url ? `[${b.name}](${b.url})` : b.name} (artifact ${b.id}${sha ? `; bundle.zip sha256 \`${sha}\`` : ''})`);
    if (artifacts.html) links.push(`**Report page:** ${artifacts.html.url ? `[${artifacts.html.name}](${artifacts.html.url})` : artifacts.html.name}`);
    await guard('writing outputs', () => ctx.outputs.set({ 'artifact-id': String(b.id), 'artifact-url': b.url ?? '' }));
  }
  if (inputs.jobSummary && links.length) await guard('writing the job summary', () => appendSummaryNotes(ctx, links));

  const footer = [
    `${verdictHeadline(o.verdict)} · toron-testops`,
    ...(run ? [`[workflow run](${run})`] : []),
    ...(artifacts?.bundle?.url ? [`[report bundle](${artifacts.bundle.url})`] : []),
    ...(artifacts?.html?.url ? [`[report page](${artifacts.html.url})`] : []),
  ].join(' · ');
  const comment = await guard('the PR comment', () => publishComment(ctx, inputs, o, p.artifactName, summary, footer));
  if (comment) notes.push(comment);
  if (annotated) notes.push(annotated);

  if (p.baseline.kind === 'auto-found') {
    notes.push(`Baseline: run ${p.baseline.runUrl ? `[${p.baseline.runId}](${p.baseline.runUrl})` : p.baseline.runId} on ${p.baseline.branch} (${p.baseline.createdAt})`);
  } else if (p.baseline.kind === 'auto-missing') {
    notes.push(`Baseline: none (${p.baseline.reason})`);
  }
  for (const w of log.warnings) notes.push(`⚠️ ${w}`);
  if (inputs.jobSummary && notes.length) {
    await guard('writing the job summary', () => appendSummaryNotes(ctx, ['<details><summary>toron-testops publishing</summary>', '', ...notes.map((n) => `- ${n}`), '', '</details>']));
  }
  await guard('writing outputs', () => ctx.outputs.fill(OUTPUT_NAMES));
}

/** A folder as the workflow's author knows it: relative to the workspace when inside it. */
function relativeTo(workspace: string, dir: string): string {
  const rel = path.relative(workspace, dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel.split(path.sep).join('/') : dir;
}
