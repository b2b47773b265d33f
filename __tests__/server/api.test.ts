import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestopsServer } from '../../src/server/server.js';
import { postRun, readSse, request, simProject, startTestServer, waitFor } from './helpers.js';
import { cliArgv } from '../helpers/cli.js';

let server: TestopsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function settled(s: TestopsServer, runId: string): Promise<any> {
  return waitFor(`run ${runId} to settle`, async () => {
    const r = await request(s.url, `/master/status/${runId}`);
    return r.json?.settled ? r.json : null;
  });
}

describe('POST /master/run and the run routes', () => {
  it('202 with the run id and links; status, history, WAR ROOM, report files and bundle once it is done', async () => {
    const dir = simProject(8);
    server = await startTestServer(dir);
    const posted = await postRun(server.url, { latencyMs: 5, runId: 'api-1' });
    expect(posted.status).toBe(202);
    expect(posted.json).toMatchObject({ runId: 'api-1', status: 'RUNNING', stages: ['sim'] });
    expect(posted.headers.location).toBe('/master/status/api-1');
    expect(posted.json.links).toMatchObject({
      status: '/master/status/api-1',
      stream: '/master/stream/api-1',
      warroom: '/master/runs/api-1/warroom',
      html: '/master/runs/api-1/files/report.html',
      bundle: '/master/runs/api-1/bundle',
    });

    const status = await settled(server, 'api-1');
    expect(status).toMatchObject({ runId: 'api-1', status: 'FAIL', verdict: 'FAIL', exitCode: 1, finished: true });
    expect(status.stages.sim).toMatchObject({ state: 'finished', verdict: 'FAIL' });
    expect(status.progress.sim).toMatchObject({ done: 8, total: 8, failures: 4 });
    expect(status.warroom.HIGH).toBe(4);
    expect(status.cases).toEqual({ passed: 4, failed: 4 });
    const names = status.links.files.map((f: { name: string }) => f.name);
    for (const f of ['report.json', 'result.json', 'run.log', 'report.html', 'bundle.zip']) expect(names).toContain(f);

    const history = await request(server.url, '/master/runs');
    expect(history.status).toBe(200);
    expect(history.json.total).toBe(1);
    expect(history.json.runs[0]).toMatchObject({ runId: 'api-1', status: 'FAIL', verdict: 'FAIL', metrics: { simTotal: 8, simPassRate: 0.5, warroomHigh: 4 } });
    expect(history.json.runs[0].pid).toBeUndefined();

    const wr = await request(server.url, '/master/runs/api-1/warroom');
    expect(wr.json.total).toBe(4);
    expect(wr.json.events.every((e: { severity: string; type: string }) => e.severity === 'HIGH' && e.type === 'sim-case-failed')).toBe(true);
    expect((await request(server.url, '/master/runs/api-1/warroom?severity=CRITICAL')).json.total).toBe(0);
    expect((await request(server.url, '/master/warroom?severity=HIGH&run_id=api-1')).json.events).toHaveLength(4);
    expect((await request(server.url, '/master/metrics?n=5')).json.points[0]).toMatchObject({ runId: 'api-1', verdict: 'FAIL' });

    const report = await request(server.url, '/master/runs/api-1/files/report.json');
    expect(report.status).toBe(200);
    expect(report.headers['content-type']).toMatch(/application\/json/);
    expect(report.json).toMatchObject({ runId: 'api-1', verdict: 'FAIL' });
    const html = await request(server.url, '/master/runs/api-1/files/report.html');
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.body).toContain('api-1');
    expect((await request(server.url, '/master/runs/api-1/files/run.log')).body).toContain('[sim]');
    const bundle = await request(server.url, '/master/runs/api-1/bundle');
    expect(bundle.status).toBe(200);
    expect(bundle.headers['content-type']).toBe('application/zip');
    expect(bundle.headers['content-disposition']).toContain('attachment');
    expect(bundle.body.slice(0, 2)).toBe('PK');
    expect((await request(server.url, '/master/runs/api-1/files/nope.json')).status).toBe(404);
    expect((await request(server.url, '/master/status/never-ran')).status).toBe(404);

    const detail = await request(server.url, '/master/runs/api-1');
    expect(detail.json).toMatchObject({ runId: 'api-1', status: 'FAIL', warroomCount: 4, sim: { attempts: 8, passed: 4 } });
    expect(detail.json.events).toBeUndefined();
  });

  it("WAR ROOM routes answer a page of at most 1000 findings: a larger limit is a 400 naming the maximum; offset pages through a run's findings in order", async () => {
    server = await startTestServer(simProject(10, 1));
    await postRun(server.url, { runId: 'paged' });
    await settled(server, 'paged');
    const all = await request(server.url, '/master/runs/paged/warroom');
    expect(all.json.total).toBe(10);
    for (const path of ['/master/runs/paged/warroom?limit=100000', '/master/runs/paged/warroom?limit=1001', '/master/warroom?limit=5000']) {
      const r = await request(server.url, path);
      expect(r.status, path).toBe(400);
      expect(r.json.error, path).toMatch(/limit must be between 1 and 1000/);
    }
    expect((await request(server.url, '/master/runs/paged/warroom?limit=1000')).status).toBe(200);
    expect((await request(server.url, '/master/warroom?limit=1000')).status).toBe(200);
    const pages = [];
    for (let offset = 0; offset < 10; offset += 4) {
      const page = await request(server.url, `/master/runs/paged/warroom?limit=4&offset=${offset}`);
      expect(page.json).toMatchObject({ runId: 'paged', total: 10, limit: 4, offset });
      pages.push(...page.json.events);
    }
    expect(pages).toEqual(all.json.events);
    const high = await request(server.url, '/master/runs/paged/warroom?severity=HIGH&limit=3&offset=9');
    expect(high.json.total).toBe(10);
    expect(high.json.events).toEqual(all.json.events.slice(9));
    expect((await request(server.url, '/master/runs/nope/warroom')).status).toBe(404);
  });

  it('HEAD answers every GET route with its headers and no body (RFC 9110 9.1); other methods stay 405', async () => {
    const dir = simProject(2);
    server = await startTestServer(dir);
    expect((await postRun(server.url, { runId: 'head-1' })).status).toBe(202);
    await settled(server, 'head-1');
    for (const route of ['/master/info', '/master/runs', '/master/warroom', '/master/metrics', '/master/status/head-1', '/master/runs/head-1', '/master/runs/head-1/warroom']) {
      const get = await request(server.url, route);
      const head = await request(server.url, route, { method: 'HEAD' });
      expect([route, head.status, head.body]).toEqual([route, 200, '']);
      expect(head.headers['content-type']).toBe(get.headers['content-type']);
    }
    const stream = await request(server.url, '/master/stream/head-1', { method: 'HEAD' });
    expect([stream.status, stream.body, stream.headers['content-type']]).toEqual([200, '', 'text/event-stream; charset=utf-8']);
    expect((await request(server.url, '/master/stream/nope', { method: 'HEAD' })).status).toBe(404);
    const del = await request(server.url, '/master/info', { method: 'DELETE' });
    expect([del.status, del.headers.allow]).toEqual([405, 'GET, HEAD']);
  });

  it('pages the history from SQLite', async () => {
    server = await startTestServer(simProject(2, 0));
    for (const id of ['p1', 'p2', 'p3']) {
      expect((await postRun(server.url, { runId: id })).status).toBe(202);
      await settled(server, id);
    }
    const first = await request(server.url, '/master/runs?limit=2');
    expect(first.json).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(first.json.runs.map((r: { runId: string }) => r.runId)).toEqual(['p3', 'p2']);
    const second = await request(server.url, '/master/runs?limit=2&offset=2');
    expect(second.json.runs.map((r: { runId: string }) => r.runId)).toEqual(['p1']);
    expect((await request(server.url, '/master/runs?limit=abc')).status).toBe(400);
    expect((await request(server.url, '/master/runs?limit=0')).status).toBe(400);
  });

  it('validates overrides: 400 with the message, before anything runs', async () => {
    server = await startTestServer(simProject(1));
    const bad = async (body: unknown, pattern: RegExp) => {
      const r = await postRun(server!.url, body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json.error).toMatch(pattern);
    };
    await bad({ concurrency: -5 }, /concurrency/);
    await bad({ stages: ['sim', 'nope'] }, /stages/);
    await bad({ latencyMs: 'fast' }, /latency/);
    // Errors name the field of the request body, not the CLI flag it maps to.
    await bad({ failOn: 'sometimes' }, /^"failOn" must be one of "fail", "warn", "never"/);
    await bad({ runId: '../escape' }, /^"runId" must be 1-128 letters/);
    await bad({ replayRounds: 999 }, /^"replayRounds" must be <= 100/);
    await bad({ stages: ['sim', 'nope'] }, /^"stages": item 2 must be one of/);
    await bad({ bogus: 1 }, /unknown setting "bogus"/);
    await bad({ out: '/tmp/elsewhere' }, /"out" cannot be set over the API/);
    await bad({ config: '/etc/passwd' }, /"config" cannot be set over the API/);
    await bad({ engine: 'cmd:sh -c "id"' }, /cmd: engine cannot be started over the API/);
    await bad({ baseline: '../../secret.json' }, /baseline/);
    await bad({ stages: { sim: true } }, /"stages" must be/);
    await bad([1, 2], /JSON object/);
    const notJson = await request(server.url, '/master/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"stages": [' });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error).toMatch(/not valid JSON/);
    const form = await request(server.url, '/master/run', { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{}' });
    expect(form.status).toBe(415);
    expect((await request(server.url, '/master/run')).status).toBe(405);
    expect((await request(server.url, '/master/runs')).json.total).toBe(0);
  });

  it('a runId pinned in the config file does not make every run of the server the same run (each would overwrite the last)', async () => {
    const dir = simProject(2, 0, { runId: 'pinned' });
    server = await startTestServer(dir);
    const first = await postRun(server.url, {});
    expect(first.status).toBe(202);
    await settled(server, first.json.runId);
    const second = await postRun(server.url, {});
    expect(second.status).toBe(202);
    expect(second.json.runId).not.toBe(first.json.runId);
    await settled(server, second.json.runId);
    for (const id of [first.json.runId, second.json.runId]) expect(fs.existsSync(path.join(server.outDir, 'reports', id, 'report.json'))).toBe(true);
    expect((await request(server.url, '/master/runs')).json.total).toBe(2);
    // A run id given in the request is still taken as given.
    expect((await postRun(server.url, { runId: 'given' })).json.runId).toBe('given');
  });

  it('limits request bodies (by Content-Length, and while reading a chunked body)', async () => {
    server = await startTestServer(simProject(1), { bodyLimit: 1024 });
    const big = JSON.stringify({ runId: 'x'.repeat(5000) });
    const r = await request(server.url, '/master/run', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: big });
    expect(r.status).toBe(413);
    const chunked = await new Promise<number>((resolve, reject) => {
      const u = new URL(server!.url);
      const req = http.request({ host: u.hostname, port: u.port, path: '/master/run', method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      for (let i = 0; i < 10; i++) req.write('x'.repeat(500));
      req.end();
    });
    expect(chunked).toBe(413);
    expect((await postRun(server.url, {})).status).toBe(202);
  });

  it('caps concurrent runs: one runs, one waits in the queue, the next is refused with 429; cancel frees the slots', async () => {
    server = await startTestServer(simProject(40, 0), { maxConcurrent: 1, maxQueued: 1 });
    const a = await postRun(server.url, { runId: 'cap-a', latencyMs: 200, concurrency: 1 });
    const b = await postRun(server.url, { runId: 'cap-b' });
    const c = await postRun(server.url, { runId: 'cap-c' });
    expect(a.status).toBe(202);
    expect(a.json.status).toBe('RUNNING');
    expect(b.status).toBe(202);
    expect(b.json).toMatchObject({ status: 'QUEUED', queuePosition: 1 });
    expect(c.status).toBe(429);
    expect(c.headers['retry-after']).toBe('5');
    expect(c.json.error).toMatch(/too many runs/);
    expect((await postRun(server.url, { runId: 'cap-a' })).status).toBe(409);

    const queued = await request(server.url, '/master/status/cap-b');
    expect(queued.json).toMatchObject({ status: 'QUEUED', queuePosition: 1 });
    const listed = await request(server.url, '/master/runs');
    expect(listed.json.active.map((r: { runId: string; status: string }) => `${r.runId}:${r.status}`)).toEqual(['cap-a:RUNNING', 'cap-b:QUEUED']);

    // A subscriber of the queued run is told so; when it is cancelled, the stream ends with done.
    const streamB = readSse(server.url, '/master/stream/cap-b');
    await waitFor('the queued stream', () => server!.sseStats().clients >= 1);
    const cancelB = await request(server.url, '/master/runs/cap-b/cancel', { method: 'POST' });
    expect(cancelB.json).toMatchObject({ outcome: 'cancelled' });
    const sb = await streamB;
    expect(sb.messages[0]).toMatchObject({ event: 'status', id: null });
    expect(JSON.parse(sb.messages[0].data)).toMatchObject({ status: 'QUEUED' });
    expect(sb.messages[sb.messages.length - 1].event).toBe('done');
    expect((await request(server.url, '/master/status/cap-b')).json.status).toBe('CANCELLED');

    // Cancelling the running one: it finalises as ERROR with its partial report.
    const cancelA = await request(server.url, '/master/runs/cap-a/cancel', { method: 'POST' });
    expect(cancelA.status).toBe(202);
    expect(cancelA.json.outcome).toBe('cancelling');
    const sa = await settled(server, 'cap-a');
    expect(sa).toMatchObject({ verdict: 'ERROR', exitCode: 2 });
    const report = await request(server.url, '/master/runs/cap-a/files/report.json');
    expect(report.json).toMatchObject({ verdict: 'ERROR', cancelled: true });

    const d = await postRun(server.url, { runId: 'cap-d' });
    expect(d.json.status).toBe('RUNNING');
    await settled(server, 'cap-d');
  });

  it('with no queue, the run over the cap is refused at once', async () => {
    server = await startTestServer(simProject(20, 0), { maxConcurrent: 1, maxQueued: 0 });
    const a = await postRun(server.url, { latencyMs: 100, concurrency: 1 });
    expect(a.status).toBe(202);
    expect((await postRun(server.url, {})).status).toBe(429);
    await request(server.url, `/master/runs/${a.json.runId}/cancel`, { method: 'POST' });
    await settled(server, a.json.runId);
  });
});

