/**
 * `cmd:` engines: one long-lived child process (no shell) speaking JSON lines.
 *
 *   request  {"id":"7","method":"run","params":{"runId","caseId","seed","input"}}
 *            {"id":"8","method":"health"}
 *   answer   {"id":"7","result":<the engine's answer>}   or   {"id":"7","error":{"message":"..."}}
 *
 * One line each way per request; answers may come in any order and are matched by id. Anything else
 * on stdout is logged and ignored; stderr goes to run.log (bounded: stderr-log.ts). The process is
 * started on first use and ends when stdin closes (or on SIGTERM, then SIGKILL). Once it has exited,
 * its pipes get a short grace period for their last bytes and are then destroyed: a helper it started
 * (`worker &` in a wrapper script) may hold them open, and must not keep our process alive.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { quote } from 'shell-quote';
import type {
  EngineAdapter,
  EngineError,
  EngineLogger,
  EngineRequest,
  EngineResult,
  HealthResult,
} from './types.js';
import { BoundedLineSplitter } from './line-splitter.js';
import { notUtf8Message } from './utf8.js';
import { excerpt } from './http-errors.js';
import { escapeControls } from '../util/printable.js';
import { engineVersionOf } from './version.js';
import { StderrLog } from './stderr-log.js';
import { portableText } from '../util/portable-path.js';
import { argvRedactor, argvSecrets } from './spec.js';
import { answerRedactor, secretRedactor } from './secrets.js';
import { answerNeedsExactParse, exactReviver } from '../util/decimal.js';

export interface CommandAdapterOptions {
  argv: string[];
  cwd?: string;
  timeoutMs: number;
  /** The longest answer line accepted; longer lines fail their request as too_large. */
  maxResponseBytes: number;
  /** run.log: the child's stderr and protocol warnings go here. */
  log: EngineLogger;
  env?: NodeJS.ProcessEnv;
  /** Extra fields merged under each case input. */
  body?: Record<string, unknown>;
  /**
   * Values that must not reach a report (engine.env's interpolated secrets: expandEngineEnv): blanked
   * out of messages, log lines and answers, as an HTTP engine's header values are.
   */
  secrets?: Record<string, string>;
  /**
   * Makes a text fit for a report (no path of this machine: the runner's path scrubber). Applied to
   * the target, the log lines and every failure message, which quote the command line and stderr; with
   * it, any other absolute path in the engine's text is made portable too (portableText).
   */
  printable?: (text: string) => string;
}

export interface CommandAdapter extends EngineAdapter {
  readonly kind: 'command';
  /** The pid of the running engine process, if one is running. */
  readonly pid: number | undefined;
  /**
   * Ends the current process; the next call starts a fresh one (replay rounds in a fresh process
   * catch answers that depend on the process, such as a hash seed).
   */
  restart(): Promise<void>;
}

/** What one request to the child comes back as, before it becomes an EngineResult. */
type Reply =
  | { ok: true; result: unknown; raw: string; latencyMs: number }
  | { ok: false; error: EngineError; latencyMs: number };

interface Pending {
  method: string;
  started: number;
  timer: NodeJS.Timeout;
  settle: (r: Reply) => void;
}

const STDERR_TAIL_LINES = 5;
const STDERR_LINE_BYTES = 8 * 1024;
const LATE_IDS_KEPT = 1_000;
/** After the process exits: how long its pipes may still deliver what it wrote just before. */
const EXIT_GRACE_MS = 250;

