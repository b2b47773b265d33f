import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { sideOfBaselineFile } from '../../src/compare/sides.js';
import { mergeShards } from '../../src/merge/merge.js';
import { readReportFolder } from '../../src/merge/inputs.js';
import { readShard, selectShards } from '../../src/merge/shards.js';
import { validateReport } from '../../src/report/schema.js';
import { openSnapshot } from '../../src/snapshot/reader.js';
import { FORMAT_REVISION } from '../../src/util/tool.js';
import pkg from '../../package.json' with { type: 'json' };
import { makeProject, readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/**
 * schemaVersion stayed 1 while field meanings changed, and package.json says 2.0.0 in every build
 * behind the floating @v2 tag: nothing told two builds' files apart. Files now record the format
 * revision of their writer (tool.formatRevision: report.json, snapshot header; the shard fingerprint
 * covers it), and readers of another build's files compare it with theirs.
 */
const RUN = 'rev-run';
let legs: string;
const leg = (i: number) => path.join(legs, `s${i}/reports`, RUN);
const snapshotOf = (i: number) => path.join(legs, `s${i}/snapshots/${RUN}.json`);

/** Rewrites the `tool` of a leg's report.json and snapshot header (undefined: recorded by none, as builds before revisions). */
function setTool(i: number, tool: Record<string, unknown> | undefined): void {
  const file = path.join(leg(i), 'report.json');
  const r = readJson(file);
  if (tool === undefined) delete r.tool;
  else r.tool = tool;
  fs.writeFileSync(file, JSON.stringify(r, null, 2));
  const lines = fs.readFileSync(snapshotOf(i), 'utf8').split('\n');
  const at = lines.findIndex((l) => l.startsWith('],'));
  const h = JSON.parse(`{${lines[at].slice(2)}`);
  h.tool = tool ?? { name: 'toron-testops', version: '2.0.0' };
  lines[at] = `],${JSON.stringify(h).slice(1)}`;
  fs.writeFileSync(snapshotOf(i), lines.join('\n'));
}

function copyLegs(): string {
  const dir = makeProject({});
  fs.cpSync(legs, dir, { recursive: true });
  return dir;
}

beforeAll(async () => {
  legs = project({ d: dataset('d', 4, { defaults: { assert: [{ type: 'contains', value: 'a' }] } }) });
  for (const i of [1, 2]) {
    const o = await run(legs, { engine: 'reference', runId: RUN, stages: 'sim,replay,pipeline', shard: `${i}/2`, out: `s${i}` });
    expect(o.verdict, o.reportJson?.reason).not.toBe('ERROR');
  }
}, 60_000);

describe('the format revision', () => {
  it('is recorded beside the tool name and version in report.json and in the snapshot header', () => {
    const stamp = { name: 'toron-testops', version: pkg.version, formatRevision: FORMAT_REVISION };
    const report = readJson(path.join(leg(1), 'report.json'));
    expect(report.tool).toEqual(stamp);
    expect(validateReport(report)).toEqual({ ok: true });
    expect(FORMAT_REVISION).toBeGreaterThanOrEqual(2);
    const snap = openSnapshot(snapshotOf(1));
    try {
      expect(snap.header.tool).toEqual(stamp);
    } finally {
      snap.close();
    }
  });

  it('a snapshot whose header records a revision that is no positive integer is refused, naming the field', () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(1, { name: 'toron-testops', version: '2.0.0', formatRevision: 'two' });
      expect(() => openSnapshot(snapshotOf(1), 'snap.json')).toThrow(/snap\.json:\d+.*"tool\.formatRevision" must be a positive integer/);
    } finally {
      legs = original;
    }
  });
});

