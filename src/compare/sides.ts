import fs from 'node:fs';
import pkg from '../../package.json' with { type: 'json' };
import path from 'node:path';
import { loadBaseline, shownPath } from '../baseline/load.js';
import { answerPointer } from '../engine/answer-path.js';
import { readZipFile } from '../github/zip.js';
import { canonicalJson } from '../replay/canonical.js';
import type { RunOutcome } from '../runner/runner.js';
import type { CustomProfilePointers, ProfileName } from '../settings/types.js';
import { openSnapshot, type OpenSnapshot } from '../snapshot/reader.js';
import { errorMessage } from '../util/errors.js';
import { getAtPointer } from '../util/json-pointer.js';
import { legacyErrorScoredCases } from '../stages/replay/report.js';
import { validateReadReport } from '../report/schema.js';
import { describeRevision, FORMAT_REVISION, formatRevisionOf, ownRevision } from '../util/tool.js';
import { invalidLoadNote, NO_METRICS, preferFirst, reportMetrics, snapshotMetrics, type SideMetrics } from './metrics.js';
import type { CaseSide, DriftInfo } from './types.js';

/**
 * What one side of a comparison gives: its cases (answers from its snapshot, pass/fail from its
 * report when there is one) and its headline metrics. Reading only: no engine is asked here.
 */
export interface SideData {
  cases: CaseSide[];
  metrics: SideMetrics;
  /** False when the side's per-case pass/fail is not known (a snapshot without its report). */
  hasPassData: boolean;
  /** The snapshot's run and engine, for comparison.json. */
  runId: string | null;
  engine: { kind: string; target: string; version: string | null; profile: string } | null;
  /** Notes for the log ("the report next to the snapshot is of another run"). */
  notes: string[];
  /** The run's replay drift verdicts by case (a run only: against the baseline it was given). */
  drift: Map<string, DriftInfo> | null;
}

/** report.json's `stages.replay.drift.cases` by case key; null when the replay had no baseline. */
export function driftByCase(report: unknown): Map<string, DriftInfo> | null {
  const drift = rec(rec(rec(rec(report)?.stages)?.replay)?.drift);
  if (!drift || !Array.isArray(drift.cases)) return null;
  const m = new Map<string, DriftInfo>();
  for (const c of drift.cases) {
    const r = rec(c);
    if (!r || typeof r.dataset !== 'string' || typeof r.id !== 'string' || typeof r.status !== 'string') continue;
    const diff = Array.isArray(r.diff)
      ? r.diff.flatMap((d) => {
          const x = rec(d);
          return x && typeof x.pointer === 'string' ? [{ pointer: x.pointer, ...(typeof x.similarity === 'number' || x.similarity === null ? { similarity: x.similarity as number | null } : {}) }] : [];
        })
      : undefined;
    m.set(keyOf(r.dataset, r.id), { status: r.status as DriftInfo['status'], ...(diff ? { diff } : {}) });
  }
  return m;
}

const keyOf = (dataset: string, id: string) => `${dataset}\u0000${id}`;

function rec(v: unknown): Record<string, unknown> | null {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : null;
}

/** The answer text as a profile reads it: the field itself when text, its canonical JSON otherwise. */
export function answerText(answer: unknown, profile: ProfileName, custom: CustomProfilePointers | null): { text: string | null; pointer?: string } {
  if (answer === undefined) return { text: null };
  let pointer: string;
  try {
    pointer = answerPointer(answer, profile, custom);
  } catch {
    return { text: null }; // a shape the profile cannot read has no answer text; the canonical comparison still runs
  }
  const got = getAtPointer(answer, pointer);
  if (!got.found) return { text: null, pointer };
  return { text: typeof got.value === 'string' ? got.value : canonicalJson(got.value), pointer };
}

/** Per-case SIM pass/fail from a report's `stages.sim.cases` (null: SIM did not run or report is absent). */
export function passByCase(report: unknown): Map<string, boolean> | null {
  const sim = rec(rec(rec(report)?.stages)?.sim);
  if (!sim || !Array.isArray(sim.cases) || sim.verdict === 'SKIPPED') return null;
  const m = new Map<string, boolean>();
  for (const c of sim.cases) {
    const r = rec(c);
    if (r && typeof r.dataset === 'string' && typeof r.id === 'string' && typeof r.passed === 'boolean') m.set(keyOf(r.dataset, r.id), r.passed);
  }
  return m;
}

