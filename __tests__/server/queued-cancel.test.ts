import fs from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestopsServer } from '../../src/server/server.js';
import { readJson, reportDir, startCli } from '../helpers/cli.js';
import { postRun, request, simProject, startTestServer, waitFor } from './helpers.js';

/** Waits for the "dashboard and API on <url>" line of a `serve` process. */
function serverUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

const exitCode = (child: ChildProcess) => new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

let server: TestopsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

describe('a 202-accepted run always ends in the history', () => {
  it('serve stopped (SIGINT) with a run queued: the queued run is CANCELLED in the history after a restart, with its report folder', async () => {
    const dir = simProject(40, 0);
    const first = startCli(['serve', '--port', '0', '--engine', 'reference', '--stages', 'sim', '--max-runs', '1'], { cwd: dir });
    try {
      const url = await serverUrl(first);
      const end = exitCode(first);
      const a = await postRun(url, { runId: 'sq-a', latencyMs: 200, concurrency: 1 });
      const b = await postRun(url, { runId: 'sq-b' });
      expect(a.json.status).toBe('RUNNING');
      expect(b.status).toBe(202);
      expect(b.json.status).toBe('QUEUED');
      first.kill('SIGINT');
      expect(await end).toBe(0);
    } finally {
      first.kill('SIGKILL');
    }

    const rd = reportDir(dir, 'sq-b');
    const report = readJson(`${rd}/report.json`);
    expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true, reason: 'ERROR (not a test verdict): the run was cancelled before any stage ran' });
    expect(report.stages.sim).toEqual({ verdict: 'SKIPPED', reason: 'run cancelled before this stage' });
    expect(report.engine.target).toBe('(not created)'); // no engine was started for it
    expect(report.warroom.map((f: { type: string }) => f.type)).toEqual(['run-cancelled']);
    expect(report.warroom[0].message).toMatch(/the server is shutting down while queued/);
    expect(fs.existsSync(`${rd}/result.json`)).toBe(true);

    const second = startCli(['serve', '--port', '0', '--engine', 'reference'], { cwd: dir });
    try {
      const url = await serverUrl(second);
      const status = await request(url, '/master/status/sq-b');
      expect(status.status).toBe(200);
      expect(status.json).toMatchObject({ runId: 'sq-b', status: 'CANCELLED', verdict: 'ERROR', finished: true, settled: true });
      expect((await request(url, '/master/status/sq-a')).json).toMatchObject({ status: 'ERROR', verdict: 'ERROR' });
      const runs = (await request(url, '/master/runs')).json.runs.map((r: { runId: string; status: string }) => `${r.runId}:${r.status}`);
      expect(runs.sort()).toEqual(['sq-a:ERROR', 'sq-b:CANCELLED']);
    } finally {
      second.kill('SIGKILL');
    }
  }, 60_000);

  it('cancelled in the queue over the API: CANCELLED live, and still CANCELLED from the history once the server restarted', async () => {
    const dir = simProject(40, 0);
    server = await startTestServer(dir, { maxConcurrent: 1, maxQueued: 2 });
    await postRun(server.url, { runId: 'aq-a', latencyMs: 100, concurrency: 1 });
    expect((await postRun(server.url, { runId: 'aq-b' })).json.status).toBe('QUEUED');
    expect((await request(server.url, '/master/runs/aq-b/cancel', { method: 'POST' })).json.outcome).toBe('cancelled');
    expect((await request(server.url, '/master/status/aq-b')).json.status).toBe('CANCELLED');
    await waitFor('the cancelled run to be recorded', async () => (await request(server!.url, '/master/status/aq-b')).json.settled);
    const live = await request(server.url, '/master/status/aq-b');
    expect(live.json).toMatchObject({ status: 'CANCELLED', verdict: 'ERROR', finished: true });
    const listed = (await request(server.url, '/master/runs')).json.runs.find((r: { runId: string }) => r.runId === 'aq-b');
    expect(listed.status).toBe('CANCELLED');
    await request(server.url, '/master/runs/aq-a/cancel', { method: 'POST' });
    await server.close();

    server = await startTestServer(dir);
    const stored = await request(server.url, '/master/status/aq-b');
    expect(stored.status).toBe(200);
    expect(stored.json).toMatchObject({ status: 'CANCELLED', verdict: 'ERROR', reason: 'ERROR (not a test verdict): the run was cancelled before any stage ran' });
    expect(readJson(`${reportDir(dir, 'aq-b')}/report.json`).cancelled).toBe(true);
  }, 60_000);
});
