import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';

// A gateway that wants its API key in the query string on every route (?key=...), as some hosted
// engines do: the run URL carries it, so the health check next to it must carry it too.
const KEY = 'k-7f3e9a2b1c';
let server: Server;
let base: string;
const seen: string[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      seen.push(url.pathname);
      if (url.searchParams.get('key') !== KEY) {
        res.writeHead(401, { 'content-type': 'application/json' });
        return res.end('{"error":"missing key"}');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(url.pathname === '/api/health' ? '{"status":"ok","version":"gw-1.4.2"}' : '{"final_answer":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

describe('http adapter: health of an engine keyed by the query string', () => {
  it('asks /health with the run URL query, and the engine is up with its version', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/api/run?key=${KEY}`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const h = await a.health();
      expect(h.message).not.toContain('refused');
      expect(h.ok).toBe(true);
      expect(h.version).toBe('gw-1.4.2');
      expect(seen).toContain('/api/health');
      // The key never appears in what is printed.
      expect(JSON.stringify(h)).not.toContain(KEY);
      const r = await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      expect(r.ok).toBe(true);
    } finally {
      await a.close();
    }
  });
});