export function createCommandAdapter(opts: CommandAdapterOptions): CommandAdapter {
  if (opts.argv.length === 0 || opts.argv[0] === '') throw new Error('createCommandAdapter: empty argv');
  // Credentials passed on the command line (--api-key X) never reach a report (spec.ts argvSecrets).
  const hideArgv = argvRedactor(opts.argv);
  const hideEnv = secretRedactor(opts.secrets ?? {});
  // Answers too: an engine echoing its command line (a debug block with its argv) must not put
  // those credentials into the snapshot, as an HTTP engine echoing its headers does not.
  const argvAsSecrets = Object.fromEntries(argvSecrets(opts.argv).map((v, i) => [`argv:${i}`, v]));
  const redactAnswer = answerRedactor({ ...(opts.secrets ?? {}), ...argvAsSecrets });
  const hideRaw = redactAnswer ? (text: string) => hideEnv(hideArgv(text)) : hideEnv;
  const hideArgs = (text: string) => hideEnv(hideArgv(text));
  const given = opts.printable;
  const outer = (text: string) => hideArgs(given ? given(text) : text);
  const target = outer(`cmd:${quote(opts.argv)}`);
  // The engine's own text (stderr, stack traces, its error messages) names files of its own, not only
  // those of its command line: every absolute path in it is made portable before the runner's scrubber.
  const enginePathsBase = opts.cwd ?? process.cwd();
  const printable = given ? (text: string) => outer(portableText(text, enginePathsBase)) : outer;
  const log: EngineLogger = (level, message) => opts.log(level, printable(message));
  const sessionOpts: CommandAdapterOptions = { ...opts, log };
  let session: Session | undefined;
  let closed = false;
  let nextId = 0;
  const stderrLog = new StderrLog(log);

  function current(): Session {
    session ??= new Session(sessionOpts, target, stderrLog);
    return session;
  }

  function send(method: string, params: unknown, timeoutMs: number, signal?: AbortSignal): Promise<Reply> {
    if (closed) return Promise.resolve(failReply('aborted', 'the engine adapter is closed'));
    if (signal?.aborted) return Promise.resolve(failReply('aborted', 'the run was cancelled'));
    const id = String(++nextId);
    return current().request(id, method, params, timeoutMs, signal);
  }

  return {
    kind: 'command',
    target,
    get pid() {
      return session?.pid;
    },

    async call(req: EngineRequest, signal?: AbortSignal): Promise<EngineResult> {
      const params = {
        runId: req.runId,
        caseId: req.caseId,
        seed: req.seed,
        input: { ...(opts.body ?? {}), ...req.input },
      };
      const r = await send('run', params, opts.timeoutMs, signal);
      if (!r.ok) return { ok: false, error: { ...r.error, message: printable(r.error.message) }, latencyMs: r.latencyMs };
      if (!redactAnswer) return { ok: true, body: r.result, raw: r.raw, latencyMs: r.latencyMs };
      const body = redactAnswer(r.result);
      const raw = hideRaw(r.raw);
      return { ok: true, body, raw, ...(body !== r.result || raw !== r.raw ? { bodyRedacted: true as const } : {}), latencyMs: r.latencyMs };
    },

    async health(signal?: AbortSignal): Promise<HealthResult> {
      const r = await send('health', undefined, opts.timeoutMs, signal);
      const pid = session?.pid;
      const who = pid === undefined ? target : `${target} (pid ${pid})`;
      if (r.ok) {
        const version = engineVersionOf((r.result as { version?: unknown } | null)?.version);
        return {
          ok: true,
          version,
          tried: [`${target}: health answered`],
          message: `engine ${who} is up${version ? ` (version ${version})` : ''}`,
        };
      }
      const { kind } = r.error;
      const message = printable(r.error.message);
      // An engine without a health method still proved it reads and answers JSON lines.
      if (kind === 'engine_error' || kind === 'too_large' || kind === 'protocol') {
        return {
          ok: true,
          tried: [`${target}: health answered with an error`],
          message: `engine ${who} answers, but not to "health" (${message}); continuing`,
        };
      }
      // The commonest first-day mistake: answers written through a block-buffered stdout (Python's
      // print to a pipe, C stdio) sit in the engine's buffer until it fills or the process exits.
      const silent = kind === 'timeout' && session !== undefined && session.stdoutBytes === 0;
      const hint = silent
        ? '; it wrote nothing on stdout: if its answers go through a buffered stdout, flush each line ' +
          '(Python: print(..., flush=True), python3 -u or PYTHONUNBUFFERED=1; C: fflush(stdout); Ruby: $stdout.sync = true)'
        : '';
      const outcome =
        kind === 'timeout' ? `no answer to the health request within ${opts.timeoutMs} ms${hint}` : message;
      // `tried` carries the detail (exit code, stderr); the message stays one short line.
      const short = kind === 'timeout' ? 'did not answer the health check in time' : `is not usable (${kind})`;
      return { ok: false, tried: [`${target}: ${outcome}`], message: `engine ${who} ${short}` };
    },

    async restart() {
      const s = session;
      session = undefined;
      await s?.stop('the engine process was restarted');
    },

    async close() {
      closed = true;
      const s = session;
      session = undefined;
      await s?.stop('the engine adapter is closed');
    },
  };
}

