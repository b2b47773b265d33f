import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * `<out>/warroom/warroom.log` is the WAR ROOM's history across runs. When it cannot be opened (here a
 * file named `warroom` sits where its folder belongs), the run still runs and lands every report,
 * like a run whose SQLite history cannot be opened: it must not end with nothing but run.log.
 */
describe('an unwritable WAR ROOM log does not cost the run its reports', () => {
  it('the run keeps its verdict, writes report.json, result.json, report.html, summary.md and the bundle, and says why', async () => {
    const cwd = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
      'out/warroom': 'a file where the warroom folder belongs',
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'nolog', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const dir = path.join(cwd, 'out', 'reports', 'nolog');
    for (const f of ['report.json', 'result.json', 'report.html', 'summary.md', 'warroom.log', 'bundle.zip', 'run.log']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const report = readJson(path.join(dir, 'report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.verdict).toBe('PASS');
    const finding = report.warroom.find((f: { type: string }) => f.type === 'warroom-log-unavailable');
    expect(finding).toMatchObject({ severity: 'HIGH', score: 75, subsystem: 'warroom' });
    expect(finding.message).toContain('out/warroom/warroom.log');
    expect(finding.message).not.toContain(cwd);
    // The run's own WAR ROOM lines and its history row have it.
    const own = fs.readFileSync(path.join(dir, 'warroom.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(own.map((f) => f.type)).toContain('warroom-log-unavailable');
    const db = new DatabaseSync(path.join(cwd, 'out', 'testops.db'));
    try {
      expect(db.prepare("SELECT type FROM warroom_events WHERE run_id = 'nolog'").all().map((x) => x.type)).toContain('warroom-log-unavailable');
      expect(db.prepare("SELECT status FROM test_runs WHERE run_id = 'nolog'").get()).toEqual({ status: 'PASS' });
    } finally {
      db.close();
    }
    // What was in the way is left alone.
    expect(fs.readFileSync(path.join(cwd, 'out', 'warroom'), 'utf8')).toBe('a file where the warroom folder belongs');
  });
});
