import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { STAGE_ORDER, type Sink } from '../runner/events.js';
import { EventBus } from '../runner/event-bus.js';
import { finaliseRun } from '../runner/finalise-run.js';
import { pathScrubber, relPath, runPaths } from '../runner/paths.js';
import type { RunOutcome } from '../runner/runner.js';
import { RunLogSink } from '../runner/sinks/runlog.js';
import type { RunContext, StageResult, StageResults } from '../runner/stage.js';
import { DEFAULTS } from '../settings/defaults.js';
import { newRunId } from '../settings/run-id.js';
import type { Settings } from '../settings/types.js';
import type { ShardRules } from '../shard/block.js';
import { Store } from '../store/store.js';
import { StoreSink } from '../store/sink.js';
import { errorMessage } from '../util/errors.js';
import { FORMAT_REVISION, ownRevision } from '../util/tool.js';
import { loadAnswersFinding } from '../stages/load/stage.js';
import { rateLimitedFinding, type RateLimitCounts } from '../engine/rate-limit.js';
import { catalogueEntry } from '../warroom/catalogue.js';
import { SEVERITY_SCORE, type Finding } from '../warroom/finding.js';
import { WarroomLogSink } from '../warroom/log-sink.js';
import type { ZipLimits } from '../github/zip.js';
import { collectShardSources, inputOverwrittenBy, shownInput, type InputProblem } from './inputs.js';
import { mergeK6Load, readK6Summaries } from './k6.js';
import { mergePipeline } from './pipeline.js';
import { mergeReplay } from './replay.js';
import { MergedReportError, readShard, selectShards, type ShardRun } from './shards.js';
import { caseKey, mergeSim, suiteFingerprints, type SimReportCase } from './sim.js';
import { mergeSnapshots } from './snapshot.js';
import { earlierRun, removeEarlierSnapshot, replacedNotice } from '../runner/earlier-run.js';
import { acquireRunLock, busyMessage } from '../runner/run-lock.js';

export interface MergeOptions {
  cwd: string;
  out?: string;
  failOn?: 'fail' | 'warn' | 'never';
  k6Summaries?: string[];
  sinks?: Sink[];
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Caps for reading bundles (entries, total uncompressed bytes); default MERGE_ZIP_LIMITS. */
  zipLimits?: ZipLimits;
}

type FindingInput = Parameters<RunContext['raise']>[0];

/**
 * `toron-testops merge`: the shards of one sharded run (report folders, folders holding them at any
 * depth, bundle.zip files) -> one run with the verdict and per-case results an unsharded run of the
 * same cases and run id would have. Per-case results come from the shards; everything that depends on
 * the totals (verdicts, determinism, drift, pipeline budgets, their findings) is judged again on the
 * union with the stages' own pure functions. Every input is read before anything is written (the
 * merged report folder may be one of them). Bad inputs never crash: they make the merged run ERROR,
 * named, and what could be merged is still written.
 */
