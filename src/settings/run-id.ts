import { randomBytes } from 'node:crypto';

/**
 * A run id becomes a folder name and a seed: no separators, no leading or trailing dot (Windows drops a
 * trailing one, so `a.` would be the folder of `a`), not a name Windows reserves for a device (`CON`,
 * `nul.x`: runners on windows-latest cannot create that folder), bounded length.
 */
export const RUN_ID_PATTERN = /^(?!(?:[Cc][Oo][Nn]|[Pp][Rr][Nn]|[Aa][Uu][Xx]|[Nn][Uu][Ll]|[Cc][Oo][Mm][1-9]|[Ll][Pp][Tt][1-9])(?:\.|$))[A-Za-z0-9](?:[A-Za-z0-9._-]{0,126}[A-Za-z0-9_-])?$/;

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

/**
 * A shard leg whose run id was generated: every leg generates its own, and merge takes legs of one run
 * id only, so the legs ran for nothing. Said when the leg starts, not when the merge job fails.
 * `how` says how to give one (a flag, or the action's input).
 */
export function generatedShardRunIdWarning(runId: string, shard: { index: number; total: number }, how: string): string {
  return (
    `shard ${shard.index}/${shard.total} runs under a generated run id (${runId}): every leg generates its own, and merge ` +
    `takes the legs of one run id only. Give every leg the same run id (${how})`
  );
}
