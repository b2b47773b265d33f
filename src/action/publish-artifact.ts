import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';
import { artifactServiceProblem, takenNames, uploadFiles, uploadSingleFile, type UploadedArtifact } from '../github/artifact.js';
import { withinBudget } from './cancel.js';
import { artifactUrl } from './context.js';
import { eventRecord, writeEventRecord } from './event-record.js';
import type { ActionContext } from './action-context.js';
import type { ActionInputs } from './inputs.js';
import type { ActionOutcome } from './outcome.js';

export interface PublishedArtifact extends UploadedArtifact {
  url: string | null;
}

/**
 * The service's first answer (the names already used in this run): a service that never answers costs
 * this long, not the job's timeout. Then the uploads (the bundle, then report.html), together, for a
 * service that answers but is slow. After a cancel, both shrink to what is left of the cancel budget,
 * also when the cancel comes in the middle of an upload. The README ("Artifacts") states both.
 */
export const SERVICE_ANSWER_TIMEOUT_MS = 45_000;
// 45 s, not less: @actions/artifact retries a failing call itself (5 attempts, 3 s x 1.5^n with jitter,
// 24-35 s of waiting in all). A service answering 5xx to the listing must reach the end of those
// retries (listing is best effort: then no names are known) and the upload be tried; with 30 s,
// whether anything was uploaded depended on the jitter.
export const UPLOAD_TIMEOUT_MS = 10 * 60_000;
/** What goes in when there is no bundle.zip: the run's own files, whatever of them exists. */
const REPORT_FILES = ['report.json', 'result.json', 'summary.md', 'report.html', 'run.log', 'warroom.log', 'sim_summary.json', 'load_summary.json', 'replay_summary.json', 'pipeline_summary.json'];

/**
 * The bundle as the job's artifact (zipped by the service at level 0: it is a zip already), then
 * report.html on its own, unzipped, where the service takes single-file artifacts.
 */
export async function uploadReportArtifacts(
  ctx: ActionContext,
  inputs: ActionInputs,
  o: ActionOutcome,
  name: string,
): Promise<{ bundle: PublishedArtifact | null; html: PublishedArtifact | null }> {
  const none = { bundle: null, html: null };
  if (!inputs.uploadArtifact) return none;
  if (!o.paths || !fs.existsSync(o.paths.reportDir)) {
    ctx.log.info('toron-testops: no report folder, nothing to upload');
    return none;
  }
  const problem = artifactServiceProblem(ctx.env);
  if (problem) {
    if (ctx.gh.runId !== null) ctx.log.warning(`artifact not uploaded: ${problem}`);
    else ctx.log.info(`toron-testops: artifact not uploaded: ${problem}`);
    return none;
  }
  const dir = o.paths.reportDir;
  const hasBundle = fs.existsSync(o.paths.bundle);
  const files = hasBundle ? [o.paths.bundle] : REPORT_FILES.map((f) => path.join(dir, f)).filter((f) => fs.existsSync(f));
  if (!hasBundle) ctx.log.warning(`bundle.zip is missing in ${dir}: uploading the report files instead`);
  if (files.length === 0) return none;
  // mode: compare: the comparison travels with the candidate's run, beside its bundle.
  for (const f of comparisonFiles(o)) {
    try {
      const copy = path.join(dir, path.basename(f));
      fs.copyFileSync(f, copy);
      files.push(copy);
    } catch (err) {
      ctx.log.info(`toron-testops: ${path.basename(f)} not added to the artifact (${errorMessage(err)})`);
    }
  }
  // The event this run came from, for a `mode: publish` workflow (fork PRs: this token cannot comment).
  try {
    files.push(writeEventRecord(dir, eventRecord(ctx.gh, name, path.resolve(ctx.gh.workspace, inputs.workingDirectory ?? ''))));
  } catch (err) {
    ctx.log.info(`toron-testops: event.json not written (${errorMessage(err)}): a publish workflow will not find this run's PR`);
  }

  let bundle: PublishedArtifact | null = null;
  const started = performance.now();
  try {
    const taken = await withinBudget(ctx.cancel, SERVICE_ANSWER_TIMEOUT_MS, "the artifact service's first answer (the names used in this run)", takenNames());
    const up = await withinBudget(
      ctx.cancel,
      UPLOAD_TIMEOUT_MS,
      'the upload',
      uploadFiles({ name, files, rootDirectory: dir, retentionDays: inputs.retentionDays, compressionLevel: hasBundle ? 0 : 6, taken }),
    );
    bundle = { ...up, url: artifactUrl(ctx.gh, up.id) };
    if (up.name !== name) ctx.log.info(`toron-testops: artifact name ${name} is taken in this run; uploaded as ${up.name}`);
    ctx.log.info(`toron-testops: artifact ${up.name} uploaded (id ${up.id}${bundle.url ? `, ${bundle.url}` : ''})`);
  } catch (err) {
    ctx.log.warning(`artifact upload failed: ${errorMessage(err).split('\n')[0]}`);
    return none;
  }

  let html: PublishedArtifact | null = null;
  if (fs.existsSync(o.paths.html) && !ctx.cancel.signal.aborted) {
    try {
      const up = await withinBudget(
        ctx.cancel,
        Math.max(0, UPLOAD_TIMEOUT_MS - (performance.now() - started)), // one bound for both uploads
        'the upload of report.html',
        uploadSingleFile({ file: o.paths.html, name: `${bundle.name}.html`, retentionDays: inputs.retentionDays }),
      );
      html = { ...up, url: artifactUrl(ctx.gh, up.id) };
    } catch (err) {
      // Older services take zipped artifacts only; the page is in the bundle either way.
      ctx.log.info(`toron-testops: report.html not uploaded as its own file (${errorMessage(err).split('\n')[0]}); it is inside the bundle`);
    }
  }
  return { bundle, html };
}

/** comparison.json and comparison.md of a compare run (they live outside the candidate's report folder). */
function comparisonFiles(o: ActionOutcome): string[] {
  const json = o.comparison?.path;
  if (!json) return [];
  return [json, json.replace(/\.json$/, '.md')].filter((f) => fs.existsSync(f));
}
