import fs from 'node:fs';
import path from 'node:path';
import type { Sink } from '../runner/events.js';
import { relPath, runPaths } from '../runner/paths.js';
import { portableTarget } from '../snapshot/portable.js';
import { runPipeline, type RunOutcome } from '../runner/runner.js';
import { exitCodeFor, type Verdict } from '../runner/verdict.js';
import type { Settings } from '../settings/types.js';
import { InputError, errorMessage } from '../util/errors.js';
import { writeFileAtomic, writeJsonAtomic } from '../util/fs.js';
import { compareCases, countCases, hasPassData } from './cases.js';
import { makeFinding, ruleFindings, type NewCompareFinding } from './findings.js';
import { comparisonMarkdown } from './markdown.js';
import { metricDelta, NO_METRICS } from './metrics.js';
import { combinedVerdict, evaluateRules, promoteDecision, rulesVerdict, RULE_ORDER } from './rules.js';
import { sideOfBaselineFile, sideOfRun, type SideData } from './sides.js';
import { resolveSideSpec, shownSpec, sideSettings, type SideSpec } from './spec.js';
import type { CompareOptions, CompareOutcome, CompareSide, Comparison, RuleResult } from './types.js';

export type * from './types.js';

/** `<out>/compare/<runId>/`: comparison.json, comparison.md, and the baseline engine's own run. */
export function comparePaths(settings: Settings): CompareOutcome['paths'] & { baselineOut: string } {
  const dir = path.join(path.resolve(settings.cwd, settings.out), 'compare', settings.runId);
  return { dir, json: path.join(dir, 'comparison.json'), markdown: path.join(dir, 'comparison.md'), baselineOut: path.join(dir, 'baseline') };
}

/**
 * The staging gate (issue 10): the candidate gets a full run through the one pipeline; a baseline
 * engine gets the same stages with the same run id (same seeds, same cases, same load sequence)
 * first, never at the same time (they would disturb each other's latency), in its own output folder;
 * a baseline snapshot is read, not run, and is the candidate replay's drift baseline either way.
 *
 * Bad specs throw an InputError before anything runs. Everything after that ends in an outcome with
 * its files written, ERROR included (an engine down is a compare ERROR, promote false).
 */
export async function compareEngines(opts: CompareOptions): Promise<CompareOutcome> {
  const s = opts.settings;
  const candidateSpec = resolveSideSpec(opts.candidate, s, 'candidate') as Extract<SideSpec, { kind: 'engine' }>;
  const baselineSpec = resolveSideSpec(opts.baseline, s, 'baseline');
  const paths = comparePaths(s);
  const createdAt = new Date();

  // A snapshot baseline is checked before the candidate runs: a wrong path is a usage error, not a run.
  let baselineFile: ReturnType<typeof sideOfBaselineFile> | null = null;
  if (baselineSpec.kind === 'snapshot') {
    refuseOverwrite(baselineSpec.given, s, paths.dir);
    baselineFile = sideOfBaselineFile(baselineSpec.given, s.cwd, s.pipeline.custom);
  }

  try {
    // A reused run id reproduces a comparison: its folder starts empty.
    fs.rmSync(paths.dir, { recursive: true, force: true });
    fs.mkdirSync(paths.dir, { recursive: true });
  } catch (err) {
    throw new InputError(`cannot write the comparison folder ${relPath(s.cwd, paths.dir)}: ${errorMessage(err)} (check --out)`);
  }

  const sinks = opts.sinks ?? [];
  let baselineRun: RunOutcome | null = null;
  let driftBaseline: string | null = baselineSpec.kind === 'snapshot' ? baselineSpec.given : null;
  if (baselineSpec.kind === 'engine') {
    baselineRun = await runPipeline(sideSettings(s, baselineSpec, { out: paths.baselineOut, baseline: null }), {
      sinks: sinks.map(keepOpen), // the sinks are closed once, by the candidate's run
      signal: opts.signal,
      env: opts.env,
    });
    const snap = baselineRun.report?.artifacts.snapshot ? baselineRun.paths.snapshot : null;
    driftBaseline = snap && fs.existsSync(snap) ? snap : null;
  }
  const candidateRun = await runPipeline(sideSettings(s, candidateSpec, { baseline: driftBaseline }), {
    sinks,
    signal: opts.signal,
    env: opts.env,
    baselineFrom: 'compare',
  });

  // Read both sides (a side that cannot be read is an ERROR of the comparison, with the reason).
  const sideErrors: NewCompareFinding[] = [];
  let candidate: SideData | null = null;
  let baseline: SideData | null = baselineFile;
  if (candidateRun.verdict === 'ERROR') {
    sideErrors.push(sideError('candidate', `the candidate run ended in ERROR: ${candidateRun.error ?? candidateRun.report?.reason ?? 'unknown'}`));
  } else {
    candidate = readSide(() => sideOfRun(candidateRun, s.pipeline.custom), 'candidate', sideErrors);
  }
  if (baselineRun) {
    if (baselineRun.verdict === 'ERROR') {
      sideErrors.push(sideError('baseline', `the baseline run ended in ERROR: ${baselineRun.error ?? baselineRun.report?.reason ?? 'unknown'}`));
    } else {
      baseline = readSide(() => sideOfRun(baselineRun!, s.pipeline.custom), 'baseline', sideErrors);
    }
  }

  const comparison = buildComparison({
    settings: s,
    createdAt,
    dir: paths.dir,
    candidateSpec,
    baselineSpec,
    candidateRun,
    baselineRun,
    candidate,
    baseline,
    baselineFile,
    sideErrors,
  });
  const exitCode = exitCodeFor(comparison.verdict, s.failOn);
  let error = sideErrors.length ? sideErrors.map((e) => e.message).join('; ') : null;
  try {
    writeJsonAtomic(paths.json, comparison);
    writeFileAtomic(paths.markdown, comparisonMarkdown(comparison, { cwd: s.cwd, dir: paths.dir }));
  } catch (err) {
    const message = `could not write the comparison files in ${paths.dir}: ${errorMessage(err)}`;
    return { verdict: 'ERROR', exitCode: 2, promote: false, comparison: { ...comparison, verdict: 'ERROR', promote: false }, candidate: candidateRun, baseline: baselineRun, paths: pick(paths), error: message };
  }
  return { verdict: comparison.verdict, exitCode, promote: comparison.promote, comparison, candidate: candidateRun, baseline: baselineRun, paths: pick(paths), error };
}

