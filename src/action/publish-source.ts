import os from 'node:os';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import { buildResult } from '../report/report-json.js';
import { validateReadReport } from '../report/schema.js';
import { describeRevision, FORMAT_REVISION, formatRevisionOf, ownRevision } from '../util/tool.js';
import type { Report } from '../report/types.js';
import { exitCodeFor } from '../runner/verdict.js';
import { errorMessage } from '../util/errors.js';
import { artifactServiceProblem } from '../github/artifact.js';
import { artifactNameProblem, isUploadOf, newestUploadOf } from '../github/artifact-name.js';
import { createOctokit, describeHttpError, type Octokit } from '../github/octokit.js';
import { downloadRawArtifact, listRunArtifacts, readBounded, unpackReportArtifact, type FindBy, type RunArtifact } from '../github/run-artifacts.js';
import { ZipError } from '../github/zip.js';
import type { ActionContext } from './action-context.js';
import { withinBudget } from './cancel.js';
import { parseEventRecord, type EventRecord } from './event-record.js';
import { errorOutcome, type ActionOutcome, type CancelledGate } from './outcome.js';
import type { Prepared } from './prepare.js';
import { sha256File } from './outputs.js';

/**
 * `mode: publish`, in a workflow triggered by `workflow_run`: the triggering run's report artifact is
 * downloaded and checked, never executed. Nothing of the PR is checked out or run here; the report is
 * data, validated against its schema, and everything posted is regenerated from it.
 */
export interface PublishSource {
  runId: number;
  runUrl: string;
  /** The commit of the triggering run: the check run goes on it. */
  headSha: string;
  /** The PR to comment on, once confirmed through the API; null: no comment. */
  pr: number | null;
  /** Why there is no PR, for the log and the summary. */
  prNote: string | null;
  /** The artifact published, and the attempt of the run that uploaded it (its event.json; null: not known). */
  artifact: { id: number; name: string; url: string; attempt: number | null };
  /** The sticky comment's key: the artifact name the run asked for. */
  key: string;
  /** The run's working-directory (relative to the workspace, from event.json): what its report's file locations are relative to. */
  workingDirectory: string;
  reportPath: string;
  bundlePath: string | null;
}

/** report.json bigger than this is not parsed. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;
const SHA = /^[0-9a-f]{40}$/;

interface TriggeringRun {
  id: number;
  headSha: string;
  pullRequests: { number: number; headSha: string | null }[];
  /** workflow_run.conclusion: success, failure, cancelled, ... (null or absent when the payload has none). */
  conclusion?: string | null;
}

/** The `workflow_run` payload's fields this mode uses, or why it cannot run on this event. */
export function triggeringRun(eventName: string, event: Record<string, any>): TriggeringRun | { problem: string } {
  const wr = event.workflow_run;
  if (eventName !== 'workflow_run' || !wr || typeof wr !== 'object') {
    return { problem: `mode: publish runs in a workflow triggered by workflow_run (types: [completed]); this event is ${eventName || 'unknown'}` };
  }
  if (!Number.isSafeInteger(wr.id) || wr.id <= 0) return { problem: 'the workflow_run payload has no run id' };
  if (typeof wr.head_sha !== 'string' || !SHA.test(wr.head_sha)) return { problem: 'the workflow_run payload has no head_sha' };
  const prs = Array.isArray(wr.pull_requests) ? wr.pull_requests : [];
  return {
    id: wr.id,
    headSha: wr.head_sha,
    pullRequests: prs
      .filter((p: any) => p && Number.isSafeInteger(p.number) && p.number > 0)
      .map((p: any) => ({ number: p.number, headSha: typeof p.head?.sha === 'string' ? p.head.sha : null })),
    conclusion: typeof wr.conclusion === 'string' ? wr.conclusion : null,
  };
}

/**
 * Which of the run's artifacts is the report: the named one, else the only `toron-testops*` report
 * artifact. After a re-run, the name's newest upload (`<name>-2`, ...: the name was taken by the
 * attempt before), so the latest attempt's verdict is published, not the stale one it replaced.
 */
