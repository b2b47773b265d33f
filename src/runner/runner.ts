import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createEngine } from '../engine/create.js';
import { proxyOf } from '../engine/http.js';
import type { EngineAdapter } from '../engine/types.js';
import type { Report } from '../report/types.js';
import type { BundleInfo } from '../report/bundle.js';
import type { Settings } from '../settings/types.js';
import { STAGES } from '../stages/index.js';
import { engineVersionFinding } from '../stages/pipeline/engine-version.js';
import { InputError, WiringError, errorMessage } from '../util/errors.js';
import { escapeControls } from '../util/printable.js';
import { catalogueEntry } from '../warroom/catalogue.js';
import { SEVERITY_SCORE, type Finding } from '../warroom/finding.js';
import { EventBus } from './event-bus.js';
import { STAGE_ORDER, type RunEventBody, type Sink, type StageName } from './events.js';
import type { AnswerObserver } from './answers.js';
import { pathScrubber, relPath, runPaths, type RunPaths } from './paths.js';
import { RunLogSink } from './sinks/runlog.js';
import { Store } from '../store/store.js';
import { createRunSnapshot } from '../snapshot/run-hook.js';
import { baselineClash, baselineStat } from '../baseline/load.js';
import { earlierRun, keptNotice, removeEarlierSnapshot, replacedNotice } from './earlier-run.js';
import { inConfigFile } from '../settings/load.js';
import { acquireRunLock, busyMessage } from './run-lock.js';
import { StoreSink } from '../store/sink.js';
import { WarroomLogSink } from '../warroom/log-sink.js';
import { finaliseRun } from './finalise-run.js';
import type { Verdict } from './verdict.js';
import { enginePaths, parseEngineSpec, redactTarget } from '../engine/spec.js';
import type { RunContext, Stage, StageResult, StageResults } from './stage.js';

export interface RunOptions {
  sinks?: Sink[];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** The stage registry (tests may pass their own). */
  stages?: Partial<Record<StageName, Stage>>;
  /** When the run starts (default: now): recorded as the history row's started_at; serve derives its SSE instance token from it. */
  startedAt?: Date;
  /**
   * Who set settings.baseline: the user (a flag, the config, an input), or `compare` for its candidate's
   * run (compare reads the baseline itself). Only a user's baseline that no stage reads is said to be unused.
   */
  baselineFrom?: 'user' | 'compare';
}

export interface RunOutcome {
  runId: string;
  verdict: Verdict;
  exitCode: number;
  paths: RunPaths;
  /** null only when not even the report folder could be written. */
  report: Report | null;
  error: string | null;
  /** bundle.zip with its sha256; null when it could not be built (the reason is on stderr). */
  bundle?: BundleInfo | null;
}

/**
 * The MasterRunner: health check, stages in order, then always the finaliser, which writes whatever
 * the run has (stage summaries, report.json, result.json), ERROR and cancelled runs included.
 */
