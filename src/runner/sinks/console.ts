import { logText } from '../../util/printable.js';
import type { RunEvent, Sink } from '../events.js';
import { neutralise } from '../../github/commands.js';

export interface ConsoleOptions {
  write?: (s: string) => void;
  /** Print debug lines too. */
  verbose?: boolean;
}

/**
 * The console: logs, stage transitions, progress (done/total, rate, failures so far), CRITICAL and
 * HIGH findings as they happen. Case results are not printed one by one; their count is in progress.
 */
export class ConsoleSink implements Sink {
  readonly name = 'console';
  private readonly write: (s: string) => void;

  constructor(private readonly opts: ConsoleOptions = {}) {
    this.write = opts.write ?? ((s) => process.stdout.write(s));
  }

  handle(e: RunEvent): void {
    const line = this.format(e);
    // Messages carry engine and dataset text: a terminal escape in one must be shown, not obeyed; a
    // workflow command in one (the CLI runs as a workflow step too) must not be read by the runner.
    if (line !== null) this.write(neutralise(logText(line)) + '\n');
  }

  private format(e: RunEvent): string | null {
    switch (e.type) {
      case 'log':
        if (e.level === 'debug' && !this.opts.verbose) return null;
        return `${e.level === 'info' ? '' : `${e.level.toUpperCase()}: `}[${e.source}] ${e.message}`;
      case 'subsystem':
        return e.state === 'started' ? `▶ ${e.stage}` : `■ ${e.stage}: ${e.verdict}${e.reason ? ` (${e.reason})` : ''}`;
      case 'progress': {
        const pct = e.total ? ((100 * e.done) / e.total).toFixed(0) : '100';
        return `  ${e.stage} ${e.done}/${e.total} (${pct}%) ${e.ratePerSec}/s, failures ${e.failures}, engine errors ${e.errors}${loadExtras(e)}`;
      }
      case 'warroom': {
        const f = e.finding;
        if (f.severity !== 'CRITICAL' && f.severity !== 'HIGH') return null;
        const at = f.location ? ` ${f.location.file}:${f.location.line}` : '';
        return `  ${f.severity} ${f.subsystem}${at}: ${f.message}`;
      }
      case 'case':
      case 'status':
        return null;
      case 'done':
        return null; // the CLI prints the verdict block itself
    }
  }
}

/** The load stage's extra progress fields (p95 so far, dropped, in flight), when present. */
export function loadExtras(e: { p95Ms?: number; dropped?: number; inFlight?: number }): string {
  let out = '';
  if (e.p95Ms !== undefined) out += `, p95 ${e.p95Ms} ms`;
  if (e.dropped !== undefined) out += `, dropped ${e.dropped}`;
  if (e.inFlight !== undefined) out += `, in flight ${e.inFlight}`;
  return out;
}