/** The candidate's run (and this comparison's folder) must not delete or overwrite the baseline it reads. */
function refuseOverwrite(given: string, s: Settings, compareDir: string): void {
  const abs = path.resolve(s.cwd, given);
  const run = runPaths(s.cwd, s.out, s.runId);
  const inside = (dir: string) => abs === dir || abs.startsWith(dir + path.sep);
  if (abs === run.snapshot || inside(run.reportDir) || inside(compareDir)) {
    throw new InputError(
      `--baseline ${given} would be overwritten by this comparison's run ${s.runId} (its report folder, snapshot or comparison folder): pass another --run-id or --out, or copy the baseline elsewhere`,
    );
  }
}

function pick(p: ReturnType<typeof comparePaths>): CompareOutcome['paths'] {
  return { dir: p.dir, json: p.json, markdown: p.markdown };
}

/** A sink for a run that must not close it (the next run still writes to it). */
function keepOpen(sink: Sink): Sink {
  return { name: sink.name, handle: (e) => sink.handle(e) };
}

function sideError(role: 'candidate' | 'baseline', message: string): NewCompareFinding {
  return { type: 'compare-side-error', severity: 'CRITICAL', message: `${role}: ${message}` };
}

function readSide(read: () => SideData, role: 'candidate' | 'baseline', errors: NewCompareFinding[]): SideData | null {
  try {
    return read();
  } catch (err) {
    errors.push(sideError(role, `its answers could not be read: ${errorMessage(err)}`));
    return null;
  }
}

interface BuildInput {
  settings: Settings;
  createdAt: Date;
  dir: string;
  candidateSpec: Extract<SideSpec, { kind: 'engine' }>;
  baselineSpec: SideSpec;
  candidateRun: RunOutcome;
  baselineRun: RunOutcome | null;
  candidate: SideData | null;
  baseline: SideData | null;
  baselineFile: (SideData & { label: string; snapshotFile: string }) | null;
  sideErrors: NewCompareFinding[];
}

/** A side's engine with its target as a snapshot holds it (no secret, no path of this machine). */
function portableEngine<E extends { target: string }>(engine: E | null, cwd: string): E | null {
  return engine ? { ...engine, target: portableTarget(engine.target, cwd) } : null;
}

