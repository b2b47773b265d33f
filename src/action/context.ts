import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';

/** What the runner tells the action about where it runs, read once from the environment. */
export interface GitHubEnv {
  workspace: string;
  /** `owner/repo` split; null outside a runner. */
  repo: { owner: string; repo: string } | null;
  serverUrl: string;
  apiUrl: string;
  runId: number | null;
  runAttempt: number;
  job: string | undefined;
  workflowRef: string | undefined;
  eventName: string;
  /** The event payload; {} when absent or unreadable. */
  event: Record<string, any>;
  /** The commit the checks and annotations belong to (a PR's head, not its merge commit). */
  headSha: string | null;
  pr: PullRequestInfo | null;
  defaultBranch: string | null;
  /** Set when the payload could not be read: reported once, never fatal. */
  eventProblem: string | null;
  stepSummaryFile: string | null;
  outputFile: string | null;
  debug: boolean;
}

export interface PullRequestInfo {
  number: number;
  headSha: string | null;
  headRef: string | null;
  baseRef: string | null;
  /** The head lives in another repository, and the event runs with that fork's read-only token. */
  isFork: boolean;
}

export function readGitHubEnv(env: NodeJS.ProcessEnv, cwd = process.cwd()): GitHubEnv {
  let event: Record<string, any> = {};
  let eventProblem: string | null = null;
  if (env.GITHUB_EVENT_PATH) {
    try {
      const parsed = JSON.parse(fs.readFileSync(env.GITHUB_EVENT_PATH, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) event = parsed;
      else eventProblem = `the event payload ${env.GITHUB_EVENT_PATH} is not a JSON object`;
    } catch (err) {
      eventProblem = `cannot read the event payload ${env.GITHUB_EVENT_PATH}: ${errorMessage(err)}`;
    }
  }
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const [owner, repo] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const runId = Number(env.GITHUB_RUN_ID);
  const pr = pullRequestOf(event, eventName);
  return {
    workspace: path.resolve(env.GITHUB_WORKSPACE || cwd),
    repo: owner && repo ? { owner, repo } : null,
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runId: Number.isSafeInteger(runId) && runId > 0 ? runId : null,
    runAttempt: Number(env.GITHUB_RUN_ATTEMPT) || 1,
    job: env.GITHUB_JOB || undefined,
    workflowRef: env.GITHUB_WORKFLOW_REF || undefined,
    eventName,
    event,
    headSha: pr?.headSha ?? env.GITHUB_SHA ?? null,
    pr,
    defaultBranch: typeof event.repository?.default_branch === 'string' ? event.repository.default_branch : null,
    eventProblem,
    stepSummaryFile: env.GITHUB_STEP_SUMMARY || null,
    outputFile: env.GITHUB_OUTPUT || null,
    debug: env.RUNNER_DEBUG === '1' || env.ACTIONS_STEP_DEBUG === 'true',
  };
}

function pullRequestOf(event: Record<string, any>, eventName: string): PullRequestInfo | null {
  const p = event.pull_request;
  if (!p || typeof p !== 'object' || !Number.isSafeInteger(p.number ?? event.number)) return null;
  const headRepo: unknown = p.head?.repo?.full_name;
  const baseRepo: unknown = p.base?.repo?.full_name ?? event.repository?.full_name;
  // pull_request_target runs in the base repository with its token; only pull_request is read-only.
  const isFork = eventName === 'pull_request' && (headRepo === undefined || headRepo === null || headRepo !== baseRepo);
  return {
    number: p.number ?? event.number,
    headSha: typeof p.head?.sha === 'string' ? p.head.sha : null,
    headRef: typeof p.head?.ref === 'string' ? p.head.ref : null,
    baseRef: typeof p.base?.ref === 'string' ? p.base.ref : null,
    isFork,
  };
}

/** The run's page, for links in the summary and the PR comment. */
export function runUrl(gh: GitHubEnv): string | null {
  if (!gh.repo || gh.runId === null) return null;
  return `${gh.serverUrl}/${gh.repo.owner}/${gh.repo.repo}/actions/runs/${gh.runId}`;
}

export function artifactUrl(gh: GitHubEnv, artifactId: number): string | null {
  const run = runUrl(gh);
  return run ? `${run}/artifacts/${artifactId}` : null;
}
