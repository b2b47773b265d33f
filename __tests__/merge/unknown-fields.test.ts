import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sideOfBaselineFile } from '../../src/compare/sides.js';
import { mergeShards } from '../../src/merge/merge.js';
import { readReportFolder } from '../../src/merge/inputs.js';
import { readShard } from '../../src/merge/shards.js';
import { validateReport } from '../../src/report/schema.js';
import { openSnapshot } from '../../src/snapshot/reader.js';
import { makeProject, readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/**
 * Files of another toron-testops version carry members this one does not know: the @v2 tag floats,
 * so a merge job, a compare baseline or a `mode: publish` workflow meets the files of the next
 * release, which DESIGN §3.3 lets add fields ("more fields welcome"). A reader must take them and
 * still check what it uses; what this version writes stays checked strictly (a misspelt field of our
 * own is still an error in the tests).
 */
const RUN = 'future-leg';
let legs: string;
let reportDir: string;

/** A file written by this version, with members of a later one added at every level. */
function addUnknownMembers(dir: string): void {
  const file = path.join(dir, 'report.json');
  const r = readJson(file);
  r.futureRootField = { anything: [1, 2] };
  r.stages.sim.futureStageField = 'x';
  r.stages.sim.cases[0].futureCaseField = 3;
  r.stages.sim.datasets[0].futureDatasetField = true;
  r.stages.replay.futureStageField = 'x';
  r.stages.replay.cases[0].futureCaseField = { a: 1 };
  r.stages.pipeline.checks[0].futureCheckField = 'x';
  r.engine.futureEngineField = 'x';
  if (r.warroom[0]) r.warroom[0].futureFindingField = 1;
  r.shard.futureShardField = 1;
  r.shard.rules.futureRuleField = 1;
  fs.writeFileSync(file, JSON.stringify(r, null, 2));

  const pipeline = path.join(dir, 'pipeline_summary.json');
  const p = readJson(pipeline);
  p.shardData.futureDataField = [1];
  p.shardData.tallies['future-check'] = { checked: 1, failed: 0, na: 0, failedCases: [], failures: [], futureTallyField: 1 };
  for (const t of Object.values(p.shardData.tallies) as Record<string, unknown>[]) t.futureTallyField = 1;
  fs.writeFileSync(pipeline, JSON.stringify(p));

  // The snapshot in the layout the writer makes: one case a line, the header on the last line.
  const snap = path.join(dir, r.artifacts.snapshot);
  const lines = fs.readFileSync(snap, 'utf8').split('\n');
  const out = lines.map((l, i) => {
    if (i === 0 || l === '') return l;
    if (l.startsWith('],')) {
      const h = JSON.parse(`{${l.slice(2)}`);
      h.futureHeaderField = 'x';
      h.engine.futureEngineField = 'x';
      return `],${JSON.stringify(h).slice(1)}`;
    }
    const comma = l.endsWith(',');
    const c = JSON.parse(comma ? l.slice(0, -1) : l);
    return `${JSON.stringify({ ...c, futureCaseField: 'x' })}${comma ? ',' : ''}`;
  });
  fs.writeFileSync(snap, out.join('\n'));
}

beforeAll(async () => {
  legs = project({ d: dataset('d', 3, { defaults: { assert: [{ type: 'contains', value: 'a' }] } }) });
  const leg = await run(legs, { engine: 'reference', runId: RUN, stages: 'sim,replay,pipeline', shard: '1/1', out: 's1' });
  expect(leg.verdict, leg.reportJson?.reason).not.toBe('ERROR');
  reportDir = path.join(legs, 's1/reports', RUN);
  addUnknownMembers(reportDir);
}, 60_000);

describe('reading files of a later toron-testops, with members this one does not know', () => {
  it('our own writers stay strict: the report schema still refuses an unknown member of report.json', () => {
    const r = readJson(path.join(reportDir, 'report.json'));
    expect(validateReport(r)).toEqual({ ok: false, errors: ['(root) must NOT have additional properties (futureRootField)'] });
  });

  it('merge reads such a leg and merges it', async () => {
    expect(readShard(readReportFolder(reportDir, 's1')).report.runId).toBe(RUN);
    const here = makeProject({});
    const o = await mergeShards([path.join(legs, 's1')], { cwd: here, out: 'merged' });
    expect(o.error ?? null).toBeNull();
    expect(o.verdict).not.toBe('ERROR');
    const merged = readJson(o.paths.report);
    expect(merged.stages.sim.total).toBe(3);
    expect(merged.stages.pipeline.verdict).not.toBe('ERROR');
  });

  it('merge still checks the members it uses', () => {
    const src = readReportFolder(reportDir, 's1');
    const r = JSON.parse(src.files.get('report.json')!.toString('utf8'));
    r.stages.sim.cases[0].passed = 'yes';
    src.files.set('report.json', Buffer.from(JSON.stringify(r)));
    expect(() => readShard(src)).toThrow(/report\.json does not match the report schema: \/stages\/sim\/cases\/0\/passed must be boolean/);
  });

  it('compare reads such a baseline (report folder and snapshot) with its pass/fail', () => {
    const side = sideOfBaselineFile(path.join('s1/reports', RUN), legs, null);
    expect(side.hasPassData).toBe(true);
    expect(side.cases).toHaveLength(3);
    expect(side.notes).toEqual([]);
  });

  it('compare still checks the members it reads of the baseline report: a wrong type is a note, not a guess', () => {
    const dir = makeProject({});
    fs.cpSync(legs, dir, { recursive: true });
    const file = path.join(dir, 's1/reports', RUN, 'report.json');
    const r = readJson(file);
    r.stages.sim.cases[0].passed = 'yes';
    fs.writeFileSync(file, JSON.stringify(r));
    const side = sideOfBaselineFile(path.join('s1/reports', RUN), dir, null);
    expect(side.hasPassData).toBe(false);
    expect(side.notes).toEqual([expect.stringMatching(/the baseline's report\.json does not match the report schema \(\/stages\/sim\/cases\/0\/passed must be boolean[;)].*\): its pass\/fail and determinism are not read/)]);
  });

  it('the snapshot reader reads such a snapshot', () => {
    const snap = openSnapshot(path.join(legs, 's1/snapshots', `${RUN}.json`));
    try {
      expect(snap.entries).toHaveLength(3);
      expect(snap.header.runId).toBe(RUN);
      expect(snap.readAnswer(0)).toBeDefined();
    } finally {
      snap.close();
    }
  });
});