function buildComparison(i: BuildInput): Comparison {
  const runId = i.settings.runId;
  const rel = (p: string) => relPath(i.dir, p);
  const relSnapshot = (shown: string) => {
    const bang = shown.indexOf('!');
    return bang < 0 ? rel(path.resolve(i.settings.cwd, shown)) : rel(path.resolve(i.settings.cwd, shown.slice(0, bang))) + shown.slice(bang);
  };
  const ok = i.candidate !== null && i.baseline !== null && i.sideErrors.length === 0;
  const cases = ok ? compareCases(i.baseline!.cases, i.candidate!.cases, i.candidate!.drift ?? undefined) : [];
  const counts = countCases(cases);
  const cm = i.candidate?.metrics ?? NO_METRICS;
  const bm = i.baseline?.metrics ?? NO_METRICS;
  const metrics = {
    passRate: metricDelta(bm.passRate, cm.passRate),
    p95Ms: metricDelta(bm.p95Ms, cm.p95Ms),
    errorRate: metricDelta(bm.errorRate, cm.errorRate),
    determinismScore: metricDelta(bm.determinismScore, cm.determinismScore),
  };
  const rules: RuleResult[] = ok
    ? evaluateRules({ metrics, counts, passData: hasPassData(cases) }, i.settings.compare)
    : RULE_ORDER.map((name) => ({
        name,
        ...i.settings.compare.rules[name],
        unit: '',
        value: null,
        status: 'not-available' as const,
        message: `${name}: not evaluated (a side could not be read)`,
      }));
  const newFindings = [...i.sideErrors, ...(ok ? ruleFindings(rules, cases) : [])];
  const findings = newFindings.map((f) => makeFinding(runId, f, i.createdAt));

  const candidateVerdict = i.candidateRun.verdict;
  const comparisonVerdict: Verdict = ok ? rulesVerdict(rules) : 'ERROR';
  const verdict: Verdict = candidateVerdict === 'ERROR' || comparisonVerdict === 'ERROR' ? 'ERROR' : combinedVerdict(candidateVerdict, comparisonVerdict);
  const candidateCritical = i.candidateRun.report?.warroom.filter((f) => f.severity === 'CRITICAL').length ?? 0;
  const critical = findings.filter((f) => f.severity === 'CRITICAL').length + candidateCritical;
  const promote = promoteDecision(verdict, critical);

  const broken = rules.filter((r) => r.status === 'broken');
  const reasonParts = [
    `candidate ${candidateVerdict}`,
    ok
      ? `comparison ${comparisonVerdict}${broken.length ? `: ${broken.map((r) => r.message).join('; ')}` : ''}`
      : `comparison ERROR: ${i.sideErrors.map((e) => e.message).join('; ')}`,
  ];
  // Said apart: the candidate run's findings are in its own report, not among the comparison's.
  if (critical > 0) reasonParts.push(`${critical} CRITICAL finding(s)${candidateCritical > 0 ? ` (${candidateCritical} in the candidate's run report)` : ''}`);
  const reason = `${reasonParts.join('; ')}; promote ${promote ? 'yes' : 'no'}`;

  const candidateSide: CompareSide = {
    spec: shownSpec(i.candidateSpec, i.settings.cwd),
    version: i.candidateSpec.version,
    kind: 'engine',
    engine: portableEngine(i.candidateRun.report?.engine ?? i.candidate?.engine ?? null, i.settings.cwd),
    runId: i.candidateRun.runId,
    verdict: candidateVerdict,
    reportDir: rel(i.candidateRun.paths.reportDir),
    snapshot: i.candidateRun.report?.artifacts.snapshot ? rel(i.candidateRun.paths.snapshot) : null,
    error: i.candidateRun.verdict === 'ERROR' ? (i.candidateRun.error ?? i.candidateRun.report?.reason ?? null) : null,
  };
  const b = i.baselineRun;
  const baselineSide: CompareSide =
    i.baselineSpec.kind === 'engine'
      ? {
          spec: shownSpec(i.baselineSpec, i.settings.cwd),
          version: i.baselineSpec.version,
          kind: 'engine',
          engine: portableEngine(b?.report?.engine ?? null, i.settings.cwd),
          runId: b?.runId ?? null,
          verdict: b?.verdict ?? null,
          reportDir: b ? rel(b.paths.reportDir) : null,
          snapshot: b?.report?.artifacts.snapshot ? rel(b.paths.snapshot) : null,
          error: b && b.verdict === 'ERROR' ? (b.error ?? b.report?.reason ?? null) : null,
        }
      : {
          spec: i.baselineFile?.label ?? i.baselineSpec.given,
          version: null,
          kind: 'snapshot',
          engine: i.baselineFile?.engine ?? null,
          runId: i.baselineFile?.runId ?? null,
          verdict: null,
          reportDir: null,
          snapshot: i.baselineFile ? relSnapshot(i.baselineFile.snapshotFile) : null,
          error: null,
        };
  return {
    schemaVersion: 1,
    kind: 'toron-testops.comparison',
    runId,
    createdAt: i.createdAt.toISOString(),
    candidate: candidateSide,
    baseline: baselineSide,
    comparisonVerdict,
    verdict,
    promote,
    reason,
    notes: [
      ...(i.baseline?.notes ?? []),
      ...(i.candidate?.notes ?? []),
      ...(cases.some((c) => c.basis === 'snapshots-other-seeds')
        ? [
            'some answers were asked with other seeds than the baseline\'s (another run id) and the candidate\'s replay gave no drift verdict for them: an engine that uses the seed answers them differently, so "changed" may only mean "another seed". Run the replay stage, or compare with the same --run-id.',
          ]
        : []),
    ],
    metrics,
    counts,
    rules,
    cases,
    findings,
  };
}
