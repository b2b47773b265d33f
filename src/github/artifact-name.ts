/** Characters the artifact service refuses in a name (NTFS limits), as @actions/artifact checks them. */
export const ARTIFACT_NAME_FORBIDDEN = ['/', '\\', '"', ':', '<', '>', '|', '*', '?', '\r', '\n'] as const;

/** Why a name cannot be an artifact name, or null when it can. */
export function artifactNameProblem(name: string): string | null {
  if (name.trim() === '') return 'must not be empty';
  const bad = ARTIFACT_NAME_FORBIDDEN.filter((c) => name.includes(c));
  if (bad.length > 0) return `${JSON.stringify(name)} contains ${bad.map((c) => JSON.stringify(c)).join(', ')}`;
  if (name.length > 256) return `must be at most 256 characters (got ${name.length})`;
  return null;
}

/**
 * A default name that is valid whatever the job id holds: the job id is an identifier in practice, but
 * reusable workflows and odd ids should not break the upload.
 */
export function defaultArtifactName(job: string | undefined): string {
  const safe = (job ?? '').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '');
  return safe ? `toron-testops-${safe}` : 'toron-testops';
}

/** The n-th fallback name when a name is taken in this run (matrix legs of one job share the job id). */
export function suffixedName(name: string, n: number): string {
  return n <= 1 ? name : `${name}-${n}`;
}

/**
 * Whether `candidate` is `name` as uploaded: itself, or `name-<n>` (n >= 2) when the name was taken.
 * A job re-run in a later attempt of the workflow run ("Re-run failed jobs") finds its name taken by
 * the attempt before (artifacts are immutable), so its artifact is the suffixed one.
 */
export function isUploadOf(candidate: string, name: string): boolean {
  if (candidate === name) return true;
  if (!candidate.startsWith(`${name}-`)) return false;
  const n = candidate.slice(name.length + 1);
  return /^[1-9][0-9]*$/.test(n) && Number(n) >= 2;
}

/** The newest upload of `name` in a run's list (ids grow: the latest attempt's), or undefined. */
export function newestUploadOf<T extends { id: number; name: string }>(list: readonly T[], name: string): T | undefined {
  let best: T | undefined;
  for (const a of list) if (isUploadOf(a.name, name) && (!best || a.id > best.id)) best = a;
  return best;
}