export async function mergeShards(inputs: string[], opts: MergeOptions): Promise<RunOutcome> {
  const cwd = opts.cwd;
  const env = opts.env ?? process.env;
  const signal = opts.signal ?? new AbortController().signal;
  const startedAt = new Date();

  // 1. Read every input (in memory) before anything is written.
  const problems: InputProblem[] = [];
  const collected = collectShardSources(inputs, { cwd, limits: opts.zipLimits });
  problems.push(...collected.problems);
  const runs: ShardRun[] = [];
  const skippedMerged: string[] = [];
  const given = new Set(inputs.map((i) => shownInput(cwd, path.resolve(cwd, i))));
  for (const src of collected.sources) {
    try {
      runs.push(readShard(src));
    } catch (err) {
      // An earlier merge's report inside a given folder is not an input; named on its own, it is refused.
      if (err instanceof MergedReportError && !given.has(src.source)) skippedMerged.push(src.source);
      else problems.push({ source: src.source, message: errorMessage(err) });
    }
  }
  const sel = selectShards(runs);
  problems.push(...sel.problems);
  const k6 = opts.k6Summaries?.length ? readK6Summaries(opts.k6Summaries, cwd) : null;
  if (k6) problems.push(...k6.problems);

  // 2. The merged run's settings: the shards' rules (merge reads no config).
  const ref = sel.shards[0] ?? null;
  const runId = sel.runId ?? newRunId(startedAt);
  // A leg of an older toron-testops lacks the settings added since: this version's defaults fill them (logged below).
  const filled = ref ? rulesWithDefaults(ref.report.shard.rules) : null;
  const settings = mergeSettings(cwd, opts.out ?? DEFAULTS.out, runId, filled?.rules ?? null, opts.failOn);
  const paths = runPaths(cwd, settings.out, runId);
  const scrub = pathScrubber(cwd, paths.out);
  const bus = new EventBus(runId);
  for (const s of opts.sinks ?? []) bus.add(s);
  const refuse = async (message: string): Promise<RunOutcome> => {
    bus.emit({ type: 'log', level: 'error', source: 'merge', message });
    bus.emit({ type: 'done', verdict: 'ERROR', exitCode: 2, reportDir: paths.reportDir });
    await bus.close();
    return { runId, verdict: 'ERROR', exitCode: 2, paths, report: null, error: message };
  };
  // The merged run replaces <out>/reports/<run_id>/ and <out>/snapshots/<run_id>.json: a leg written there
  // (merge given the --out of a leg) would be deleted, and the next merge would find the leg missing;
  // so would a k6 summary kept there (read, then deleted with the folder).
  const overwritten = inputOverwrittenBy([...collected.sources, ...(k6?.inputs ?? [])], cwd, paths.reportDir);
  if (overwritten) {
    return refuse(
      `--out ${relPath(cwd, paths.out) || '.'} would overwrite the input ${overwritten} (the merged run ${runId} is written to ${relPath(cwd, paths.reportDir)}): give merge an --out of its own`,
    );
  }
  // Refused before anything is touched: a run of this id going on in --out (runner.ts, run-lock.ts).
  const locked = acquireRunLock(paths.out, runId);
  if ('busy' in locked) return refuse(busyMessage(runId, relPath(cwd, paths.out) || '.', locked.busy, relPath(cwd, locked.file)));
  // An earlier run (or merge) of this run id in --out is replaced, as by a run (runner.ts): said below.
  const earlier = earlierRun(paths);
  try {
    fs.rmSync(paths.reportDir, { recursive: true, force: true });
    fs.mkdirSync(paths.reportDir, { recursive: true });
    if (earlier) removeEarlierSnapshot(paths, earlier);
    bus.add(new RunLogSink(paths.runLog, scrub));
  } catch (err) {
    locked.lock.release();
    return refuse(`cannot write ${paths.reportDir}: ${errorMessage(err)}`);
  }
  // The log appended across runs is history, as in a run (runner.ts): trouble with it is a finding, and
  // the merged run's findings still land in its report folder's warroom.log, report.json and bundle.
  let warroomLogError: string | null = null;
  try {
    bus.add(new WarroomLogSink(paths.warroomLog));
  } catch (err) {
    warroomLogError = scrub(errorMessage(err));
  }
  const log: RunContext['log'] = (level, source, message) => bus.emit({ type: 'log', level, source, message });
  const engine = ref?.report.engine ?? { kind: 'unknown', target: '(no shard)', version: null, profile: 'auto' };
  const store = openStore(paths.db, paths.out, runId, startedAt, engine, bus, log);

  bus.emit({ type: 'status', status: 'RUNNING' });
  log('info', 'merge', `merging run ${runId}: ${inputs.length} input(s), ${collected.sources.length} shard report(s) found`);
  if (earlier) log('warn', 'merge', replacedNotice(runId, relPath(cwd, paths.out) || '.', earlier));
  for (const r of runs) log('info', 'merge', `  ${r.source} (${r.kind}): run ${r.report.runId} shard ${r.report.shard.index}/${r.report.shard.total}, ${r.report.verdict}`);
  for (const m of skippedMerged) log('info', 'merge', `${m}: the report of an earlier merge, not a shard: skipped`);
  for (const d of sel.duplicates) log('info', 'merge', `${d.source} repeats ${d.of} (same report): taken once`);
  if (ref && ref.formatRevision < FORMAT_REVISION) {
    // Merge refuses legs of mixed or newer revisions (shards.ts): these are all of one older revision.
    log('info', 'merge', `the legs were written by ${ref.revision}, older than this toron-testops's ${ownRevision()}: their per-case results are taken as that version recorded them`);
  }
  if (filled && filled.defaulted.length > 0) {
    log(
      'warn',
      'merge',
      `the legs' settings lack ${filled.defaulted.join(', ')} (they were run by an older toron-testops, which had no such setting): ` +
        "this version's defaults are used for them",
    );
  }

  // 3. Why the merged run can not be trusted whole (each also a CRITICAL finding).
  const own: FindingInput[] = [];
  const errors: string[] = [];
  for (const p of problems) {
    // An input's error (fs, zip) may name a path of the machine; the reason goes into every report (DESIGN §3.3).
    const message = `${p.source}: ${scrub(p.message)}`;
    errors.push(message);
    own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message });
  }
  if (sel.total !== null && sel.missing.length > 0) {
    const m = `shard(s) ${sel.missing.map((i) => `${i}/${sel.total}`).join(', ')} missing: the merged report holds ${sel.shards.length} of ${sel.total} shards`;
    errors.push(m);
    own.push({ type: 'merge-shard-missing', severity: 'CRITICAL', subsystem: 'merge', message: m });
  }
  for (const s of sel.shards) {
    if (s.report.verdict !== 'ERROR') continue;
    const m = `shard ${s.report.shard.index}/${s.report.shard.total} (${s.source}) ended in ERROR: ${s.report.reason}`;
    errors.push(m);
    own.push({ type: 'merge-shard-error', severity: 'CRITICAL', subsystem: 'merge', message: m });
  }
  if (sel.shards.length === 0 && errors.length === 0) errors.push('no shard report in the inputs');
  if (warroomLogError !== null) {
    own.push({
      type: 'warroom-log-unavailable',
      severity: 'HIGH',
      subsystem: 'warroom',
      message: `this run's findings are not appended to ${relPath(cwd, paths.warroomLog)} (${warroomLogError}); they are in its report folder's warroom.log, report.json and bundle`,
    });
  }

  // 4. The stages of the union.
  const results: StageResults = {};
  const recomputed: FindingInput[] = [];
  let order = new Map<string, number>();
  let loadReplaced = false;
  if (ref) {
    const rules = filled!.rules;
    const want = (n: 'sim' | 'load' | 'replay' | 'pipeline') => rules.stages.includes(n);
    const notRequested: StageResult = { verdict: 'SKIPPED', reason: 'not requested (--stages)', report: {} };

    const sim = mergeSim(sel.shards, rules.sim.passRate, runId);
    const simLimits = (sim.result.report as { rateLimited?: RateLimitCounts }).rateLimited;
    if (simLimits) recomputed.push(rateLimitedFinding(simLimits, 'SIM'));
    order = sim.order;
    results.sim = want('sim') ? sim.result : notRequested;
    if (want('sim') && suiteFingerprints(sel.shards).length > 1) {
      // Legs run on edited datasets (a prompt or an assertion changed, the count of cases not): no one run.
      const m = 'the shards ran different suites (a case\'s prompt, assertions or settings differ between their datasets): merge only the shards of one run, on the same datasets';
      errors.push(m);
      own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message: m });
    }
    if (sim.suiteCases !== null && sel.missing.length === 0 && want('sim')) {
      const got = ((sim.result.report as { total?: number }).total ?? 0) + sel.shards.reduce((n, s) => n + (((s.report.stages.sim as { notRun?: number }).notRun) ?? 0), 0);
      if (got !== sim.suiteCases) {
        const m = `the shards hold ${got} case(s), their suite ${sim.suiteCases}: some cases ran in no shard or in two`;
        errors.push(m);
        own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message: m });
      }
    }

    if (k6 && k6.inputs.length > 0) {
      // Distributed k6 runners ran the load outside the shard legs: their summaries are the load stage.
      try {
        const merged = mergeK6Load(k6.inputs, rules.load);
        results.load = merged.result;
        recomputed.push(...merged.findings);
        log('info', 'load', `load from ${k6.inputs.length} k6 summaries (percentiles are upper bounds): ${merged.result.verdict}`);
      } catch (err) {
        const m = `the k6 summaries cannot be judged: ${errorMessage(err)}`;
        errors.push(m);
        results.load = { verdict: 'ERROR', reason: m, report: {} };
      }
      loadReplaced = true;
      if (!settings.stages.includes('load')) settings.stages = STAGE_ORDER.filter((n) => n === 'load' || settings.stages.includes(n));
    } else if (!want('load')) results.load = notRequested;
    else {
      const first = sel.shards.find((s) => s.report.shard.index === 1);
      results.load = first ? fromBlock(first.report.stages.load, first.summaries.load) : { verdict: 'SKIPPED', reason: 'shard 1, which runs the load, is missing', report: {} };
      // Shard 1 judged its answers under load against its own slice's SIM pass rate: judged again
      // against the merged one, as an unsharded run would (assembleFindings leaves shard 1's out).
      if (first) {
        const simRate = (sim.result.report as { passRate?: unknown }).passRate;
        const merged = typeof simRate === 'number' && want('sim') ? simRate : null;
        for (const block of [results.load.report, results.load.summary]) {
          const q = (block as { quality?: { simPassRate?: number | null } } | undefined)?.quality;
          if (q) q.simPassRate = merged;
        }
        const answers = loadAnswersFinding((results.load.report as { quality?: Parameters<typeof loadAnswersFinding>[0] }).quality, merged);
        if (answers) recomputed.push(answers);
      }
    }

    if (!want('replay')) results.replay = notRequested;
    else {
      const merged = mergeReplay(sel.shards, rules.replay, order, relPath(cwd, paths.snapshot), runId, rules.sim.passRate);
      if (merged) {
        results.replay = merged.result;
        recomputed.push(...merged.findings);
        const replayLimits = (merged.result.report as { rateLimited?: RateLimitCounts }).rateLimited;
        if (replayLimits) recomputed.push(rateLimitedFinding(replayLimits, 'replay'));
      } else results.replay = fromBlock(ref.report.stages.replay, undefined);
    }

    if (!want('pipeline')) results.pipeline = notRequested;
    else {
      const merged = mergePipeline(sel.shards, settings, runId);
      if (merged === null) results.pipeline = fromBlock(ref.report.stages.pipeline, undefined);
      else if ('problem' in merged) {
        errors.push(merged.problem);
        own.push({ type: 'merge-input-rejected', severity: 'CRITICAL', subsystem: 'merge', message: merged.problem });
        results.pipeline = { verdict: 'ERROR', reason: merged.problem, report: {} };
      } else {
        results.pipeline = merged.result;
        recomputed.push(...merged.findings);
      }
    }
  }
  for (const name of ['sim', 'load', 'replay', 'pipeline'] as const) {
    const r = results[name];
    if (r) bus.emit({ type: 'subsystem', stage: name, state: 'finished', verdict: r.verdict, reason: r.reason });
  }
  emitCaseRows(bus, results.sim);

  // 5. WAR ROOM: per-case findings from the shards, run-level ones judged again on the union.
  const findings = assembleFindings(sel.shards, order, own, recomputed, loadReplaced, runId);
  for (const f of findings) bus.emit({ type: 'warroom', finding: f });

  const runError = errors.length ? { kind: 'merge', message: errors.join('; ') } : null;
  if (runError) log('error', 'merge', runError.message);
  return finaliseRun({
    settings,
    paths,
    bus,
    store,
    startedAt,
    results,
    findings,
    runError,
    cancelled: signal.aborted,
    engine,
    env,
    log,
    beforeReport: () => {
      if (!ref) return;
      try {
        const snap = mergeSnapshots(sel.shards, order, paths, results, new Date());
        for (const p of snap.problems) log('warn', 'snapshot', p);
        if (snap.written) {
          log('info', 'snapshot', `merged snapshot of ${snap.written.cases} case(s) written: ${relPath(cwd, snap.written.file)}`);
          store?.recordSnapshot({ runId, path: snap.written.file, sha256: snap.written.sha256, createdAt: snap.written.createdAt, cases: snap.written.cases, settingsHash: snap.written.settingsHash });
        }
      } catch (err) {
        log('error', 'snapshot', `could not write the merged snapshot: ${errorMessage(err)}`);
      }
    },
    decorateReport: (report) => {
      report.merged = {
        total: sel.total,
        fingerprint: sel.fingerprint,
        shards: sel.shards.map((s) => ({
          index: s.report.shard.index,
          verdict: s.report.verdict,
          source: s.source,
          cases: (s.report.stages.sim as { total?: number }).total ?? null,
        })),
        missing: sel.missing,
        ...(k6 ? { k6Summaries: k6.inputs.map((i) => i.source) } : {}),
      };
    },
  }).finally(() => locked.lock.release());
}

