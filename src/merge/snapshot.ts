import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { relPath, type RunPaths } from '../runner/paths.js';
import type { StageResults } from '../runner/stage.js';
import { CASES_OPENING, CASE_SEPARATOR, LEGACY_CLOSING, caseText, casesClosing, headerOfClosing, headerOfLegacyOpening, opensCases } from '../snapshot/layout.js';
import { SNAPSHOT_KIND, type SnapshotCase, type SnapshotHeader, type SnapshotMetrics, type SnapshotWritten } from '../snapshot/types.js';
import { caseKey } from './sim.js';
import type { ShardRun } from './shards.js';

/**
 * The run's snapshot from its shards' snapshots (each holds its slice): one header, every case line
 * as its shard wrote it (verbatim: the canonical answer text and its hash stay byte-identical), in
 * suite order. Same layout as SnapshotWriter's, so it serves as a baseline like any run's snapshot.
 */
export function mergeSnapshots(
  shards: ShardRun[],
  order: Map<string, number>,
  paths: RunPaths,
  results: StageResults,
  now: Date,
): { written: SnapshotWritten; problems: string[] } | { written: null; problems: string[] } {
  const problems: string[] = [];
  let header: SnapshotHeader | null = null;
  const lines: { rank: number; text: string; entry: SnapshotCase }[] = [];
  for (const s of shards) {
    if (!s.snapshot) continue;
    try {
      const parsed = parseSnapshotLines(s.snapshot.toString('utf8'));
      header ??= parsed.header;
      for (const l of parsed.lines) lines.push({ ...l, rank: order.get(caseKey(l.entry)) ?? Infinity });
    } catch (err) {
      problems.push(`${s.source}: snapshot unreadable (${(err as Error).message}); its cases are not in the merged snapshot`);
    }
  }
  if (!header || lines.length === 0) return { written: null, problems };
  lines.sort((a, b) => a.rank - b.rank);
  const lat = lines.filter((l) => l.entry.status === 'ok').map((l) => l.entry.latencyMs).sort((a, b) => a - b);
  const rank = (q: number) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil(q * lat.length) - 1))];
  const sim = results.sim?.report as Record<string, number> | undefined;
  const load = results.load && results.load.verdict !== 'SKIPPED' ? (results.load.report as Record<string, unknown>) : null;
  const metrics: SnapshotMetrics = {
    sim:
      sim && results.sim!.verdict !== 'SKIPPED'
        ? { verdict: results.sim!.verdict, total: sim.total, passed: sim.passed, failed: sim.failed, errored: sim.errored, flaky: sim.flaky, passRate: sim.passRate }
        : null,
    latencyMs: lat.length ? { p50: round2(rank(0.5)), p95: round2(rank(0.95)), max: round2(lat[lat.length - 1]) } : null,
    load: load ? { verdict: results.load!.verdict, metrics: (load.metrics as unknown) ?? null } : null,
    answered: lat.length,
    errored: lines.length - lat.length,
  };
  const rel = (p: string) => relPath(paths.snapshotsDir, p);
  const full: SnapshotHeader = {
    ...header,
    kind: SNAPSHOT_KIND,
    createdAt: now.toISOString(),
    metrics,
    artifacts: { report: rel(paths.report), result: rel(paths.result), simSummary: rel(paths.simSummary), replaySummary: rel(paths.replaySummary), log: rel(paths.runLog) },
    caseCount: lines.length,
  };
  const { cases: _drop, ...headerOnly } = full as SnapshotHeader & { cases?: unknown };
  void _drop;
  const text = `${CASES_OPENING}${lines.map((l) => l.text).join(CASE_SEPARATOR)}${casesClosing(headerOnly)}`;
  fs.mkdirSync(path.dirname(paths.snapshot), { recursive: true });
  const tmp = `${paths.snapshot}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, paths.snapshot);
  const sha256 = createHash('sha256').update(text).digest('hex');
  return {
    written: { file: paths.snapshot, sha256, cases: lines.length, bytes: Buffer.byteLength(text), createdAt: full.createdAt, settingsHash: full.settingsHash },
    problems,
  };
}

/** A snapshot file's header and its case lines (text as written, without the separating comma), in either layout. */
export function parseSnapshotLines(text: string): { header: SnapshotHeader; lines: { text: string; entry: SnapshotCase }[] } {
  const all = text.split('\n');
  while (all.length > 0 && all[all.length - 1] === '') all.pop();
  const legacy = opensCases(all[0] ?? '') ? null : headerOfLegacyOpening(all[0] ?? '');
  const header = (legacy ?? headerOfClosing(all[all.length - 1] ?? '')) as SnapshotHeader | null;
  const closing = legacy ? LEGACY_CLOSING : all[all.length - 1];
  if (all.length < 2 || header === null || all[all.length - 1] !== closing || (!legacy && !opensCases(all[0]))) {
    throw new Error('not a toron-testops snapshot (unexpected layout)');
  }
  if (header.kind !== SNAPSHOT_KIND) throw new Error(`not a toron-testops snapshot (kind ${JSON.stringify(header.kind)})`);
  const lines = all.slice(1, -1).map((line) => {
    const t = caseText(line);
    return { text: t, entry: JSON.parse(t) as SnapshotCase };
  });
  if (lines.length !== header.caseCount) throw new Error(`holds ${lines.length} case(s), its header says ${header.caseCount}`);
  return { header, lines };
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
