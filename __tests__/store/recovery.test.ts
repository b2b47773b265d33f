import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import { StoreError, type StoreOptions } from '../../src/store/types.js';
import { abandonedBecause, isZombie, pidAlive } from '../../src/store/owner.js';
import { compactStamp } from '../../src/store/move-aside.js';
import { cleanupTempDirs, deadPid, integrity, livePid, rawDb, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const open: Store[] = [];
const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  for (const c of cleanups.splice(0)) c();
});

function openStore(file: string, opts: StoreOptions = {}) {
  const r = Store.open(file, opts);
  open.push(r.store);
  return r;
}

const NOW = new Date('2025-05-05T12:00:00.000Z');

/** A RUNNING row as a run in another process would have left it. */
function plantRunning(file: string, runId: string, pid: number | null, host: string | null, startedAt = '2025-05-05T11:59:00.000Z') {
  const db = rawDb(file);
  db.prepare("INSERT INTO test_runs (run_id, status, started_at, engine_kind, engine_target, pid, host) VALUES (?, 'RUNNING', ?, 'reference', 'reference', ?, ?)").run(runId, startedAt, pid, host);
  db.prepare("INSERT INTO warroom_events (id, run_id, seq, type, severity, score, subsystem, message, timestamp) VALUES (?, ?, 1, 'engine-died', 'CRITICAL', 100, 'engine', 'boom', ?)").run(`${runId}-e`, runId, startedAt);
  db.prepare("INSERT INTO sim_results (run_id, dataset, case_id, repeat, passed, latency_ms) VALUES (?, 'd', 'c1', 0, 1, 3), (?, 'd', 'c2', 0, 0, 4)").run(runId, runId);
  db.close();
}

function newDb(): { out: string; file: string } {
  const out = tempDir();
  const file = path.join(out, 'testops.db');
  Store.open(file).store.close();
  return { out, file };
}

