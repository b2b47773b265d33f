import type { RunPaths } from '../runner/paths.js';
import { relPath } from '../runner/paths.js';
import { STAGE_ORDER } from '../runner/events.js';
import type { StageResults } from '../runner/stage.js';
import type { Verdict } from '../runner/verdict.js';
import type { Settings } from '../settings/types.js';
import type { Finding } from '../warroom/finding.js';
import type { Report, RunResult } from './types.js';
import fs from 'node:fs';
import { shardBlock } from '../shard/block.js';
import { toolStamp } from '../util/tool.js';

export interface ReportInput {
  settings: Settings;
  paths: RunPaths;
  verdict: Verdict;
  reason: string;
  startedAt: Date;
  finishedAt: Date;
  cancelled: boolean;
  error: Report['error'];
  engine: Report['engine'];
  results: StageResults;
  findings: Finding[];
  /**
   * Files the finaliser writes after report.json (report.html, summary.md, bundle.zip): named in
   * `artifacts` even though they do not exist yet, so that the report.json inside the bundle is final.
   */
  planned?: { html?: boolean; summary?: boolean; bundle?: boolean };
  /** Whether this run wrote `<out>/snapshots/<run_id>.json`; when not given, an existing file is named. */
  ownSnapshot?: boolean;
}

/** report.json from the run's typed results. Every path in it is relative to the report folder. */
export function buildReport(input: ReportInput): Report {
  const { settings, paths, results } = input;
  const stages = {} as Report['stages'];
  for (const name of STAGE_ORDER) {
    const r = results[name];
    stages[name] = r
      ? { ...r.report, verdict: r.verdict, ...(r.reason ? { reason: r.reason } : {}) }
      : {
          verdict: 'SKIPPED',
          reason: settings.stages.includes(name)
            ? `not run: ${input.error ? input.error.message : 'the run ended before this stage'}`
            : 'not requested (--stages)',
        };
  }
  const rel = (p: string) => relPath(paths.reportDir, p);
  const existing = (p: string) => (fs.existsSync(p) ? rel(p) : null);
  return {
    schemaVersion: 1,
    // Which toron-testops wrote it, and the meanings of its fields (FORMAT_REVISION): readers of another build compare it.
    tool: toolStamp(),
    runId: settings.runId,
    verdict: input.verdict,
    reason: input.reason,
    startedAt: input.startedAt.toISOString(),
    finishedAt: input.finishedAt.toISOString(),
    // Wall-clock times: a clock stepped back during the run (NTP on a fresh CI machine) must not give a
    // negative duration, which the schema (minimum 0) and every reader of the report would refuse.
    durationMs: Math.max(0, input.finishedAt.getTime() - input.startedAt.getTime()),
    cancelled: input.cancelled,
    error: input.error,
    engine: input.engine,
    settings: {
      configFile: settings.configFile,
      stages: settings.stages,
      failOn: settings.failOn,
      shard: settings.shard ? `${settings.shard.index}/${settings.shard.total}` : null,
    },
    stages,
    ...(settings.shard ? { shard: shardBlock(settings)! } : {}),
    warroom: input.findings,
    artifacts: {
      report: rel(paths.report),
      html: input.planned?.html ? rel(paths.html) : existing(paths.html),
      summary: input.planned?.summary ? rel(paths.summaryMd) : existing(paths.summaryMd),
      log: rel(paths.runLog),
      snapshot: input.ownSnapshot === false ? null : existing(paths.snapshot),
      bundle: input.planned?.bundle ? rel(paths.bundle) : existing(paths.bundle),
      result: rel(paths.result),
      simSummary: existing(paths.simSummary),
    },
  };
}

export function buildResult(report: Report, exitCode: number): RunResult {
  const sim = report.stages.sim as { verdict: string; passRate?: number; total?: number };
  const replay = report.stages.replay as { determinismScore?: number };
  const load = report.stages.load as { metrics?: { http_req_duration?: { 'p(95)'?: number } } };
  const count = (s: string) => report.warroom.filter((f) => f.severity === s).length;
  return {
    schemaVersion: 1,
    runId: report.runId,
    status: report.verdict,
    verdict: report.verdict,
    exitCode,
    reason: report.reason,
    cancelled: report.cancelled,
    error: report.error,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: report.durationMs,
    engine: report.engine,
    stages: Object.fromEntries(Object.entries(report.stages).map(([k, v]) => [k, v.verdict])),
    metrics: {
      simPassRate: typeof sim.passRate === 'number' && sim.verdict !== 'SKIPPED' ? sim.passRate : null,
      simTotal: typeof sim.total === 'number' ? sim.total : null,
      determinismScore: typeof replay.determinismScore === 'number' ? replay.determinismScore : null,
      p95Ms: load.metrics?.http_req_duration?.['p(95)'] ?? null,
      warroomCritical: count('CRITICAL'),
      warroomHigh: count('HIGH'),
    },
    artifacts: report.artifacts,
    // Filled in once bundle.zip is built (src/report/finalise.ts).
    bundle: null,
  };
}