/** One engine process and the requests in flight to it. */
class Session {
  private readonly child: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<string, Pending>();
  /** Ids that timed out, so a late answer is logged as late rather than unknown. */
  private readonly late = new Set<string>();
  /** Ids answered lately, so an answer sent twice is logged as a duplicate rather than unknown. */
  private readonly done = new Set<string>();
  private readonly stderrTail: string[] = [];
  private answered = 0;
  /** Ids the run cancelled lately: an answer that still comes for one is named so, not "unknown". */
  private readonly cancelled = new Set<string>();
  /** Bytes the engine wrote on stdout so far: none at all by a health timeout hints at buffered output. */
  stdoutBytes = 0;
  /** Set once the process is gone: every later request fails with it. */
  private dead: EngineError | undefined;
  private stopping: string | undefined;
  private exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly exited: Promise<void>;
  private markExited!: () => void;
  private finalizeTimer: NodeJS.Timeout | undefined;
  /** Resolves once finalize() has run: the process is gone and its pipes are let go. */
  private readonly finished: Promise<void>;
  private markFinished!: () => void;
  private released = false;
  private readonly stdout: BoundedLineSplitter;
  private readonly stderr: BoundedLineSplitter;

  constructor(
    private readonly opts: CommandAdapterOptions,
    private readonly target: string,
    private readonly stderrLog: StderrLog,
  ) {
    this.exited = new Promise<void>((r) => (this.markExited = r));
    this.finished = new Promise<void>((r) => (this.markFinished = r));
    this.stdout = new BoundedLineSplitter(
      opts.maxResponseBytes,
      (line, notUtf8At, bytes) => this.onLine(line, notUtf8At, bytes),
      (prefix) => this.onOverlong(prefix),
      512,
      (prefix, tail) => this.onOverlongEnd(prefix, tail),
    );
    const stderr = (this.stderr = new BoundedLineSplitter(
      STDERR_LINE_BYTES,
      (line) => this.onStderr(line),
      (prefix) => this.onStderr(`${prefix}… (line cut at ${STDERR_LINE_BYTES} bytes)`),
    ));

    const [file, ...args] = opts.argv;
    let child: ChildProcessWithoutNullStreams;
    try {
      // No shell, ever: the argv was split by us (spec.ts), and nothing in it is interpreted.
      child = spawn(file, args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        shell: false,
        stdio: ['pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
    } catch (err) {
      this.die(`could not start engine ${target}: ${(err as Error).message}`);
      this.markExited();
      this.markFinished();
      return;
    }
    this.child = child;
    child.stdout.on('data', (c: Buffer) => {
      this.stdoutBytes += c.length;
      this.stdout.push(c);
    });
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    child.stderr.on('end', () => stderr.end());
    // EPIPE after the child died: the exit handler reports the death, with its code.
    child.stdin.on('error', () => {});
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) {
        const message = `could not start engine ${target}: ${spawnErrorText(err, file)}`;
        opts.log('error', message);
        this.die(message);
        this.markExited();
      } else {
        opts.log('warn', `engine ${target}: ${err.message}`);
      }
    });
    child.on('exit', (code, signal) => {
      this.exitInfo = { code, signal };
      this.markExited();
      // Normally 'close' follows once the pipes are drained; a grandchild holding them open must not
      // keep pending requests waiting (nor, once the pipes are destroyed, our process alive).
      this.finalizeTimer = setTimeout(() => this.finalize(), EXIT_GRACE_MS);
      this.finalizeTimer.unref();
    });
    child.on('close', () => this.finalize());
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  request(id: string, method: string, params: unknown, timeoutMs: number, signal?: AbortSignal): Promise<Reply> {
    if (this.dead) return Promise.resolve({ ok: false, error: this.dead, latencyMs: 0 });
    const line = `${JSON.stringify(params === undefined ? { id, method } : { id, method, params })}\n`;
    return new Promise<Reply>((resolve) => {
      const started = performance.now();
      const onAbort = () => {
        this.remember(this.cancelled, id);
        settle(failReply('aborted', 'the run was cancelled', performance.now() - started));
      };
      const settle = (r: Reply) => {
        if (!this.pending.delete(id)) return;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        resolve(r);
      };
      const timer = setTimeout(() => {
        this.rememberLate(id);
        settle(
          failReply(
            'timeout',
            `engine ${this.target} did not answer request ${id} (${method}) within ${timeoutMs} ms`,
            performance.now() - started,
          ),
        );
      }, timeoutMs);
      this.pending.set(id, { method, started, timer, settle });
      signal?.addEventListener('abort', onAbort, { once: true });
      this.child!.stdin.write(line);
    });
  }

