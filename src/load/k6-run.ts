import { spawn } from 'node:child_process';
import { BoundedLineSplitter } from '../engine/line-splitter.js';

/** Running the user's k6 binary: never through a shell, its output relayed line by line. */

/** k6's exit codes (errext/exitcodes), for messages. */
export const K6_EXIT_CODES: Readonly<Record<number, string>> = {
  97: 'the cloud test run failed',
  98: 'k6 could not get the cloud test progress',
  99: 'thresholds were crossed',
  100: 'setup() timed out',
  101: 'teardown() timed out',
  102: 'a timeout',
  103: 'the test was stopped through its REST API (k6 before v0.43: an engine error)',
  104: 'invalid configuration',
  105: 'the test was aborted from outside',
  106: 'the REST API could not start',
  107: 'the script threw an exception',
  108: 'the script called test.abort()',
  109: 'k6 panicked',
  110: 'the test was marked as failed',
  255: 'an error without its own exit code',
};

export const K6_INSTALL_HINT =
  'install k6 (https://grafana.com/docs/k6/latest/set-up/install-k6/); in GitHub Actions add the step ' +
  '"- uses: grafana/setup-k6-action@v1" before this one; or set load.k6Binary to its path, or load.generator to "builtin"';

export interface K6Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The spawn error (ENOENT: no such binary). */
  spawnError?: NodeJS.ErrnoException;
  /** The last lines of k6's stderr and stdout, for messages. */
  tail: string;
}

export interface K6SpawnOptions {
  binary: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Kill k6 after this long (a hung k6 must not hang the gate). */
  killAfterMs?: number;
  onLine?: (stream: 'stdout' | 'stderr', line: string) => void;
}

const TAIL_LINES = 20;
const GRACE_MS = 5_000;

export function spawnK6(opts: K6SpawnOptions): Promise<K6Exit> {
  return new Promise((resolve) => {
    const tail: string[] = [];
    const keep = (stream: 'stdout' | 'stderr', line: string) => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLine?.(stream, line);
    };
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(opts.binary, opts.args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    } catch (err) {
      resolve({ code: null, signal: null, spawnError: err as NodeJS.ErrnoException, tail: '' });
      return;
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      const split = new BoundedLineSplitter(
        16 * 1024,
        (line) => {
          if (line.trim()) keep(stream, line.replace(/\r$/, ''));
        },
        (prefix) => keep(stream, `${prefix}… (line cut)`),
        200,
      );
      child[stream]!.on('data', (chunk: Buffer) => split.push(chunk));
      child[stream]!.on('end', () => split.end());
    }
    let killTimer: NodeJS.Timeout | undefined;
    let hardKill: NodeJS.Timeout | undefined;
    // k6 stops on SIGINT and still writes its summary; SIGKILL only if it does not.
    const stop = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGINT');
      hardKill = setTimeout(() => child.kill('SIGKILL'), GRACE_MS);
      hardKill.unref();
    };
    opts.signal?.addEventListener('abort', stop, { once: true });
    if (opts.killAfterMs) {
      killTimer = setTimeout(stop, opts.killAfterMs);
      killTimer.unref();
    }
    let spawnError: NodeJS.ErrnoException | undefined;
    child.on('error', (err) => {
      spawnError = err as NodeJS.ErrnoException;
    });
    child.on('close', (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(hardKill);
      opts.signal?.removeEventListener('abort', stop);
      resolve({ code, signal, ...(spawnError ? { spawnError } : {}), tail: tail.join('\n') });
    });
  });
}

/** `k6 version` -> "v1.5.0", or why not. */
export async function k6Version(binary: string, env: NodeJS.ProcessEnv, cwd: string, shown = binary): Promise<{ ok: true; version: string; line: string } | { ok: false; missing: boolean; message: string }> {
  const lines: string[] = [];
  const exit = await spawnK6({ binary, args: ['version'], cwd, env, killAfterMs: 15_000, onLine: (_s, l) => lines.push(l) });
  if (exit.spawnError) {
    const missing = exit.spawnError.code === 'ENOENT' || exit.spawnError.code === 'EACCES';
    const why = exit.spawnError.code === 'EACCES' ? 'is not executable' : 'was not found';
    return {
      ok: false,
      missing,
      message: missing ? `k6 ("${shown}") ${why}: ${K6_INSTALL_HINT}` : `k6 ("${shown}") could not start: ${exit.spawnError.message.split(binary).join(shown)}`,
    };
  }
  if (exit.code !== 0) {
    return { ok: false, missing: false, message: `"${shown} version" exited with ${exit.code ?? exit.signal}: ${exit.tail.split(binary).join(shown).slice(-500)}` };
  }
  const line = lines.find((l) => /\bv?\d+\.\d+/.test(l)) ?? lines[0] ?? '';
  const m = /\bv(\d+\.\d+\.\d+\S*)/.exec(line);
  return { ok: true, version: m ? `v${m[1]}` : line.trim(), line: line.trim() };
}

/** What k6's exit code says, for a message. */
export function describeK6Exit(exit: K6Exit): string {
  if (exit.code === null) return `k6 was stopped by ${exit.signal ?? 'a signal'}`;
  const meaning = K6_EXIT_CODES[exit.code];
  return `k6 exited with code ${exit.code}${meaning ? ` (${meaning})` : ''}`;
}
