import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// Engines behind TLS as they are met on self-hosted runners: a certificate this machine does not trust
// (self-signed, a company CA), and an https:// URL written for an engine that speaks plain HTTP. The
// error must say what is wrong and how to fix it, on one line (run.log holds one event a line).
const TLS = path.join(import.meta.dirname, '../fixtures/tls');
const answer = (_req: unknown, res: import('node:http').ServerResponse) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"final_answer":"ok","version":"tls-1"}');
};

let tlsServer: Server;
let plainServer: Server;
let tlsBase: string;
let plainBase: string;
beforeAll(async () => {
  tlsServer = createHttpsServer({ key: fs.readFileSync(path.join(TLS, 'self-signed.key')), cert: fs.readFileSync(path.join(TLS, 'self-signed.crt')) }, answer);
  plainServer = createHttpServer(answer);
  await Promise.all([tlsServer, plainServer].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  tlsBase = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  plainBase = `127.0.0.1:${(plainServer.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [tlsServer, plainServer]) s.closeAllConnections();
  await Promise.all([tlsServer, plainServer].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };

/** SIM's and load's words for one engine URL, and what the health check tried. */
async function failures(url: string): Promise<{ sim: string; load: string; health: string }> {
  const adapter = createHttpAdapter({ url: new URL(url), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
  const transport = httpTransport({ url: new URL(url), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
  try {
    const h = await adapter.health();
    expect(h.ok).toBe(false);
    const r = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
    if (r.ok) throw new Error('the call should have failed');
    expect(r.error.kind).toBe('connection');
    const load = await new Promise<string>((resolve, reject) =>
      transport.start(lr, { answered: () => reject(new Error('the load request should have failed')), failed: (kind, message) => resolve(`${kind}: ${message}`) }),
    );
    return { sim: r.error.message, load, health: h.tried.join('; ') };
  } finally {
    await Promise.all([adapter.close(), transport.close()]);
  }
}

describe('HTTPS engines', () => {
  it('a certificate this machine does not trust: says so, and how to trust a private CA', async () => {
    const { sim, load, health } = await failures(`${tlsBase}/run`);
    for (const m of [sim, load, health]) {
      expect(m).toContain('TLS certificate is self-signed (DEPTH_ZERO_SELF_SIGNED_CERT)');
      expect(m).toContain('NODE_EXTRA_CA_CERTS');
      expect(m).not.toMatch(/[\r\n]/);
    }
    expect(load).toBe(`connection: ${sim}`);
  });

  it('an https:// URL for an engine that speaks plain HTTP: says so on one line, not OpenSSL\'s internals', async () => {
    const { sim, load, health } = await failures(`https://${plainBase}/run`);
    for (const m of [sim, load, health]) {
      expect(m).toContain('the engine does not answer TLS there: is it a plain http:// engine?');
      expect(m).not.toMatch(/[\r\n]/);
      expect(m).not.toContain('openssl');
    }
    expect(load).toBe(`connection: ${sim}`);
  });

  it('the same engine over http:// answers (the URL was the only thing wrong)', async () => {
    const adapter = createHttpAdapter({ url: new URL(`http://${plainBase}/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      expect(await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } })).toMatchObject({ ok: true, body: { final_answer: 'ok' } });
    } finally {
      await adapter.close();
    }
  });
});
