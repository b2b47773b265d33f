import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/runner/event-bus.js';
import { StoreSink } from '../../src/store/sink.js';
import { Store } from '../../src/store/store.js';
import { SEVERITY_SCORE, type Finding, type Severity } from '../../src/warroom/finding.js';
import { cleanupTempDirs, rawDb, tempDir } from './helpers.js';

afterAll(cleanupTempDirs);

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function setup(batchSize?: number) {
  const file = path.join(tempDir(), 'testops.db');
  const { store } = Store.open(file);
  open.push(store);
  store.beginRun({ runId: 'run-1', startedAt: '2025-01-01T00:00:00.000Z', engine: { kind: 'reference', target: 'reference' } });
  const errors: string[] = [];
  const sink = new StoreSink(store, { batchSize, onError: (m) => errors.push(m) });
  const bus = new EventBus('run-1');
  bus.add(sink);
  return { file, store, sink, bus, errors };
}

function finding(i: number, severity: Severity): Finding {
  return { id: `f${i}`, runId: 'run-1', type: 'sim-case-failed', severity, score: SEVERITY_SCORE[severity], subsystem: 'sim', message: `m${i}`, remediation: 'r', caseId: `c${i}`, location: { file: 'sim/a.json', line: i }, timestamp: '2025-01-01T00:00:01.000Z' };
}

/** What another process would see right now (a separate connection). */
function countsSeenByOthers(file: string) {
  const db = rawDb(file);
  const n = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
  const r = { events: n('SELECT count(*) AS n FROM warroom_events'), cases: n('SELECT count(*) AS n FROM sim_results') };
  db.close();
  return r;
}

describe('StoreSink', () => {
  it('records each WAR ROOM event at once (committed, visible to other connections) with its bus sequence number', () => {
    const { file, store, bus } = setup();
    bus.emit({ type: 'log', level: 'info', source: 'x', message: 'ignored' });
    bus.emit({ type: 'warroom', finding: finding(1, 'CRITICAL') });
    expect(countsSeenByOthers(file).events).toBe(1);
    bus.emit({ type: 'warroom', finding: finding(2, 'LOW') });
    expect(countsSeenByOthers(file).events).toBe(2);
    expect(store.getRun('run-1')!.events.map((e) => [e.id, e.seq, e.location?.line])).toEqual([
      ['f1', 2, 1],
      ['f2', 3, 2],
    ]);
  });

  it('buffers SIM case results and writes them a batch at a time, the rest on done', () => {
    const { file, store, sink, bus } = setup(4);
    const emitCase = (i: number, passed: boolean) =>
      bus.emit({
        type: 'case',
        stage: 'sim',
        caseId: `c${i}`,
        dataset: 'basics',
        repeat: 0,
        passed,
        latencyMs: i * 10,
        ...(passed ? {} : { error: 'timeout: no answer in 300 ms', errorKind: 'timeout' }),
        location: { file: 'sim/basics.json', line: 10 + i },
      });
    for (let i = 0; i < 3; i++) emitCase(i, true);
    expect(countsSeenByOthers(file).cases).toBe(0);
    expect(sink.stats()).toEqual({ events: 0, cases: 0, pending: 3 });
    emitCase(3, false);
    expect(countsSeenByOthers(file).cases).toBe(4);
    for (let i = 4; i < 6; i++) emitCase(i, true);
    // Case events of other stages are not SIM results.
    bus.emit({ type: 'case', stage: 'replay', caseId: 'x', dataset: 'basics', repeat: 0, passed: true, latencyMs: 1 });
    expect(countsSeenByOthers(file).cases).toBe(4);
    bus.emit({ type: 'done', verdict: 'FAIL', exitCode: 1, reportDir: '/tmp/x' });
    expect(countsSeenByOthers(file).cases).toBe(6);
    expect(sink.stats()).toEqual({ events: 0, cases: 6, pending: 0 });
    expect(store.simResults('run-1')[3]).toEqual({
      runId: 'run-1',
      dataset: 'basics',
      caseId: 'c3',
      repeat: 0,
      passed: false,
      latencyMs: 30,
      errorKind: 'timeout',
      message: 'timeout: no answer in 300 ms',
      location: { file: 'sim/basics.json', line: 13 },
    });
  });

  it("writes a slow run's results a second old without waiting for a full batch (a killed process loses at most that)", () => {
    const { file, store } = setup();
    let clock = 0;
    const sink = new StoreSink(store, { batchSize: 1000, now: () => clock });
    const bus = new EventBus('run-1');
    bus.add(sink);
    const emitCase = (i: number) => bus.emit({ type: 'case', stage: 'sim', caseId: `c${i}`, dataset: 'd', repeat: 0, passed: true, latencyMs: 5 });
    emitCase(0);
    clock = 400;
    emitCase(1);
    expect(countsSeenByOthers(file).cases).toBe(0);
    clock = 1000;
    emitCase(2);
    expect(countsSeenByOthers(file).cases).toBe(3);
    clock = 1500;
    emitCase(3);
    expect(countsSeenByOthers(file).cases).toBe(3);
    clock = 2100;
    emitCase(4);
    expect(countsSeenByOthers(file).cases).toBe(5);
  });

  it('close flushes what is left', async () => {
    const { file, bus } = setup();
    bus.emit({ type: 'case', stage: 'sim', caseId: 'c', dataset: 'd', repeat: 1, passed: true, latencyMs: 5 });
    expect(countsSeenByOthers(file).cases).toBe(0);
    await bus.close();
    expect(countsSeenByOthers(file).cases).toBe(1);
  });

  it('a write that fails is reported once and the run goes on', () => {
    const { bus, errors, sink } = setup(1);
    // A finding of a run that was never begun breaks the foreign key.
    bus.emit({ type: 'warroom', finding: { ...finding(1, 'HIGH'), runId: 'no-such-run' } });
    bus.emit({ type: 'warroom', finding: { ...finding(2, 'HIGH'), runId: 'no-such-run' } });
    bus.emit({ type: 'case', stage: 'sim', caseId: 'c', dataset: 'd', repeat: 0, passed: true, latencyMs: 5 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/could not record a WAR ROOM event: .*FOREIGN KEY/);
    expect(sink.stats()).toEqual({ events: 0, cases: 1, pending: 0 });
  });
});
