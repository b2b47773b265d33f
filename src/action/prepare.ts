import path from 'node:path';
import { proxyCredentialsToMask } from '../engine/connection.js';
import { resolveSettings } from '../settings/resolve.js';
import { generatedShardRunIdWarning } from '../settings/run-id.js';
import type { Settings } from '../settings/types.js';
import { STAGES } from '../stages/index.js';
import type { Stage } from '../runner/stage.js';
import type { StageName } from '../runner/events.js';
import { InputError, errorMessage } from '../util/errors.js';
import { redactTarget } from '../engine/spec.js';
import { secretsToMask } from '../engine/secrets.js';
import { defaultArtifactName } from '../github/artifact-name.js';
import { repoPath } from '../github/annotations.js';
import { findBaseline, type BaselineResult } from '../github/baseline.js';
import { createOctokit } from '../github/octokit.js';
import type { ActionContext } from './action-context.js';
import { withBaselineNotice } from './baseline-notice.js';
import { withDeadline } from './cancel.js';
import { readInputs, settingsFlags, workingDirectoryProblem, type ActionInputs } from './inputs.js';
import { errorOutcome, type ActionOutcome } from './outcome.js';

export type BaselineStatus =
  | { kind: 'none' }
  | { kind: 'path'; path: string }
  | { kind: 'auto-found'; snapshot: string; runId: number; runUrl: string | null; createdAt: string; branch: string }
  | { kind: 'auto-missing'; reason: string }
  | { kind: 'auto-not-needed'; reason: string };

export interface Prepared {
  /** Null when the inputs themselves were invalid (publishing then uses the defaults). */
  inputs: ActionInputs | null;
  settings: Settings | null;
  /** Set when the run cannot start: the ERROR outcome to publish. */
  failed: ActionOutcome | null;
  artifactName: string;
  baseline: BaselineStatus;
  stages: Partial<Record<StageName, Stage>>;
}

const BASELINE_TIMEOUT_MS = 120_000;

/** A gate with no engine named would test the built-in reference engine and could PASS having tested nothing of yours. */
export const NO_ENGINE =
  'no engine to test: set the engine input, engine in the config file, or engine-version with the config\'s engines map. ' +
  'The built-in reference engine is a test engine, tested only when named (engine: reference)';

/** Inputs → settings (the same resolver as the CLI) → the baseline for `auto`. Never throws. */
export async function prepare(ctx: ActionContext): Promise<Prepared> {
  const { gh, log } = ctx;
  let inputs: ActionInputs | null = null;
  const base = (failed: ActionOutcome): Prepared => ({
    inputs,
    settings: null,
    failed,
    artifactName: inputs?.artifactName ?? defaultArtifactName(gh.job),
    baseline: { kind: 'none' },
    stages: STAGES,
  });
  try {
    inputs = readInputs(ctx.env);
  } catch (err) {
    return base(errorOutcome(errorMessage(err)));
  }
  if (inputs.mode === 'publish') {
    // Publishing reads another run's data: no settings, no engine, nothing of the workspace is run.
    log.info(`toron-testops: mode: publish${inputs.artifactName ? `, artifact ${inputs.artifactName}` : ''}`);
    return { inputs, settings: null, failed: null, artifactName: inputs.artifactName ?? '', baseline: { kind: 'none' }, stages: STAGES };
  }
  let settings: Settings;
  try {
    settings = settingsFromInputs(inputs, gh.workspace, ctx.env);
  } catch (err) {
    const message = errorMessage(err).replace(/flag --([a-z-]+)/g, 'input $1');
    const loc = err instanceof InputError && err.file ? repoPath(err.file, cwdOf(inputs, gh.workspace), gh.workspace) : undefined;
    return base(errorOutcome(message, { errorLocation: loc ? { file: loc, line: (err as InputError).line ?? 1 } : null }));
  }
  // Before anything runs or prints: the engine's interpolated header values and URL credentials.
  const specs = [settings.engine.target, ...(inputs.engine ? [inputs.engine] : []), ...(inputs.baseline.kind === 'path' ? [inputs.baseline.path] : [])];
  for (const secret of secretsToMask(settings.engine.headers, specs, ctx.env)) log.mask(secret);
  // engine.env's interpolated values (a cmd: engine's), as the headers'.
  for (const secret of secretsToMask(settings.engine.env ?? {}, [], ctx.env)) log.mask(secret);
  // And the proxy's user:password (engine.proxy, or HTTPS_PROXY/HTTP_PROXY under "env").
  for (const secret of proxyCredentialsToMask(settings.engine, ctx.env)) log.mask(secret);
  const artifactName = legName(inputs.artifactName ?? defaultArtifactName(gh.job), settings.shard);
  // A merge runs no engine and takes its run id from the legs: naming this job's own would mislead.
  if (inputs.mode === 'merge') log.info("toron-testops: mode merge: this workflow run's shard artifacts into one report (run id, engine and stages are the legs')");
  else log.info(`toron-testops: run ${settings.runId}, engine ${redactTarget(settings.engine.target)}, stages ${settings.stages.join(',')}`);
  if (settings.shard && settings.runIdGenerated) {
    log.warning(generatedShardRunIdWarning(settings.runId, settings.shard, 'run-id: ${{ github.run_id }}, the same in every attempt, as "Re-run failed jobs" re-runs only some legs'), { title: 'toron-testops shard' });
  }

  let baseline: BaselineStatus = inputs.baseline.kind === 'path' ? { kind: 'path', path: inputs.baseline.path } : { kind: 'none' };
  let stages: Partial<Record<StageName, Stage>> = STAGES;
  if (inputs.mode === 'compare') {
    const problem = inputs.engine === null ? 'mode: compare needs engine (the candidate: an engine spec or an engine-map version)' : inputs.baseline.kind === 'none' ? 'mode: compare needs baseline (an engine spec, an engine-map version, a snapshot, or auto)' : null;
    if (problem) return { ...base(errorOutcome(problem)), settings, artifactName };
  }
  if (inputs.mode === 'run' && settings.engineDefaulted) return { ...base(errorOutcome(NO_ENGINE)), settings, artifactName };
  if (inputs.baseline.kind === 'auto' && inputs.mode === 'compare') {
    // The baseline of a comparison must exist: no usable snapshot is an ERROR, not a WARN.
    baseline = await autoBaseline(ctx, inputs, { ...settings, stages: [...new Set([...settings.stages, 'replay' as const])] }, artifactName);
    if (baseline.kind === 'auto-found') log.info(`toron-testops: compare baseline: the snapshot of run ${baseline.runId} on ${baseline.branch} (${baseline.createdAt})`);
    else return { ...base(errorOutcome(`mode: compare, baseline: auto: ${'reason' in baseline ? baseline.reason : 'no baseline'}`)), settings, artifactName, baseline };
  } else if (inputs.baseline.kind === 'auto' && inputs.mode === 'run') {
    baseline = await autoBaseline(ctx, inputs, settings, artifactName);
    if (baseline.kind === 'auto-found') {
      settings = { ...settings, baseline: baseline.snapshot };
      log.info(`toron-testops: baseline from run ${baseline.runId} on ${baseline.branch} (${baseline.createdAt})`);
    } else if (baseline.kind === 'auto-missing') {
      log.warning(`baseline: auto: ${baseline.reason}; the run goes on without drift (WARN)`, { title: 'toron-testops baseline' });
      if (STAGES.replay) stages = { ...STAGES, replay: withBaselineNotice(STAGES.replay, baseline.reason) };
    } else if (baseline.kind === 'auto-not-needed') {
      log.info(`toron-testops: baseline: auto: ${baseline.reason}`);
    }
  }
  return { inputs, settings, failed: null, artifactName, baseline, stages };
}

