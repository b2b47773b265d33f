/**
 * Whether a RUNNING row's process is gone, so the run can be marked ABORTED. A row from this host is
 * judged by its pid alone; a row from another host (a restored CI cache, a shared folder) or without a
 * pid cannot be probed, so it is only given up once it is older than `staleAfterMs`.
 */
export interface OwnerProbe {
  host: string;
  nowMs: number;
  staleAfterMs: number;
  isAlive?: (pid: number) => boolean;
}

export interface RunningRow {
  pid: number | null;
  host: string | null;
  startedAt: string;
}

/** Why the row's owner is gone (a phrase for the notice), or null while it may still be running. */
export function abandonedBecause(row: RunningRow, probe: OwnerProbe): string | null {
  const alive = probe.isAlive ?? pidAlive;
  if (row.pid !== null && row.host === probe.host) {
    return alive(row.pid) ? null : `its process (pid ${row.pid} on ${row.host}) is gone`;
  }
  const started = Date.parse(row.startedAt);
  const ageMs = probe.nowMs - started;
  if (Number.isFinite(started) && ageMs <= probe.staleAfterMs) return null;
  const where = row.host ? `on host ${row.host}` : 'by an unknown process';
  const age = Number.isFinite(started) ? `${Math.round(ageMs / 3_600_000)} h ago` : 'at an unreadable time';
  return `it was started ${where} ${age} and never finished`;
}

/** Signal 0 checks existence without touching the process; EPERM means it exists but is not ours. */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