  /**
   * Ends stdin (a well-behaved engine exits on EOF), then escalates to signals; then lets go of the
   * pipes, after the grace period for the last output.
   */
  async stop(reason: string): Promise<void> {
    this.stopping = reason;
    this.failAll({ kind: 'aborted', message: reason });
    const child = this.child;
    if (!child || child.pid === undefined) return this.release();
    if (!this.exitInfo) await this.end(child);
    await settlesWithin(this.finished, EXIT_GRACE_MS + 250);
    // Finalized by now, unless the process would not die even of SIGKILL: let go of it all the same.
    this.release();
  }

  private async end(child: ChildProcessWithoutNullStreams): Promise<void> {
    child.stdin.end();
    if (await settlesWithin(this.exited, 1_000)) return;
    child.kill('SIGTERM');
    if (await settlesWithin(this.exited, 1_000)) return;
    child.kill('SIGKILL');
    if (await settlesWithin(this.exited, 1_000)) return;
    child.unref();
  }

  private onLine(line: string, notUtf8At = -1, bytes?: Buffer): void {
    if (line.trim() === '') return;
    let msg: unknown;
    try {
      // A UTF-8 BOM before the first line (.NET's Console, PowerShell) is not JSON; HTTP answers drop it too.
      msg = JSON.parse(line.charCodeAt(0) === 0xfeff ? line.slice(1) : line);
    } catch {
      this.opts.log('warn', `engine ${this.target} wrote a line that is not JSON (ignored): ${excerpt(line)}`);
      return;
    }
    const rawId = (msg as { id?: unknown } | null)?.id;
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg) || (typeof rawId !== 'string' && typeof rawId !== 'number')) {
      this.opts.log('warn', `engine ${this.target} wrote a JSON line without an "id" (ignored): ${excerpt(line)}`);
      return;
    }
    const id = String(rawId);
    const p = this.pending.get(id);
    if (!p) {
      const shown = `"${excerpt(id, '', 40)}"`;
      const what = this.late.delete(id)
        ? `request ${shown} after its timeout`
        : this.cancelled.delete(id)
          ? `request ${shown} after the run cancelled it`
          : this.done.has(id)
            ? `request ${shown} again (a duplicate: it was already answered)`
            : `for an unknown request id ${shown}`;
      this.opts.log('warn', `engine ${this.target} answered ${what} (ignored)`);
      return;
    }
    this.remember(this.done, id);
    const latencyMs = performance.now() - p.started;
    // Answers to the run's requests: the health check's is not one (the exit message counts these).
    if (p.method !== 'health') this.answered++;
    const m = msg as { result?: unknown; error?: unknown };
    if (notUtf8At !== -1 && bytes) {
      // Decoding would have replaced the bad bytes with U+FFFD: the answer is not the engine's (utf8.ts).
      p.settle(failReply('invalid_json', `engine answer for request ${id}: ${notUtf8Message(bytes, notUtf8At)}`, latencyMs));
    } else if ('error' in m && m.error !== undefined && m.error !== null) {
      p.settle(failReply('engine_error', `engine reported an error: ${engineErrorText(m.error)}`, latencyMs));
    } else if ('result' in m) {
      // The answer's own text, without the envelope: what an HTTP engine's body would be.
      p.settle({ ok: true, result: m.result, raw: rawOf(m.result, line), latencyMs });
    } else {
      p.settle(failReply('protocol', `engine answer for request ${id} has neither "result" nor "error"`, latencyMs));
    }
  }

  /** Set when an overlong line's id was not in its first bytes: its end may name it (onOverlongEnd). */
  private overlongUnmatched = false;

  private onOverlong(prefix: string): void {
    const sniffed = /^\s*\{\s*"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))/.exec(prefix);
    const id = sniffed ? (sniffed[1] ?? sniffed[2]) : this.pending.size === 1 ? [...this.pending.keys()][0] : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) {
      // Wait for the line's end: an envelope written {"result": ..., "id": "7"} names its request last.
      this.overlongUnmatched = true;
      return;
    }
    this.overlongUnmatched = false;
    this.settleOverlong(id!, p);
  }

  private onOverlongEnd(prefix: string, tail: string): void {
    if (!this.overlongUnmatched) return;
    this.overlongUnmatched = false;
    const sniffed = /"id"\s*:\s*(?:"((?:[^"\\]|\\.)*)"|(\d+))\s*\}\s*$/.exec(tail);
    const id = sniffed ? (sniffed[1] ?? sniffed[2]) : undefined;
    const p = id === undefined ? undefined : this.pending.get(id);
    if (!p) {
      const what = `an answer line over the ${this.opts.maxResponseBytes}-byte cap (maxResponseBytes)`;
      this.opts.log('warn', `engine ${this.target} wrote ${what} for no pending request (ignored): ${excerpt(prefix, '', 80)}`);
      return;
    }
    this.settleOverlong(id!, p);
  }

  private settleOverlong(id: string, p: Pending): void {
    const what = `an answer line over the ${this.opts.maxResponseBytes}-byte cap (maxResponseBytes)`;
    if (p.method !== 'health') this.answered++;
    this.remember(this.done, id);
    p.settle(failReply('too_large', `engine ${this.target} wrote ${what}; the rest of it was dropped`, performance.now() - p.started));
  }

  private onStderr(line: string): void {
    if (line.trim() === '') return;
    this.stderrTail.push(line.length > 300 ? `${line.slice(0, 299)}…` : line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
    this.stderrLog.line(line);
  }

  /**
   * Destroys the pipes (a grandchild may hold their other ends open for as long as it likes), reads
   * out the last partial lines and notes the stderr lines that were not logged. Idempotent.
   */
  private release(): void {
    if (this.released) return;
    this.released = true;
    const child = this.child;
    if (child) {
      child.stdin.destroy();
      child.stdout.destroy();
      child.stderr.destroy();
    }
    this.stdout.end();
    this.stderr.end();
    this.stderrLog.flush(this.stderrTail);
  }

  private finalize(): void {
    clearTimeout(this.finalizeTimer);
    this.release();
    this.markFinished();
    if (this.dead) return;
    const info = this.exitInfo;
    const how = !info
      ? 'closed its output'
      : info.signal
        ? `was killed by signal ${info.signal}`
        : `exited with code ${info.code}`;
    const pid = this.child?.pid;
    let message = `engine process ${this.target}${pid === undefined ? '' : ` (pid ${pid})`} ${how} after ${this.answered} answer(s)`;
    if (this.stderrTail.length > 0) message += `; last stderr: ${escapeControls(this.stderrTail.join(' | '))}`;
    if (this.stopping) {
      this.dead = { kind: 'aborted', message: this.stopping };
    } else {
      this.opts.log('error', message);
      this.die(message);
    }
    this.failAll(this.dead!);
  }

  private die(message: string): void {
    this.dead ??= { kind: 'process_exit', message };
    this.failAll(this.dead);
  }

  private failAll(error: EngineError): void {
    for (const p of [...this.pending.values()]) {
      p.settle({ ok: false, error, latencyMs: performance.now() - p.started });
    }
  }

  private rememberLate(id: string): void {
    this.remember(this.late, id);
  }

  private remember(ids: Set<string>, id: string): void {
    ids.add(id);
    if (ids.size > LATE_IDS_KEPT) ids.delete(ids.values().next().value!);
  }
}

