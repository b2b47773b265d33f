import { toolStamp } from '../util/tool.js';
import type { AnswerObserver } from '../runner/answers.js';
import type { LogLevel } from '../runner/events.js';
import { relPath, type RunPaths } from '../runner/paths.js';
import type { StageResults } from '../runner/stage.js';
import type { Settings } from '../settings/types.js';
import type { SnapshotRow } from '../store/types.js';
import { errorMessage } from '../util/errors.js';
import { portableTarget, settingsHash } from './portable.js';
import type { SnapshotMetrics, SnapshotWritten } from './types.js';
import { createSnapshotSink } from './sink.js';
import type { SnapshotCounts } from './thread-protocol.js';

export interface RunSnapshot {
  /** Registered with SIM's answer observers when SIM runs. */
  readonly observer: AnswerObserver;
  /**
   * Writes `<out>/snapshots/<run_id>.json` once SIM (and load) are done, and records it in the store.
   * Nothing is written for a cancelled run, a SIM that ended in ERROR or did not run: such a snapshot
   * would make a misleading baseline. Idempotent; never throws (trouble is logged).
   */
  finish(input: { results: StageResults; engine: { kind: string; version: string | null }; aborted: boolean }): Promise<SnapshotWritten | null>;
  /** Why the snapshot could not be written (a disk or permission problem), once finish() met one; else null. */
  readonly failure: string | null;
}

export interface RunSnapshotDeps {
  log(level: LogLevel, source: string, message: string): void;
  /** The store's recordSnapshot, when the run has a store. */
  record?: (row: SnapshotRow) => void;
  now?: () => Date;
}

export function createRunSnapshot(settings: Settings, paths: RunPaths, deps: RunSnapshotDeps): RunSnapshot {
  // The engine's profile names its answer shape; when it is `auto`, pipeline.profile may name it (auto: by shape).
  const profile = settings.engine.profile !== 'auto' ? settings.engine.profile : settings.pipeline.profile;
  const writer = createSnapshotSink({
    file: paths.snapshot,
    configIgnorePaths: settings.replay.ignorePaths,
    ...(settings.replay.ignoreVolatile ? { volatileFrom: profile } : {}),
  });
  let finished = false;
  let failure: string | null = null;
  return {
    observer: writer,
    get failure() {
      return failure;
    },
    async finish({ results, engine, aborted }) {
      if (finished) return null;
      finished = true;
      if (writer.fallback) deps.log('warn', 'snapshot', writer.fallback);
      const sim = results.sim;
      if (aborted || !sim || sim.verdict === 'ERROR' || sim.verdict === 'SKIPPED') {
        if (writer.cases > 0) deps.log('info', 'snapshot', `no snapshot written: ${aborted ? 'the run was cancelled' : 'SIM did not complete'}`);
        await writer.discard();
        return null;
      }
      try {
        const createdAt = (deps.now?.() ?? new Date()).toISOString();
        const counts = await writer.counts();
        const written = await writer.finish({
          runId: settings.runId,
          createdAt,
          tool: toolStamp(),
          engine: { kind: engine.kind, target: portableTarget(settings.engine.target, settings.cwd), version: engine.version, profile: settings.engine.profile },
          settingsHash: settingsHash(settings),
          metrics: headlineMetrics(results, counts),
          artifacts: artifactLinks(paths),
        });
        if (!written) return null;
        deps.log('info', 'snapshot', `snapshot of ${written.cases} case(s) written${writer.threaded ? ' (on a thread of its own)' : ''}: ${relPath(paths.cwd, written.file)}`);
        try {
          deps.record?.({ runId: settings.runId, path: written.file, sha256: written.sha256, createdAt, cases: written.cases, settingsHash: written.settingsHash });
        } catch (err) {
          deps.log('warn', 'store', `could not record the snapshot in the history: ${errorMessage(err)}`);
        }
        return written;
      } catch (err) {
        failure = `could not write the snapshot ${relPath(paths.cwd, paths.snapshot)}: ${errorMessage(err)}`;
        deps.log('error', 'snapshot', failure);
        await writer.discard();
        return null;
      }
    },
  };
}

function headlineMetrics(results: StageResults, counts: SnapshotCounts): SnapshotMetrics {
  const s = results.sim?.report as Record<string, unknown> | undefined;
  const num = (k: string) => (typeof s?.[k] === 'number' ? (s[k] as number) : 0);
  const lat = [...counts.latencies].sort((a, b) => a - b);
  // Nearest rank: a latency that was measured, not an interpolation between two.
  const rank = (q: number) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))];
  const load = results.load && results.load.verdict !== 'SKIPPED' ? (results.load.report as Record<string, unknown>) : null;
  return {
    sim: s
      ? {
          verdict: results.sim!.verdict,
          total: num('total'),
          passed: num('passed'),
          failed: num('failed'),
          errored: num('errored'),
          flaky: num('flaky'),
          passRate: num('passRate'),
        }
      : null,
    latencyMs:
      lat.length > 0
        ? { p50: round2(rank(0.5)), p95: round2(rank(0.95)), max: round2(lat[lat.length - 1]) }
        : null,
    // An invalid load run (its generator fell behind) says so: a comparison must not take its p95 as the engine's.
    load: load ? { verdict: results.load!.verdict, ...(load.valid === false ? { valid: false } : {}), metrics: (load.metrics as unknown) ?? null } : null,
    answered: counts.answered,
    errored: counts.errored,
  };
}

/** The run's files, relative to the snapshot's folder (`<out>/snapshots/`). */
function artifactLinks(paths: RunPaths): Record<string, string | null> {
  const rel = (p: string) => relPath(paths.snapshotsDir, p);
  return {
    report: rel(paths.report),
    result: rel(paths.result),
    simSummary: rel(paths.simSummary),
    replaySummary: rel(paths.replaySummary),
    log: rel(paths.runLog),
  };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
