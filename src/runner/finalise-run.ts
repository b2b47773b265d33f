import { buildReport, buildResult } from '../report/report-json.js';
import type { Report } from '../report/types.js';
import { bundleRun, renderRunPages, runBundleEpoch, TREND_RUNS, writeRunPages } from '../report/finalise.js';
import type { BuildBundleOptions, BundleInfo } from '../report/bundle.js';
import type { Settings } from '../settings/types.js';
import type { Store } from '../store/store.js';
import { errorMessage } from '../util/errors.js';
import { collectGarbage } from '../util/heap-flags.js';
import { writeFileAtomic, writeJsonAtomic, type ItemTexts } from '../util/fs.js';
import type { Finding } from '../warroom/finding.js';
import { formatWarroomLine } from '../warroom/log-sink.js';
import type { EventBus } from './event-bus.js';
import { STAGE_ORDER, type StageName } from './events.js';
import type { RunPaths } from './paths.js';
import type { RunOutcome } from './runner.js';
import type { RunContext, StageResults } from './stage.js';
import { exitCodeFor, worstVerdict, type Verdict } from './verdict.js';

/**
 * The reason of a run cancelled before any stage ran (a queued server run, or a cancel during the
 * health check): the server shows such a run as CANCELLED (src/server/history.ts).
 */
export const CANCELLED_BEFORE_START = 'ERROR (not a test verdict): the run was cancelled before any stage ran';

/** Reports of more cases than this are written without indentation (size and peak memory). */
export const COMPACT_ABOVE_CASES = 5000;

export interface FinaliseRunInput {
  settings: Settings;
  paths: RunPaths;
  bus: EventBus;
  /** The run's history store, closed here; null when there is none. */
  store: Store | null;
  startedAt: Date;
  results: StageResults;
  findings: Finding[];
  /** What broke the run (an ERROR, not a test verdict); null when nothing did. */
  runError: { kind: string; message: string } | null;
  cancelled: boolean;
  engine: Report['engine'];
  env: NodeJS.ProcessEnv;
  log: RunContext['log'];
  /** Called first, before any file is written (the runner writes its snapshot there). */
  beforeReport?: () => unknown;
  /**
   * Whether this run wrote its snapshot (asked after beforeReport). When it did not (ERROR, cancelled,
   * SIM not run), a snapshot left under the same run id by an earlier run is not named in report.json,
   * nor bundled. Without it, an existing snapshot file is named (merge writes its own before the report).
   */
  ownSnapshot?: () => boolean;
  /** CRC-32s of files the run wrote and took as it wrote them (its snapshot's), for the bundle (asked after beforeReport). */
  checksums?: () => BuildBundleOptions['checksums'];
  /** Adds fields to report.json before it is written (merge: which shards made it). */
  decorateReport?: (report: Report) => void;
  /** Called once the report files are written, before the bus closes (the runner closes its engine). */
  afterWrite?: () => Promise<void>;
}

/**
 * The finaliser of a run (the runner's and merge's): stage summaries, report.json, report.html,
 * summary.md, the run's warroom.log, result.json, then (the bus closed, run.log final) bundle.zip, and
 * the run's row in the store. Whatever happened before, it writes what the run has.
 */
