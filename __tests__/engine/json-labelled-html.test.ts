import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import type { EngineRequest } from '../../src/engine/types.js';

// Flask's `return json.dumps(answer)` and PHP's echo label a JSON answer text/html (their default).
// The body is the engine's answer all the same; the load transport always read it so.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      if (req.url === '/page/run') return res.end('<!doctype html><html><head><title>Sign in</title></head><body>x</body></html>');
      res.end(JSON.stringify({ final_answer: 'Paris', confidence_score: 58.0 }));
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

describe('http adapter: the content type is a label, the body decides', () => {
  it('reads a JSON body labelled text/html as the answer', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/json/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const r = await a.call(req);
      expect(r.ok ? r.body : r.error.message).toEqual({ final_answer: 'Paris', confidence_score: 58 });
    } finally {
      await a.close();
    }
  });

  it('still names an HTML page as HTML, with its title', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/page/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const r = await a.call(req);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.kind).toBe('invalid_json');
        expect(r.error.message).toContain('answered HTML, not JSON');
        expect(r.error.message).toContain('Sign in');
      }
    } finally {
      await a.close();
    }
  });
});
