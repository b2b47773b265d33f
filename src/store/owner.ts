import fs from 'node:fs';

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
  /** This process's pid (a row with it is ours: alive only while this process runs that run). */
  ownPid?: number;
  /** Whether this process is running the run now (a serve process runs several, one after another). */
  ownsRun?: (runId: string) => boolean;
}

export interface RunningRow {
  runId?: string;
  pid: number | null;
  host: string | null;
  startedAt: string;
}

/** Why the row's owner is gone (a phrase for the notice), or null while it may still be running. */
export function abandonedBecause(row: RunningRow, probe: OwnerProbe): string | null {
  const alive = probe.isAlive ?? pidAlive;
  if (row.pid !== null && row.host === probe.host) {
    // Our own pid on a run we are not running: the pid of a killed process came back to us (a
    // container restarted: its server gets the same pid every time).
    if (row.pid === (probe.ownPid ?? process.pid)) {
      return row.runId !== undefined && probe.ownsRun?.(row.runId) ? null : `its process (pid ${row.pid} on ${row.host}) is gone (the pid is now this process's)`;
    }
    return alive(row.pid) ? null : `its process (pid ${row.pid} on ${row.host}) is gone`;
  }
  const started = Date.parse(row.startedAt);
  const ageMs = probe.nowMs - started;
  if (Number.isFinite(started) && ageMs <= probe.staleAfterMs) return null;
  const where = row.host ? `on host ${row.host}` : 'by an unknown process';
  const age = Number.isFinite(started) ? `${Math.round(ageMs / 3_600_000)} h ago` : 'at an unreadable time';
  return `it was started ${where} ${age} and never finished`;
}

/**
 * Signal 0 checks existence without touching the process; EPERM means it exists but is not ours. A
 * zombie (killed, not yet reaped by its parent) still answers signal 0 but runs nothing: on Linux its
 * state in /proc says so.
 */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  return !isZombie(pid);
}

/** True when /proc says the process is a zombie (Z) or dead (X); false when it cannot tell. */
export function isZombie(pid: number): boolean {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return false;
  }
  // "pid (comm) S ...": comm may hold spaces and parentheses, so the state follows the last ")".
  const state = stat.charAt(stat.lastIndexOf(')') + 2);
  return state === 'Z' || state === 'X' || state === 'x';
}