/** A shard's stage block back as a stage result. */
function fromBlock(block: { verdict: StageResult['verdict']; reason?: string; [k: string]: unknown }, summary: unknown): StageResult {
  const { verdict, reason, ...report } = block;
  return { verdict, ...(reason ? { reason } : {}), report, ...(summary !== undefined ? { summary } : {}) };
}

export function mergeSettings(cwd: string, out: string, runId: string, rules: ShardRules | null, failOn: MergeOptions['failOn']): Settings {
  const d = structuredClone(DEFAULTS) as Settings;
  return {
    ...d,
    configFile: null,
    cwd,
    runId,
    out,
    shard: null,
    failOn: failOn ?? rules?.failOn ?? d.failOn,
    stages: rules?.stages ?? d.stages,
    baseline: rules?.baseline ?? null,
    engine: { ...d.engine, profile: (rules?.engineProfile as Settings['engine']['profile']) ?? d.engine.profile },
    sim: { ...d.sim, passRate: rules?.sim.passRate ?? d.sim.passRate },
    replay: rules?.replay ?? d.replay,
    pipeline: rules?.pipeline ?? d.pipeline,
    load: rules?.load ?? d.load,
  };
}

/**
 * A leg's rules with what they lack taken from this version's defaults, and the settings so filled
 * (`replay.drift.warnRate`, ...). A leg of an older toron-testops has no value for a setting added
 * since, and its rules are read whole: such a setting would be undefined in the merged judge. Filled
 * at the depth the config merges (settings/resolve.ts): replay's thresholds and drift and SIM's pass
 * rate per field; load thresholds, pipeline levels and custom pointers are whole values, as there.
 */
