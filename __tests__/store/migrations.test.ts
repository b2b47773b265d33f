import fs from 'node:fs';
import path from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, SCHEMA_VERSION, declaredVersion, migrationPath, userVersion } from '../../src/store/migrations.js';
import { schemaSql } from '../../src/store/schema.js';
import { Store } from '../../src/store/store.js';
import { cleanupTempDirs, integrity, rawDb, tempDir, FIXTURES } from './helpers.js';

afterAll(cleanupTempDirs);

const open: Store[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

function openStore(file: string, opts: Parameters<typeof Store.open>[1] = {}) {
  const r = Store.open(file, opts);
  open.push(r.store);
  return r;
}

function copyV1(): string {
  const dir = tempDir();
  const file = path.join(dir, 'testops.db');
  fs.copyFileSync(path.join(FIXTURES, 'v1.db'), file);
  return file;
}

/** Columns, indexes and foreign keys of every table: what must match between upgraded and fresh. */
function shape(db: DatabaseSync) {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((t) => t.name);
  return Object.fromEntries(
    tables.map((t) => [
      t,
      {
        columns: (db.prepare(`PRAGMA table_xinfo(${t})`).all() as Record<string, unknown>[])
          .map((c) => `${c.name} ${c.type} notnull=${c.notnull} pk=${c.pk} default=${c.dflt_value}`)
          .sort(),
        indexes: (db.prepare(`PRAGMA index_list(${t})`).all() as { name: string; unique: number }[])
          .map((i) => {
            const cols = (db.prepare(`PRAGMA index_xinfo(${i.name})`).all() as { name: string | null; desc: number; key: number }[])
              .filter((c) => c.key)
              .map((c) => `${c.name}${c.desc ? ' DESC' : ''}`);
            return `${i.name.startsWith('sqlite_autoindex') ? 'autoindex' : i.name} unique=${i.unique} (${cols.join(', ')})`;
          })
          .sort(),
        foreignKeys: (db.prepare(`PRAGMA foreign_key_list(${t})`).all() as Record<string, unknown>[]).map((f) => `${f.from}->${f.table}.${f.to} on delete ${f.on_delete}`).sort(),
        checks: ((db.prepare("SELECT sql FROM sqlite_master WHERE name = ?").get(t) as { sql: string }).sql.match(/CHECK \([^\n]*\)/g) ?? []).sort(),
      },
    ]),
  );
}

describe('schema versions', () => {
  it('schema.sql declares the version the migrations end at', () => {
    expect(declaredVersion(schemaSql())).toBe(SCHEMA_VERSION);
    expect(MIGRATIONS.at(-1)!.to).toBe(SCHEMA_VERSION);
    expect(migrationPath(1).map((m) => `${m.from}->${m.to}`)).toEqual(['1->2']);
    expect(migrationPath(SCHEMA_VERSION)).toEqual([]);
  });

  it('a chain with a gap is refused by name', () => {
    expect(() => migrationPath(1, 4, [{ from: 1, to: 2, description: '', sql: '' }, { from: 3, to: 4, description: '', sql: '' }])).toThrow(
      /no migration from schema version 2/,
    );
  });

  it('a new database gets schema.sql at the current version with all four tables', () => {
    const file = path.join(tempDir(), 'new.db');
    const { store, notices } = openStore(file);
    expect(notices).toEqual([]);
    expect(store.migration).toMatchObject({ from: 0, to: SCHEMA_VERSION });
    const db = rawDb(file);
    expect(userVersion(db)).toBe(SCHEMA_VERSION);
    expect(Object.keys(shape(db))).toEqual(['sim_results', 'snapshots', 'test_runs', 'warroom_events']);
    expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
    db.close();
  });
});

describe('upgrading the v1 fixture', () => {
  it('opens, upgrades to the current schema and keeps every row', () => {
    const file = copyV1();
    const before = rawDb(file);
    expect(userVersion(before)).toBe(1);
    expect(before.prepare('SELECT count(*) AS n FROM test_runs').get()).toEqual({ n: 3 });
    before.close();

    const logs: string[] = [];
    const { store } = openStore(file, { now: () => new Date('2025-06-01T00:00:00Z'), writeAbortedResults: false, log: (_l, m) => logs.push(m) });
    expect(store.migration).toMatchObject({ from: 1, to: SCHEMA_VERSION, newer: false });
    expect(store.migration.applied).toHaveLength(1);
    expect(logs.join('\n')).toMatch(/upgraded to version 2/);

    const { total, runs } = store.listRuns({ limit: 10 });
    expect(total).toBe(3);
    expect(runs.map((r) => r.runId)).toEqual(['v1-running', 'v1-fail', 'v1-pass']);
    const fail = store.getRun('v1-fail')!;
    expect(fail).toMatchObject({
      status: 'FAIL',
      verdict: 'FAIL',
      startedAt: '2024-03-02T10:00:00.000Z',
      durationMs: 120000,
      engine: { kind: 'http', target: 'http://127.0.0.1:8000/run', version: null, profile: null },
      paths: { result: 'reports/v1-fail/result.json', report: 'reports/v1-fail/report.json', bundle: null },
      metrics: { simPassRate: 0.5, simTotal: 4, determinismScore: null, p95Ms: null },
      sim: { attempts: 4, passed: 2 },
    });
    // Scores are filled in from severities; a lower-case severity is normalised.
    expect(fail.events.map((e) => [e.id, e.severity, e.score, e.seq, e.caseId])).toEqual([
      ['e1', 'HIGH', 75, 3, 'greets'],
      ['e2', 'MEDIUM', 40, 4, 'maths'],
      ['e3', 'CRITICAL', 100, 5, undefined],
    ]);
    // An unknown severity from an old version is kept as INFO rather than dropped.
    expect(store.getRun('v1-pass')!.events.map((e) => [e.id, e.severity, e.score])).toEqual([['e4', 'INFO', 0]]);
    expect(store.simResults('v1-fail').map((r) => [r.caseId, r.passed, r.latencyMs, r.message])).toEqual([
      ['case-0', true, 10, null],
      ['case-1', false, 11, 'expected "hello"'],
      ['case-2', true, 12, null],
      ['case-3', false, 13, 'expected "hello"'],
    ]);
    expect(integrity(file)).toEqual(['ok']);
  });

  it('ends with exactly the schema a new database gets (columns, indexes, foreign keys, checks)', () => {
    const file = copyV1();
    openStore(file, { writeAbortedResults: false });
    const fresh = path.join(tempDir(), 'fresh.db');
    openStore(fresh);
    const a = rawDb(file);
    const b = rawDb(fresh);
    expect(shape(a)).toEqual(shape(b));
    a.close();
    b.close();
  });

  it('the v1 run left RUNNING (no pid recorded) is ABORTED once it is older than the stale limit', () => {
    const file = copyV1();
    const { store, notices } = openStore(file, { now: () => new Date('2025-06-01T00:00:00Z'), writeAbortedResults: false });
    expect(notices.map((n) => [n.runId, n.finding.type, n.finding.severity])).toEqual([['v1-running', 'store-run-aborted', 'HIGH']]);
    expect(notices[0].finding.message).toMatch(/v1-running .*unknown process/);
    expect(store.getRun('v1-running')).toMatchObject({ status: 'ABORTED', verdict: 'ERROR', finishedAt: '2025-06-01T00:00:00.000Z' });
  });

  it('the ABORTED status that v1 could not hold can be written after the upgrade, and a new run recorded', () => {
    const file = copyV1();
    const { store } = openStore(file, { writeAbortedResults: false });
    store.beginRun({ runId: 'v2-run', startedAt: '2025-01-01T00:00:00.000Z', engine: { kind: 'reference', target: 'reference', version: '1.0', profile: 'toron-3' } });
    expect(store.finishRun('v2-run', { status: 'ABORTED', verdict: 'ERROR', finishedAt: '2025-01-01T00:00:05.000Z' })).toBe(true);
    expect(store.getRun('v2-run')).toMatchObject({ status: 'ABORTED', durationMs: 5000, engine: { version: '1.0', profile: 'toron-3' } });
  });

  it('a second open of the upgraded file does nothing more', () => {
    const file = copyV1();
    openStore(file, { writeAbortedResults: false }).store.close();
    open.length = 0;
    const { store, notices } = openStore(file, { writeAbortedResults: false });
    expect(store.migration).toMatchObject({ from: SCHEMA_VERSION, to: SCHEMA_VERSION, applied: [] });
    expect(notices).toEqual([]);
  });

  it('a database from a newer version is used as it is, with a notice', () => {
    const file = path.join(tempDir(), 'newer.db');
    openStore(file).store.close();
    open.length = 0;
    const db = rawDb(file);
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const { store, notices } = openStore(file);
    expect(store.migration).toMatchObject({ from: SCHEMA_VERSION + 1, newer: true });
    expect(notices.map((n) => [n.finding.type, n.finding.severity])).toEqual([['store-schema-newer', 'MEDIUM']]);
    store.beginRun({ runId: 'r', startedAt: '2025-01-01T00:00:00.000Z', engine: { kind: 'reference', target: 'reference' } });
    expect(store.getRun('r')?.status).toBe('RUNNING');
  });
});
