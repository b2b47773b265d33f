import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { pathToFileURL } from 'node:url';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const FIXTURES = path.join(ROOT, '__tests__/fixtures/store');
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

const made: string[] = [];

/** Removes the temp folders made so far (call from afterAll). */
export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

/** A temp folder; cleanupTempDirs() removes it. */
export function tempDir(prefix = 'toron-store-'): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(d);
  return d;
}

/** A TypeScript script as a real Node 24 process through tsx. */
export function spawnTs(script: string, args: string[], opts: { cwd?: string } = {}): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, script, ...args], { cwd: opts.cwd ?? ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

export function collect(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d) => (stdout += d));
  child.stderr?.on('data', (d) => (stderr += d));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** The pid of a real process that has exited (and been reaped): nothing answers to it any more. */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('exit', resolve));
  return child.pid!;
}

/** A real live process (the caller kills it). */
export async function livePid(): Promise<{ pid: number; stop: () => void }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('spawn', resolve));
  return { pid: child.pid!, stop: () => child.kill('SIGKILL') };
}

/** A connection of our own, outside Store, to look at (or plant rows in) a database file. */
export function rawDb(file: string): DatabaseSync {
  return new DatabaseSync(file, { timeout: 5000 });
}

/** Waits until `check` is true (polling), e.g. a run row turning RUNNING before a kill -9. */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * For the CLI kill -9 test (after wiring): true once `runId` is RUNNING in the database at `dbPath`.
 * Use: start the CLI with a slow reference engine (--latency-ms), `await waitFor(() => runIsRunning(db,
 * id), ...)`, `child.kill('SIGKILL')`, run the CLI again, then expect the old run ABORTED, a
 * store-run-aborted finding in the new report, result.json of the old run with status ABORTED, and
 * `PRAGMA integrity_check` = ok.
 */
export function runIsRunning(dbPath: string, runId: string): boolean {
  if (!fs.existsSync(dbPath)) return false;
  const db = rawDb(dbPath);
  try {
    const row = db.prepare('SELECT status FROM test_runs WHERE run_id = ?').get(runId) as { status: string } | undefined;
    return row?.status === 'RUNNING';
  } catch {
    return false; // not created yet
  } finally {
    db.close();
  }
}

export function integrity(dbPath: string): string[] {
  const db = rawDb(dbPath);
  try {
    return (db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[]).map((r) => r.integrity_check);
  } finally {
    db.close();
  }
}
