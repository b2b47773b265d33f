import type { Octokit } from './octokit.js';

/** The API lists at most 3000 files of a pull request. */
const MAX_FILES = 3000;
const PER_PAGE = 100;

/** Paths the pull request changes (repository-relative), for putting their annotations first. */
export async function listChangedFiles(
  octokit: Octokit,
  q: { owner: string; repo: string; number: number; signal?: AbortSignal },
): Promise<Set<string>> {
  const files = new Set<string>();
  for (let page = 1; files.size < MAX_FILES; page++) {
    const { data } = await octokit.request('GET /repos/{owner}/{repo}/pulls/{pull_number}/files', {
      owner: q.owner,
      repo: q.repo,
      pull_number: q.number,
      per_page: PER_PAGE,
      page,
      request: { signal: q.signal },
    });
    for (const f of data) files.add(f.filename);
    if (data.length < PER_PAGE) break;
  }
  return files;
}
