import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createEngine } from '../engine/create.js';
import type { EngineAdapter } from '../engine/types.js';
import { buildReport, buildResult } from '../report/report-json.js';
import type { Report } from '../report/types.js';
import { bundleRun, renderRunPages, runBundleEpoch, TREND_RUNS, writeRunPages } from '../report/finalise.js';
import type { BundleInfo } from '../report/bundle.js';
import type { Settings } from '../settings/types.js';
import { STAGES } from '../stages/index.js';
import { engineVersionFinding } from '../stages/pipeline/engine-version.js';
import { InputError, WiringError, errorMessage } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { catalogueEntry } from '../warroom/catalogue.js';
import { SEVERITY_SCORE, type Finding } from '../warroom/finding.js';
import { EventBus } from './event-bus.js';
import { STAGE_ORDER, type RunEventBody, type Sink, type StageName } from './events.js';
import type { AnswerObserver } from './answers.js';
import { pathScrubber, runPaths, type RunPaths } from './paths.js';
import { RunLogSink } from './sinks/runlog.js';
import { Store } from '../store/store.js';
import { createRunSnapshot } from '../snapshot/run-hook.js';
import { StoreSink } from '../store/sink.js';
import { WarroomLogSink, formatWarroomLine } from '../warroom/log-sink.js';
import { parseEngineSpec, redactTarget } from '../engine/spec.js';
import type { RunContext, Stage, StageResult, StageResults } from './stage.js';
import { exitCodeFor, worstVerdict, type Verdict } from './verdict.js';

/** Reports of more cases than this are written without indentation (size and peak memory). */
const COMPACT_ABOVE_CASES = 5000;

export interface RunOptions {
  sinks?: Sink[];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
  /** The stage registry (tests may pass their own). */
  stages?: Partial<Record<StageName, Stage>>;
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

  const startedAt = new Date();
  let failedPath = paths.reportDir;
  try {
    // A reused run id reproduces a run: its folder starts empty, not with the last run's files.
    fs.rmSync(paths.reportDir, { recursive: true, force: true });
    fs.mkdirSync(paths.reportDir, { recursive: true });
    bus.add(new RunLogSink(paths.runLog, pathScrubber(settings.cwd)));
    failedPath = paths.warroomLog;
    bus.add(new WarroomLogSink(paths.warroomLog));
  } catch (err) {
    const message = `cannot write ${failedPath}: ${errorMessage(err)}`;
    bus.emit({ type: 'log', level: 'error', source: 'runner', message });
    bus.emit({ type: 'done', verdict: 'ERROR', exitCode: 2, reportDir: paths.reportDir });
    await bus.close();
    return { runId: settings.runId, verdict: 'ERROR', exitCode: 2, paths, report: null, error: message };
  }

  const findings: Finding[] = [];
  const results: StageResults = {};
  let runError: { kind: string; message: string } | null = null;
  let engine: EngineAdapter | null = null;
  let engineVersion: string | null = null;
  let current: StageName | null = null;

  const log: RunContext['log'] = (level, source, message) => bus.emit({ type: 'log', level, source, message });
  const raise: RunContext['raise'] = (f) => {
    const finding: Finding = {
      id: randomUUID(),
      runId: settings.runId,
      timestamp: new Date().toISOString(),
      ...f,
      score: SEVERITY_SCORE[f.severity],
      remediation: f.remediation ?? catalogueEntry(f.type).remediation,
    };
    findings.push(finding);
    bus.emit({ type: 'warroom', finding });
  };

  // History is kept in SQLite; trouble with it is reported and never blocks the gate.
  const store = openStore(settings, paths, startedAt, bus, log, raise);
  for (const n of store?.notices ?? []) raise(n.finding);
  // The snapshot sees every SIM answer (an answer observer) and is written once SIM and load are done.
  const snapshot = createRunSnapshot(settings, paths, { log, record: store ? (row) => store.store.recordSnapshot(row) : undefined });
  const finishSnapshot = () =>
    snapshot.finish({ results, engine: { kind: engine?.kind ?? 'unknown', version: engineVersion }, aborted: signal.aborted || runError !== null });

  bus.emit({ type: 'status', status: 'RUNNING' });
  log('info', 'runner', `run ${settings.runId} started (stages: ${settings.stages.join(', ')}; config: ${settings.configFile ?? 'defaults'})`);

