import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';
import { artifactModule } from './artifact.js';
import { newestUploadOf } from './artifact-name.js';
import { describeHttpError, type Octokit } from './octokit.js';
import { extractZip, ZipError } from './zip.js';

/**
 * `baseline: auto`: the snapshot of the newest successful run of this workflow on the base branch
 * (the PR's base, or the default branch), from that run's artifact. Anything short of a usable
 * snapshot is a reason for a WARN, never an error: the gate still runs, without drift.
 */
export const BASELINE_MAX_AGE_DAYS = 30;
/** Successful runs looked at, newest first, for one that still has the artifact. */
export const BASELINE_CANDIDATES = 5;

export interface BaselineQuery {
  owner: string;
  repo: string;
  runId: number;
  /** The branch to take the baseline from; null: the repository's default branch. */
  branch: string | null;
  artifactName: string;
  token: string;
  /** Where the artifact is unpacked: `<dir>/<source run id>/`. */
  dir: string;
  signal?: AbortSignal;
  now?: Date;
  log?: (message: string) => void;
}

export type BaselineResult =
  | { ok: true; snapshot: string; runId: number; runUrl: string | null; createdAt: string; artifactId: number; branch: string }
  | { ok: false; reason: string };

interface WorkflowRun {
  id: number;
  html_url?: string;
  created_at: string;
  event: string;
  head_branch: string | null;
  head_repository?: { full_name?: string } | null;
}

/** Runs of the base branch that can stand for it: pushes and schedules of this repository, not PRs. */
export function eligibleRuns(runs: WorkflowRun[], q: { owner: string; repo: string; runId: number; branch: string }): WorkflowRun[] {
  const full = `${q.owner}/${q.repo}`;
  return runs
    .filter((r) => r.id !== q.runId)
    .filter((r) => r.head_branch === q.branch)
    .filter((r) => r.event !== 'pull_request' && r.event !== 'pull_request_target')
    .filter((r) => !r.head_repository?.full_name || r.head_repository.full_name === full)
    .sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
}

export function ageDays(createdAt: string, now: Date): number {
  return (now.getTime() - Date.parse(createdAt)) / 86_400_000;
}

export async function findBaseline(octokit: Octokit, q: BaselineQuery): Promise<BaselineResult> {
  const log = q.log ?? (() => {});
  const now = q.now ?? new Date();
  const request = { signal: q.signal };
  let branch = q.branch;
  let workflowId: number;
  try {
    if (!branch) {
      const { data } = await octokit.request('GET /repos/{owner}/{repo}', { owner: q.owner, repo: q.repo, request });
      branch = data.default_branch;
    }
    const { data: run } = await octokit.request('GET /repos/{owner}/{repo}/actions/runs/{run_id}', {
      owner: q.owner,
      repo: q.repo,
      run_id: q.runId,
      request,
    });
    workflowId = run.workflow_id;
  } catch (err) {
    return { ok: false, reason: `cannot look up this workflow run (${describeHttpError(err)}; the token needs actions: read)` };
  }

  let runs: WorkflowRun[];
  try {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs', {
      owner: q.owner,
      repo: q.repo,
      workflow_id: workflowId,
      branch,
      status: 'success',
      per_page: 20,
      request,
    });
    runs = eligibleRuns(data.workflow_runs as WorkflowRun[], { ...q, branch });
  } catch (err) {
    return { ok: false, reason: `cannot list the runs of this workflow on ${branch} (${describeHttpError(err)})` };
  }
  if (runs.length === 0) return { ok: false, reason: `no successful run of this workflow on ${branch} yet` };

  const newest = runs[0];
  if (ageDays(newest.created_at, now) > BASELINE_MAX_AGE_DAYS) {
    return {
      ok: false,
      reason: `the newest successful run on ${branch} (${newest.id}) is ${Math.floor(ageDays(newest.created_at, now))} days old (stale: over ${BASELINE_MAX_AGE_DAYS})`,
    };
  }

  const { DefaultArtifactClient } = await artifactModule();
  const client = new DefaultArtifactClient();
  const misses: string[] = [];
  for (const run of runs.slice(0, BASELINE_CANDIDATES)) {
    if (ageDays(run.created_at, now) > BASELINE_MAX_AGE_DAYS) break;
    const findBy = { token: q.token, workflowRunId: run.id, repositoryOwner: q.owner, repositoryName: q.repo };
    let artifactId: number;
    let artifactName: string;
    try {
      // A run that was re-run holds the name's first upload (the failed attempt's) and the re-run's
      // `<name>-2`, ...: the newest is the attempt that made the run successful.
      const { artifacts } = await client.listArtifacts({ findBy });
      const artifact = newestUploadOf(artifacts, q.artifactName);
      if (!artifact) {
        misses.push(`run ${run.id}: no artifact named "${q.artifactName}"`);
        continue;
      }
      artifactId = artifact.id;
      artifactName = artifact.name;
    } catch (err) {
      misses.push(`run ${run.id}: ${errorMessage(err).split('\n')[0]}`);
      continue;
    }
    log(`baseline: run ${run.id} on ${branch} (${run.created_at}), artifact ${artifactName} (${artifactId})`);
    const target = path.join(q.dir, String(run.id));
    const got = await downloadAndUnpack(client, artifactId, findBy, target);
    if (!got.ok) return { ok: false, reason: `the artifact of run ${run.id} is not usable: ${got.reason}` };
    return { ok: true, snapshot: got.snapshot, runId: run.id, runUrl: run.html_url ?? null, createdAt: run.created_at, artifactId, branch };
  }
  return { ok: false, reason: `no usable artifact in the newest successful runs on ${branch} (${misses.join('; ')})` };
}

type Client = InstanceType<Awaited<ReturnType<typeof artifactModule>>['DefaultArtifactClient']>;

/**
 * The artifact is fetched as the raw zip (no extraction by the library), then unpacked here with every
 * entry checked: the artifact first, then the bundle.zip inside it.
 */
async function downloadAndUnpack(
  client: Client,
  artifactId: number,
  findBy: { token: string; workflowRunId: number; repositoryOwner: string; repositoryName: string },
  target: string,
): Promise<{ ok: true; snapshot: string } | { ok: false; reason: string }> {
  fs.rmSync(target, { recursive: true, force: true });
  const download = path.join(target, 'download');
  const unpacked = path.join(target, 'artifact');
  const bundleDir = path.join(target, 'bundle');
  try {
    await client.downloadArtifact(artifactId, { path: download, findBy, skipDecompress: true });
  } catch (err) {
    return { ok: false, reason: `download failed (${errorMessage(err).split('\n')[0]})` };
  }
  try {
    const files = fs.readdirSync(download);
    if (files.length !== 1) return { ok: false, reason: `expected one downloaded file, found ${files.length}` };
    const outer = fs.readFileSync(path.join(download, files[0]));
    const names = extractZip(outer, unpacked);
    let dir = unpacked;
    if (names.includes('bundle.zip')) {
      extractZip(fs.readFileSync(path.join(unpacked, 'bundle.zip')), bundleDir);
      dir = bundleDir;
    }
    const snapshot = path.join(dir, 'snapshot.json');
    if (!fs.existsSync(snapshot)) return { ok: false, reason: 'it holds no snapshot.json (the run that made it wrote none)' };
    return { ok: true, snapshot };
  } catch (err) {
    return { ok: false, reason: err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err) };
  }
}