/** A shard leg's artifact: `<name>-shard-<i>-of-<n>`, so `mode: merge` finds every leg by its prefix. */
export function legName(name: string, shard: Settings['shard']): string {
  return shard ? `${shardPrefix(name)}${shard.index}-of-${shard.total}` : name;
}

export function shardPrefix(name: string): string {
  return `${name}-shard-`;
}

function cwdOf(inputs: ActionInputs, workspace: string): string {
  return inputs.workingDirectory ? path.resolve(workspace, inputs.workingDirectory) : workspace;
}

export function settingsFromInputs(inputs: ActionInputs, workspace: string, env: NodeJS.ProcessEnv): Settings {
  const cwd = cwdOf(inputs, workspace);
  const problem = workingDirectoryProblem(inputs.workingDirectory, workspace, Boolean(env.GITHUB_WORKSPACE));
  if (problem) throw new InputError(problem);
  return resolveSettings({ cwd, configPath: inputs.config ?? undefined, flags: settingsFlags(inputs), env });
}

async function autoBaseline(ctx: ActionContext, inputs: ActionInputs, settings: Settings, artifactName: string): Promise<BaselineStatus> {
  const { gh } = ctx;
  if (!settings.stages.includes('replay')) return { kind: 'auto-not-needed', reason: 'the replay stage is not among the stages, so no baseline is needed' };
  if (!STAGES.replay) return { kind: 'auto-not-needed', reason: 'the replay stage is not available in this version, so no baseline is needed' };
  if (!gh.repo || gh.runId === null) return { kind: 'auto-missing', reason: 'not running in GitHub Actions (GITHUB_REPOSITORY / GITHUB_RUN_ID not set)' };
  if (!inputs.githubToken) return { kind: 'auto-missing', reason: 'github-token is empty (needs actions: read)' };
  const timeout = ctx.cancel.budget(BASELINE_TIMEOUT_MS);
  const signal = AbortSignal.any([ctx.cancel.signal, AbortSignal.timeout(Math.max(1, timeout))]);
  const lookup = (async (): Promise<BaselineResult> => {
    try {
      const octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
      return await findBaseline(octokit, {
        owner: gh.repo!.owner,
        repo: gh.repo!.repo,
        runId: gh.runId!,
        branch: gh.pr?.baseRef ?? gh.defaultBranch,
        artifactName,
        token: inputs.githubToken,
        dir: path.join(path.resolve(settings.cwd, settings.out), 'baseline'),
        signal,
        log: (m) => ctx.log.info(`toron-testops: ${m}`),
      });
    } catch (err) {
      return { ok: false, reason: `lookup failed: ${errorMessage(err).split('\n')[0]}` };
    }
  })();
  const r = await withDeadline(lookup, timeout, (): BaselineResult => ({ ok: false, reason: `lookup took over ${Math.round(timeout / 1000)} s` }));
  if (r.ok) return { kind: 'auto-found', snapshot: r.snapshot, runId: r.runId, runUrl: r.runUrl, createdAt: r.createdAt, branch: r.branch };
  return { kind: 'auto-missing', reason: ctx.cancel.signal.aborted ? 'the job was cancelled during the lookup' : r.reason };
}