export async function runPipeline(settings: Settings, opts: RunOptions = {}): Promise<RunOutcome> {
  const signal = opts.signal ?? new AbortController().signal;
  const registry = opts.stages ?? STAGES;
  const paths = runPaths(settings.cwd, settings.out, settings.runId);
  const bus = new EventBus(settings.runId);
  for (const s of opts.sinks ?? []) bus.add(s);
  // Reports, run.log and WAR ROOM lines go into the bundle: no path of this machine in any of them.
  const scrub = pathScrubber(settings.cwd, paths.out, enginePaths(settings.engine.target));

  const startedAt = opts.startedAt ?? new Date();
  // Refused before the report folder is emptied: a baseline there, or the snapshot SIM is about to write, would be lost.
  const clash = settings.baseline ? baselineClash(settings.baseline, settings.cwd, { runId: settings.runId, ...paths }) : null;
  if (clash) return refuseToStart(bus, paths, settings.runId, clash);
  // A reused run id reproduces a run: it replaces the earlier run of that id (said below), and its
  // folder starts empty, not with the last run's files, nor beside the last run's snapshot.
  // Refused before anything is touched: another run of this id going on in this folder.
  const locked = acquireRunLock(paths.out, settings.runId);
  if ('busy' in locked) {
    return refuseToStart(bus, paths, settings.runId, busyMessage(settings.runId, relPath(settings.cwd, paths.out) || '.', locked.busy, relPath(settings.cwd, locked.file)));
  }
  const earlier = earlierRun(paths);
  if (earlier) {
    // Replacing the earlier run is for a run that can run: input that cannot (a broken dataset) would
    // otherwise cost the earlier run its report and snapshot, perhaps someone's baseline.
    let problem: string | null = null;
    try {
      for (const name of STAGE_ORDER) if (settings.stages.includes(name)) registry[name]?.checkInputs?.(settings);
    } catch (err) {
      // Anything but bad input (a tool failure) is left to the run itself, which reports it in full.
      if (err instanceof InputError) problem = err.message;
    }
    if (problem !== null) {
      locked.lock.release();
      return refuseToStart(bus, paths, settings.runId, keptNotice(settings.runId, relPath(settings.cwd, paths.out) || '.', earlier, problem));
    }
  }
  try {
    fs.rmSync(paths.reportDir, { recursive: true, force: true });
    fs.mkdirSync(paths.reportDir, { recursive: true });
    if (earlier) removeEarlierSnapshot(paths, earlier);
    bus.add(new RunLogSink(paths.runLog, scrub));
  } catch (err) {
    locked.lock.release();
    return refuseToStart(bus, paths, settings.runId, `cannot write ${paths.reportDir}: ${errorMessage(err)}`);
  }
  // The log appended across runs is history, like the store: trouble with it is a finding (raised
  // below), and the run's findings still land in its report folder's warroom.log, report.json and bundle.
  let warroomLogError: string | null = null;
  try {
    bus.add(new WarroomLogSink(paths.warroomLog));
  } catch (err) {
    warroomLogError = errorMessage(err);
  }

  const findings: Finding[] = [];
  const results: StageResults = {};
  let runError: { kind: string; message: string } | null = null;
  let engine: EngineAdapter | null = null;
  let engineVersion: string | null = null;
  let current: StageName | null = null;

  // Scrubbed once, here, for every sink: run.log goes into the bundle, and serve streams lines to browsers.
  const log: RunContext['log'] = (level, source, message) => bus.emit({ type: 'log', level, source, message: scrub(message) });
  const raise: RunContext['raise'] = (f) => {
    const finding: Finding = {
      id: randomUUID(),
      runId: settings.runId,
      timestamp: new Date().toISOString(),
      ...f,
      message: scrub(f.message),
      score: SEVERITY_SCORE[f.severity],
      remediation: scrub(f.remediation ?? catalogueEntry(f.type).remediation),
    };
    findings.push(finding);
    bus.emit({ type: 'warroom', finding });
  };

  // History is kept in SQLite; trouble with it is reported and never blocks the gate.
  const store = openStore(settings, paths, startedAt, bus, log, raise, scrub);
  for (const n of store?.notices ?? []) raise(n.finding);
  // After the store opens, so the finding is in its history too.
  if (warroomLogError !== null) {
    raise({
      type: 'warroom-log-unavailable',
      severity: 'HIGH',
      subsystem: 'warroom',
      message: `this run's findings are not appended to ${relPath(settings.cwd, paths.warroomLog)} (${warroomLogError}); they are in its report folder's warroom.log, report.json and bundle`,
    });
  }
  // The snapshot sees every SIM answer (an answer observer) and is written once SIM and load are done.
  const snapshot = createRunSnapshot(settings, paths, { log, record: store ? (row) => store.store.recordSnapshot(row) : undefined });
  // Whether this run wrote <out>/snapshots/<run_id>.json: one left there by an earlier run of the same id is not its.
  let snapshotWritten = false;
  let snapshotChecksum: { file: string; bytes: number; crc32: number } | null = null;
  let snapshotFailureRaised = false;
  const finishSnapshot = async () => {
    const written = await snapshot.finish({ results, engine: { kind: engine?.kind ?? 'unknown', version: engineVersion }, aborted: signal.aborted || runError !== null });
    if (written) {
      snapshotWritten = true;
      if (written.crc32 !== undefined) snapshotChecksum = { file: written.file, bytes: written.bytes, crc32: written.crc32 };
    }
    // Said once: finish() is idempotent and its failure stays.
    if (snapshot.failure && !snapshotFailureRaised) {
      snapshotFailureRaised = true;
      raise({ type: 'snapshot-not-written', severity: 'HIGH', subsystem: 'snapshot', message: snapshot.failure });
    }
  };

  bus.emit({ type: 'status', status: 'RUNNING' });
  log('info', 'runner', `run ${settings.runId} started (stages: ${settings.stages.join(', ')}; config: ${settings.configFile ?? 'defaults'})`);
  if (earlier) log('warn', 'runner', replacedNotice(settings.runId, relPath(settings.cwd, paths.out) || '.', earlier));

  try {
    if (signal.aborted) {
      // Cancelled before it started (a queued server run): no engine is started, every stage is skipped.
      log('warn', 'runner', `run cancelled before it started (${errorMessage(signal.reason ?? 'signal')})`);
      throw NOT_STARTED;
    }
    // A missing baseline is an ERROR either way: said before the suite runs, not after.
    if (settings.baseline && settings.stages.includes('replay')) baselineStat(settings.baseline, settings.cwd);
    // Only the replay reads it: a mistyped path in a run without replay would otherwise pass unnoticed.
    else if (settings.baseline && opts.baselineFrom !== 'compare') {
      log('warn', 'runner', `--baseline ${settings.baseline} is not used: only the replay stage reads a baseline, and this run's stages are ${settings.stages.join(', ')}`);
    }
    engine = createEngine(settings.engine, settings.reference, {
      log: (level, message) => log(level, 'engine', message),
      env: opts.env ?? process.env,
      cwd: settings.cwd,
      // Its failure messages go into stage results and reports as they are: no path of this machine.
      printable: scrub,
    });
    log('info', 'engine', `engine ${engine.kind} ${engine.target}: health check`);
    const health = await engine.health(signal);
    if (!health.ok && signal.aborted) {
      // A health check the cancellation stopped says nothing about the engine: only the cancellation is reported.
      log('warn', 'engine', `health check stopped: the run was cancelled (${health.message})`);
      throw NOT_STARTED;
    }
    if (!health.ok) {
      // An engine that answered (503 while loading, 401) is reachable: do not send the user to the network.
      const what = health.answered ? 'engine health check failed' : 'engine unreachable';
      throw new WiringError(`${what}: ${health.message}. Tried: ${health.tried.join('; ')}`);
    }
    // The engine's own words: an ESC or a bidi override in it must not reach a terminal or a report as it is.
    engineVersion = health.version != null ? escapeControls(health.version) : null;
    log('info', 'engine', `engine up${engineVersion ? `, version ${engineVersion}` : ''}: ${health.message}`);
    const versionFinding = engineVersionFinding(settings.engineVersion, engineVersion);
    if (versionFinding) raise(versionFinding);

    const base = {
      runId: settings.runId,
      settings,
      engine,
      paths,
      signal,
      env: opts.env ?? process.env,
      emit: (e: RunEventBody) => bus.emit(e),
      log,
      raise,
      // The failure names the files it could not write: it goes into a stage's reason, so scrubbed.
      snapshotStatus: () => ({ written: snapshotWritten, failure: snapshot.failure === null ? null : scrub(snapshot.failure) }),
    };
    const answerObservers: AnswerObserver[] = settings.stages.includes('sim') ? [snapshot.observer] : [];
    for (const name of STAGE_ORDER) {
      const o = settings.stages.includes(name) ? registry[name]?.observeAnswers?.(base) : undefined;
      if (o) answerObservers.push(o);
    }
    const ctx: RunContext = { ...base, answerObservers };
    for (const name of STAGE_ORDER) {
      if (!settings.stages.includes(name)) {
        results[name] = skipped('not requested (--stages)');
        continue;
      }
      const stage = registry[name];
      if (!stage) {
        results[name] = skipped('not available in this version of toron-testops');
        log('warn', name, `stage ${name} was requested but is not available in this version: SKIPPED`);
        continue;
      }
      if (signal.aborted) {
        results[name] = skipped('run cancelled before this stage');
        continue;
      }
      if (name === 'replay' || name === 'pipeline') await finishSnapshot(); // replay reads it
      bus.emit({ type: 'subsystem', stage: name, state: 'started' });
      current = name;
      const result = markPartial(await stage.run(ctx, results), signal.aborted);
      current = null;
      results[name] = result;
      bus.emit({ type: 'subsystem', stage: name, state: 'finished', verdict: result.verdict, reason: result.reason });
    }
  } catch (err) {
    if (err !== NOT_STARTED) handleRunError(err);
    else skipAll(settings, results);
  }

  try {
    return await finalise();
  } finally {
    locked.lock.release();
  }

  function handleRunError(thrown: unknown): void {
    // A config value found wrong only as the run used it still names the config file and line.
    const err = thrown instanceof InputError ? inConfigFile(thrown, settings.configFile, settings.cwd) : thrown;
    const classified = classifyRunError(err);
    runError = { kind: classified.kind, message: scrub(classified.message) };
    log('error', 'runner', runError.message);
    if (current) {
      results[current] = { verdict: 'ERROR', reason: runError.message, report: {} };
      bus.emit({ type: 'subsystem', stage: current, state: 'finished', verdict: 'ERROR', reason: runError.message });
    }
    raise({
      type: runError.kind === 'engine' ? 'engine-unreachable' : 'run-error',
      severity: 'CRITICAL',
      subsystem: runError.kind === 'engine' ? 'engine' : 'runner',
      message: runError.message,
      ...(err instanceof InputError && err.file ? { location: { file: err.file, line: err.line ?? 1 } } : {}),
    });
  }

  // Finalise: whatever happened above, write what the run has (src/runner/finalise-run.ts).
  async function finalise(): Promise<RunOutcome> {
    if (signal.aborted) {
      raise({ type: 'run-cancelled', severity: 'HIGH', subsystem: 'runner', message: `run cancelled (${errorMessage(signal.reason ?? 'signal')}): results are partial` });
    }
    return finaliseRun({
      settings,
      paths,
      bus,
      store: store?.store ?? null,
      startedAt,
      results,
      findings,
      runError,
      cancelled: signal.aborted,
      engine: {
        kind: engine?.kind ?? 'unknown',
        target: engine ? scrub(engine.target) : '(not created)',
        version: engineVersion,
        profile: settings.engine.profile,
        ...(proxyOf(engine) ? { proxy: proxyOf(engine) } : {}),
      },
      env: opts.env ?? process.env,
      log,
      beforeReport: finishSnapshot,
      ownSnapshot: () => snapshotWritten,
      checksums: () => (snapshotChecksum ? [snapshotChecksum] : []),
      afterWrite: async () => {
        await engine?.close().catch((err) => log('warn', 'engine', `closing the engine failed: ${errorMessage(err)}`));
      },
    });
  }
}

