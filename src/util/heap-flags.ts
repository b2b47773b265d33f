import { fileURLToPath } from 'node:url';

/**
 * V8 flags a run's process restarts itself with (process.execve), because V8 reads them only at
 * start-up (v8.setFlagsFromString comes too late for the main heap):
 * - 16 MB semi-spaces. A SIM run allocates one engine answer per attempt, each dead a moment later.
 *   V8 sizes the young generation from the machine's memory: on a 16-23 GB machine its semi-spaces grow
 *   to 64 MB each and hold the dead answers. 16 MB ones scavenge more often, each as cheap (few answers
 *   survive one): 100k cases peak about 70 MB lower at the same speed, 10k cases 36 MB. 4 MB promotes
 *   answers to the old generation (+250 MB).
 * - --expose-gc, for collectGarbage between the stages and the reports.
 * bin/toron-testops.js applies the same rule for the CLI before its bundle loads.
 */
export const HEAP_FLAGS = ['--max-semi-space-size=16', '--expose-gc'] as const;

/**
 * Left as started: heap sizes a user chose (V8 refuses --max-heap-size beside both other sizes), and a
 * process under a debugger (--inspect-brk would stop twice, and an attached debugger would lose it).
 */
const CHOSEN = /--max-semi-space-size|--max-heap-size|--inspect/;

/**
 * The argv (argv[0] the Node binary) that restarts `script` with HEAP_FLAGS, or null when the process
 * was started with a heap size of its own (on the command line or in NODE_OPTIONS: the user's choice,
 * or ours after the restart) or under a debugger.
 */
export function heapFlagsRestart(p: { execPath: string; execArgv: readonly string[]; nodeOptions: string | undefined; script: string; args: readonly string[] }): string[] | null {
  if (CHOSEN.test(p.execArgv.join(' ')) || CHOSEN.test(p.nodeOptions ?? '')) return null;
  return [p.execPath, ...p.execArgv, ...HEAP_FLAGS, p.script, ...p.args];
}

/**
 * Replaces this process with the same script started with HEAP_FLAGS: same pid, same stdio and
 * environment (process.execve). Call it first, before any output. Where there is no execve (Windows)
 * or it fails, the process runs on as started: only the flags are lost.
 */
export function restartWithHeapFlags(scriptUrl: string): void {
  if (typeof process.execve !== 'function') return;
  const argv = heapFlagsRestart({
    execPath: process.execPath,
    execArgv: process.execArgv,
    nodeOptions: process.env.NODE_OPTIONS,
    script: fileURLToPath(scriptUrl),
    args: process.argv.slice(2),
  });
  if (!argv) return;
  try {
    process.execve(argv[0], argv);
  } catch {
    // Run as started.
  }
}

/**
 * A full garbage collection now, where the process has --expose-gc (see HEAP_FLAGS); otherwise
 * nothing. For the moment a run's stages are over: SIM's dead answers still fill the heap (about 300 MB
 * at 100k cases) and V8 would collect them only once the reports and the bundle's buffers had been
 * allocated on top. Collected first, 100k cases peak 5-35 MB lower (paired single runs: 460-467 against
 * 470-473 MB; with Japanese answers 485-490 against 514-518 MB), for one collection (--trace-gc of a
 * 100k run: the first full collection after SIM, 216 -> 43 MB, took 133 ms).
 */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc === 'function') gc();
}
