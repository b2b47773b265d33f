import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// An engine behind a web application firewall whose common rule set blocks requests without a
// User-Agent (AWS WAF's NoUserAgent_HEADER, bot rules of CDNs): curl and k6 send one and pass, the
// gate sent none, and its health check said 403, 'check the configured engine headers'.
let server: Server;
let base: string;
const seen: (string | undefined)[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      seen.push(req.headers['user-agent']);
      if (!req.headers['user-agent']) {
        res.writeHead(403, { 'content-type': 'text/html' });
        return res.end('<html><head><title>403 Forbidden</title></head><body>Request blocked</body></html>');
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ final_answer: 'ok', version: 'waf-1', ua: req.headers['user-agent'] }));
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

describe('User-Agent', () => {
  it('SIM, the health check and load name themselves, so a firewall that blocks anonymous clients lets them through', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    const t = httpTransport({ url: new URL(`${base}/run`), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    try {
      expect(await a.health()).toMatchObject({ ok: true, version: 'waf-1' });
      expect(await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } })).toMatchObject({ ok: true, body: { ua: 'toron-testops' } });
      const load = await new Promise<unknown>((resolve) => t.start(lr, { answered: (body) => resolve(body), failed: (k, m) => resolve(`${k}: ${m}`) }));
      expect(load).toMatchObject({ ua: 'toron-testops' });
    } finally {
      await Promise.all([a.close(), t.close()]);
    }
  });

  it('a configured User-Agent replaces ours, and is not blanked as a secret where the engine echoes it', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/run`), headers: { 'User-Agent': 'release-gate/7' }, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      expect(await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } })).toMatchObject({ ok: true, body: { ua: 'release-gate/7' } });
    } finally {
      await a.close();
    }
  });
});