/** Thrown inside the run when it was cancelled before its first stage (not an error: nothing is raised). */
const NOT_STARTED = Symbol('cancelled before the first stage');

/** A run that cannot start writes nothing: ERROR, said on the sinks given. */
async function refuseToStart(bus: EventBus, paths: RunPaths, runId: string, message: string): Promise<RunOutcome> {
  bus.emit({ type: 'log', level: 'error', source: 'runner', message });
  bus.emit({ type: 'done', verdict: 'ERROR', exitCode: 2, reportDir: paths.reportDir });
  await bus.close();
  return { runId, verdict: 'ERROR', exitCode: 2, paths, report: null, error: message };
}

/** Every stage SKIPPED: a run cancelled before its first stage. */
function skipAll(settings: Settings, results: StageResults): void {
  for (const name of STAGE_ORDER) results[name] = skipped(settings.stages.includes(name) ? 'run cancelled before this stage' : 'not requested (--stages)');
}

/**
 * A stage that ran while the run was cancelled keeps its verdict (what it saw is what it saw) but says
 * first that it is partial, so its verdict is not read as a finished stage's: its reason leads with
 * "cancelled:" and its report has `cancelled: true`. A stage that knows better (it finished all its
 * work before the signal) says so with `partial: false`.
 */
export function markPartial(result: StageResult, aborted: boolean): StageResult {
  const partial = result.partial ?? aborted;
  if (!partial || result.verdict === 'SKIPPED') return result;
  const reason = result.reason ?? '';
  return {
    ...result,
    reason: /^cancelled\b/.test(reason) ? reason : `cancelled, partial results: ${reason || result.verdict}`,
    report: { ...result.report, cancelled: true },
  };
}

