import type { EngineAdapter } from '../engine/types.js';
import type { AnswerObserver } from './answers.js';
import type { Settings } from '../settings/types.js';
import type { Finding } from '../warroom/finding.js';
import type { LogLevel, RunEventBody, StageName } from './events.js';
import type { RunPaths } from './paths.js';
import type { StageVerdict } from './verdict.js';

/** What every stage sees: settings, the engine, a way to emit events, the cancellation signal. */
export interface RunContext {
  readonly runId: string;
  readonly settings: Settings;
  readonly engine: EngineAdapter;
  readonly paths: RunPaths;
  readonly signal: AbortSignal;
  /** The environment the engine was created with (secret headers expand from it); absent: process.env. */
  readonly env?: NodeJS.ProcessEnv;
  emit(event: RunEventBody): void;
  log(level: LogLevel, source: string, message: string): void;
  /** Who wants every SIM answer as it arrives (registered before the first stage runs). */
  readonly answerObservers: readonly AnswerObserver[];
  /**
   * Whether this run wrote `paths.snapshot` (one an earlier run of the same id left there is not this
   * run's), and why not when writing failed. Absent (a stage run on its own): the file's existence says.
   */
  snapshotStatus?(): { written: boolean; failure: string | null };
  /** Raise a WAR ROOM finding (routed to every sink as a `warroom` event). */
  raise(finding: Omit<Finding, 'id' | 'runId' | 'timestamp' | 'score' | 'remediation'> & { remediation?: string }): void;
}

/**
 * A stage's result: its verdict, the object that goes under `stages.<name>` in report.json, and the
 * summary file it owns (written by the runner's finaliser, so stages never write files themselves).
 */
export interface StageResult<R = Record<string, unknown>> {
  verdict: StageVerdict;
  reason?: string;
  report: R;
  /** Written as `<reportDir>/<name>_summary.json` when present. */
  summary?: unknown;
  /**
   * The stage stopped before its work was done (the run was cancelled). Absent: the runner assumes so
   * when the run was cancelled while the stage ran (see markPartial in runner.ts).
   */
  partial?: boolean;
}

export type StageResults = Partial<Record<StageName, StageResult>>;

export interface Stage {
  readonly name: StageName;
  /**
   * Called before the first stage runs when this stage is requested: a stage that judges SIM's answers
   * (the pipeline checker) returns an observer here and reads what it gathered in `run`.
   */
  observeAnswers?(ctx: Omit<RunContext, 'answerObservers'>): AnswerObserver | undefined;
  /**
   * Reads and checks the stage's own input files (SIM: the registry and its datasets) without running
   * anything; throws an InputError naming file, line and field. Called only before a run replaces an
   * earlier run of its id: input that cannot run must not cost the earlier run its files.
   */
  checkInputs?(settings: Settings): void;
  run(ctx: RunContext, prior: StageResults): Promise<StageResult>;
}
