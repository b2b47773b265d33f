import type { Finding, SourceLocation } from '../warroom/finding.js';
import type { StageVerdict, Verdict } from './verdict.js';

/** DESIGN §3.6 event types. Every event carries its run id and a per-run sequence number (the SSE id). */
export type StageName = 'sim' | 'load' | 'replay' | 'pipeline';
export const STAGE_ORDER: StageName[] = ['sim', 'load', 'replay', 'pipeline'];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type RunEventBody =
  | { type: 'log'; level: LogLevel; source: string; message: string }
  | { type: 'subsystem'; stage: StageName; state: 'started' | 'finished'; verdict?: StageVerdict; reason?: string }
  | {
      type: 'progress';
      stage: StageName;
      done: number;
      total: number;
      failures: number;
      errors: number;
      ratePerSec: number;
      /** Load: p95 so far of latency from the intended send time (ms). */
      p95Ms?: number;
      /** Load: requests due but not sent (too many in flight) so far. */
      dropped?: number;
      /** Load: requests in flight now. */
      inFlight?: number;
    }
  | {
      type: 'case';
      stage: StageName;
      caseId: string;
      dataset: string;
      repeat: number;
      passed: boolean;
      latencyMs: number;
      error?: string;
      /** What kind of failure (an engine error kind such as 'timeout', or 'assertion'); absent when passed. */
      errorKind?: string;
      /** Where the case is written in its dataset file. */
      location?: SourceLocation;
    }
  | { type: 'warroom'; finding: Finding }
  | { type: 'status'; status: 'RUNNING' | 'FINISHING' | 'CANCELLING' }
  | { type: 'done'; verdict: Verdict; exitCode: number; reportDir: string };

export type RunEvent = RunEventBody & { runId: string; seq: number; time: string };

/** A consumer of events (console, run.log, SQLite, SSE, annotations). Sinks never throw into the run. */
export interface Sink {
  readonly name: string;
  handle(event: RunEvent): void;
  /** Flush and release; called once at the end of every run, ERROR runs included. */
  close?(): Promise<void> | void;
}