/** Opens the history store and registers the run; null (with a logged reason) when no database can be had. */
function openStore(
  settings: Settings,
  paths: RunPaths,
  startedAt: Date,
  bus: EventBus,
  log: RunContext['log'],
  raise: RunContext['raise'],
  scrub: (text: string) => string,
): { store: Store; notices: ReturnType<typeof Store.open>['notices'] } | null {
  try {
    const opened = Store.open(paths.db, { outDir: paths.out, log: (level, message) => log(level, 'store', message) });
    let kind = 'unknown';
    try {
      kind = parseEngineSpec(settings.engine.target).kind;
    } catch {
      // a bad spec is reported by the engine step; the history row still gets the run
    }
    opened.store.beginRun({
      runId: settings.runId,
      startedAt: startedAt.toISOString(),
      // Scrubbed as report.json's is: an ABORTED run's result.json is written from this row.
      engine: { kind, target: scrub(redactTarget(settings.engine.target)), profile: settings.engine.profile },
    });
    bus.add(new StoreSink(opened.store, { onError: (message) => log('warn', 'store', message) }));
    return opened;
  } catch (err) {
    raise({
      type: 'store-unavailable',
      severity: 'HIGH',
      subsystem: 'store',
      message: `run history is not kept for this run (${paths.db}): ${errorMessage(err)}`,
    });
    return null;
  }
}

function skipped(reason: string): StageResult {
  return { verdict: 'SKIPPED', reason, report: {} };
}

function classifyRunError(err: unknown): { kind: string; message: string } {
  if (err instanceof InputError) return { kind: 'input', message: err.message };
  if (err instanceof WiringError) return { kind: 'engine', message: err.message };
  return { kind: 'internal', message: `internal error: ${err instanceof Error ? portableStack(err.stack ?? err.message) : String(err)}` };
}

/**
 * A stack trace as a report may carry it: each frame's file by its name alone. The frames name where
 * toron-testops is installed (a runner's `_actions` folder, a global npm prefix), which the working
 * directory scrubber does not cover, and no report may name a path of the machine (DESIGN §3.3).
 */
export function portableStack(stack: string): string {
  return stack.replace(/(?<=^|[\s(])(?:file:\/\/)?(?:[A-Za-z]:)?[\\/](?:[^\s()'"]*[\\/])?([^\s()'"\\/]+:\d+(?::\d+)?)/gm, '$1');
}
