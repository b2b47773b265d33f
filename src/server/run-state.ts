import type { RunEvent, StageName } from '../runner/events.js';
import type { StageVerdict, Verdict } from '../runner/verdict.js';
import type { Severity } from '../warroom/finding.js';

/** Where a run managed by the server stands: QUEUED until a slot is free, then what its events say. */
export type LiveStatus = 'QUEUED' | 'RUNNING' | 'FINISHING' | 'CANCELLING' | 'CANCELLED' | Verdict;

export interface LiveState {
  runId: string;
  status: LiveStatus;
  verdict: Verdict | null;
  exitCode: number | null;
  queuedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Stages as their `subsystem` events left them. */
  stages: Partial<Record<StageName, { state: 'started' | 'finished'; verdict?: StageVerdict; reason?: string }>>;
  /** The last `progress` event of each stage. */
  progress: Partial<Record<StageName, { done: number; total: number; failures: number; errors: number; ratePerSec: number }>>;
  warroom: Record<Severity, number>;
  /**
   * SIM cases so far, as report.json counts them: a case passed when every attempt of it did (a repeat
   * that failed makes it failed). Replay's and the other stages' case events are not SIM cases.
   */
  cases: { passed: number; failed: number };
  /** The seq of the last event (the SSE id a client that saw everything would resume from). */
  lastEventId: number;
  cancelRequested: boolean;
}

export function newLiveState(runId: string, now: Date): LiveState {
  return {
    runId,
    status: 'QUEUED',
    verdict: null,
    exitCode: null,
    queuedAt: now.toISOString(),
    startedAt: null,
    finishedAt: null,
    stages: {},
    progress: {},
    warroom: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFO: 0 },
    cases: { passed: 0, failed: 0 },
    lastEventId: 0,
    cancelRequested: false,
  };
}

/** Per live run, whether each SIM case seen so far passed every attempt (kept out of the state's JSON). */
const simCasesSeen = new WeakMap<LiveState, Map<string, boolean>>();

/** Folds one event into the state (in place: it runs for every event of the run). */
export function applyEvent(s: LiveState, e: RunEvent): void {
  s.lastEventId = e.seq;
  switch (e.type) {
    case 'status':
      s.status = e.status;
      s.startedAt ??= e.time;
      return;
    case 'subsystem':
      s.stages[e.stage] = { state: e.state, ...(e.verdict ? { verdict: e.verdict } : {}), ...(e.reason ? { reason: e.reason } : {}) };
      return;
    case 'progress':
      s.progress[e.stage] = { done: e.done, total: e.total, failures: e.failures, errors: e.errors, ratePerSec: e.ratePerSec };
      return;
    case 'case': {
      if (e.stage !== 'sim') return;
      let seen = simCasesSeen.get(s);
      if (!seen) simCasesSeen.set(s, (seen = new Map()));
      const key = `${e.dataset}\u0000${e.caseId}`;
      const before = seen.get(key);
      if (before === undefined) {
        seen.set(key, e.passed);
        if (e.passed) s.cases.passed++;
        else s.cases.failed++;
      } else if (before && !e.passed) {
        // A later attempt failed: the case moves from passed to failed.
        seen.set(key, false);
        s.cases.passed--;
        s.cases.failed++;
      }
      return;
    }
    case 'warroom':
      s.warroom[e.finding.severity]++;
      return;
    case 'done':
      s.status = e.verdict;
      s.verdict = e.verdict;
      s.exitCode = e.exitCode;
      s.finishedAt = e.time;
      return;
    case 'log':
      return;
  }
}

export function isFinished(s: LiveState): boolean {
  return s.verdict !== null || s.status === 'CANCELLED';
}