describe('runs left RUNNING', () => {
  it('a run whose process is gone is marked ABORTED on open, with a HIGH notice and a result.json', async () => {
    const { out, file } = newDb();
    const pid = await deadPid();
    plantRunning(file, 'killed-run', pid, os.hostname());

    const { store, notices } = openStore(file, { now: () => NOW });
    expect(notices).toHaveLength(1);
    const n = notices[0];
    expect(n.runId).toBe('killed-run');
    expect(n.finding).toMatchObject({ type: 'store-run-aborted', severity: 'HIGH', subsystem: 'store' });
    expect(n.finding.message).toContain(`pid ${pid}`);
    expect(n.finding.remediation.length).toBeGreaterThan(20);

    const run = store.getRun('killed-run')!;
    expect(run).toMatchObject({
      status: 'ABORTED',
      verdict: 'ERROR',
      finishedAt: NOW.toISOString(),
      durationMs: 60_000,
      metrics: { warroomCritical: 1, warroomHigh: 0 },
      paths: { result: 'reports/killed-run/result.json', report: null },
    });
    expect(run.reason).toMatch(/^ABORTED: .*pid/);
    // Partial data recorded before the kill is kept.
    expect(run.events.map((e) => e.id)).toEqual(['killed-run-e']);
    expect(run.sim).toEqual({ attempts: 2, passed: 1 });

    const resultFile = path.join(out, 'reports', 'killed-run', 'result.json');
    expect(n.resultPath).toBe(resultFile);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8'));
    expect(result).toMatchObject({
      schemaVersion: 1,
      runId: 'killed-run',
      status: 'ABORTED',
      verdict: 'ERROR',
      exitCode: 2,
      startedAt: '2025-05-05T11:59:00.000Z',
      finishedAt: NOW.toISOString(),
      durationMs: 60_000,
      engine: { kind: 'reference', target: 'reference', version: null },
      error: { kind: 'aborted' },
      metrics: { simPassRate: null, warroomCritical: 1, warroomHigh: 0 },
      artifacts: { result: 'result.json', report: null, log: null },
      partial: { simAttempts: 2, simAttemptsPassed: 1, warroomEvents: 1 },
    });
    expect(fs.readdirSync(path.dirname(resultFile))).toEqual(['result.json']); // written atomically: no temp file left

    // The next open has nothing more to say.
    store.close();
    open.length = 0;
    expect(openStore(file, { now: () => NOW }).notices).toEqual([]);
  });

  it("an ABORTED run ends when its run.log was last written, not when the next process noticed", async () => {
    const { out, file } = newDb();
    plantRunning(file, 'quiet-since', await deadPid(), os.hostname(), '2025-05-05T11:00:00.000Z');
    const log = path.join(out, 'reports', 'quiet-since', 'run.log');
    fs.mkdirSync(path.dirname(log), { recursive: true });
    fs.writeFileSync(log, 'the last line it wrote\n');
    const last = new Date('2025-05-05T11:00:30.000Z');
    fs.utimesSync(log, last, last);
    const { store } = openStore(file, { now: () => NOW }); // an hour later
    expect(store.getRun('quiet-since')).toMatchObject({ status: 'ABORTED', finishedAt: last.toISOString(), durationMs: 30_000 });
    expect(JSON.parse(fs.readFileSync(path.join(out, 'reports', 'quiet-since', 'result.json'), 'utf8'))).toMatchObject({ finishedAt: last.toISOString(), durationMs: 30_000 });
  });

  it('a run whose process is alive stays RUNNING', async () => {
    const { file } = newDb();
    const live = await livePid();
    cleanups.push(live.stop);
    plantRunning(file, 'other-live-run', live.pid, os.hostname());
    const { store, notices } = openStore(file, { now: () => NOW });
    expect(notices).toEqual([]);
    expect(store.getRun('other-live-run')!.status).toBe('RUNNING');
  });

  it('a run from another host is only given up once it is stale', () => {
    const { file } = newDb();
    plantRunning(file, 'recent-elsewhere', 1, 'some-other-host', '2025-05-05T11:00:00.000Z');
    plantRunning(file, 'old-elsewhere', 1, 'some-other-host', '2025-05-03T11:00:00.000Z');
    const { store, notices } = openStore(file, { now: () => NOW, staleAfterMs: 24 * 3600_000 });
    expect(notices.map((n) => n.runId)).toEqual(['old-elsewhere']);
    expect(notices[0].finding.message).toMatch(/on host some-other-host 49 h ago/);
    expect(store.getRun('recent-elsewhere')!.status).toBe('RUNNING');
    expect(store.getRun('old-elsewhere')!.status).toBe('ABORTED');
  });

  it('a run given up by mistake (still alive elsewhere) heals when it finishes', () => {
    const { file } = newDb();
    plantRunning(file, 'slow-elsewhere', 1, 'some-other-host', '2025-05-05T00:00:00.000Z');
    const { store } = openStore(file, { now: () => NOW, staleAfterMs: 3600_000 });
    expect(store.getRun('slow-elsewhere')!.status).toBe('ABORTED');
    store.finishRun('slow-elsewhere', { status: 'PASS', verdict: 'PASS', finishedAt: NOW.toISOString(), reason: 'sim PASS' });
    expect(store.getRun('slow-elsewhere')).toMatchObject({ status: 'PASS', verdict: 'PASS', reason: 'sim PASS' });
  });

  it('a run that wrote its result.json and then died is recorded with that outcome instead of ABORTED', async () => {
    const { out, file } = newDb();
    plantRunning(file, 'almost-done', await deadPid(), os.hostname());
    const dir = path.join(out, 'reports', 'almost-done');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'result.json'),
      JSON.stringify({
        schemaVersion: 1,
        runId: 'almost-done',
        status: 'WARN',
        verdict: 'WARN',
        reason: 'sim WARN',
        startedAt: '2025-05-05T11:59:00.000Z',
        finishedAt: '2025-05-05T11:59:30.000Z',
        durationMs: 30_000,
        engine: { kind: 'reference', target: 'reference', version: '9.9', profile: 'auto' },
        metrics: { simPassRate: 0.97, simTotal: 30, determinismScore: null, p95Ms: null, warroomCritical: 0, warroomHigh: 1 },
      }),
    );
    const { store, notices } = openStore(file, { now: () => NOW });
    expect(notices.map((n) => [n.runId, n.finding.type, n.finding.severity])).toEqual([['almost-done', 'store-run-recovered', 'LOW']]);
    expect(store.getRun('almost-done')).toMatchObject({
      status: 'WARN',
      verdict: 'WARN',
      finishedAt: '2025-05-05T11:59:30.000Z',
      durationMs: 30_000,
      engine: { version: '9.9' },
      metrics: { simPassRate: 0.97, simTotal: 30, warroomHigh: 1 },
      paths: { result: 'reports/almost-done/result.json' },
    });
  });

  it('a stale result.json from an earlier run with the same id is not adopted', async () => {
    const { out, file } = newDb();
    plantRunning(file, 'reused-id', await deadPid(), os.hostname());
    const dir = path.join(out, 'reports', 'reused-id');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ runId: 'reused-id', status: 'PASS', startedAt: '2020-01-01T00:00:00.000Z', finishedAt: '2020-01-01T00:01:00.000Z' }));
    const { store } = openStore(file, { now: () => NOW });
    expect(store.getRun('reused-id')!.status).toBe('ABORTED');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'result.json'), 'utf8')).status).toBe('ABORTED');
  });

  it('abandonedBecause: pid probes only on this host; unknown owners by age', () => {
    const probe = { host: 'me', nowMs: Date.parse('2025-01-02T00:00:00Z'), staleAfterMs: 3600_000, isAlive: (pid: number) => pid === 7 };
    expect(abandonedBecause({ pid: 7, host: 'me', startedAt: '2024-01-01T00:00:00Z' }, probe)).toBeNull();
    expect(abandonedBecause({ pid: 8, host: 'me', startedAt: '2025-01-01T23:59:00Z' }, probe)).toMatch(/pid 8 on me\) is gone/);
    expect(abandonedBecause({ pid: 8, host: 'you', startedAt: '2025-01-01T23:30:00Z' }, probe)).toBeNull();
    expect(abandonedBecause({ pid: null, host: null, startedAt: '2025-01-01T20:00:00Z' }, probe)).toMatch(/unknown process 4 h ago/);
    expect(abandonedBecause({ pid: null, host: null, startedAt: 'garbage' }, probe)).toMatch(/unreadable time/);
  });

  it("abandonedBecause: this process's own pid is alive only for a run this process is running (a pid reused after a restart)", () => {
    const probe = { host: 'me', nowMs: Date.parse('2025-01-02T00:00:00Z'), staleAfterMs: 3600_000, isAlive: () => true, ownPid: 42, ownsRun: (id: string) => id === 'mine' };
    expect(abandonedBecause({ runId: 'mine', pid: 42, host: 'me', startedAt: '2025-01-01T23:59:00Z' }, probe)).toBeNull();
    expect(abandonedBecause({ runId: 'killed', pid: 42, host: 'me', startedAt: '2025-01-01T23:59:00Z' }, probe)).toMatch(/pid 42 on me\) is gone \(the pid is now this process's\)/);
  });

  it('a RUNNING row with this very pid that this process is not running is ABORTED on open; its own run is not', () => {
    const { file } = newDb();
    plantRunning(file, 'before-restart', process.pid, os.hostname());
    const first = openStore(file, { now: () => NOW });
    expect(first.notices.map((n) => n.runId)).toEqual(['before-restart']);
    expect(first.store.getRun('before-restart')!.status).toBe('ABORTED');
    // A run this process began stays RUNNING when the database is opened again (serve: the next run).
    first.store.beginRun({ runId: 'live', startedAt: NOW.toISOString(), engine: { kind: 'reference', target: 'reference' } });
    const again = openStore(file, { now: () => NOW });
    expect(again.notices).toEqual([]);
    expect(again.store.getRun('live')!.status).toBe('RUNNING');
    first.store.finishRun('live', { status: 'PASS', verdict: 'PASS', finishedAt: NOW.toISOString() });
  });

  it.runIf(process.platform === 'linux')('a zombie (killed, not yet reaped by its parent) is not alive', async () => {
    // sh starts a short child and execs into sleep, which never reaps it: the child stays a zombie.
    const parent = spawn('sh', ['-c', 'sleep 0 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    cleanups.push(() => parent.kill('SIGKILL'));
    const zombie = await new Promise<number>((resolve) => parent.stdout!.once('data', (d) => resolve(Number(String(d).trim()))));
    for (let i = 0; i < 100 && !isZombie(zombie); i++) await new Promise((r) => setTimeout(r, 20));
    expect(isZombie(zombie)).toBe(true);
    expect(() => process.kill(zombie, 0)).not.toThrow(); // signal 0 alone would call it alive
    expect(pidAlive(zombie)).toBe(false);
    expect(pidAlive(parent.pid!)).toBe(true);
  });
});

describe('a file at the database path that is not a usable database', () => {
  it('a text file is moved aside unchanged, a fresh database is started, and a HIGH notice says so', () => {
    const out = tempDir();
    const file = path.join(out, 'testops.db');
    const content = 'these are my notes, not a database\n'.repeat(50);
    fs.writeFileSync(file, content);
    const { store, notices } = openStore(file, { now: () => NOW });
    const moved = `${file}.corrupt-${compactStamp(NOW)}`;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ movedTo: moved, finding: { type: 'store-db-moved-aside', severity: 'HIGH', subsystem: 'store' } });
    expect(notices[0].finding.message).toMatch(/not an SQLite database.*testops\.db\.corrupt-20250505T120000Z/);
    expect(fs.readFileSync(moved, 'utf8')).toBe(content);

    store.beginRun({ runId: 'after', startedAt: NOW.toISOString(), engine: { kind: 'reference', target: 'reference' } });
    store.finishRun('after', { status: 'PASS', verdict: 'PASS', finishedAt: NOW.toISOString() });
    expect(store.listRuns().runs.map((r) => [r.runId, r.status])).toEqual([['after', 'PASS']]);
    expect(integrity(file)).toEqual(['ok']);
  });

  it('a second bad file at the same second gets its own name: nothing is overwritten', () => {
    const out = tempDir();
    const file = path.join(out, 'testops.db');
    fs.writeFileSync(file, 'first');
    openStore(file, { now: () => NOW }).store.close();
    open.length = 0;
    fs.rmSync(file);
    for (const s of ['-wal', '-shm']) fs.rmSync(file + s, { force: true });
    fs.writeFileSync(file, 'second');
    const { notices } = openStore(file, { now: () => NOW });
    expect(notices[0].movedTo).toBe(`${file}.corrupt-${compactStamp(NOW)}-1`);
    expect(fs.readFileSync(`${file}.corrupt-${compactStamp(NOW)}`, 'utf8')).toBe('first');
    expect(fs.readFileSync(`${file}.corrupt-${compactStamp(NOW)}-1`, 'utf8')).toBe('second');
  });

  it('an SQLite file with damaged pages fails the check and is moved aside', () => {
    const out = tempDir();
    const file = path.join(out, 'testops.db');
    const { store } = Store.open(file);
    store.beginRun({ runId: 'r', startedAt: NOW.toISOString(), engine: { kind: 'reference', target: 'reference' } });
    store.recordSimResults(Array.from({ length: 2000 }, (_, i) => ({ runId: 'r', dataset: 'd', caseId: `c${i}`, repeat: 0, passed: true, latencyMs: i })));
    store.close(); // checkpoints the WAL into the main file
    const bytes = fs.readFileSync(file);
    // Keep the 100-byte header (so it still says "SQLite format 3"), scribble over the pages after page 1.
    const pageSize = bytes.readUInt16BE(16);
    for (let i = pageSize * 2; i < bytes.length; i += 7) bytes[i] = 0xa5;
    fs.writeFileSync(file, bytes);
    const original = fs.readFileSync(file);

    const { store: fresh, notices } = openStore(file, { now: () => NOW });
    expect(notices.map((n) => n.finding.type)).toEqual(['store-db-moved-aside']);
    expect(fs.readFileSync(notices[0].movedTo!).equals(original)).toBe(true);
    expect(fresh.listRuns().total).toBe(0);
  });

  it('an SQLite database of something else (tables, no version) is moved aside, not written into', () => {
    const out = tempDir();
    const file = path.join(out, 'testops.db');
    const db = rawDb(file);
    db.exec("CREATE TABLE recipes (name TEXT); INSERT INTO recipes VALUES ('bread')");
    db.close();
    const { notices } = openStore(file, { now: () => NOW });
    expect(notices[0].finding.message).toMatch(/not made by toron-testops/);
    const kept = rawDb(notices[0].movedTo!);
    expect(kept.prepare('SELECT name FROM recipes').all()).toEqual([{ name: 'bread' }]);
    kept.close();
  });

  it('a path where no database can be made at all is a StoreError naming the path', () => {
    const out = tempDir();
    const blocker = path.join(out, 'a-file');
    fs.writeFileSync(blocker, 'x');
    const file = path.join(blocker, 'testops.db');
    expect(() => Store.open(file)).toThrow(StoreError);
    expect(() => Store.open(file)).toThrow(new RegExp(`a-file.*testops\\.db`));
    expect(fs.readFileSync(blocker, 'utf8')).toBe('x');
  });
});
