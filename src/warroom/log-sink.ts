import fs from 'node:fs';
import path from 'node:path';
import type { RunEvent, Sink } from '../runner/events.js';
import type { Finding } from './finding.js';

/**
 * `<out>/warroom/warroom.log`: every WAR ROOM finding as one JSON line, appended across runs. Each line
 * is one synchronous write on a descriptor opened for append, so it is in the file (the kernel's page
 * cache) before `raise` returns: a crash or kill -9 loses no finding already raised. The run's own lines
 * are kept too, for its bundle (`lines()`).
 */
export class WarroomLogSink implements Sink {
  readonly name = 'warroom.log';
  private fd: number | null;
  private readonly own: string[] = [];
  private failure: string | null = null;

  /** Throws when the file cannot be opened (an unwritable output folder is the runner's to report). */
  constructor(readonly file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    // 'a+': every write still appends; the descriptor can also read the last byte (endTornLine).
    this.fd = fs.openSync(file, 'a+');
    endTornLine(this.fd);
  }

  handle(e: RunEvent): void {
    if (e.type !== 'warroom') return;
    const line = formatWarroomLine(e.finding);
    this.own.push(line);
    if (this.fd === null) return;
    try {
      // One write call per line: appends of one buffer are not interleaved with another process's.
      fs.writeSync(this.fd, line + '\n');
    } catch (err) {
      // A full disk must not take the run down; the finding is still in the report and the bundle.
      this.failure ??= `could not append to ${this.file}: ${(err as Error).message}`;
    }
  }

  /** This run's lines, in the order raised (without newlines). */
  lines(): string[] {
    return [...this.own];
  }

  /** The first write failure, if any. */
  writeError(): string | null {
    return this.failure;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A run killed in the middle of a write (power loss, a full disk) can leave the file ending inside a
 * line. Appending to it would glue this run's first finding onto that torn line, and a JSON-lines
 * reader would lose both: the torn line is ended first, so only it stays unreadable.
 */
function endTornLine(fd: number): void {
  try {
    const { size } = fs.fstatSync(fd);
    if (size === 0) return;
    const last = Buffer.alloc(1);
    fs.readSync(fd, last, 0, 1, size - 1);
    if (last[0] !== 0x0a) fs.writeSync(fd, '\n');
  } catch {
    // Nothing is lost by not checking: the run's own findings are in its report folder too.
  }
}

/** One finding as one line of JSON (no newline inside: JSON.stringify escapes them). */
export function formatWarroomLine(f: Finding): string {
  return JSON.stringify(f);
}

/**
 * Reads warroom.log back: the findings (of one run when `runId` is given) and the lines that do not
 * parse (a torn last line after a power loss, or a foreign edit) with their line numbers.
 */
export function readWarroomLog(file: string, runId?: string): { findings: Finding[]; bad: { line: number; text: string }[] } {
  const findings: Finding[] = [];
  const bad: { line: number; text: string }[] = [];
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { findings, bad };
    throw err;
  }
  const lines = text.split('\n');
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      const f = JSON.parse(raw) as Finding;
      if (!f || typeof f !== 'object' || typeof f.id !== 'string' || typeof f.severity !== 'string') throw new Error('not a finding');
      if (runId === undefined || f.runId === runId) findings.push(f);
    } catch {
      bad.push({ line: i + 1, text: raw });
    }
  });
  return { findings, bad };
}
