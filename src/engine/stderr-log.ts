import type { EngineLogger } from './types.js';
import { escapeControls } from '../util/printable.js';

export interface StderrLimits {
  /** Lines shown on the console (as warnings); later ones go to run.log only. */
  consoleLines: number;
  /** run.log keeps at most this many stderr lines... */
  logLines: number;
  /** ...and at most this many bytes of them; later lines are only counted. */
  logBytes: number;
}

export const STDERR_LIMITS: StderrLimits = { consoleLines: 20, logLines: 10_000, logBytes: 4 * 1024 * 1024 };

/**
 * Where a `cmd:` engine's stderr lines go. The first few are warnings (console and run.log); then
 * debug lines (run.log only, the console shows them with --verbose); past the run.log bound they are
 * only counted, and `flush()` (the process has gone) logs one note saying how many were dropped.
 * An engine that floods stderr thus costs a counter per line, not a console write and a log write.
 * One per adapter, so a restarted engine does not get a fresh console allowance.
 */
export class StderrLog {
  private lines = 0;
  private bytes = 0;
  private droppedLines = 0;
  private droppedBytes = 0;

  constructor(
    private readonly log: EngineLogger,
    private readonly limits: StderrLimits = STDERR_LIMITS,
  ) {}

  line(text: string): void {
    const size = Buffer.byteLength(text) + 1;
    if (this.lines >= this.limits.logLines || this.bytes + size > this.limits.logBytes) {
      if (this.droppedLines === 0) {
        this.log(
          'debug',
          `engine stderr: run.log keeps ${this.limits.logLines} lines or ${mb(this.limits.logBytes)} of it; ` +
            'later lines are only counted (a note says how many when the engine process ends)',
        );
      }
      this.droppedLines++;
      this.droppedBytes += size;
      return;
    }
    this.lines++;
    this.bytes += size;
    const message = `engine stderr: ${escapeControls(text)}`;
    if (this.lines <= this.limits.consoleLines) {
      this.log('warn', message);
      return;
    }
    if (this.lines === this.limits.consoleLines + 1) {
      this.log('warn', `engine stderr: more than ${this.limits.consoleLines} lines; further engine stderr goes only to run.log`);
    }
    this.log('debug', message);
  }

  /** Logs the lines dropped since the last note, with the last ones the engine wrote, if any. */
  flush(tail: readonly string[] = []): void {
    if (this.droppedLines === 0) return;
    const last = tail.length > 0 ? `; the last: ${tail.map(escapeControls).join(' | ')}` : '';
    this.log(
      'warn',
      `engine stderr: ${this.droppedLines} more line(s) (${this.droppedBytes} bytes) were not logged ` +
        `(run.log keeps ${this.limits.logLines} lines or ${mb(this.limits.logBytes)})${last}`,
    );
    this.droppedLines = 0;
    this.droppedBytes = 0;
  }
}

function mb(bytes: number): string {
  return bytes % (1024 * 1024) === 0 ? `${bytes / (1024 * 1024)} MB` : `${bytes} bytes`;
}
