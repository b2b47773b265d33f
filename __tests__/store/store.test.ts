import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Store } from '../../src/store/store.js';
import type { EventInput, SimResultRow } from '../../src/store/types.js';
import { SEVERITY_SCORE, type Severity } from '../../src/warroom/finding.js';
import { cleanupTempDirs, integrity, rawDb, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function fresh(): { store: Store; file: string; out: string } {
  const out = tempDir();
  const file = path.join(out, 'testops.db');
  const { store } = Store.open(file);
  open.push(store);
  return { store, file, out };
}

const at = (i: number) => new Date(Date.UTC(2025, 0, 1) + i * 60_000).toISOString();

function finding(runId: string, i: number, severity: Severity, extra: Partial<EventInput> = {}): EventInput {
  return {
    id: `${runId}-f${i}`,
    runId,
    seq: i,
    type: 'sim-case-failed',
    severity,
    score: SEVERITY_SCORE[severity],
    subsystem: 'sim',
    message: `finding ${i}`,
    remediation: 'fix it',
    timestamp: at(i),
    ...extra,
  };
}

function addRun(store: Store, i: number, status: 'PASS' | 'WARN' | 'FAIL' | 'ERROR' | null, metrics = {}) {
  const runId = `run-${String(i).padStart(3, '0')}`;
  store.beginRun({ runId, startedAt: at(i), engine: { kind: 'reference', target: 'reference' } });
  if (status) store.finishRun(runId, { status, verdict: status, finishedAt: at(i + 0.5), metrics });
  return runId;
}

describe('writing a run', () => {
  it('beginRun records a RUNNING row owned by this process; finishRun closes it with paths relative to out', () => {
    const { store, out } = fresh();
    expect(store.beginRun({ runId: 'r1', startedAt: at(0), engine: { kind: 'http', target: 'http://127.0.0.1:9/run', profile: 'auto' } })).toEqual({ replaced: null });
    expect(store.getRun('r1')).toMatchObject({ status: 'RUNNING', verdict: null, finishedAt: null, pid: process.pid, engine: { version: null, profile: 'auto' } });

    store.recordEvents([finding('r1', 1, 'CRITICAL'), finding('r1', 2, 'HIGH'), finding('r1', 3, 'HIGH'), finding('r1', 4, 'LOW')]);
    const ok = store.finishRun('r1', {
      status: 'FAIL',
      verdict: 'FAIL',
      finishedAt: at(2),
      engine: { version: '2.5.1' },
      metrics: { simPassRate: 0.75, simTotal: 8, determinismScore: 92.5, p95Ms: 310 },
      paths: { result: path.join(out, 'reports', 'r1', 'result.json'), report: 'reports/r1/report.json', bundle: path.join(out, 'reports', 'r1', 'bundle.zip') },
      reason: 'sim FAIL (pass rate 75%)',
    });
    expect(ok).toBe(true);
    expect(store.getRun('r1')).toMatchObject({
      status: 'FAIL',
      verdict: 'FAIL',
      finishedAt: at(2),
      durationMs: 120_000,
      engine: { kind: 'http', target: 'http://127.0.0.1:9/run', version: '2.5.1', profile: 'auto' },
      paths: { result: 'reports/r1/result.json', report: 'reports/r1/report.json', bundle: 'reports/r1/bundle.zip' },
      // WAR ROOM counts not given: counted from the recorded events.
      metrics: { simPassRate: 0.75, simTotal: 8, determinismScore: 92.5, p95Ms: 310, warroomCritical: 1, warroomHigh: 2 },
      reason: 'sim FAIL (pass rate 75%)',
    });
    expect(store.finishRun('nope', { status: 'PASS', verdict: 'PASS', finishedAt: at(1) })).toBe(false);
  });

  it('events keep score, remediation, case and location; a repeated id is ignored', () => {
    const { store } = fresh();
    addRun(store, 0, null);
    const f = finding('run-000', 1, 'HIGH', { caseId: 'greets', location: { file: 'sim/basics.json', line: 12 } });
    expect(store.recordEvents([f])).toBe(1);
    expect(store.recordEvents([f])).toBe(0);
    expect(store.getRun('run-000')!.events).toEqual([{ ...f, seq: 1 }]);
  });

  it('an event for a run that was never begun is refused (foreign key), and nothing of its batch is kept', () => {
    const { store } = fresh();
    addRun(store, 0, null);
    expect(() => store.recordEvents([finding('run-000', 1, 'LOW'), finding('ghost', 2, 'LOW')])).toThrow(/FOREIGN KEY/);
    expect(store.getRun('run-000')!.events).toEqual([]);
  });

  it('reusing a run id replaces the old run and everything recorded under it', () => {
    const { store } = fresh();
    addRun(store, 0, 'FAIL');
    store.recordEvents([finding('run-000', 1, 'HIGH')]);
    store.recordSimResults([{ runId: 'run-000', dataset: 'd', caseId: 'c', repeat: 0, passed: false, latencyMs: 5 }]);
    expect(store.beginRun({ runId: 'run-000', startedAt: at(10), engine: { kind: 'reference', target: 'reference' } })).toEqual({ replaced: 'FAIL' });
    expect(store.getRun('run-000')).toMatchObject({ status: 'RUNNING', startedAt: at(10), events: [], sim: { attempts: 0, passed: 0 } });
    expect(store.listRuns().total).toBe(1);
  });

  it('100 000 case results go in one batch and read back in order', () => {
    const { store, file } = fresh();
    addRun(store, 0, null);
    const rows: SimResultRow[] = [];
    for (let c = 0; c < 20_000; c++) {
      for (let r = 0; r < 5; r++) {
        rows.push({
          runId: 'run-000',
          dataset: `ds${c % 3}`,
          caseId: `case-${String(c).padStart(5, '0')}`,
          repeat: r,
          passed: (c + r) % 10 !== 0,
          latencyMs: c % 500,
          errorKind: (c + r) % 10 === 0 ? 'assertion' : null,
          message: (c + r) % 10 === 0 ? 'expected "x"' : null,
          location: { file: `sim/ds${c % 3}.json`, line: c + 2 },
        });
      }
    }
    expect(store.recordSimResults(rows)).toBe(100_000);
    expect(store.getRun('run-000')!.sim).toEqual({ attempts: 100_000, passed: 90_000 });
    const page = store.simResults('run-000', { limit: 3, offset: 5 });
    expect(page).toEqual([
      { runId: 'run-000', dataset: 'ds0', caseId: 'case-00003', repeat: 0, passed: true, latencyMs: 3, errorKind: null, message: null, location: { file: 'sim/ds0.json', line: 5 } },
      { runId: 'run-000', dataset: 'ds0', caseId: 'case-00003', repeat: 1, passed: true, latencyMs: 3, errorKind: null, message: null, location: { file: 'sim/ds0.json', line: 5 } },
      { runId: 'run-000', dataset: 'ds0', caseId: 'case-00003', repeat: 2, passed: true, latencyMs: 3, errorKind: null, message: null, location: { file: 'sim/ds0.json', line: 5 } },
    ]);
    expect(integrity(file)).toEqual(['ok']);
  });

  it('a key repeated in one batch ends as its last row, inside and across multi-row statements', () => {
    const { store } = fresh();
    addRun(store, 0, null);
    const row = (i: number, caseId: string): SimResultRow => ({ runId: 'run-000', dataset: 'd', caseId, repeat: 0, passed: i % 2 === 0, latencyMs: i, errorKind: null, message: `row ${i}`, location: { file: 'f.json', line: i } });
    // 63 rows: two full statements and 13 single ones; "dup" is in the first statement twice, then in a single.
    const rows = Array.from({ length: 63 }, (_, i) => row(i, i === 3 || i === 20 || i === 60 ? 'dup' : `c${String(i).padStart(2, '0')}`));
    expect(store.recordSimResults(rows)).toBe(63);
    const all = store.simResults('run-000', { limit: 100, offset: 0 });
    expect(all).toHaveLength(61);
    expect(all.find((r) => r.caseId === 'dup')).toMatchObject({ latencyMs: 60, message: 'row 60', passed: true, location: { file: 'f.json', line: 60 } });
    expect(all.find((r) => r.caseId === 'c21')).toMatchObject({ latencyMs: 21, passed: false });
  });

  it('a batch with one bad row is rolled back whole', () => {
    const { store } = fresh();
    addRun(store, 0, null);
    const good = { runId: 'run-000', dataset: 'd', caseId: 'a', repeat: 0, passed: true, latencyMs: 1 };
    expect(() => store.recordSimResults([good, { ...good, caseId: 'b', runId: 'ghost' }])).toThrow();
    expect(store.getRun('run-000')!.sim.attempts).toBe(0);
  });

  it('snapshots are kept with a path relative to out', () => {
    const { store, out } = fresh();
    addRun(store, 0, 'PASS');
    store.recordSnapshot({ runId: 'run-000', path: path.join(out, 'snapshots', 'run-000.json'), sha256: 'ab'.repeat(32), createdAt: at(1), cases: 42, settingsHash: 'h1' });
    expect(store.getRun('run-000')!.snapshots).toEqual([
      { runId: 'run-000', path: 'snapshots/run-000.json', sha256: 'ab'.repeat(32), createdAt: at(1), cases: 42, settingsHash: 'h1' },
    ]);
  });

  it('a bad status is refused by the schema', () => {
    const { file } = fresh();
    const db = rawDb(file);
    expect(() => db.prepare("INSERT INTO test_runs (run_id, status, started_at) VALUES ('x', 'DONE', 'now')").run()).toThrow(/CHECK constraint/);
    db.close();
  });
});

describe('retrieval', () => {
  it('listRuns: newest first, paged, with the total', () => {
    const { store } = fresh();
    // Inserted out of order: ordering is by start time, not by insertion.
    for (const i of [3, 0, 4, 1, 2]) addRun(store, i, 'PASS');
    const first = store.listRuns({ limit: 2 });
    expect(first.total).toBe(5);
    expect(first.runs.map((r) => r.runId)).toEqual(['run-004', 'run-003']);
    expect(store.listRuns({ limit: 2, offset: 2 }).runs.map((r) => r.runId)).toEqual(['run-002', 'run-001']);
    expect(store.listRuns({ limit: 2, offset: 4 }).runs.map((r) => r.runId)).toEqual(['run-000']);
    expect(store.listRuns({ limit: 2, offset: 10 }).runs).toEqual([]);
    // Nonsense paging falls back to sane bounds instead of throwing.
    expect(store.listRuns({ limit: Number.NaN, offset: -3 }).runs).toHaveLength(5);
    expect(store.listRuns({ limit: 0 }).runs).toHaveLength(1);
  });

  it('getRun: null for an unknown id; events in the order raised', () => {
    const { store } = fresh();
    addRun(store, 0, null);
    store.recordEvents([finding('run-000', 3, 'LOW')]);
    store.recordEvents([finding('run-000', 1, 'CRITICAL'), finding('run-000', 2, 'INFO')]);
    expect(store.getRun('missing')).toBeNull();
    expect(store.getRun('run-000')!.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('eventsBySeverity: one or several severities, newest first, across runs or in one run', () => {
    const { store } = fresh();
    addRun(store, 0, 'FAIL');
    addRun(store, 1, 'FAIL');
    store.recordEvents([finding('run-000', 1, 'HIGH'), finding('run-000', 2, 'CRITICAL'), finding('run-000', 3, 'HIGH')]);
    store.recordEvents([finding('run-001', 4, 'HIGH'), finding('run-001', 5, 'LOW')]);
    expect(store.eventsBySeverity('HIGH').map((e) => e.id)).toEqual(['run-001-f4', 'run-000-f3', 'run-000-f1']);
    expect(store.eventsBySeverity('HIGH', { limit: 1, offset: 1 }).map((e) => e.id)).toEqual(['run-000-f3']);
    expect(store.eventsBySeverity('HIGH', { runId: 'run-000' }).map((e) => e.id)).toEqual(['run-000-f3', 'run-000-f1']);
    expect(store.eventsBySeverity(['CRITICAL', 'LOW']).map((e) => e.id)).toEqual(['run-001-f5', 'run-000-f2']);
    expect(store.eventsBySeverity('MEDIUM')).toEqual([]);
    expect(store.eventsBySeverity([])).toEqual([]);
  });

  it('metricHistory: the last N finished runs, oldest first; RUNNING and ABORTED runs left out', () => {
    const { store } = fresh();
    addRun(store, 0, 'PASS', { simPassRate: 1, simTotal: 10, determinismScore: 100, p95Ms: 200 });
    addRun(store, 1, 'WARN', { simPassRate: 0.98, simTotal: 10, determinismScore: 85, p95Ms: 250 });
    addRun(store, 2, null); // still RUNNING
    const aborted = addRun(store, 3, null);
    store.finishRun(aborted, { status: 'ABORTED', verdict: 'ERROR', finishedAt: at(4) });
    addRun(store, 4, 'FAIL', { simPassRate: 0.5, simTotal: 10, determinismScore: 60, p95Ms: 900, warroomCritical: 2, warroomHigh: 3 });
    addRun(store, 5, 'ERROR', {});

    const h = store.metricHistory(3);
    expect(h.map((p) => [p.runId, p.status, p.simPassRate, p.determinismScore, p.p95Ms])).toEqual([
      ['run-001', 'WARN', 0.98, 85, 250],
      ['run-004', 'FAIL', 0.5, 60, 900],
      ['run-005', 'ERROR', null, null, null],
    ]);
    expect(h[1]).toMatchObject({ warroomCritical: 2, warroomHigh: 3, durationMs: 30_000, startedAt: at(4) });
    expect(store.metricHistory(100).map((p) => p.runId)).toEqual(['run-000', 'run-001', 'run-004', 'run-005']);
  });

  it('close is idempotent and writes after close are refused clearly', () => {
    const { store } = fresh();
    store.close();
    store.close();
    expect(() => store.beginRun({ runId: 'x', startedAt: at(0), engine: { kind: 'reference', target: 'reference' } })).toThrow(/closed/);
  });
});
