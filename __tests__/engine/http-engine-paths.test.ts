import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createEngine } from '../../src/engine/create.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { portableText } from '../../src/util/portable-path.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';
import type { EngineSettings, ReferenceKnobs } from '../../src/settings/types.js';

// An HTTP engine on the same runner (started by the workflow next to the gate) answering 500 with its
// Python traceback: the files it names are files of this machine, which no report may hold. cmd:
// engines have their text made portable; the HTTP adapter and the load transport quoted it as is.
const HERE = fileURLToPath(import.meta.url);
const CWD = path.dirname(path.dirname(HERE)); // __tests__
const TRACE = `Traceback (most recent call last):\n  File "${HERE}", line 139, in do_POST\nRuntimeError: tier 2 audit crashed`;

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/health') {
        res.writeHead(503, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ status: 'starting', trace: TRACE }));
      }
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: 'internal', trace: TRACE }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const settings = (target: string) =>
  ({ target, headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6, profile: 'auto' }) as unknown as EngineSettings;

describe("an HTTP engine's error text naming files of this machine", () => {
  it('reaches the SIM/replay error and the health message without the absolute path', async () => {
    const a = createEngine(settings(`${base}/run`), {} as ReferenceKnobs, { log: () => {}, env: {}, cwd: CWD, printable: (t) => t });
    try {
      const r = await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      expect(r.ok).toBe(false);
      const text = JSON.stringify(r);
      expect(text).not.toContain(HERE);
      expect(text).toContain('engine/http-engine-paths.test.ts');
      const h = await a.health();
      expect(h.ok).toBe(false);
      expect(JSON.stringify(h)).not.toContain(HERE);
    } finally {
      await a.close();
    }
  });

  it('reaches the load error samples without it', async () => {
    const t = httpTransport({
      url: new URL(`${base}/run`),
      headers: {},
      maxResponseBytes: 1e6,
      runId: 'r',
      timeoutMs: 5_000,
      printable: (s) => portableText(s, CWD),
    });
    const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };
    try {
      const message = await new Promise<string>((resolve) => {
        t.start(lr, { answered: () => resolve('answered'), failed: (_k, m) => resolve(m) });
      });
      expect(message).toContain('HTTP 500');
      expect(message).not.toContain(HERE);
    } finally {
      await t.close();
    }
  });
});
