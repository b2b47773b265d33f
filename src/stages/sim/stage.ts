import { InputError, errorMessage } from '../../util/errors.js';
import path from 'node:path';
import { answerPointer } from '../../engine/answer-path.js';
import type { RunContext, Stage, StageResult } from '../../runner/stage.js';
import { executeCases, type CaseChecker } from './execute.js';
import { suiteFingerprint, suiteOf, unassertedMessage } from './dataset.js';
import { pathCaseMessage, unregisteredMessage } from './registry.js';
import { inexactMessage } from './inexact-numbers.js';
import { compileCaseChecks } from './check.js';
import { datasetEntry, misrouted, misroutedReason, round4, simRateLimits, simReportHead, summariseCase, totals, simVerdict, type Attempt, type CaseSummary } from './score.js';
import { rateLimitedFinding } from '../../engine/rate-limit.js';
import type { SimCase } from './types.js';
import type { Settings } from '../../settings/types.js';
import { sliceCases } from '../../shard/slice.js';

/** Consecutive refused connections after answers that mean the engine is gone, not a hiccup. */
const GONE_AFTER_REFUSALS = 3;
const REFUSED = /connection refused/;

export interface SimDatasetReport {
  name: string;
  file: string;
  total: number;
  passed: number;
  failed: number;
  errored: number;
  flaky: number;
  /** null when no case of the dataset was judged (the run was cancelled first). */
  passRate: number | null;
}

const PROGRESS_EVERY_MS = 1000;

