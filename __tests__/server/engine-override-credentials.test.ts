import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestopsServer } from '../../src/server/server.js';
import { postRun, request, simProject, startTestServer, waitFor } from './helpers.js';

/**
 * POST /master/run may name another http(s) engine, but the server's engine.headers stay: their
 * values, interpolated from the server's environment (Bearer ${ENGINE_TOKEN}), are the server
 * operator's credentials for its own engine. Sent to a host the API client names, they are the
 * client's to read (the API already refuses new cmd: engines for the same reason: a client is not
 * the operator).
 */
let server: TestopsServer | null = null;
const listeners: http.Server[] = [];
afterEach(async () => {
  await server?.close();
  server = null;
  for (const l of listeners.splice(0)) {
    l.closeAllConnections();
    await new Promise<void>((r) => l.close(() => r()));
  }
});

async function capture(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const s = http.createServer((req, res) => {
    seen.push(String(req.headers.authorization ?? ''));
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","final_answer":"question"}');
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  listeners.push(s);
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen };
}

describe('POST /master/run naming another engine, with the server\'s engine.headers holding credentials', () => {
  it('is refused for a host that is not one of the server\'s engines, before anything is sent; the server\'s own host is taken', { timeout: 60_000 }, async () => {
    const own = await capture();
    const other = await capture();
    const dir = simProject(1, 0, { engine: { target: `${own.url}/run`, headers: { Authorization: 'Bearer ${ENGINE_TOKEN}' } } });
    server = await startTestServer(dir, { env: { ENGINE_TOKEN: 'tok-operator-0123456789' } });
    const r = await postRun(server.url, { engine: `${other.url}/collect`, runId: 'steal' });
    expect(r.status, r.body).toBe(400);
    expect(r.json.error).toMatch(/"engine"/);
    expect(r.json.error).toContain('engine.headers');
    expect(r.json.error).not.toContain('tok-operator');
    expect(other.seen).toEqual([]);
    // Another route of the server's own engine host is still a run of it.
    const ok = await postRun(server.url, { engine: `${own.url}/v2/run`, runId: 'own-route' });
    expect(ok.status, ok.body).toBe(202);
    await waitFor('the run of the server\'s own engine', async () => (await request(server!.url, '/master/status/own-route')).json?.settled);
    expect(own.seen.length).toBeGreaterThan(0);
    expect(other.seen).toEqual([]);
  });
});
