import fs from 'node:fs';
import { logText } from '../../util/printable.js';
import type { RunEvent, Sink } from '../events.js';

/**
 * run.log, written as the run goes: one line per event that a person reading the log wants (passing
 * case attempts are left out; they are in sim_summary.json). Synchronous appends on an open descriptor
 * so that a killed process keeps every line already logged.
 */
export class RunLogSink implements Sink {
  readonly name = 'run.log';
  private fd: number | null;

  /** `scrub` takes machine paths out of a line: run.log goes into the bundle, which must hold none. */
  constructor(
    file: string,
    private readonly scrub: (line: string) => string = (l) => l,
  ) {
    this.fd = fs.openSync(file, 'a');
  }

  handle(e: RunEvent): void {
    const line = formatLogLine(e);
    if (line === null || this.fd === null) return;
    try {
      // Escaped as on the console: run.log is read with cat and in CI log viewers.
      fs.writeSync(this.fd, logText(this.scrub(line)) + '\n');
    } catch {
      // A full disk must not take the run down with it; the console still has the lines.
    }
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}

export function formatLogLine(e: RunEvent): string | null {
  const t = e.time;
  switch (e.type) {
    case 'log':
      return `${t} ${e.level.toUpperCase().padEnd(5)} [${e.source}] ${e.message}`;
    case 'subsystem':
      return `${t} INFO  [${e.stage}] ${e.state}${e.verdict ? ` ${e.verdict}` : ''}${e.reason ? `: ${e.reason}` : ''}`;
    case 'progress':
      return `${t} INFO  [${e.stage}] progress ${e.done}/${e.total} ${e.ratePerSec}/s failures=${e.failures} errors=${e.errors}${e.p95Ms !== undefined ? ` p95=${e.p95Ms}ms` : ''}${e.dropped !== undefined ? ` dropped=${e.dropped}` : ''}${e.inFlight !== undefined ? ` inFlight=${e.inFlight}` : ''}`;
    case 'case':
      return e.passed ? null : `${t} WARN  [${e.stage}] case ${e.dataset}/${e.caseId}#${e.repeat} failed: ${e.error ?? ''}`;
    case 'warroom':
      return `${t} ${e.finding.severity.padEnd(5)} [warroom:${e.finding.subsystem}] ${e.finding.message}${e.finding.location ? ` (${e.finding.location.file}:${e.finding.location.line})` : ''}`;
    case 'status':
      return `${t} INFO  [runner] status ${e.status}`;
    case 'done':
      return `${t} INFO  [runner] done: ${e.verdict} (exit ${e.exitCode})`;
  }
}