describe('safety', () => {
  it('binds 127.0.0.1 by default; /health answers without a token, everything else needs it (header, query, cookie)', async () => {
    const token = 'sekrit-token-123';
    server = await startTestServer(simProject(3), { token });
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await request(server.url, '/health');
    expect(health.status).toBe(200);
    expect(health.json.ok).toBe(true);
    for (const p of ['/', '/master/runs', '/master/info', '/master/status/x', '/master/stream/x', '/master/runs/x/warroom', '/master/runs/x/files/report.json']) {
      const r = await request(server.url, p);
      expect(r.status, p).toBe(401);
      expect(r.headers['www-authenticate']).toMatch(/Bearer/);
    }
    expect((await postRun(server.url, {})).status).toBe(401);
    expect((await request(server.url, '/master/runs', { headers: { Authorization: 'Bearer wrong-token-000' } })).status).toBe(401);
    expect((await request(server.url, '/master/runs?token=wrong')).status).toBe(401);

    const auth = { Authorization: `Bearer ${token}` };
    const posted = await postRun(server.url, { runId: 'tok-1' }, auth);
    expect(posted.status).toBe(202);
    // SSE by header and by query parameter.
    const byHeader = await readSse(server.url, '/master/stream/tok-1', auth);
    expect(byHeader.status).toBe(200);
    expect(byHeader.messages[byHeader.messages.length - 1].event).toBe('done');
    const byQuery = await readSse(server.url, `/master/stream/tok-1?token=${token}`);
    expect(byQuery.messages.map((m) => m.data)).toEqual(byHeader.messages.map((m) => m.data));
    expect((await readSse(server.url, '/master/stream/tok-1')).status).toBe(401);

    // The dashboard loaded with ?token sets an HttpOnly, SameSite cookie that then works alone.
    const page = await request(server.url, `/?token=${token}`);
    expect(page.status).toBe(200);
    const cookie = String(page.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const status = await request(server.url, '/master/status/tok-1', { headers: { Cookie: cookie.split(';')[0] } });
    expect(status.status).toBe(200);
  });

  it("the server's token (TORON_TESTOPS_TOKEN) does not reach the engine under test", async () => {
    const dir = simProject(2, 0);
    const seen = path.join(dir, 'engine-saw-token.txt');
    // A cmd: engine (the reference engine over stdio) that first writes down the token it was given.
    const node = [process.execPath, ...cliArgv(['engine', 'stdio'])].map((a) => `'${a}'`).join(' ');
    const engine = `cmd:sh -c 'printf "%s" "$TORON_TESTOPS_TOKEN" > "$0"; exec ${node.replace(/'/g, '')}' ${seen}`;
    server = await startTestServer(dir, { token: 'server-token-123', env: { PATH: process.env.PATH, TORON_TESTOPS_TOKEN: 'server-token-123' }, flags: { engine } });
    const auth = { Authorization: 'Bearer server-token-123' };
    const posted = await postRun(server.url, { runId: 'env-1' }, auth);
    expect(posted.status).toBe(202);
    const st = await waitFor('run env-1 to settle', async () => {
      const r = await request(server!.url, '/master/status/env-1', { headers: auth });
      return r.json?.settled ? r.json : null;
    }, 50_000);
    expect(st.verdict).toBe('PASS');
    expect(fs.readFileSync(seen, 'utf8')).toBe('');
  }, 60_000);

  it('an internal error is logged without the token of a ?token= URL (what EventSource sends)', async () => {
    const dir = simProject(1, 0);
    const lines: string[] = [];
    server = await startTestServer(dir, { token: 'log-token-123', log: (l) => lines.push(l) });
    // The history database broken under the running server: the stream route fails inside.
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(path.join(dir, '.toron-testops', 'testops.db'));
    db.exec('DROP TABLE test_runs');
    db.close();
    const r = await request(server.url, '/master/stream/some-run?token=log-token-123&lastEventId=3');
    expect(r.status).toBe(500);
    const logged = lines.filter((l) => l.includes('internal error'));
    expect(logged.length).toBe(1);
    expect(logged[0]).toContain('/master/stream/some-run');
    expect(logged[0]).not.toContain('log-token-123');
    expect(r.body).not.toContain('log-token-123');
    // A percent-encoded name is the same parameter to the server: masked too.
    expect((await request(server.url, '/master/runs?%74oken=log-token-123')).status).toBe(500);
    expect(lines.filter((l) => l.includes('internal error')).at(-1)).not.toContain('log-token-123');
  });

  it('a client that asks for a big JSON answer and never reads it is cut off after the write timeout; SSE streams are not', async () => {
    // 600 failing cases with 4 KB ids: a WAR ROOM answer of several MB, more than the kernel buffers for a socket that is not read.
    const dir = simProject(600, 1, {}, 4000);
    server = await startTestServer(dir);
    expect((await postRun(server.url, { runId: 'big-json', concurrency: 16 })).status).toBe(202);
    await waitFor('run big-json to settle', async () => (await request(server!.url, '/master/status/big-json')).json?.settled, 50_000);
    await server.close();
    server = await startTestServer(dir, { writeTimeoutMs: 300, sse: { heartbeatMs: 60_000 } });
    const u = new URL(server.url);
    const socket = net.connect(Number(u.port), u.hostname);
    await new Promise((r) => socket.once('connect', r));
    socket.pause();
    socket.write(`GET /master/runs/big-json/warroom HTTP/1.1\r\nHost: 127.0.0.1:${u.port}\r\n\r\n`);
    // The client reads nothing for a while (ten times the timeout), then reads what it can.
    await new Promise((r) => setTimeout(r, 3000));
    const chunks: Buffer[] = [];
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => {});
    socket.resume();
    await Promise.race([closed, new Promise((r) => setTimeout(r, 10_000))]);
    socket.destroy();
    const got = Buffer.concat(chunks);
    const head = got.subarray(0, got.indexOf('\r\n\r\n')).toString();
    const length = Number(/content-length: (\d+)/i.exec(head)![1]);
    expect(length).toBeGreaterThan(4 << 20);
    // Before the fix the server held the whole answer for it, forever: it got every byte.
    expect(got.length - head.length - 4).toBeLessThan(length);

    // An SSE stream quiet for longer than the write timeout (cases taking 1.5 s, no heartbeat due) goes on to `done`.
    await server.close();
    server = await startTestServer(simProject(2, 0), { writeTimeoutMs: 300, sse: { heartbeatMs: 60_000 } });
    const posted = await postRun(server.url, { runId: 'quiet', stages: ['sim'], latencyMs: 1500, concurrency: 1 });
    expect(posted.status).toBe(202);
    const quiet = await readSse(server.url, posted.json.links.stream);
    expect(quiet.messages.filter((m) => m.event === 'case').length).toBe(2);
    expect(quiet.messages.at(-1)!.event).toBe('done');
  }, 90_000);

  it('run ids and file names cannot walk out of the report folders', async () => {
    const dir = simProject(2);
    server = await startTestServer(dir);
    await postRun(server.url, { runId: 'safe' });
    await settled(server, 'safe');
    // A file outside the report folders, and a symlink to it from inside one.
    const secret = path.join(dir, 'secret.txt');
    fs.writeFileSync(secret, 'TOP-SECRET-CONTENT');
    fs.symlinkSync(secret, path.join(server.outDir, 'reports', 'safe', 'link.json'));
    fs.symlinkSync(path.join(dir), path.join(server.outDir, 'reports', 'linkdir'));
    const attempts: [string, number[]][] = [
      ['/master/runs/..%2F..%2Fetc/warroom', [400]],
      ['/master/runs/..%2F..%2Fetc%2Fpasswd/files/report.json', [400]],
      ['/master/runs/%2e%2e/files/secret.txt', [400, 404]],
      ['/master/runs/safe/files/..%2F..%2F..%2Fsecret.txt', [400]],
      ['/master/runs/safe/files/%2e%2e%2f%2e%2e%2fsecret.txt', [400]],
      // The URL standard reads `.%2E` as `..`: this is /master/runs/safe, the run's own detail.
      ['/master/runs/safe/files/.%2E', [200]],
      ['/master/runs/safe/files/..', [200]], // also /master/runs/safe, by the URL standard
      ['/master/runs/safe/files/../../../../secret.txt', [404]],
      ['/master/runs/safe/files/link.json', [404]],
      ['/master/runs/linkdir/files/secret.txt', [404]],
      ['/master/runs/safe%2F..%2F..%2F..%2F/files/secret.txt', [400]],
      ['/master/runs/safe/files/%00report.json', [400]],
      ['/master/runs/safe/files/%ZZ', [400]],
      ['/master/status/..%2F..%2Fetc', [400]],
      ['/master/stream/%2e%2e%2fsafe', [400]],
      ['/master/runs/.hidden/warroom', [400]],
      ['/master/runs/safe/snapshot/..%2Fsafe', [400, 404]],
      ['/master/runs/' + 'a'.repeat(300) + '/warroom', [400]],
    ];
    for (const [p, codes] of attempts) {
      const r = await request(server.url, p);
      expect(codes, `${p} → ${r.status} ${r.body.slice(0, 100)}`).toContain(r.status);
      expect(r.body).not.toContain('TOP-SECRET');
      expect(r.body).not.toContain('root:x:0');
    }
    expect((await request(server.url, '/master/runs/safe/files/report.json')).status).toBe(200);
  });

  it('refuses DNS-rebinding Host names and cross-site POSTs', async () => {
    server = await startTestServer(simProject(1));
    const port = new URL(server.url).port;
    expect((await request(server.url, '/master/runs', { headers: { Host: `evil.example:${port}` } })).status).toBe(403);
    expect((await request(server.url, '/health', { headers: { Host: `localhost:${port}` } })).status).toBe(200);
    const cross = await postRun(server.url, {}, { Origin: 'https://evil.example' });
    expect(cross.status).toBe(403);
    const same = await postRun(server.url, {}, { Origin: server.url });
    expect(same.status).toBe(202);
    await settled(server, same.json.runId);
  });

  it('serves the dashboard page at / with a strict content security policy', async () => {
    server = await startTestServer(simProject(1));
    const page = await request(server.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.headers['x-frame-options']).toBe('DENY');
    expect(page.body).toContain('<title>toron-testops</title>');
    expect(page.body).toContain('/master/stream/');
    expect((await request(server.url, '/nope')).status).toBe(404);
  });
});
