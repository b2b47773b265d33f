import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// An engine behind a proxy that compresses whatever the client asks (accept-encoding: identity is
// ignored). SIM's adapter decodes such answers (README); the load generator must read them the same.
const ANSWER = { final_answer: 'packed answer ✓', confidence_score: 58 };
const BOMB = zlib.gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const text = Buffer.from(JSON.stringify(ANSWER));
      const coding = req.url!.split('/')[1];
      const packed: Record<string, () => Buffer> = {
        gzip: () => zlib.gzipSync(text),
        deflate: () => zlib.deflateSync(text),
        br: () => zlib.brotliCompressSync(text),
        'gzip, br': () => zlib.brotliCompressSync(zlib.gzipSync(text)),
        bomb: () => BOMB,
        zstdx: () => text,
      };
      const header = coding === 'bomb' ? 'gzip' : coding === 'gzip-br' ? 'gzip, br' : coding;
      const body = packed[coding === 'gzip-br' ? 'gzip, br' : coding]();
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': header });
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

const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };

async function once(coding: string): Promise<{ body: unknown } | { kind: string; message: string }> {
  const t = httpTransport({ url: new URL(`${base}/${coding}/run`), headers: {}, maxResponseBytes: 1024 * 1024, runId: 'r', timeoutMs: 5_000 });
  try {
    return await new Promise((resolve) => {
      t.start(lr, { answered: (body) => resolve({ body }), failed: (kind, message) => resolve({ kind, message }) });
    });
  } finally {
    await t.close();
  }
}

describe('load transport: compressed answers', () => {
  for (const coding of ['gzip', 'deflate', 'br', 'gzip-br']) {
    it(`decodes a ${coding} answer sent although identity was asked for`, async () => {
      expect(await once(coding)).toEqual({ body: ANSWER });
    });
  }

  it('applies the size cap to the decoded body (a zip bomb is too_large)', async () => {
    const r = await once('bomb');
    expect(r).toMatchObject({ kind: 'too_large' });
  });

  it('names a coding it cannot decode', async () => {
    const r = await once('zstdx');
    expect(r).toMatchObject({ kind: 'invalid_json' });
    expect((r as { message: string }).message).toContain('zstdx');
  });
});
