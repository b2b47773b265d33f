import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/merge/merge.js';
import { validateReport } from '../../src/report/schema.js';
import { makeProject, readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/**
 * A shard's report.json comes from another job or machine (an artifact, a bundle sent along): its run
 * id becomes the merged run's folder and snapshot name. One that is no run id ('../../x', an absolute
 * path) must be refused, never used as a path: merge wrote reports/<id>/ and snapshots/<id>.json
 * outside its --out.
 */
describe('a shard report whose runId is a path', () => {
  it.each(['../../../escaped-run', '/tmp/abs-run', 'a/b', '..'])('is refused by the report schema and by merge (%s)', async (forged) => {
    const legs = project({ d: dataset('d', 2) });
    const leg = await run(legs, { engine: 'reference', runId: 'leg', stages: 'sim', shard: '1/1', out: 's1' });
    expect(leg.exitCode).toBe(0);
    const file = path.join(legs, 's1/reports/leg/report.json');
    const report = readJson(file);
    report.runId = forged;
    expect(validateReport(report)).toEqual({ ok: false, errors: [expect.stringMatching(/^\/runId is not a run id/)] });
    fs.writeFileSync(file, JSON.stringify(report));

    const here = makeProject({});
    const o = await mergeShards([path.join(legs, 's1/reports/leg')], { cwd: here, out: 'merged' });
    expect(o.verdict).toBe('ERROR');
    // Nothing outside --out: not beside the project, not at the forged absolute path.
    const out = path.join(here, 'merged');
    for (const p of [o.paths.reportDir, o.paths.snapshot, path.resolve(out, 'reports', forged), path.resolve(out, 'snapshots', `${forged}.json`)]) {
      const rel = path.relative(out, p);
      const outside = rel.startsWith('..') || path.isAbsolute(rel);
      if (outside) expect(fs.existsSync(p), `${p} written outside ${out}`).toBe(false);
      if (p === o.paths.reportDir || p === o.paths.snapshot) expect(outside, `${p} outside ${out}`).toBe(false);
    }
  });
});