export function pickArtifact(list: RunArtifact[], name: string | null): RunArtifact | { problem: string } {
  const reports = list.filter((a) => !a.name.endsWith('.html'));
  if (name) {
    const hit = newestUploadOf(reports, name);
    return hit ?? { problem: `the run has no artifact named ${JSON.stringify(name)} (it has: ${names(list)})` };
  }
  const ours = reports.filter((a) => a.name.startsWith('toron-testops') && !/-shard-\d+-of-\d+(-\d+)?$/.test(a.name));
  // One name's uploads over several attempts are one report; each name first uploaded as itself.
  const named = ours.filter((a) => !ours.some((b) => b !== a && isUploadOf(a.name, b.name)));
  if (named.length === 1) return newestUploadOf(ours, named[0].name)!;
  if (named.length === 0) return { problem: `the run has no toron-testops report artifact (it has: ${names(list)}); set artifact-name to the name the run used` };
  return { problem: `the run has several report artifacts (${named.map((a) => a.name).join(', ')}): set artifact-name to the one to publish` };
}

function names(list: RunArtifact[]): string {
  return list.length ? list.map((a) => a.name).join(', ') : 'none';
}

/**
 * The PR to comment on. `workflow_run.pull_requests` comes from GitHub (empty for fork PRs); the
 * artifact's event.json comes from the PR's own job, so its number is used only when the API says
 * that PR's head is the run's commit: a forged number cannot move the comment to another PR.
 */
export async function resolvePr(
  octokit: Octokit | null,
  q: { owner: string; repo: string; run: TriggeringRun; record: EventRecord | null; signal?: AbortSignal },
): Promise<{ pr: number | null; note: string | null; warning: string | null }> {
  const listed = q.run.pullRequests.find((p) => p.headSha === null || p.headSha === q.run.headSha);
  if (listed) return { pr: listed.number, note: null, warning: null };
  const n = q.record?.prNumber ?? null;
  if (n === null) return { pr: null, note: 'the run was not for a pull request (no PR in the workflow_run event or in event.json)', warning: null };
  if (!octokit) return { pr: null, note: null, warning: `event.json names PR #${n}, but without github-token it cannot be checked: no PR comment` };
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
      owner: q.owner,
      repo: q.repo,
      pull_number: n,
      request: { signal: q.signal },
    });
    const head = typeof data.head?.sha === 'string' ? data.head.sha : '';
    if (head !== q.run.headSha) {
      return {
        pr: null,
        note: null,
        warning: `event.json names PR #${n}, whose head is ${head.slice(0, 12) || 'unknown'}, not the run's commit ${q.run.headSha.slice(0, 12)}: not commenting there (a stale or forged event.json)`,
      };
    }
    return { pr: n, note: null, warning: null };
  } catch (err) {
    return { pr: null, note: null, warning: `event.json names PR #${n}, which could not be checked (${describeHttpError(err)}): no PR comment` };
  }
}

/**
 * Downloads, unpacks and validates the triggering run's report; the outcome to publish. Never throws.
 * A gate run that was cancelled (a push superseded by the next one, with concurrency: cancel-in-progress)
 * judged nothing: its publish is not a failure, whether or not it left a (partial) artifact.
 */
export async function fetchPublished(ctx: ActionContext, p: Prepared): Promise<ActionOutcome> {
  const seen: { artifact: RunArtifact | null } = { artifact: null };
  const o = await fetchTriggering(ctx, p, seen);
  const run = triggeringRun(ctx.gh.eventName, ctx.gh.event);
  if ('problem' in run || run.conclusion !== 'cancelled' || !ctx.gh.repo) return o;
  // Wiring that fails every publish (no token, no artifact service) stays an ERROR.
  if (!p.inputs!.githubToken || artifactServiceProblem(ctx.env)) return o;
  return cancelledGate(ctx, p, run, o, seen.artifact);
}