export function casesOfSnapshot(
  snap: OpenSnapshot,
  opts: { profile: ProfileName; custom: CustomProfilePointers | null; pass: Map<string, boolean> | null },
): CaseSide[] {
  return snap.entries.map((e, i) => {
    const answer = e.status === 'ok' ? snap.readAnswer(i) : undefined;
    const text = answerText(answer, opts.profile, opts.custom);
    return {
      dataset: e.dataset,
      id: e.id,
      inputKey: canonicalJson(e.input),
      seed: typeof e.seed === 'number' ? e.seed : null,
      ...(text.pointer !== undefined ? { answerPointer: text.pointer } : {}),
      ...(answer !== undefined ? { answer } : { error: e.error?.kind ?? 'error' }),
      ignorePaths: e.ignorePaths ?? [],
      answerText: text.text,
      passed: opts.pass?.get(keyOf(e.dataset, e.id)) ?? null,
      latencyMs: typeof e.latencyMs === 'number' ? e.latencyMs : null,
      ...(e.location ? { location: e.location } : {}),
    };
  });
}

/** A side that ran through the pipeline here: its report and its snapshot. */
export function sideOfRun(run: RunOutcome, custom: CustomProfilePointers | null): SideData {
  const report = run.report;
  const engine = report ? { ...report.engine } : null;
  const metrics = report ? reportMetrics(report.stages) : NO_METRICS;
  const pass = passByCase(report);
  const notes: string[] = [];
  const invalid = invalidLoadNote(rec(report?.stages)?.load, `run ${run.runId}`);
  if (invalid) notes.push(invalid);
  if (!report?.artifacts.snapshot || !fs.existsSync(run.paths.snapshot)) {
    notes.push(`run ${run.runId} wrote no snapshot (SIM did not run or did not complete): no per-case comparison`);
    return { cases: [], metrics, hasPassData: false, runId: run.runId, engine, notes, drift: driftByCase(report) };
  }
  const snap = openSnapshot(run.paths.snapshot);
  try {
    const profile = (report.engine.profile as ProfileName) ?? 'auto';
    return { cases: casesOfSnapshot(snap, { profile, custom, pass }), metrics, hasPassData: pass !== null, runId: run.runId, engine, notes, drift: driftByCase(report) };
  } finally {
    snap.close();
  }
}

/**
 * A snapshot baseline (a snapshot file, a report folder, or a bundle): its answers are read through
 * the profile it was made with; pass/fail and determinism come from its run's report when that can be
 * found (beside it, through the snapshot's artifact links, or inside the bundle), never made up.
 */