export function rulesWithDefaults(rules: ShardRules): { rules: ShardRules; defaulted: string[] } {
  const defaulted: string[] = [];
  const fill = <T extends object>(given: unknown, d: T, at: string, perField: readonly string[] = []): T => {
    if (!given || typeof given !== 'object' || Array.isArray(given)) {
      defaulted.push(at);
      return structuredClone(d) as T;
    }
    const out: Record<string, unknown> = { ...(given as Record<string, unknown>) };
    for (const [k, v] of Object.entries(d)) {
      if (out[k] === undefined) {
        out[k] = structuredClone(v);
        defaulted.push(`${at}.${k}`);
      } else if (perField.includes(k)) out[k] = fill(out[k], v as object, `${at}.${k}`);
    }
    return out as T;
  };
  const d = DEFAULTS;
  const filled: ShardRules = {
    ...rules,
    sim: { ...rules.sim, passRate: fill(rules.sim?.passRate, d.sim.passRate, 'sim.passRate') },
    replay: fill(rules.replay, d.replay, 'replay', ['thresholds', 'drift']),
    pipeline: fill(rules.pipeline, d.pipeline, 'pipeline'),
    load: fill(rules.load, d.load, 'load'),
  };
  return { rules: filled, defaulted };
}

/**
 * Findings of the merged run, in suite order where they name a case: SIM's per-case findings as the
 * shards raised them; load's from shard 1 (the only one that ran it) unless k6 summaries replaced it;
 * replay and pipeline judged again on the union (recomputed); other findings (engine, store, runner)
 * once each however many shards raised them; merge's own first.
 */