/** The outcome of publishing a cancelled gate run: `o` as read (a partial report, or why there is none), exit 0. */
function cancelledGate(ctx: ActionContext, p: Prepared, run: TriggeringRun, o: ActionOutcome, picked: RunArtifact | null): ActionOutcome {
  const gh = ctx.gh;
  const runUrl = `${gh.serverUrl}/${gh.repo!.owner}/${gh.repo!.repo}/actions/runs/${run.id}`;
  const artifact = o.source?.artifact ?? (picked ? { id: picked.id, name: picked.name, url: `${runUrl}/artifacts/${picked.id}`, attempt: null } : null);
  const unreadable = o.source ? null : (o.error ?? o.reason).replace(/^mode: publish: /, '');
  ctx.log.info(
    `toron-testops: run ${run.id} was cancelled (workflow_run conclusion: cancelled): nothing was judged; ` +
      (artifact ? `its partial report: artifact ${artifact.name}${unreadable ? `, not readable (${unreadable})` : ''}` : `no report artifact (${unreadable})`),
  );
  const gate: CancelledGate = {
    runId: run.id,
    runUrl,
    headSha: run.headSha,
    key: o.source?.key ?? p.inputs!.artifactName ?? picked?.name ?? 'toron-testops',
    artifact,
    reportRead: Boolean(o.source),
  };
  if (o.source) return { ...o, exitCode: 0, cancelled: true, gateCancelled: gate };
  return { ...o, reason: `the gate run ${run.id} was cancelled: nothing was judged`, exitCode: 0, cancelled: true, error: null, gateCancelled: gate };
}

