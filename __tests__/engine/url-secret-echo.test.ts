import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { EngineRequest } from '../../src/engine/types.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// The engine URL may carry the credential: ?key=... (a keyed gateway) or user:password@. An engine
// that echoes its request line into its answer (a debug block) or its error page put that key into
// the snapshot and the reports, where header secrets are blanked.
const KEY = 'qk-9f8e7d6c5b4a';
const PASSWORD = 'pw-1a2b3c4d5e';
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const echo = { url: req.url, authorization: req.headers.authorization, decoded: Buffer.from(String(req.headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString() };
      if (req.url!.startsWith('/fail')) {
        res.writeHead(500, { 'content-type': 'application/json' });
        return res.end(JSON.stringify({ error: 'boom', echo }));
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ final_answer: 'ok', debug: echo }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://user:${PASSWORD}@127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const req: EngineRequest = { runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } };

describe('secrets in the engine URL, echoed back by the engine', () => {
  it('are blanked in answers and in error messages, like header secrets', async () => {
    for (const route of ['run', 'fail/run']) {
      const a = createHttpAdapter({ url: new URL(`${base}/${route}?key=${KEY}`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
      try {
        const r = await a.call(req);
        const text = JSON.stringify(r);
        expect(text).not.toContain(KEY);
        expect(text).not.toContain(PASSWORD);
        expect(text).toContain('[redacted]');
      } finally {
        await a.close();
      }
    }
  });

  it('are blanked in what load checks too', async () => {
    const t = httpTransport({ url: new URL(`${base}/run?key=${KEY}`), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };
    try {
      const body = await new Promise<unknown>((resolve, reject) => t.start(lr, { answered: resolve, failed: (_k, m) => reject(new Error(m)) }));
      expect(JSON.stringify(body)).not.toContain(KEY);
      expect(JSON.stringify(body)).not.toContain(PASSWORD);
    } finally {
      await t.close();
    }
  });
});

describe('a token given as the URL\'s user name alone (https://TOKEN@host/, as GitHub tokens are written)', () => {
  const TOKEN = 'ghp_T0kenAsUserName42';
  it('is blanked when the engine echoes it, in SIM answers, error messages and load answers', async () => {
    const tokenBase = base.replace(`user:${PASSWORD}@`, `${TOKEN}@`);
    for (const route of ['run', 'fail/run']) {
      const a = createHttpAdapter({ url: new URL(`${tokenBase}/${route}`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
      try {
        const r = await a.call(req);
        const text = JSON.stringify(r);
        expect(text).toContain('[redacted]');
        expect(text).not.toContain(TOKEN);
      } finally {
        await a.close();
      }
    }
    const t = httpTransport({ url: new URL(`${tokenBase}/run`), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };
    try {
      const body = await new Promise<unknown>((resolve, reject) => t.start(lr, { answered: resolve, failed: (_k, m) => reject(new Error(m)) }));
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    } finally {
      await t.close();
    }
  });

  it('a user name beside a password stays as it is (it names who, the password is the secret)', async () => {
    const a = createHttpAdapter({ url: new URL(`${base.replace('user:', 'gatekeeper-ci:')}/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const text = JSON.stringify(await a.call(req));
      expect(text).toContain('gatekeeper-ci:[redacted]');
    } finally {
      await a.close();
    }
  });
});

describe('an Azure Functions key in the engine URL (https://app.azurewebsites.net/api/run?code=KEY)', () => {
  const FUNCTION_KEY = 'aZfK3y-0123456789abcdef==';
  it('is blanked when the engine echoes its request line, as ?key= is', async () => {
    const url = `${base.replace(`user:${PASSWORD}@`, '')}/run?code=${encodeURIComponent(FUNCTION_KEY)}`;
    for (const route of [url, url.replace('/run?', '/fail/run?')]) {
      const a = createHttpAdapter({ url: new URL(route), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
      try {
        const text = JSON.stringify(await a.call(req));
        expect(text).toContain('[redacted]');
        expect(text).not.toContain(FUNCTION_KEY);
        expect(text).not.toContain(encodeURIComponent(FUNCTION_KEY));
      } finally {
        await a.close();
      }
    }
  });
});

describe('a URL key written percent-encoded other than encodeURIComponent writes it (Python\'s urlencode: "=" as %3D; lowercase hex; "+" for a space)', () => {
  it('is blanked as the engine echoes its request line, which holds the query as written', async () => {
    const plain = base.replace(`user:${PASSWORD}@`, '');
    for (const [query, secretPart] of [
      ['code=Zm9vYmFyYmF6cXV4%3D%3D', 'Zm9vYmFyYmF6cXV4'],
      ['api_key=abc%2fdef%2fghijklmn', 'ghijklmn'],
      ['key=q1+Zr8Kw2Lm9Pz', 'Zr8Kw2Lm9Pz'],
    ]) {
      const a = createHttpAdapter({ url: new URL(`${plain}/run?${query}`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
      try {
        const text = JSON.stringify(await a.call(req));
        expect(text, query).toContain('[redacted]');
        expect(text, query).not.toContain(secretPart);
      } finally {
        await a.close();
      }
    }
  });
});
