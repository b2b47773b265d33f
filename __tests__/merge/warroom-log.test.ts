import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/merge/merge.js';
import { validateReport } from '../../src/report/schema.js';
import { readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/** As for a run (__tests__/warroom/log-unavailable.test.ts): the history log is history, not the gate. */
describe('merge: an unwritable WAR ROOM log does not cost the merged run its reports', () => {
  it('a folder where <out>/warroom/warroom.log belongs: the verdict stands, every report is written, a HIGH finding says why', async () => {
    const dir = project({ d: dataset('d', 4) });
    for (const i of [1, 2]) await run(dir, { engine: 'reference', runId: 'wl', stages: 'sim', shard: `${i}/2`, out: `s${i}` });
    fs.mkdirSync(path.join(dir, 'm/warroom/warroom.log/x'), { recursive: true });
    const o = await mergeShards(['s1', 's2'], { cwd: dir, out: 'm' });
    expect(o.verdict, o.error ?? '').toBe('PASS');
    for (const f of ['report.json', 'result.json', 'report.html', 'summary.md', 'warroom.log', 'bundle.zip', 'run.log']) {
      expect(fs.existsSync(path.join(o.paths.reportDir, f)), f).toBe(true);
    }
    const report = readJson(o.paths.report);
    expect(validateReport(report)).toEqual({ ok: true });
    const finding = report.warroom.find((f: { type: string }) => f.type === 'warroom-log-unavailable');
    expect(finding).toMatchObject({ severity: 'HIGH', subsystem: 'warroom' });
    expect(finding.message).toContain('m/warroom/warroom.log');
    expect(finding.message).not.toContain(dir);
    const db = new DatabaseSync(path.join(dir, 'm/testops.db'));
    try {
      expect(db.prepare("SELECT type FROM warroom_events WHERE run_id = 'wl'").all().map((x) => x.type)).toContain('warroom-log-unavailable');
    } finally {
      db.close();
    }
    // What was in the way is left alone.
    expect(fs.readdirSync(path.join(dir, 'm/warroom/warroom.log'))).toEqual(['x']);
  }, 60_000);
});
