import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { dataset, project, run } from './helpers.js';

// replay.freshProcess restarts cmd: engines only. With an HTTP engine the replay warned so, and the
// report said freshProcess "not-restartable", but its first line still claimed "a fresh engine process
// per round" in run.log and on the console: a reader would take process-dependence as checked.
let server: ReferenceServer;
beforeAll(async () => {
  server = await startReferenceServer({ ...DEFAULTS.reference }, { port: 0 });
});
afterAll(async () => {
  await server.close();
});

describe('replay.freshProcess with an HTTP engine', () => {
  it('never claims a fresh process per round', async () => {
    const dir = project({ d: dataset('d', 2) }, { replay: { rounds: 2, freshProcess: true } });
    const r = await run(dir, { engine: `${server.url}/run`, stages: ['sim', 'replay'], runId: 'fresh-http' } as never);
    expect(r.replay.freshProcess).toBe('not-restartable');
    const log = fs.readFileSync(r.paths.runLog, 'utf8');
    expect(log).toContain('replay.freshProcess applies to cmd: engines only');
    expect(log).not.toContain('a fresh engine process per round');
  }, 30_000);
});