export function sideOfBaselineFile(spec: string, cwd: string, custom: CustomProfilePointers | null): SideData & { label: string; snapshotFile: string } {
  const loaded = loadBaseline(spec, cwd);
  const snap = loaded.snapshot;
  try {
    const header = snap.header;
    const notes: string[] = [];
    const found = findBaselineReport(spec, cwd, loaded.snapshotFile, header.artifacts);
    let report: unknown = found.report;
    if (found.note) notes.push(found.note);
    if (report !== null && rec(report)?.runId !== header.runId) {
      notes.push(`the report found for the baseline is of run ${String(rec(report)?.runId)}, not of the snapshot's run ${header.runId}: not used`);
      report = null;
    }
    const version = rec(report)?.schemaVersion;
    if (report !== null && typeof version === 'number' && version > 1) {
      // A newer toron-testops wrote it (the baseline outran this workflow's version): its fields may mean something else.
      notes.push(
        `the baseline's report.json has schemaVersion ${version}, newer than this toron-testops (${pkg.version}) reads (1): ` +
          'its pass/fail and determinism are not read (compare with that toron-testops version or a newer one)',
      );
      report = null;
    }
    // The format revision its writer recorded (its report's, else its snapshot header's; none: revision 1).
    const writer = report !== null ? rec(report)?.tool : header.tool;
    const revision = formatRevisionOf(writer);
    if (revision > FORMAT_REVISION) {
      // Newer meanings: as for a newer schemaVersion, its report is not read; the snapshot header's numbers are kept.
      notes.push(
        `the baseline was written by ${describeRevision(writer)}, newer than this toron-testops's ${ownRevision()}: its fields may mean what this version does not know, ` +
          `so ${report !== null ? 'its pass/fail and determinism are not read' : 'only its answers and its snapshot header\'s numbers are compared'} (compare with that toron-testops version or a newer one)`,
      );
      report = null;
    } else if (revision < FORMAT_REVISION) {
      notes.push(
        `the baseline was written by ${describeRevision(writer)}, older than this toron-testops's ${ownRevision()}: ` +
          'figures whose meaning changed since are left out where this version can tell (see any other note); the rest are compared as they are',
      );
    }
    const valid = report !== null ? validateReadReport(report) : null;
    if (valid && !valid.ok) {
      // What is read of it must be what it says (members of later versions are welcome): a damaged report decides nothing.
      notes.push(`the baseline's report.json does not match the report schema (${valid.errors.slice(0, 3).join('; ')}): its pass/fail and determinism are not read`);
      report = null;
    }
    const pass = passByCase(report);
    const legacy = legacyErrorScoredCases(rec(rec(report)?.stages)?.replay);
    if (legacy > 0) {
      notes.push(
        `the baseline's determinism score was computed by an older toron-testops, which counted a replay that got no answer as a difference ` +
          `(${legacy} case(s) with engine errors), where this version leaves such cases out: the scores do not measure the same thing, so determinism is not available`,
      );
    }
    const metrics = preferFirst(report ? reportMetrics(rec(report)?.stages) : NO_METRICS, snapshotMetrics(header.metrics));
    const invalid = invalidLoadNote(report ? rec(rec(report)?.stages)?.load : rec(header.metrics)?.load, `the baseline (run ${header.runId})`);
    if (invalid) notes.push(invalid);
    const profile = (header.engine.profile as ProfileName) ?? 'auto';
    return {
      label: loaded.label,
      snapshotFile: loaded.snapshotFile,
      cases: casesOfSnapshot(snap, { profile, custom, pass }),
      metrics,
      hasPassData: pass !== null,
      runId: header.runId,
      engine: { kind: header.engine.kind, target: header.engine.target, version: header.engine.version, profile: header.engine.profile },
      notes,
      drift: null,
    };
  } finally {
    snap.close();
  }
}

function findBaselineReport(
  spec: string,
  cwd: string,
  snapshotFile: string,
  artifacts: Record<string, string | null> | undefined,
): { report: unknown; note?: string } {
  const abs = path.resolve(cwd, spec);
  const read = (file: string): { report: unknown; note?: string } => {
    try {
      return { report: JSON.parse(fs.readFileSync(file, 'utf8')) };
    } catch (err) {
      return { report: null, note: `the baseline's report ${shownPath(cwd, file)} could not be read (${errorMessage(err)}): pass/fail and determinism not available` };
    }
  };
  try {
    const stat = fs.statSync(abs);
    if (stat.isDirectory()) {
      const r = path.join(abs, 'report.json');
      return fs.existsSync(r) ? read(r) : { report: null };
    }
    if (path.basename(abs) === 'report.json') return read(abs);
    if (/\.zip$/i.test(abs)) {
      const data = readZipFile(fs.readFileSync(abs), 'report.json');
      return data ? { report: JSON.parse(data.toString('utf8')) } : { report: null };
    }
  } catch (err) {
    return { report: null, note: `the baseline's report could not be read (${errorMessage(err)}): pass/fail and determinism not available` };
  }
  // A bare snapshot file: its run's report, if it is still where the snapshot says.
  const rel = artifacts?.report;
  if (typeof rel !== 'string' || rel === '') return { report: null };
  const snapshotDir = path.dirname(path.resolve(cwd, snapshotFile));
  const file = path.resolve(snapshotDir, rel);
  // The snapshot is a file from elsewhere: its link is followed only to a report.json of its own output
  // folder (<out>/reports/<id>/, beside <out>/snapshots/), never to a file of this machine, which the
  // note on a parse error would quote.
  const outDir = path.dirname(snapshotDir);
  if (path.basename(file) !== 'report.json' || !file.startsWith(outDir + path.sep)) {
    return { report: null, note: `the snapshot's report link ${JSON.stringify(rel.slice(0, 200))} is not a report.json of its output folder: not followed; pass/fail and determinism not available` };
  }
  return fs.existsSync(file) ? read(file) : { report: null };
}
