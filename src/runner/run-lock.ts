import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pidAlive } from '../store/owner.js';

/**
 * One run of a run id at a time in one out folder. A run empties its report folder and writes its
 * snapshot under its run id, so a second run of that id started while the first goes on (shard legs
 * launched with `&` into one --out) deleted the first's files mid-run and mixed the two, and both
 * exited as if nothing happened. The lock is a file holding the owner's pid and host; one whose process
 * is gone (killed runs), from another host (it cannot be probed: a restored cache) or unreadable is
 * taken over, as the store gives up such RUNNING rows.
 */
export interface RunLock {
  release(): void;
}

interface Holder {
  pid: number;
  host: string;
  token: string;
  startedAt: string;
}

const NO_LOCK: RunLock = { release: () => {} };

/** `<out>/reports/.<run_id>.lock`: a run id never starts with '.', so no run's folder has this name. */
export function runLockFile(out: string, runId: string): string {
  return path.join(out, 'reports', `.${runId}.lock`);
}

/**
 * Takes the run id's lock, or returns why it cannot (another live process on this host holds it).
 * Best effort otherwise: a folder that cannot be written fails the run later with its own message.
 */
export function acquireRunLock(
  out: string,
  runId: string,
  opts: { pid?: number; host?: string; now?: Date; isAlive?: (pid: number) => boolean } = {},
): { lock: RunLock } | { busy: Holder; file: string } {
  const file = runLockFile(out, runId);
  const me: Holder = { pid: opts.pid ?? process.pid, host: opts.host ?? os.hostname(), token: randomUUID(), startedAt: (opts.now ?? new Date()).toISOString() };
  const alive = opts.isAlive ?? pidAlive;
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
  } catch {
    return { lock: NO_LOCK };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const made = createWith(file, JSON.stringify(me));
    if (made === 'made') return { lock: { release: () => releaseIfOurs(file, me.token) } };
    if (made === 'failed') return { lock: NO_LOCK };
    const holder = readHolder(file);
    if (holder && holder.host === me.host && holder.pid !== me.pid && alive(holder.pid)) return { busy: holder, file };
    // Its process is gone, it is this very process (a pid reused in a fresh container), another host's, or unreadable.
    try {
      fs.rmSync(file, { force: true });
    } catch {
      return { lock: NO_LOCK };
    }
  }
  return { lock: NO_LOCK };
}

/** The file appears whole or not at all (a link to a written temporary file): a reader never sees half. */
function createWith(file: string, content: string): 'made' | 'exists' | 'failed' {
  const tmp = `${file}.${process.pid}.${randomUUID()}.tmp`;
  try {
    fs.writeFileSync(tmp, content);
  } catch {
    return 'failed';
  }
  try {
    fs.linkSync(tmp, file);
    return 'made';
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    // No hard links here (some network and Windows file systems): an exclusive create, nearly as good.
    try {
      fs.writeFileSync(file, content, { flag: 'wx' });
      return 'made';
    } catch (err2) {
      return (err2 as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists' : 'failed';
    }
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readHolder(file: string): Holder | null {
  try {
    const h = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<Holder>;
    if (typeof h.pid === 'number' && typeof h.host === 'string' && typeof h.token === 'string') {
      return { pid: h.pid, host: h.host, token: h.token, startedAt: typeof h.startedAt === 'string' ? h.startedAt : '?' };
    }
  } catch {
    // gone meanwhile, or not ours to read
  }
  return null;
}

function releaseIfOurs(file: string, token: string): void {
  try {
    if (readHolder(file)?.token === token) fs.rmSync(file, { force: true });
  } catch {
    // a lock left behind is taken over by the next run (its process is gone)
  }
}

/** The refusal: who holds the run id, why two runs of it cannot share the folder, what to do. */
export function busyMessage(runId: string, shownOut: string, holder: { pid: number; startedAt: string }, shownLock: string): string {
  return (
    `run id ${runId} is being run in ${shownOut} by another process (pid ${holder.pid} on this host, started ${holder.startedAt}): ` +
    `two runs of one run id in one --out would delete and mix each other's files. Give each run its own --out ` +
    `(shard legs of one run id: one --out per leg), or wait for that run to finish (if none is going on, delete ${shownLock})`
  );
}