export const simStage: Stage = {
  name: 'sim',
  checkInputs(settings: Settings): void {
    suiteOf(settings);
  },
  async run(ctx: RunContext): Promise<StageResult> {
    const { settings } = ctx;
    const suite = suiteOf(settings);
    for (const w of suite.warnings) ctx.log('warn', 'sim', w);
    for (const m of suite.pathCase) {
      ctx.raise({ type: 'sim-dataset-path-case', severity: 'MEDIUM', subsystem: 'sim', location: { file: m.registryFile, line: m.line }, message: pathCaseMessage(m) });
    }
    for (const file of suite.unregistered.files) {
      const message = unregisteredMessage(file, suite.unregistered.registry);
      ctx.raise({ type: 'sim-dataset-unregistered', severity: 'MEDIUM', subsystem: 'sim', location: { file, line: 1 }, message });
    }
    for (const x of suite.inexact) {
      const first = x.found[0];
      const more = x.count > 1 ? ` (${x.count} such numbers in the file)` : '';
      ctx.raise({ type: 'sim-number-inexact', severity: 'LOW', subsystem: 'sim', location: { file: x.file, line: first.line }, message: `${inexactMessage(first)}${more}` });
    }
    // A gate whose cases cannot fail says so where findings are read, once per dataset.
    for (const u of suite.unasserted) {
      const first = u.cases[0];
      ctx.raise({ type: 'sim-case-unasserted', severity: 'LOW', subsystem: 'sim', caseId: first.id, location: first.location, message: unassertedMessage(u.dataset, u.cases) });
    }
    // A shard runs its slice (src/shard/slice.ts); every case keeps its index in the whole suite, so
    // observers, the snapshot and merge order cases as an unsharded run does.
    const slice = sliceCases(suite.cases, settings.shard);
    const cases = slice.map((s) => s.case);
    const suiteIndex = slice.map((s) => s.index);
    // The suite's fingerprint: legs of one run must have run the same cases (merge compares them).
    const shardInfo = settings.shard
      ? { index: settings.shard.index, total: settings.shard.total, cases: cases.length, suiteCases: suite.cases.length, suite: suiteFingerprint(suite.cases) }
      : null;
    ctx.log(
      'info',
      'sim',
      `${cases.length} cases from ${suite.datasets.length} dataset(s)${shardInfo ? ` (shard ${shardInfo.index}/${shardInfo.total} of ${shardInfo.suiteCases} cases)` : ''}, concurrency ${settings.sim.concurrency}`,
    );
    if (shardInfo && cases.length === 0 && suite.cases.length > 0) {
      const reason = `shard ${shardInfo.index}/${shardInfo.total} holds none of the ${shardInfo.suiteCases} case(s)`;
      return { verdict: 'SKIPPED', reason, report: { shard: shardInfo } };
    }

    const check = buildChecker(cases, settings.engine.profile, settings.pipeline.custom);
    const attemptsTotal = cases.reduce((n, c) => n + c.repeat, 0);
    let done = 0;
    let failures = 0;
    let errors = 0;
    let engineDied = false;
    let answered = 0;
    let refusedStreak = 0;
    const observerFailures = new Map<string, { count: number; message: string; caseId: string; location: SimCase['location'] }>();
    const started = performance.now();
    const progress = () =>
      ctx.emit({
        type: 'progress',
        stage: 'sim',
        done,
        total: attemptsTotal,
        failures,
        errors,
        ratePerSec: Math.round(done / Math.max(1e-3, (performance.now() - started) / 1000)),
      });
    const ticker = setInterval(progress, PROGRESS_EVERY_MS);
    ticker.unref();

    for (const o of ctx.answerObservers) o.plan?.(attemptsTotal);
    let attempts: Attempt[][];
    try {
      attempts = await executeCases(cases, {
        runId: ctx.runId,
        engine: ctx.engine,
        check,
        concurrency: settings.sim.concurrency,
        timeoutMs: settings.sim.timeoutMs,
        rateLimit: settings.engine.rateLimit,
        signal: ctx.signal,
        ready: () => {
          for (const o of ctx.answerObservers) {
            const wait = o.ready?.();
            if (wait) return wait;
          }
          return null;
        },
        onAttempt: (c, a, caseIndex, result) => {
          done++;
          for (const o of ctx.answerObservers) {
            try {
              o.observe({ case: c, caseIndex: suiteIndex[caseIndex], repeat: a.repeat, seed: a.seed, result, passed: a.passed });
            } catch (err) {
              // Said once per observer as it happens, and counted: its stage has a hole the WAR ROOM must show.
              const seen = observerFailures.get(o.name);
              if (seen) seen.count++;
              else {
                const message = `answer observer ${o.name} failed on ${c.dataset}/${c.id}: ${errorMessage(err)}`;
                observerFailures.set(o.name, { count: 1, message, caseId: c.id, location: c.location });
                ctx.log('warn', 'sim', message);
              }
            }
          }
          if (!a.passed) failures++;
          if (a.error) errors++;
          if (!a.error) answered++;
          refusedStreak = a.error?.kind === 'connection' && REFUSED.test(a.error.message) ? refusedStreak + 1 : 0;
          if (a.error?.kind === 'process_exit' && !engineDied) {
            engineDied = true;
            ctx.raise({ type: 'engine-died', severity: 'CRITICAL', subsystem: 'engine', message: a.error.message, caseId: c.id, location: c.location });
          } else if (refusedStreak >= GONE_AFTER_REFUSALS && answered > 0 && !engineDied) {
            // An HTTP engine has no process of ours to watch: one that answered, then refuses every
            // connection, has gone away. Said once, not only as one HIGH failure per case.
            engineDied = true;
            ctx.raise({
              type: 'engine-died',
              severity: 'CRITICAL',
              subsystem: 'engine',
              message: `the engine stopped accepting connections after ${answered} answer(s): ${a.error!.message} (seen by case ${c.id} and the ${GONE_AFTER_REFUSALS - 1} attempts before it)`,
              caseId: c.id,
              location: c.location,
            });
          }
          ctx.emit({
            type: 'case',
            stage: 'sim',
            caseId: c.id,
            dataset: c.dataset,
            repeat: a.repeat,
            passed: a.passed,
            latencyMs: a.latencyMs,
            error: a.error ? `${a.error.kind}: ${a.error.message}` : a.failures[0]?.message,
            errorKind: a.error?.kind ?? (a.passed ? undefined : 'assertion'),
            location: c.location,
          });
        },
      });
    } finally {
      clearInterval(ticker);
      progress();
      for (const [name, f] of observerFailures) {
        const more = f.count > 1 ? ` (and ${f.count - 1} more answer(s) it could not take)` : '';
        ctx.raise({ type: 'answer-observer-failed', severity: 'HIGH', subsystem: name, caseId: f.caseId, location: f.location, message: `${f.message}${more}` });
      }
    }

    // Only cases that ran at least once are judged; a cancelled run reports the rest as not run.
    const summaries: CaseSummary[] = [];
    const summaryIndex: number[] = [];
    let notRun = 0;
    for (let i = 0; i < cases.length; i++) {
      if (attempts[i].length === 0) notRun++;
      else {
        summaries.push(summariseCase(cases[i], attempts[i]));
        summaryIndex.push(suiteIndex[i]);
      }
    }
    for (const s of summaries) raiseCaseFindings(ctx, s);

    const t = totals(summaries);
    const wiring = misrouted(summaries);
    if (wiring) ctx.raise({ type: 'engine-misrouted', severity: 'CRITICAL', subsystem: 'engine', message: misroutedReason(wiring) });
    let { verdict, reason } = simVerdict(t, settings.sim.passRate, wiring);
    // Cancelled with cases left: the verdict is over the cases that finished, and the reason says first
    // that it is partial; with none finished there is nothing to judge (and no pass rate).
    const partial = notRun > 0;
    if (partial && summaries.length === 0) reason = `cancelled: the run was cancelled before any of the ${cases.length} selected case(s) finished`;
    else if (partial) reason = `cancelled: ${summaries.length} of ${cases.length} case(s) run, partial: ${reason}`;
    const engineErrorKinds: Record<string, number> = {};
    for (const s of summaries) for (const e of s.engineErrors) engineErrorKinds[e.kind] = (engineErrorKinds[e.kind] ?? 0) + 1;

    const rateLimited = simRateLimits(attempts);
    // One finding for the run's SIM requests, never one per case.
    if (rateLimited) ctx.raise(rateLimitedFinding(rateLimited, 'SIM'));

    const datasets = suite.datasets.map((d) => datasetReport(d.name, d.file, summaries));
    const report = {
      ...simReportHead(t, { verdict, reason }, { notRun, attempts: done, engineErrors: engineErrorKinds, durationMs: Math.round(performance.now() - started), datasets, rateLimited }),
      ...(shardInfo ? { shard: shardInfo } : {}),
      cases: summaries.map((c, i) => reportCase(c, summaryIndex[i])),
    };
    return {
      verdict,
      reason,
      report,
      summary: { runId: ctx.runId, ...report, warnings: suite.warnings, registry: toPosix(path.relative(settings.cwd, path.resolve(settings.cwd, settings.sim.registry))) },
      partial,
    };
  },
};

