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

/**
 * 401/403/404 from a write: the token may not do it (fork PRs, read-only default permissions). A rate
 * limit (GitHub answers it with 403 too) is not: the same call may work in a minute.
 */
export function isPermissionError(err: unknown): boolean {
  const s = httpStatus(err);
  return (s === 401 || s === 403 || s === 404) && !isRateLimited(err);
}

/**
 * GitHub's primary rate limit (403 or 429 with x-ratelimit-remaining: 0) or secondary one (403 or 429
 * saying so, often with retry-after).
 */
export function isRateLimited(err: unknown): boolean {
  const s = httpStatus(err);
  if (s !== 403 && s !== 429) return false;
  const headers = (err as { response?: { headers?: Record<string, unknown> } } | null)?.response?.headers ?? {};
  if (String(headers['x-ratelimit-remaining'] ?? '') === '0' || headers['retry-after'] !== undefined) return true;
  return /rate limit/i.test(err instanceof Error ? err.message : '');
}

/** A short reason for a log line: status and the API's message, never the token or headers. */
export function describeHttpError(err: unknown): string {
  const status = httpStatus(err);
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const limited = isRateLimited(err) ? ' (a GitHub API rate limit, not a missing permission)' : '';
  return status ? `HTTP ${status}: ${message.replace(/ - https:\/\/docs\.github\.com\S*/, '')}${limited}` : message;
}