  try {
    engine = createEngine(settings.engine, settings.reference, {
      log: (level, message) => log(level, 'engine', message),
      env: opts.env ?? process.env,
      cwd: settings.cwd,
    });
    log('info', 'engine', `engine ${engine.kind} ${engine.target}: health check`);
    const health = await engine.health(signal);
    if (!health.ok) {
      throw new WiringError(`engine unreachable: ${health.message}. Tried: ${health.tried.join('; ')}`);
    }
    engineVersion = health.version ?? null;
    log('info', 'engine', `engine up${engineVersion ? `, version ${engineVersion}` : ''}: ${health.message}`);
    const versionFinding = engineVersionFinding(settings.engineVersion, engineVersion);
    if (versionFinding) raise(versionFinding);

    const base = { runId: settings.runId, settings, engine, paths, signal, env: opts.env ?? process.env, emit: (e: RunEventBody) => bus.emit(e), log, raise };
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
      if (name === 'replay' || name === 'pipeline') finishSnapshot(); // replay reads it
      bus.emit({ type: 'subsystem', stage: name, state: 'started' });
      current = name;
      const result = await stage.run(ctx, results);
      current = null;
      results[name] = result;
      bus.emit({ type: 'subsystem', stage: name, state: 'finished', verdict: result.verdict, reason: result.reason });
    }
  } catch (err) {
    runError = classifyRunError(err);
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

  if (signal.aborted) {
    raise({ type: 'run-cancelled', severity: 'HIGH', subsystem: 'runner', message: `run cancelled (${errorMessage(signal.reason ?? 'signal')}): results are partial` });
  }

  // Finalise: whatever happened above, write what the run has.
  const finishedAt = new Date();
  const stageVerdicts = Object.values(results).map((r) => r!.verdict);
  const verdict: Verdict = runError || signal.aborted ? 'ERROR' : worstVerdict(stageVerdicts);
  const exitCode = exitCodeFor(verdict, settings.failOn);
  const reason = runError
    ? `ERROR (not a test verdict): ${runError.message}`
    : signal.aborted
      ? 'ERROR (not a test verdict): the run was cancelled; results are partial'
      : verdictReason(results);

  let report: Report | null = null;
  let writeError: string | null = null;
  try {
    finishSnapshot();
    const simTotal = (results.sim?.report as { total?: number } | undefined)?.total ?? 0;
    const compact = simTotal > COMPACT_ABOVE_CASES;
    for (const name of STAGE_ORDER) {
      const r = results[name];
      if (r?.summary !== undefined) writeJsonAtomic(summaryPath(paths, name), r.summary, { compact });
    }
    report = buildReport({
      settings,
      paths,
      verdict,
      reason,
      startedAt,
      finishedAt,
      cancelled: signal.aborted,
      error: runError,
      engine: { kind: engine?.kind ?? 'unknown', target: engine ? pathScrubber(settings.cwd)(engine.target) : '(not created)', version: engineVersion, profile: settings.engine.profile },
      results,
      findings,
      planned: { html: true, summary: true, bundle: true },
    });
    // report.html and summary.md come from this report object; see src/report/finalise.ts for the order.
    const pages = renderRunPages(report, { history: store ? runHistory(store.store, log) : [] });
    for (const e of pages.errors) log('error', 'report', e);
    writeJsonAtomic(paths.report, report, { compact });
    writeRunPages(paths, pages);
    writeFileAtomic(paths.runWarroom, findings.map((f) => formatWarroomLine(f) + '\n').join(''));
    writeJsonAtomic(paths.result, buildResult(report, exitCode));
  } catch (err) {
    writeError = `could not write the report files in ${paths.reportDir}: ${errorMessage(err)}`;
    log('error', 'runner', writeError);
  }

  await engine?.close().catch((err) => log('warn', 'engine', `closing the engine failed: ${errorMessage(err)}`));
  const finalVerdict: Verdict = writeError ? 'ERROR' : verdict;
  const finalExit = writeError ? 2 : exitCode;
  const bundleEpoch = runBundleEpoch(opts.env ?? process.env, (m) => log('warn', 'report', m));
  bus.emit({ type: 'done', verdict: finalVerdict, exitCode: finalExit, reportDir: paths.reportDir });
  await bus.close(); // flushes the store sink's last case rows before the run row is closed
  // bundle.zip last: every file in it (run.log included) is final now.
  let bundle: BundleInfo | null = null;
  if (report && !writeError) {
    const built = await bundleRun(paths, bundleEpoch);
    bundle = built.bundle;
    if (built.error) {
      report.artifacts.bundle = null;
      process.stderr.write(`toron-testops: ${built.error}\n`);
    }
  }
  if (store) {
    try {
      store.store.finishRun(settings.runId, {
        status: finalVerdict,
        verdict: finalVerdict,
        finishedAt: finishedAt.toISOString(),
        metrics: report ? buildResult(report, finalExit).metrics : undefined,
        paths: { result: paths.result, report: paths.report, bundle: report?.artifacts.bundle ? paths.bundle : null },
        reason,
        engine: { version: engineVersion },
      });
    } catch (err) {
      process.stderr.write(`toron-testops: could not record the run in ${paths.db}: ${errorMessage(err)}\n`);
    } finally {
      store.store.close();
    }
  }
  return { runId: settings.runId, verdict: finalVerdict, exitCode: finalExit, paths, report, error: writeError ?? runError?.message ?? null, bundle };
}

/** Earlier runs' headline metrics for the report's trend charts; the report is written without them if the store fails. */
function runHistory(store: Store, log: RunContext['log']) {
  try {
    return store.metricHistory(TREND_RUNS);
  } catch (err) {
    log('warn', 'report', `run history for the trend charts is not available: ${errorMessage(err)}`);
    return [];
  }
}

/** Opens the history store and registers the run; null (with a logged reason) when no database can be had. */
function openStore(
  settings: Settings,
  paths: RunPaths,
  startedAt: Date,
  bus: EventBus,
  log: RunContext['log'],
  raise: RunContext['raise'],
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
      engine: { kind, target: redactTarget(settings.engine.target), profile: settings.engine.profile },
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

function summaryPath(paths: RunPaths, stage: StageName): string {
  switch (stage) {
    case 'sim':
      return paths.simSummary;
    case 'load':
      return paths.loadSummary;
    case 'replay':
      return paths.replaySummary;
    case 'pipeline':
      return `${paths.reportDir}/pipeline_summary.json`;
  }
}

function classifyRunError(err: unknown): { kind: string; message: string } {
  if (err instanceof InputError) return { kind: 'input', message: err.message };
  if (err instanceof WiringError) return { kind: 'engine', message: err.message };
  return { kind: 'internal', message: `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` };
}

function verdictReason(results: StageResults): string {
  const parts: string[] = [];
  for (const name of STAGE_ORDER) {
    const r = results[name];
    if (r && r.verdict !== 'SKIPPED') parts.push(`${name} ${r.verdict}${r.reason ? ` (${r.reason})` : ''}`);
  }
  return parts.length ? parts.join('; ') : 'no stage ran';
}