async function fetchTriggering(ctx: ActionContext, p: Prepared, seen: { artifact: RunArtifact | null }): Promise<ActionOutcome> {
  const { gh, log } = ctx;
  const inputs = p.inputs!;
  const run = triggeringRun(gh.eventName, gh.event);
  if ('problem' in run) return errorOutcome(run.problem);
  if (!gh.repo) return errorOutcome('mode: publish: GITHUB_REPOSITORY is not set (not running in GitHub Actions?)');
  if (!inputs.githubToken) return errorOutcome('mode: publish needs github-token (actions: read) to download the run\'s artifact');
  const runtime = artifactServiceProblem(ctx.env);
  if (runtime) return errorOutcome(`mode: publish: ${runtime}`);

  const findBy: FindBy = { token: inputs.githubToken, workflowRunId: run.id, repositoryOwner: gh.repo.owner, repositoryName: gh.repo.repo };
  const runUrl = `${gh.serverUrl}/${gh.repo.owner}/${gh.repo.repo}/actions/runs/${run.id}`;
  const work = path.join(process.env.RUNNER_TEMP || ctx.env.RUNNER_TEMP || os.tmpdir(), `toron-testops-publish-${run.id}`);
  log.info(`toron-testops: publishing run ${run.id} (${runUrl}), commit ${run.headSha}`);

  let artifact: RunArtifact;
  let report: Report;
  let unpacked;
  try {
    const picked = pickArtifact(await withinBudget(ctx.cancel, 60_000, `listing the artifacts of run ${run.id}`, listRunArtifacts(findBy)), inputs.artifactName);
    if ('problem' in picked) return errorOutcome(`mode: publish: ${picked.problem}`);
    artifact = picked;
    seen.artifact = artifact;
    const zip = await withinBudget(ctx.cancel, 5 * 60_000, `downloading ${artifact.name}`, downloadRawArtifact(artifact, findBy, path.join(work, 'download')));
    unpacked = unpackReportArtifact(zip, path.join(work, 'unpacked'));
    const text = readBounded(path.join(unpacked.reportDir, 'report.json'), MAX_REPORT_BYTES);
    if (text === null) return errorOutcome(`mode: publish: artifact ${artifact.name} holds no report.json`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return errorOutcome(`mode: publish: artifact ${artifact.name}: report.json is not JSON (${errorMessage(err)})`);
    }
    const version = (parsed as { schemaVersion?: unknown } | null)?.schemaVersion;
    if (typeof version === 'number' && version > 1) {
      // The gate ran a newer toron-testops than this publish step (the action's tag moved between them).
      return errorOutcome(
        `mode: publish: artifact ${artifact.name}: report.json has schemaVersion ${version}, newer than this toron-testops (${pkg.version}) reads (1): ` +
          'the gate ran a newer toron-testops; use the same version of the action in the gate and the publish workflow (pin it to a release)',
      );
    }
    const writer = (parsed as { tool?: unknown } | null)?.tool;
    if (formatRevisionOf(writer) > FORMAT_REVISION) {
      // Same schemaVersion, newer meanings of its fields (the gate's toron-testops bumped FORMAT_REVISION).
      return errorOutcome(
        `mode: publish: artifact ${artifact.name}: report.json is of ${describeRevision(writer)}, newer than this toron-testops's ${ownRevision()}: ` +
          'the gate ran a newer toron-testops, whose fields this one may misread; use the same version of the action in the gate and the publish workflow (pin it to a release)',
      );
    }
    if (formatRevisionOf(writer) < FORMAT_REVISION) {
      log.info(`toron-testops: the gate's report.json is of ${describeRevision(writer)}, older than this toron-testops's ${ownRevision()}: published as that version wrote it`);
    }
    // The gate may have run another version: members this one does not know are accepted (DESIGN §3.3).
    const valid = validateReadReport(parsed);
    if (!valid.ok) {
      const shown = valid.errors.slice(0, 5).join('; ');
      return errorOutcome(`mode: publish: artifact ${artifact.name}: report.json does not match the report schema: ${shown}${valid.errors.length > 5 ? ` (and ${valid.errors.length - 5} more)` : ''}`);
    }
    report = parsed as Report;
  } catch (err) {
    const why = err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err).split('\n')[0];
    return errorOutcome(`mode: publish: the report artifact of run ${run.id} is not usable: ${why}`);
  }

  let record: EventRecord | null = null;
  try {
    record = unpacked.eventRecord ? parseEventRecord(readBounded(unpacked.eventRecord, 64 * 1024) ?? '') : null;
  } catch {
    record = null;
  }
  if (unpacked.eventRecord && !record) log.info('toron-testops: the artifact\'s event.json is malformed; ignored');

  let octokit: Octokit | null = null;
  try {
    octokit = await createOctokit(inputs.githubToken, gh.apiUrl);
  } catch (err) {
    log.debug(`no API client: ${errorMessage(err)}`);
  }
  const who = await resolvePr(octokit, { owner: gh.repo.owner, repo: gh.repo.repo, run, record, signal: AbortSignal.timeout(60_000) });
  if (who.warning) log.warning(who.warning);
  else if (who.note) log.info(`toron-testops: ${who.note}`);

  const failOn = inputs.failOn ?? 'fail';
  const exitCode = exitCodeFor(report.verdict, failOn);
  let result = null;
  try {
    result = buildResult(report, exitCode);
  } catch {
    // a valid report always has its stages; the metrics are then just unknown
  }
  // event.json is the PR job's (a fork's) file: its name is taken only when it is one an artifact can
  // have, as the genuine one is (no quotes or <, >, :), else the artifact's own name; the key names
  // the check run and sits in the comment's marker.
  const key = inputs.artifactName ?? (record?.artifactName && artifactNameProblem(record.artifactName) === null ? record.artifactName : artifact.name);
  return {
    verdict: report.verdict,
    reason: report.reason,
    exitCode,
    runId: report.runId,
    report,
    result,
    paths: null,
    findings: report.warroom,
    cancelled: report.cancelled,
    error: report.verdict === 'ERROR' ? (report.error?.message ?? report.reason) : null,
    errorLocation: null,
    source: {
      runId: run.id,
      runUrl,
      headSha: run.headSha,
      pr: who.pr,
      prNote: who.warning ?? who.note,
      artifact: { id: artifact.id, name: artifact.name, url: `${runUrl}/artifacts/${artifact.id}`, attempt: record?.runAttempt ?? null },
      key,
      workingDirectory: record?.workingDirectory ?? '',
      reportPath: path.join(unpacked.reportDir, 'report.json'),
      bundlePath: unpacked.bundle,
    },
  };
}

export function publishedFileOutputs(s: PublishSource): Record<'report-path' | 'bundle-path' | 'bundle-sha256', string> {
  return {
    'report-path': s.reportPath,
    'bundle-path': s.bundlePath ?? '',
    'bundle-sha256': s.bundlePath ? (sha256File(s.bundlePath) ?? '') : '',
  };
}