function assembleFindings(
  shards: ShardRun[],
  order: Map<string, number>,
  own: FindingInput[],
  recomputed: FindingInput[],
  loadReplaced: boolean,
  runId: string,
): Finding[] {
  const now = new Date().toISOString();
  const make = (f: FindingInput): Finding => ({
    id: randomUUID(),
    runId,
    timestamp: now,
    ...f,
    score: SEVERITY_SCORE[f.severity],
    remediation: f.remediation ?? catalogueEntry(f.type).remediation,
  });
  const sim: Finding[] = [];
  const load: Finding[] = [];
  const other: Finding[] = [];
  const seen = new Set<string>();
  // SIM findings naming a case, as earlier shards raised them: a finding about the suite that names a
  // case (sim-case-unasserted: the first such case of a dataset) is raised by every leg, since each
  // loads the whole suite; the unsharded run raised it once. Repeats within one shard are kept.
  const simSeen = new Set<string>();
  for (const s of shards) {
    const simHere: string[] = [];
    for (const f of s.report.warroom ?? []) {
      if (f.subsystem === 'replay' || f.subsystem === 'pipeline') continue;
      // Said again from the summed counts (recomputed): each leg's counted only its slice.
      if (f.type === 'engine-rate-limited') continue;
      if (f.subsystem === 'load') {
        // load-answers-failed is judged again on the merged SIM pass rate (recomputed).
        if (!loadReplaced && s.report.shard.index === 1 && f.type !== 'load-answers-failed') load.push({ ...f, runId });
        continue;
      }
      const key = `${f.type}\u0000${f.severity}\u0000${f.message}\u0000${f.caseId ?? ''}`;
      if (f.subsystem === 'sim' && f.caseId) {
        if (simSeen.has(key)) continue;
        simHere.push(key);
        sim.push({ ...f, runId });
        continue;
      }
      if (seen.has(key)) continue;
      seen.add(key);
      other.push({ ...f, runId });
    }
    for (const k of simHere) simSeen.add(k);
  }
  const rankOf = (f: Finding) => {
    const loc = f.location;
    // a case id is unique within its dataset; the finding's message starts with "dataset/id"
    const dataset = f.message.split('/')[0];
    return order.get(caseKey({ dataset, id: f.caseId! })) ?? (loc ? loc.line : Infinity);
  };
  sim.sort((a, b) => rankOf(a) - rankOf(b));
  return [...own.map(make), ...other, ...sim, ...load, ...recomputed.map(make)];
}

