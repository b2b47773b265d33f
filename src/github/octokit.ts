import type { getOctokit } from '@actions/github';

export type Octokit = ReturnType<typeof getOctokit>;

/**
 * Octokit from @actions/github (proxy-aware), loaded on first use: the module is large, and the
 * action prints its first line before anything heavy is loaded. `baseUrl` is passed explicitly so
 * GITHUB_API_URL is honoured whenever the module was first imported.
 */
export async function createOctokit(token: string, baseUrl: string): Promise<Octokit> {
  const { getOctokit } = await import('@actions/github');
  return getOctokit(token, { baseUrl });
}

/** The HTTP status of an Octokit error, if it has one. */
export function httpStatus(err: unknown): number | undefined {
  const s = (err as { status?: unknown } | null)?.status;
  return typeof s === 'number' ? s : undefined;
}

/** 401/403/404 from a write: the token may not do it (fork PRs, read-only default permissions). */
export function isPermissionError(err: unknown): boolean {
  const s = httpStatus(err);
  return s === 401 || s === 403 || s === 404;
}

/** A short reason for a log line: status and the API's message, never the token or headers. */
export function describeHttpError(err: unknown): string {
  const status = httpStatus(err);
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  return status ? `HTTP ${status}: ${message.replace(/ - https:\/\/docs\.github\.com\S*/, '')}` : message;
}
