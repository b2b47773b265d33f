import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import type { EngineRequest } from '../../src/engine/types.js';

const TOKEN = 'tok-SECRET-4242-abcdef';

// An engine that echoes the request headers it got into its answer (a debug field real servers have),
// or complains about the content type in its error page.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/picky/run') {
        res.writeHead(415, { 'content-type': 'text/plain' });
        return res.end('unsupported: send application/json with accept-encoding identity');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ final_answer: 'ok', debug: { headers: req.headers, [`key ${TOKEN}`]: [`Bearer ${TOKEN}`] } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const req: EngineRequest = { runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } };

describe('what the redactor blanks', () => {
  it("the tool's own fixed headers are no secrets: an error page naming application/json keeps its words", async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/picky/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const r = await a.call(req);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.message).toContain('send application/json with accept-encoding identity');
      expect(r.error.message).not.toContain('[redacted]');
    } finally {
      await a.close();
    }
  });
});
