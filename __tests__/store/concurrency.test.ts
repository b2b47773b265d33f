import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupTempDirs, collect, integrity, rawDb, spawnTs, tempDir, FIXTURES } from './helpers.js';

afterAll(cleanupTempDirs);

const WRITER = path.join(FIXTURES, 'writer.ts');
const RUNS = 60;

describe('two processes writing to one database at once', () => {
  it('neither fails, every row is there, the order interleaves, and integrity_check is ok', async () => {
    const dir = tempDir();
    // A database that does not exist yet: both processes also race to create the schema.
    const file = path.join(dir, 'out', 'testops.db');
    const go = path.join(dir, 'go');
    const writers = ['a', 'b'].map((label) => spawnTs(WRITER, [file, label, String(RUNS), go]));
    const done = writers.map(collect);
    // Start them together: each says "ready" once loaded, then waits for the go file.
    await Promise.all(
      writers.map(
        (w) =>
          new Promise<void>((resolve, reject) => {
            w.stdout!.on('data', (d) => String(d).includes('ready') && resolve());
            w.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
          }),
      ),
    );
    fs.writeFileSync(go, '');
    const results = await Promise.all(done);
    for (const r of results) {
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`done ${RUNS}`);
    }

    expect(integrity(file)).toEqual(['ok']);
    const db = rawDb(file);
    const count = (sql: string) => Number((db.prepare(sql).get() as { n: number }).n);
    expect(count("SELECT count(*) AS n FROM test_runs WHERE status = 'PASS'")).toBe(2 * RUNS);
    expect(count('SELECT count(*) AS n FROM test_runs')).toBe(2 * RUNS);
    expect(count('SELECT count(*) AS n FROM warroom_events')).toBe(2 * RUNS * 3);
    expect(count('SELECT count(*) AS n FROM sim_results')).toBe(2 * RUNS * 50);
    // WAR ROOM counts were computed per run from that run's own events.
    expect(count('SELECT count(*) AS n FROM test_runs WHERE warroom_critical = 1 AND warroom_high = 1')).toBe(2 * RUNS);
    // The writes really overlapped in time: insertion order switches between the two writers.
    const order = (db.prepare('SELECT run_id FROM test_runs ORDER BY rowid').all() as { run_id: string }[]).map((r) => r.run_id[0]);
    const switches = order.slice(1).filter((x, i) => x !== order[i]).length;
    expect(switches).toBeGreaterThan(1);
    db.close();
  });
});
