import { fileURLToPath } from 'node:url';

/**
 * A SIM run allocates one engine answer per attempt, each dead a moment later. V8 sizes the young
 * generation once, when the process starts, from the machine's memory: on a 16-23 GB machine its two
 * semi-spaces grow to 64 MB each and hold the dead answers. 16 MB semi-spaces scavenge more often, each
 * scavenge as cheap (few answers survive one): 100k cases peak about 70 MB lower at the same speed, 10k
 * cases 36 MB. 4 MB promotes answers to the old generation (+250 MB). v8.setFlagsFromString comes too
 * late for the main heap, so the process restarts itself with the flag. bin/toron-testops.js applies the
 * same rule for the CLI before its bundle loads.
 */
export const SEMI_SPACE_FLAG = '--max-semi-space-size=16';

/**
 * Left as started: heap sizes a user chose (V8 refuses --max-heap-size beside both other sizes), and a
 * process under a debugger (--inspect-brk would stop twice, and an attached debugger would lose it).
 */
const CHOSEN = /--max-semi-space-size|--max-heap-size|--inspect/;

/**
 * The argv (argv[0] the Node binary) that restarts `script` with SEMI_SPACE_FLAG, or null when the
 * process was started with a heap size of its own (on the command line or in NODE_OPTIONS: the user's
 * choice, or ours after the restart) or under a debugger.
 */
export function youngGenerationRestart(p: { execPath: string; execArgv: readonly string[]; nodeOptions: string | undefined; script: string; args: readonly string[] }): string[] | null {
  if (CHOSEN.test(p.execArgv.join(' ')) || CHOSEN.test(p.nodeOptions ?? '')) return null;
  return [p.execPath, ...p.execArgv, SEMI_SPACE_FLAG, p.script, ...p.args];
}

/**
 * Replaces this process with the same script started with SEMI_SPACE_FLAG: same pid, same stdio and
 * environment (process.execve). Call it first, before any output. Where there is no execve (Windows)
 * or it fails, the process runs on as started: only the flag is lost.
 */
export function restartForYoungGeneration(scriptUrl: string): void {
  if (typeof process.execve !== 'function') return;
  const argv = youngGenerationRestart({
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
