import { randomBytes } from 'node:crypto';

/** A run id becomes a folder name and a seed: no separators, no leading dot, bounded length. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidRunId(id: string): boolean {
  return RUN_ID_PATTERN.test(id);
}

/**
 * `YYYYMMDDTHHMMSSZ-xxxxxx`: sorts by start time (UTC), and the random tail keeps two runs started in
 * the same second (parallel shards, matrix jobs) apart.
 */
export function newRunId(now: Date): string {
  const iso = now.toISOString(); // 2024-05-01T12:34:56.789Z
  const stamp = iso.slice(0, 19).replace(/[-:]/g, '') + 'Z';
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}