function buildChecker(
  cases: SimCase[],
  profile: RunContext['settings']['engine']['profile'],
  custom: RunContext['settings']['pipeline']['custom'],
): CaseChecker {
  const compiled = compileCaseChecks(cases);
  return (c, body, latencyMs, rawOf) => compiled.check(c, body, latencyMs, answerPointer(body, profile, custom), rawOf);
}

function raiseCaseFindings(ctx: RunContext, s: CaseSummary): void {
  const where = { caseId: s.id, location: s.location, subsystem: 'sim' };
  if (s.status === 'failed') {
    const f = s.failures[0];
    ctx.raise({ ...where, type: 'sim-case-failed', severity: 'HIGH', message: `${s.dataset}/${s.id} failed ${s.repeats - s.passes}/${s.repeats}: ${f ? `${f.assertion}: ${f.message}` : 'failed'}` });
  } else if (s.status === 'errored') {
    const e = s.engineErrors[0];
    ctx.raise({ ...where, type: 'sim-case-errored', severity: 'HIGH', message: `${s.dataset}/${s.id}: engine error ${e ? `${e.kind}: ${e.message}` : ''}` });
  } else if (s.status === 'flaky') {
    ctx.raise({ ...where, type: 'sim-case-flaky', severity: 'MEDIUM', message: `${s.dataset}/${s.id} is flaky: passed ${s.passes}/${s.repeats} (95% CI ${s.wilson[0]}-${s.wilson[1]})` });
  }
  if (s.warnings.length > 0) {
    const w = s.warnings[0];
    ctx.raise({ ...where, type: 'sim-case-warning', severity: 'LOW', message: `${s.dataset}/${s.id}: ${w.assertion}: ${w.message}` });
  }
}

function datasetReport(name: string, file: string, cases: CaseSummary[]): SimDatasetReport {
  return datasetEntry(name, toPosix(file), totals(cases.filter((c) => c.dataset === name)));
}

/** The report's per-case entry (DESIGN §3.3), trimmed: full detail stays in sim_summary.json. */
function reportCase(s: CaseSummary, index: number) {
  return {
    id: s.id,
    dataset: s.dataset,
    status: s.status,
    passed: s.passed,
    flaky: s.flaky,
    repeats: s.repeats,
    passes: s.passes,
    passRate: round4(s.passRate),
    wilson: s.wilson,
    latencyMs: s.latencyMs,
    failures: s.failures.length ? s.failures.slice(0, 5).map((f) => ({ assertion: f.assertion, message: f.message })) : s.failures,
    ...(s.warnings.length ? { warnings: s.warnings.slice(0, 5).map((f) => ({ assertion: f.assertion, message: f.message })) } : {}),
    ...(s.engineErrors.length ? { engineErrors: s.engineErrors.slice(0, 5) } : {}),
    ...(s.actual !== undefined ? { actual: s.actual } : {}),
    ...(s.rateLimited ? { rateLimited: s.rateLimited } : {}),
    location: s.location,
    index,
  };
}


function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