export async function finaliseRun(input: FinaliseRunInput): Promise<RunOutcome> {
  const { settings, paths, bus, store, results, findings, runError, cancelled, log } = input;
  const finishedAt = new Date();
  // The stages' garbage goes before the reports and the bundle are built on top of it.
  collectGarbage();
  const stageVerdicts = Object.values(results).map((r) => r!.verdict);
  // A gate that checked nothing (`--stages pipeline` without sim, replay with nothing to replay) must
  // not pass. A shard whose slice is empty is the exception: merge judges the whole run.
  const nothingRan = !runError && !cancelled && !settings.shard && stageVerdicts.every((v) => v === 'SKIPPED');
  const verdict: Verdict = runError || cancelled || nothingRan ? 'ERROR' : worstVerdict(stageVerdicts);
  const exitCode = exitCodeFor(verdict, settings.failOn);
  const reason = runError
    ? `ERROR (not a test verdict): ${runError.message}`
    : nothingRan
      ? `ERROR (not a test verdict): no stage ran, nothing was checked: ${skippedReasons(results, settings.stages)}`
      : cancelled
      ? Object.values(results).every((r) => r!.verdict === 'SKIPPED')
        ? CANCELLED_BEFORE_START
        : 'ERROR (not a test verdict): the run was cancelled; results are partial'
      : verdictReason(results);

  let report: Report | null = null;
  let writeError: string | null = null;
  try {
    await input.beforeReport?.();
    const simTotal = (results.sim?.report as { total?: number } | undefined)?.total ?? 0;
    const compact = simTotal > COMPACT_ABOVE_CASES;
    // sim_summary.json's case entries are report.json's (one array): serialised once for both.
    let itemTexts: ItemTexts | undefined = compact ? new Map() : undefined;
    for (const name of STAGE_ORDER) {
      const r = results[name];
      if (r?.summary !== undefined) writeJsonAtomic(summaryPath(paths, name), r.summary, { compact, ...(name === 'sim' ? { itemTexts } : {}) });
    }
    report = buildReport({
      settings,
      paths,
      verdict,
      reason,
      startedAt: input.startedAt,
      finishedAt,
      cancelled,
      error: runError,
      engine: input.engine,
      results,
      findings,
      planned: { html: true, summary: true, bundle: true },
      ...(input.ownSnapshot ? { ownSnapshot: input.ownSnapshot() } : {}),
    });
    input.decorateReport?.(report);
    // report.html and summary.md come from this report object; see src/report/finalise.ts for the order.
    const pages = renderRunPages(report, { history: store ? runHistory(store, log) : [] });
    for (const e of pages.errors) log('error', 'report', e);
    writeJsonAtomic(paths.report, report, { compact, itemTexts });
    itemTexts = undefined;
    writeRunPages(paths, pages);
    writeFileAtomic(paths.runWarroom, findings.map((f) => formatWarroomLine(f) + '\n').join(''));
    writeJsonAtomic(paths.result, buildResult(report, exitCode));
  } catch (err) {
    writeError = `could not write the report files in ${paths.reportDir}: ${errorMessage(err)}`;
    log('error', 'runner', writeError);
  }

  await input.afterWrite?.();
  const finalVerdict: Verdict = writeError ? 'ERROR' : verdict;
  const finalExit = writeError ? 2 : exitCode;
  const bundleEpoch = runBundleEpoch(input.env, (m) => log('warn', 'report', m));
  bus.emit({ type: 'done', verdict: finalVerdict, exitCode: finalExit, reportDir: paths.reportDir });
  await bus.close(); // flushes the store sink's last case rows before the run row is closed
  // bundle.zip last: every file in it (run.log included) is final now.
  let bundle: BundleInfo | null = null;
  if (report && !writeError) {
    const built = await bundleRun(paths, bundleEpoch, report, input.checksums?.());
    bundle = built.bundle;
    if (built.error) {
      report.artifacts.bundle = null;
      process.stderr.write(`toron-testops: ${built.error}\n`);
    }
  }
  if (store) {
    try {
      store.finishRun(settings.runId, {
        status: finalVerdict,
        verdict: finalVerdict,
        finishedAt: finishedAt.toISOString(),
        metrics: report ? buildResult(report, finalExit).metrics : undefined,
        paths: { result: paths.result, report: paths.report, bundle: report?.artifacts.bundle ? paths.bundle : null },
        reason,
        engine: { version: input.engine.version },
      });
    } catch (err) {
      process.stderr.write(`toron-testops: could not record the run in ${paths.db}: ${errorMessage(err)}\n`);
    } finally {
      store.close();
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

export function summaryPath(paths: RunPaths, stage: StageName): string {
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

/** Why each requested stage was skipped. */
function skippedReasons(results: StageResults, requested: readonly string[]): string {
  const parts = STAGE_ORDER.filter((name) => results[name] && requested.includes(name)).map((name) => `${name}: ${results[name]!.reason ?? 'skipped'}`);
  return parts.length ? parts.join('; ') : 'no stage was requested';
}

export function verdictReason(results: StageResults): string {
  const parts: string[] = [];
  for (const name of STAGE_ORDER) {
    const r = results[name];
    if (r && r.verdict !== 'SKIPPED') parts.push(`${name} ${r.verdict}${r.reason ? ` (${r.reason})` : ''}`);
  }
  return parts.length ? parts.join('; ') : 'no stage ran';
}