function emitCaseRows(bus: EventBus, sim: StageResult | undefined): void {
  const cases = (sim?.report as { cases?: SimReportCase[] } | undefined)?.cases;
  if (!Array.isArray(cases)) return;
  // The store keeps one row per case for a merged run (the shards' stores hold every attempt).
  for (const c of cases) {
    bus.emit({
      type: 'case',
      stage: 'sim',
      caseId: c.id,
      dataset: c.dataset,
      repeat: 0,
      passed: c.passed,
      latencyMs: c.latencyMs,
      error: c.engineErrors?.[0] ? `${c.engineErrors[0].kind}: ${c.engineErrors[0].message}` : c.failures[0]?.message,
      errorKind: c.engineErrors?.[0]?.kind ?? (c.passed ? undefined : c.status === 'flaky' ? 'flaky' : 'assertion'),
      location: c.location,
    });
  }
}

function openStore(
  db: string,
  out: string,
  runId: string,
  startedAt: Date,
  engine: { kind: string; target: string; profile: string },
  bus: EventBus,
  log: RunContext['log'],
): Store | null {
  try {
    const opened = Store.open(db, { outDir: out, log: (level, message) => log(level, 'store', message) });
    for (const n of opened.notices) log('warn', 'store', n.finding.message);
    opened.store.beginRun({ runId, startedAt: startedAt.toISOString(), engine: { kind: engine.kind, target: engine.target, profile: engine.profile } });
    bus.add(new StoreSink(opened.store, { onError: (message) => log('warn', 'store', message) }));
    return opened.store;
  } catch (err) {
    log('warn', 'store', `run history is not kept for this merge (${db}): ${errorMessage(err)}`);
    return null;
  }
}
