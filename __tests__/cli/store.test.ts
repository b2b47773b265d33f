import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, reportDir, runCli, startCli } from '../helpers/cli.js';
import { integrity, rawDb, runIsRunning, waitFor } from '../store/helpers.js';

function project(cases = 20) {
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', cases: Array.from({ length: cases }, (_, i) => ({ id: `c${i}`, input: { prompt: `p ${i}` }, assert: [{ type: 'contains', value: 'hypothesis' }] })) },
  });
}

describe('run history in SQLite, through the CLI', () => {
  it('records each run with its events and case rows, and the WAR ROOM log gets every finding', async () => {
    const dir = project(5);
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'h1', '--fail-on', 'never', '--stages', 'sim,replay,pipeline'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const db = rawDb(path.join(dir, '.toron-testops/testops.db'));
    const run = db.prepare('SELECT status, verdict, sim_total, sim_pass_rate FROM test_runs WHERE run_id = ?').get('h1') as any;
    expect(run).toMatchObject({ status: 'PASS', verdict: 'PASS', sim_total: 5, sim_pass_rate: 1 });
    expect((db.prepare('SELECT COUNT(*) AS n FROM sim_results WHERE run_id = ?').get('h1') as any).n).toBe(5);
    db.close();

    fs.writeFileSync(path.join(dir, 'sim/d.json'), JSON.stringify({ name: 'd', cases: [{ id: 'bad', input: { prompt: 'x' }, assert: [{ type: 'contains', value: 'zzz' }] }] }));
    await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'h2'], { cwd: dir });
    const lines = fs.readFileSync(path.join(dir, '.toron-testops/warroom/warroom.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.some((f) => f.runId === 'h2' && f.type === 'sim-case-failed' && f.location.file === 'sim/d.json')).toBe(true);
    // the run's own lines, for its bundle: exactly the findings of its report
    const own = fs.readFileSync(path.join(reportDir(dir, 'h2'), 'warroom.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(own).toEqual(readJson(path.join(reportDir(dir, 'h2'), 'report.json')).warroom);
    expect(own.length).toBe(lines.filter((f) => f.runId === 'h2').length);
    const db2 = rawDb(path.join(dir, '.toron-testops/testops.db'));
    expect((db2.prepare("SELECT COUNT(*) AS n FROM warroom_events WHERE run_id = 'h2' AND severity = 'HIGH'").get() as any).n).toBeGreaterThan(0);
    db2.close();
  });

  it('kill -9 mid-run, then a new run: the old one is ABORTED with a result.json, the database passes integrity_check', async () => {
    const dir = project(400);
    const db = path.join(dir, '.toron-testops/testops.db');
    const child = startCli(['run', '--engine', 'reference', '--latency-ms', '50', '--run-id', 'killed'], { cwd: dir });
    await waitFor(() => runIsRunning(db, 'killed'), 'the run to be RUNNING');
    await new Promise((r) => setTimeout(r, 500)); // mid-SIM, with case rows being written
    child.kill('SIGKILL');
    await new Promise((r) => child.on('close', r));

    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'next', '--stages', 'sim'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const raw = rawDb(db);
    expect((raw.prepare('SELECT status FROM test_runs WHERE run_id = ?').get('killed') as any).status).toBe('ABORTED');
    raw.close();
    expect(integrity(db)).toEqual(['ok']);
    expect(readJson(path.join(reportDir(dir, 'killed'), 'result.json')).status).toBe('ABORTED');
    const report = readJson(path.join(reportDir(dir, 'next'), 'report.json'));
    expect(report.warroom.find((f: any) => f.type === 'store-run-aborted')).toMatchObject({ severity: 'HIGH' });
    // the killed run's log kept every line written before the kill
    expect(fs.readFileSync(path.join(reportDir(dir, 'killed'), 'run.log'), 'utf8')).toContain('[sim] started');
  });

  it('a non-SQLite file at the database path is kept aside and the run completes', async () => {
    const dir = project(3);
    fs.mkdirSync(path.join(dir, '.toron-testops'), { recursive: true });
    const dbPath = path.join(dir, '.toron-testops/testops.db');
    fs.writeFileSync(dbPath, 'these are my notes, not a database\n');
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'n1', '--stages', 'sim,replay,pipeline'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const aside = fs.readdirSync(path.join(dir, '.toron-testops')).filter((f) => f.startsWith('testops.db.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, '.toron-testops', aside[0]), 'utf8')).toBe('these are my notes, not a database\n');
    expect(integrity(dbPath)).toEqual(['ok']);
    const report = readJson(path.join(reportDir(dir, 'n1'), 'report.json'));
    expect(report.verdict).toBe('PASS');
    expect(report.warroom.find((f: any) => f.type === 'store-db-moved-aside')).toMatchObject({ severity: 'HIGH' });
  });

  it('an unwritable output folder: ERROR naming the path', async () => {
    const dir = project(2);
    fs.writeFileSync(path.join(dir, 'blocked'), 'a file where the output folder should be');
    const r = await runCli(['run', '--engine', 'reference', '--out', 'blocked/out'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toContain(path.join(dir, 'blocked/out'));
  });
});
