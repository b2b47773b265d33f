import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { createCommandAdapter } from '../../src/engine/command.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { firstNonUtf8Byte } from '../../src/engine/utf8.js';
import type { EngineRequest, EngineResult } from '../../src/engine/types.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// An engine that answers Latin-1 ("Ünïcödé" as single bytes 0xDC, 0xEF, ...) or random high bytes.
// Decoded as UTF-8 those bytes all became U+FFFD without a word: the answer's text changed before any
// assertion saw it, and two answers with different bad bytes compared equal (determinism 100).
const LATIN1 = Buffer.from('{"final_answer":"hypothesis on: \xDCn\xEFc\xF6d\xE9"}', 'latin1');
const GOOD = Buffer.from(JSON.stringify({ final_answer: 'hypothesis on: Ünïcödé ✓ 光合作用' }), 'utf8');

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const body = req.url === '/good/run' ? GOOD : LATIN1;
      res.writeHead(200, { 'content-type': 'application/json; charset=iso-8859-1', 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const req: EngineRequest = { runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'Ünïcödé' } };

function failure(r: EngineResult) {
  if (r.ok) throw new Error(`expected an engine error, got the answer ${r.raw}`);
  return r.error;
}

describe('answers that are not UTF-8', () => {
  it('finds the first byte of an invalid sequence, and -1 for UTF-8', () => {
    expect(firstNonUtf8Byte(GOOD)).toBe(-1);
    expect(firstNonUtf8Byte(LATIN1)).toBe(LATIN1.indexOf(0xdc));
    expect(firstNonUtf8Byte(Buffer.from([0x61, 0xc0, 0xaf]))).toBe(1); // overlong "/"
    expect(firstNonUtf8Byte(Buffer.from([0x61, 0xed, 0xa0, 0x80]))).toBe(1); // a UTF-16 surrogate
    expect(firstNonUtf8Byte(Buffer.from([0x61, 0xe2, 0x9c]))).toBe(1); // cut short
  });

  it('http adapter: a Latin-1 answer is invalid_json naming the byte, not a silently changed text', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/latin1/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const e = failure(await a.call(req));
      expect(e.kind).toBe('invalid_json');
      expect(e.message).toContain(`byte ${LATIN1.indexOf(0xdc)} (0xDC)`);
      expect(e.message).toContain('not UTF-8');
      expect(e.message).toContain('charset=iso-8859-1');
      const ok = await createHttpAdapter({ url: new URL(`${base}/good/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 }).call(req);
      expect(ok.ok && (ok.body as { final_answer: string }).final_answer).toBe('hypothesis on: Ünïcödé ✓ 光合作用');
    } finally {
      await a.close();
    }
  });

  it('load transport: the same answer fails as invalid_json', async () => {
    const t = httpTransport({ url: new URL(`${base}/latin1/run`), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    const simCase = { id: 'c', input: { prompt: 'x' } } as unknown as SimCase;
    const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: simCase };
    try {
      const outcome = await new Promise<{ kind: string; message: string } | { body: unknown }>((resolve) => {
        t.start(lr, {
          answered: (body) => resolve({ body }),
          failed: (kind, message) => resolve({ kind, message }),
        });
      });
      expect(outcome).toMatchObject({ kind: 'invalid_json' });
      expect((outcome as { message: string }).message).toContain('not UTF-8');
    } finally {
      await t.close();
    }
  });

  it('command adapter: an answer line that is not UTF-8 fails its request as invalid_json', async () => {
    // The child answers each request with a Latin-1 line (written as raw bytes).
    const script = `
      const rl = require('node:readline').createInterface({ input: process.stdin });
      rl.on('line', (l) => {
        const m = JSON.parse(l);
        if (m.method === 'health') return process.stdout.write(JSON.stringify({ id: m.id, result: { status: 'ok' } }) + '\\n');
        const head = Buffer.from('{"id":' + JSON.stringify(m.id) + ',"result":{"final_answer":"on: ', 'utf8');
        process.stdout.write(Buffer.concat([head, Buffer.from([0xdc, 0x6e, 0xef]), Buffer.from('"}}\\n')]));
      });`;
    const logs: string[] = [];
    const a = createCommandAdapter({
      argv: [process.execPath, '-e', script],
      timeoutMs: 5_000,
      maxResponseBytes: 1e6,
      log: (_l, m) => logs.push(m),
    });
    try {
      const e = failure(await a.call(req));
      expect(e.kind).toBe('invalid_json');
      expect(e.message).toContain('not UTF-8');
      expect(e.message).toMatch(/byte \d+ \(0xDC\)/);
    } finally {
      await a.close();
    }
  });
});
