import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { withLoopbackEngine } from '../helpers/loopback-engine.js';
import type { AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { answerRedactor, valuesRedactor } from '../../src/engine/secrets.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { EngineRequest } from '../../src/engine/types.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

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


describe('secrets an engine echoes in its answer', () => {
  it('never reach the answer the run keeps (snapshot, reports): blanked in the body and the raw text', async () => {
    const a = createHttpAdapter({ url: new URL(`${base}/echo/run`), headers: { authorization: `Bearer ${TOKEN}` }, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    try {
      const r = await a.call(req);
      if (!r.ok) throw new Error(r.error.message);
      expect(r.raw).not.toContain(TOKEN);
      expect(JSON.stringify(r.body)).not.toContain(TOKEN);
      const body = r.body as { final_answer: string; debug: { headers: Record<string, string> } & Record<string, unknown> };
      expect(body.final_answer).toBe('ok');
      expect(body.debug.headers.authorization).toBe('[redacted]');
      expect(body.debug['key [redacted]']).toEqual(['[redacted]']);
      // Headers that are not secrets stay as the engine wrote them.
      expect(body.debug.headers['x-toron-case-id']).toBe('c');
    } finally {
      await a.close();
    }
  });

  it('written JSON-escaped by the engine ("a\\/b", a quote or backslash as \\", \\\\) stay out of error messages and the raw text', async () => {
    // PHP's json_encode writes "/" as "\/"; a base64 token holds "/". An error page (HTTP 500) echoing the
    // token is shown in the case's failure, the WAR ROOM and the console: the text redactor must know
    // the forms JSON gives a secret, not only the secret itself.
    const token = 'Zm9vYmFy/c2VjcmV0/LTQyNDI=';
    const odd = 'k3y"with\\back/slash';
    const echo = (url: string, headers: IncomingHttpHeaders) => ({
      status: url === '/bad/run' ? 500 : 200,
      body: JSON.stringify({ error: `refused ${headers.authorization} and ${headers['x-api-key']}`, final_answer: 'x' }).replace(/\//g, '\\/'),
    });
    await withLoopbackEngine(echo, async (port) => {
      for (const where of ['/bad/run', '/ok/run']) {
        const a = createHttpAdapter({ url: new URL(`http://127.0.0.1:${port}${where}`), headers: { authorization: `Bearer ${token}`, 'x-api-key': odd }, timeoutMs: 5_000, maxResponseBytes: 1e6 });
        try {
          const r = await a.call(req);
          const shown = `${r.ok ? '' : r.error.message} ${r.raw ?? ''} ${r.ok ? JSON.stringify(r.body) : ''}`;
          for (const part of ['c2VjcmV0', 'k3y', 'back']) expect(shown, where).not.toContain(part);
          expect(shown, where).toContain('[redacted]');
        } finally {
          await a.close();
        }
      }
    });
  });

  it('written with escapes of any kind (\\u0073 for "s", hex in either case, \\/ and \\u002f mixed) stay out of texts too', async () => {
    const token = 'Zm9vYmFy/c2VjcmV0/LTQyNDI=';
    const spelled = (s: string, upper: boolean) =>
      [...s].map((c, i) => (i % 2 === 0 ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c === '/' ? '\\/' : c)).join('').replace(/\\u00([0-9a-f]{2})/g, (m, h) => (upper ? `\\u00${h.toUpperCase()}` : m));
    // An error page that writes every other character of what it echoes as a \u escape (some JSON writers escape more than they must).
    const echo = (url: string, headers: IncomingHttpHeaders) => ({ status: 500, body: `{"error":"refused ${spelled(String(headers.authorization), url === '/upper/run')}"}` });
    await withLoopbackEngine(echo, async (port) => {
      for (const where of ['/lower/run', '/upper/run']) {
        const a = createHttpAdapter({ url: new URL(`http://127.0.0.1:${port}${where}`), headers: { authorization: `Bearer ${token}` }, timeoutMs: 5_000, maxResponseBytes: 1e6 });
        try {
          const r = await a.call(req);
          expect(r.ok).toBe(false);
          const shown = `${r.ok ? '' : r.error.message} ${r.raw ?? ''}`;
          expect(shown, where).toContain('refused [redacted]');
          // No run of the token's characters is left, escaped or not.
          const decoded = shown.replace(/\\u([0-9a-fA-F]{4})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))).replace(/\\\//g, '/');
          expect(decoded, where).not.toMatch(/Zm9v|c2Vj|LTQy/);
        } finally {
          await a.close();
        }
      }
    });
  });

  it('the text redactor blanks escaped spellings whole and leaves other escapes as they are', () => {
    const redact = valuesRedactor(['s3cret-value', 'short']);
    expect(redact('a \\u0073\\u0033cret-value b')).toBe('a [redacted] b');
    expect(redact('x s3cret\\u002Dvalue y')).toBe('x [redacted] y');
    expect(redact('two: \\u0073hort, s\\u0068ort')).toBe('two: [redacted], [redacted]');
    // Backslashes that spell no secret stay as they are.
    const other = 'line\\nbreak \\u00e9 C:\\temp\\new "q\\"" \\u0073ecret';
    expect(redact(other)).toBe(other);
    expect(redact('s3cret-value')).toBe('[redacted]');
    // A short escape used for some of a secret's characters only ("/" written both ways).
    const slashed = valuesRedactor(['path/to/s3cret']);
    expect(slashed('x path\\/to/s3cret y')).toBe('x [redacted] y');
    expect(slashed('line\\n "path\\/to\\/s3cret"')).toBe('line\\n "[redacted]"');
  });

  it('an answer is marked bodyRedacted only when a secret was blanked in it (the snapshot thread then needs its own text)', async () => {
    const quiet = (url: string, headers: IncomingHttpHeaders) => ({
      status: 200,
      body: url === '/echo/run' ? JSON.stringify({ final_answer: 'ok', token: headers.authorization }) : '{"final_answer":"nothing of the request"}',
    });
    await withLoopbackEngine(quiet, async (port) => {
      for (const [where, marked] of [['/quiet/run', false], ['/echo/run', true]] as const) {
        const a = createHttpAdapter({ url: new URL(`http://127.0.0.1:${port}${where}`), headers: { authorization: `Bearer ${TOKEN}` }, timeoutMs: 5_000, maxResponseBytes: 1e6 });
        try {
          const r = await a.call(req);
          if (!r.ok) throw new Error(r.error.message);
          expect(r.bodyRedacted === true, where).toBe(marked);
          expect(JSON.stringify(r.body)).not.toContain(TOKEN);
        } finally {
          await a.close();
        }
      }
    });
  });

  it('answerRedactor gives back the answer itself when it holds no secret, and copies only what it changes', () => {
    const redact = answerRedactor({ authorization: `Bearer ${TOKEN}` })!;
    const clean = { a: [1, { b: 'x' }], c: 'y' };
    expect(redact(clean)).toBe(clean);
    const dirty = { keep: { same: ['z'] }, leak: [`Bearer ${TOKEN}`] };
    const out = redact(dirty) as typeof dirty;
    expect(out).toEqual({ keep: { same: ['z'] }, leak: ['[redacted]'] });
    expect(out.keep).toBe(dirty.keep);
    expect(dirty.leak[0]).toBe(`Bearer ${TOKEN}`);
  });

  it('never reach what load checks either', async () => {
    const t = httpTransport({ url: new URL(`${base}/echo/run`), headers: { authorization: `Bearer ${TOKEN}` }, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };
    try {
      const body = await new Promise<unknown>((resolve, reject) => {
        t.start(lr, { answered: (b) => resolve(b), failed: (_k, m) => reject(new Error(m)) });
      });
      expect(JSON.stringify(body)).not.toContain(TOKEN);
    } finally {
      await t.close();
    }
  });

});
