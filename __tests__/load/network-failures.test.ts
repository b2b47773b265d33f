import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// The load generator and SIM's adapter meet the same engine: a failure must be told the same way in
// both (the load stage's error samples are what a user reads to learn why http_req_failed rose).

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/cut/run') {
        // Headers and the start of the body, then the engine dies.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"final_answer": "half');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"final_answer":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };

async function loadOnce(path: string): Promise<{ body: unknown } | { kind: string; message: string; status?: number }> {
  const t = httpTransport({ url: new URL(`${base}${path}`), headers: {}, maxResponseBytes: 1024 * 1024, runId: 'r', timeoutMs: 5_000 });
  try {
    return await new Promise((resolve) => {
      t.start(lr, { answered: (body) => resolve({ body }), failed: (kind, message, status) => resolve({ kind, message, status }) });
    });
  } finally {
    await t.close();
  }
}

describe('load transport: network failures, told as the SIM adapter tells them', () => {
  it('says the body was incomplete when the engine dies after its headers, not that it never answered', async () => {
    const load = await loadOnce('/cut/run');
    expect(load).toMatchObject({ kind: 'connection', status: 200 });
    const message = (load as { message: string }).message;
    expect(message).toMatch(/: HTTP 200, but the body was incomplete \(\d+ bytes received\): the engine closed the connection in the middle of the body/);
    expect(message).not.toContain('before answering');

    const adapter = createHttpAdapter({ url: new URL(`${base}/cut/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 });
    try {
      const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      expect(sim.ok).toBe(false);
      if (!sim.ok) expect(sim.error.message).toBe(message);
    } finally {
      await adapter.close();
    }
  });
});