describe('merge and the format revision of its legs', () => {
  it('merges legs of this revision', async () => {
    const o = await mergeShards([path.join(legs, 's1'), path.join(legs, 's2')], { cwd: makeProject({}), out: 'merged' });
    expect(o.error ?? null).toBeNull();
  });

  it('refuses legs of different revisions, naming both and saying to pin one version for every leg', async () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(2, undefined); // a leg of a build before revisions: revision 1
      const runs = [readShard(readReportFolder(leg(1), 's1')), readShard(readReportFolder(leg(2), 's2'))];
      const sel = selectShards(runs);
      expect(sel.problems).toHaveLength(1);
      const m = sel.problems[0].message;
      expect(m).toMatch(new RegExp(`it was written by format revision 1 \\(none recorded: a toron-testops from before format revisions\\), s1 by format revision ${FORMAT_REVISION} \\(toron-testops ${pkg.version.replace(/\./g, '\\.')}\\)`));
      expect(m).toMatch(/run every leg with one toron-testops version \(pin the action to a release/);
      expect(m).not.toMatch(/settings fingerprint/);
      const o = await mergeShards([path.join(legs, 's1'), path.join(legs, 's2')], { cwd: makeProject({}), out: 'merged' });
      expect(o.verdict).toBe('ERROR');
      expect(o.error).toMatch(/format revision 1 .*format revision \d+/);
    } finally {
      legs = original;
    }
  });

  it('merges legs of one older revision, saying so in its log', async () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(1, undefined);
      setTool(2, undefined);
      const o = await mergeShards([path.join(legs, 's1'), path.join(legs, 's2')], { cwd: makeProject({}), out: 'merged' });
      expect(o.error ?? null).toBeNull();
      expect(fs.readFileSync(o.paths.runLog, 'utf8')).toMatch(
        new RegExp(`the legs were written by format revision 1 \\(none recorded: a toron-testops from before format revisions\\), older than this toron-testops's format revision ${FORMAT_REVISION}`),
      );
    } finally {
      legs = original;
    }
  });

  it('refuses a leg of a newer revision than its own, saying which version to merge with', () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(1, { name: 'toron-testops', version: '2.3.0', formatRevision: FORMAT_REVISION + 1 });
      expect(() => readShard(readReportFolder(leg(1), 's1'))).toThrow(
        new RegExp(`report\\.json is of format revision ${FORMAT_REVISION + 1} \\(toron-testops 2\\.3\\.0\\), newer than this toron-testops's format revision ${FORMAT_REVISION} .*merge with the toron-testops version that ran the legs, or a newer one`),
      );
    } finally {
      legs = original;
    }
  });
});

describe('compare with a baseline of another revision', () => {
  it('of a newer one: reads no pass/fail or determinism from its report, and says why', () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(1, { name: 'toron-testops', version: '2.3.0', formatRevision: FORMAT_REVISION + 1 });
      const side = sideOfBaselineFile(path.join('s1/reports', RUN), legs, null);
      expect(side.hasPassData).toBe(false);
      expect(side.metrics.determinismScore).toBeNull();
      expect(side.notes.join('\n')).toMatch(new RegExp(`written by format revision ${FORMAT_REVISION + 1} \\(toron-testops 2\\.3\\.0\\), newer than this toron-testops's format revision ${FORMAT_REVISION} .*its pass/fail and determinism are not read`));
    } finally {
      legs = original;
    }
  });

  it('of an older one: reads it as before, with a note naming both revisions', () => {
    const original = legs;
    legs = copyLegs();
    try {
      setTool(1, undefined);
      const side = sideOfBaselineFile(path.join('s1/reports', RUN), legs, null);
      expect(side.hasPassData).toBe(true);
      expect(side.notes).toEqual([expect.stringMatching(new RegExp(`written by format revision 1 \\(none recorded.*\\), older than this toron-testops's format revision ${FORMAT_REVISION}`))]);
    } finally {
      legs = original;
    }
  });

  it('of this one: no note', () => {
    expect(sideOfBaselineFile(path.join('s1/reports', RUN), legs, null).notes).toEqual([]);
  });
});