function failReply(kind: EngineError['kind'], message: string, latencyMs = 0): Reply {
  return { ok: false, error: { kind, message }, latencyMs };
}

function engineErrorText(error: unknown): string {
  const m = (error as { message?: unknown } | null)?.message;
  if (typeof m === 'string') return excerpt(m, '', 300);
  return excerpt(typeof error === 'string' ? error : (JSON.stringify(error) ?? String(error)), '', 300);
}

function spawnErrorText(err: NodeJS.ErrnoException, file: string): string {
  if (err.code === 'ENOENT') return `"${file}" was not found (ENOENT): check the program name and PATH, or the working directory`;
  if (err.code === 'EACCES') return `"${file}" is not executable (EACCES)`;
  return err.code ? `${err.message} (${err.code})` : err.message;
}

function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    void p.then(() => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/**
 * The answer's own text, without the envelope. An answer nested thousands of levels deep (a runaway
 * trace) overflows JSON.stringify's stack: its line, envelope and all, stands for it then, so the
 * engine's answer still reaches SIM (whose snapshot keeps it as unreadable) instead of the exception
 * escaping the stdout handler and taking the run down.
 */
function rawOf(result: unknown, line: string): string {
  try {
    // A number a double cannot hold (an integer beyond 2^53, 1e400) keeps its digits in the raw text,
    // as an HTTP engine's does: SIM compares such numbers exactly from it (util/decimal.ts).
    if (answerNeedsExactParse(line)) {
      const exact = exactResultText(line);
      if (exact !== undefined) return exact;
    }
    return JSON.stringify(result) ?? 'null';
  } catch {
    return line;
  }
}

/** The result's text with its numbers as the line writes them, or undefined if the line does not parse as it is. */
function exactResultText(line: string): string | undefined {
  try {
    return JSON.stringify((JSON.parse(line.replace(/^\uFEFF/, ''), exactReviver as (k: string, v: unknown) => unknown) as { result?: unknown }).result);
  } catch {
    return undefined;
  }
}
