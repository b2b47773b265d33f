import path from 'node:path';
import { runPipeline, type RunOutcome } from '../runner/runner.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { errorMessage } from '../util/errors.js';
import { artifactModule, artifactServiceProblem } from '../github/artifact.js';
import type { ActionContext } from './action-context.js';
import { pendingSignalsDelivered } from './cancel.js';
import { errorOutcome, fromRun, type ActionOutcome } from './outcome.js';
import type { Prepared } from './prepare.js';
import { compareGate } from './compare-mode.js';
import { mergeGate } from './merge-mode.js';
import { fetchPublished } from './publish-source.js';

/**
 * After a cancel, how long the runner may take to finalise (it stops new work and writes what it has)
 * before the action publishes without it; the rest of the cancel budget is for outputs and the upload.
 */
export const FINALISE_GRACE_MS = 4000;

/** The pipeline, exactly as the CLI runs it, with the job's cancellation wired to its signal. */
export async function runGate(ctx: ActionContext, p: Prepared): Promise<ActionOutcome> {
  // A cancel that came while the inputs were read is handled before anything starts (then the run
  // begins cancelled: every stage skipped, ERROR, as for a queued run).
  await pendingSignalsDelivered();
  const mode = p.inputs?.mode ?? 'run';
  if (mode === 'publish' && !p.failed) return fetchPublished(ctx, p);
  if (p.failed || !p.settings) return p.failed ?? errorOutcome('no settings');
  const settings = p.settings;
  await preloadClients(ctx, p);
  if (mode === 'merge') return mergeGate(ctx, p);
  if (mode === 'compare') return compareGate(ctx, p);
  ctx.log.group(`toron-testops run ${settings.runId}`);
  let outcome: RunOutcome | null;
  try {
    const running = runPipeline(settings, {
      sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
      signal: ctx.cancel.signal,
      env: ctx.env,
      stages: p.stages,
    });
    outcome = await Promise.race([running, graceAfterCancel(ctx.cancel.signal, FINALISE_GRACE_MS)]);
  } catch (err) {
    // runPipeline finalises on its own; reaching here is a bug, still reported as ERROR with its reason.
    ctx.log.endGroup();
    return errorOutcome(`internal error: ${errorMessage(err)}`, { runId: settings.runId });
  }
  ctx.log.endGroup();
  if (outcome === null) {
    const dir = path.join(path.resolve(settings.cwd, settings.out), 'reports', settings.runId);
    return errorOutcome(`the job was cancelled and the run did not finish writing its report within ${FINALISE_GRACE_MS / 1000} s; partial files may be in ${dir}`, {
      runId: settings.runId,
      cancelled: true,
    });
  }
  return fromRun(outcome, ctx.cancel.signal.aborted);
}

/**
 * The GitHub clients are most of the bundle: loading them takes a moment of main-thread time. Done
 * before the run, not after: a cancelled job then has its whole budget for the upload, and no stage
 * (the load generator least of all) has its timing disturbed by a module evaluating.
 */
async function preloadClients(ctx: ActionContext, p: Prepared): Promise<void> {
  const i = p.inputs;
  if (!i) return;
  const needed = (i.uploadArtifact && !artifactServiceProblem(ctx.env)) || (Boolean(i.githubToken) && (i.prComment !== 'off' || i.annotations === 'checks'));
  if (!needed) return;
  try {
    await artifactModule(); // imports @actions/github too
  } catch (err) {
    ctx.log.debug(`preloading the GitHub clients failed: ${errorMessage(err)}`);
  }
}

/** Resolves null `ms` after the signal aborts; never settles otherwise. */
function graceAfterCancel(signal: AbortSignal, ms: number): Promise<null> {
  return new Promise((resolve) => {
    const start = () => setTimeout(() => resolve(null), ms).unref();
    if (signal.aborted) start();
    else signal.addEventListener('abort', start, { once: true });
  });
}
