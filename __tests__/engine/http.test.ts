import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { createHttpAdapter, type HttpAdapterOptions } from '../../src/engine/http.js';
import { expandHeaders } from '../../src/engine/secrets.js';
import type { EngineAdapter, EngineRequest, EngineResult } from '../../src/engine/types.js';

const SECRET = 'sk-test-5f0e7c1d9a8b4e2f';
const HUGE = 50 * 1024 * 1024;

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
let connections = 0;
const seen: Seen[] = [];
/** What the 50 MB route managed to write before the client went away. */
const huge = { written: 0, finished: false, closedEarly: false };

function route(req: IncomingMessage, res: ServerResponse, body: string) {
  const json = (status: number, v: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(v));
  };
  switch (req.url) {
    case '/json/run':
      return json(200, { final_answer: 'ok', got: JSON.parse(body) });
    case '/html/run':
      res.writeHead(200, { 'content-type': 'text/html' });
      return res.end('<!doctype html><html><head><title>Login required</title></head><body>hi</body></html>');
    case '/sneaky-html/run':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('<html><body>502 Bad Gateway</body></html>');
    case '/500/run':
      // A careless engine echoing the caller's credentials into its error page.
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end(`Internal Server Error: bad token ${req.headers.authorization ?? ''} for ${'x'.repeat(500)}`);
    case '/badjson/run':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end('{"final_answer": "cut');
    case '/escapes/run':
      // An error page that would colour the terminal, move the cursor and cut the log line with NUL and CR.
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('failed \x1b[2J\x1b[31mred\x00nul\rcr \u202eevil\u202c \x9b1m end');
    case '/binary/run':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end(Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xab, 0x56, 0xca, 0xff, 0x00, 0x01, 0x02]));
    case '/gzip/run':
    case '/deflate/run':
    case '/rawdeflate/run':
    case '/br/run':
    case '/gzip-br/run': {
      const text = JSON.stringify({ final_answer: `packed ${req.url}` });
      const packed = {
        '/gzip/run': () => zlib.gzipSync(text),
        '/deflate/run': () => zlib.deflateSync(text),
        '/rawdeflate/run': () => zlib.deflateRawSync(text),
        '/br/run': () => zlib.brotliCompressSync(text),
        '/gzip-br/run': () => zlib.brotliCompressSync(zlib.gzipSync(text)),
      }[req.url]();
      const coding = { '/gzip/run': 'gzip', '/deflate/run': 'deflate', '/rawdeflate/run': 'deflate', '/br/run': 'br', '/gzip-br/run': 'gzip, br' }[req.url];
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': coding, 'content-length': String(packed.length) });
      return res.end(packed);
    }
    case '/bomb/run': {
      // 64 MB of zeros in about 64 KB: under the cap as sent, far over it decoded.
      const packed = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end(packed);
    }
    case '/badgzip/run':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      return res.end('{"not":"gzip at all"}');
    case '/compress/run':
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'compress' });
      return res.end('\x1f\x9d\x90{');
    case '/closemid/run':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"final_answer": "the first fifty bytes of a much longer');
      return void setTimeout(() => res.socket?.destroy(), 50);
    case '/trickle/run': {
      res.writeHead(200, { 'content-type': 'application/json' });
      const t = setInterval(() => (res.destroyed ? clearInterval(t) : res.write(' ')), 50);
      return;
    }
    case '/moved/run':
      res.writeHead(301, { location: 'http://127.0.0.1:1/v2/run' });
      return res.end();
    case '/moved/health':
      res.writeHead(308, { location: 'https://engine.example/health' });
      return res.end();
    case '/empty/run':
      res.writeHead(200, { 'content-type': 'application/json' });
      return res.end();
    case '/huge/run':
      return streamHuge(res);
    case '/huge-declared/run':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(HUGE) });
      return res.write('{"pad":"');
    case '/silent/run':
    case '/stuck/health':
      return; // never answers
    case '/ok/health':
      return json(200, { status: 'ok', version: '2.5.1' });
    case '/healthonly/health':
      return json(200, { status: 'ok' });
    case '/healthonly/version':
      return json(200, { version: 'v-from-version' });
    case '/onlyversion/version':
      return json(200, { version: 7 });
    case '/sick/health':
      return json(503, { status: 'starting' });
    case '/locked/health':
      return json(401, { error: 'unauthorized' });
    default:
      return json(404, { error: 'not found' });
  }
}

function streamHuge(res: ServerResponse) {
  huge.written = 0;
  huge.finished = false;
  huge.closedEarly = false;
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  res.on('close', () => {
    if (!huge.finished) huge.closedEarly = true;
  });
  const pump = () => {
    while (huge.written < HUGE && !res.destroyed) {
      huge.written += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    if (!res.destroyed) {
      huge.finished = true;
      res.end();
    }
  };
  pump();
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push({ method: req.method!, path: req.url!, headers: req.headers, body });
      route(req, res, body);
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const open: EngineAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
  seen.length = 0;
});

function adapter(path: string, extra: Partial<HttpAdapterOptions> = {}): EngineAdapter {
  const a = createHttpAdapter({
    url: new URL(`${base}${path}`),
    headers: {},
    timeoutMs: 5_000,
    maxResponseBytes: 1024 * 1024,
    ...extra,
  });
  open.push(a);
  return a;
}

const req: EngineRequest = { runId: 'run-7', caseId: 'case-a', seed: 4242, input: { prompt: 'Is water wet?' } };

function errorOf(r: EngineResult) {
  if (r.ok) throw new Error(`expected a failure, got ${r.raw}`);
  return r.error;
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('http adapter: answers', () => {
  it('POSTs the case input (merged over configured body fields) and passes ids and seed in headers', async () => {
    const r = await adapter('/json/run', { body: { mode: 'full', prompt: 'overridden' } }).call(req);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ final_answer: 'ok', got: { mode: 'full', prompt: 'Is water wet?' } });
    expect(JSON.parse(r.raw)).toEqual(r.body);
    expect(r.latencyMs).toBeGreaterThan(0);
    const s = seen.at(-1)!;
    expect(s.method).toBe('POST');
    expect(s.headers['content-type']).toBe('application/json');
    expect(s.headers['x-toron-seed']).toBe('4242');
    expect(s.headers['x-toron-run-id']).toBe('run-7');
    expect(s.headers['x-toron-case-id']).toBe('case-a');
  });

  it('reuses one keep-alive socket for sequential calls', async () => {
    const a = adapter('/json/run');
    const before = connections;
    expect((await a.call(req)).ok).toBe(true);
    expect((await a.call(req)).ok).toBe(true);
    expect((await a.call(req)).ok).toBe(true);
    expect(connections - before).toBe(1);
  });

  it('says "answered HTML, not JSON" for an HTML page, with its title', async () => {
    const e = errorOf(await adapter('/html/run').call(req));
    expect(e.kind).toBe('invalid_json');
    expect(e.message).toContain('answered HTML, not JSON');
    expect(e.message).toContain('Login required');
  });

  it('recognises HTML by its body even when labelled JSON', async () => {
    const e = errorOf(await adapter('/sneaky-html/run').call(req));
    expect(e.kind).toBe('invalid_json');
    expect(e.message).toContain('answered HTML');
  });

  it('classifies a 500 as http_status with a short excerpt of the body', async () => {
    const r = await adapter('/500/run').call(req);
    const e = errorOf(r);
    expect(e.kind).toBe('http_status');
    expect(e.status).toBe(500);
    expect(r.status).toBe(500);
    expect(e.message).toContain('HTTP 500');
    expect(e.message).toContain('Internal Server Error');
    expect(e.message.length).toBeLessThan(300);
  });

  it('escapes control characters in a body excerpt, so an engine cannot write terminal escapes into logs', async () => {
    const e = errorOf(await adapter('/escapes/run').call(req));
    expect(e.kind).toBe('http_status');
    expect(e.message).toBe('engine answered HTTP 500: failed \\x1b[2J\\x1b[31mred\\x00nul cr \\u202eevil\\u202c \\x9b1m end');
    expect(e.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e]/);
  });

  it('names a binary body as such instead of printing its bytes', async () => {
    const e = errorOf(await adapter('/binary/run').call(req));
    expect(e.kind).toBe('invalid_json');
    expect(e.message).toMatch(/body starts: <binary body, \d+ characters; starts \\x1f\uFFFD\\x08\\x00/);
    expect(e.message).not.toMatch(/[\x00-\x08\x0b-\x1f]/);
  });

  it('asks for an uncompressed answer', async () => {
    expect((await adapter('/json/run').call(req)).ok).toBe(true);
    expect(seen.at(-1)!.headers['accept-encoding']).toBe('identity');
  });

  it.each(['gzip', 'deflate', 'rawdeflate', 'br', 'gzip-br'])('decodes a %s answer sent although identity was asked for', async (coding) => {
    const r = await adapter(`/${coding}/run`).call(req);
    expect(r.ok && r.body).toEqual({ final_answer: `packed /${coding}/run` });
    expect(r.ok && r.raw).toBe(JSON.stringify({ final_answer: `packed /${coding}/run` }));
  });

  it('applies the response size cap to the decoded body (a zip bomb is too_large, not 64 MB of memory)', async () => {
    const e = errorOf(await adapter('/bomb/run', { maxResponseBytes: 1024 * 1024 }).call(req));
    expect(e.kind).toBe('too_large');
    expect(e.message).toBe('engine answer is over the 1048576-byte cap (maxResponseBytes): it decodes (gzip) to more than that');
  });

  it('says so when a compressed body does not decode, or uses a coding it cannot decode', async () => {
    const bad = errorOf(await adapter('/badgzip/run').call(req));
    expect(bad.kind).toBe('invalid_json');
    expect(bad.message).toContain('with a gzip body that does not decode');
    const compress = errorOf(await adapter('/compress/run').call(req));
    expect(compress.kind).toBe('invalid_json');
    expect(compress.message).toContain('content-encoding "compress", which cannot be decoded');
  });

  it('says the body was incomplete when the connection closes after the headers', async () => {
    const e = errorOf(await adapter('/closemid/run').call(req));
    expect(e.kind).toBe('connection');
    expect(e.status).toBe(200);
    expect(e.message).toMatch(/: HTTP 200, but the body was incomplete \(\d+ bytes received\): /);
    expect(e.message).not.toContain('before answering');
  });

  it('says the body was incomplete when it trickles past the timeout', async () => {
    const e = errorOf(await adapter('/trickle/run', { timeoutMs: 500 }).call(req));
    expect(e.kind).toBe('timeout');
    expect(e.message).toMatch(/: HTTP 200 headers arrived, but the body was incomplete \(\d+ bytes received\) within 500 ms$/);
  });

  it('names the Location of a redirect it does not follow', async () => {
    const e = errorOf(await adapter('/moved/run').call(req));
    expect(e.kind).toBe('http_status');
    expect(e.message).toBe(
      'engine answered HTTP 301 (a redirect to http://127.0.0.1:1/v2/run; redirects are not followed, so configure the final URL as the engine) with an empty body',
    );
    const h = await adapter('/moved/run').health();
    expect(h.message).toContain('→ 308, a redirect to https://engine.example/health');
  });

  it('classifies a cut JSON body as invalid_json', async () => {
    const r = await adapter('/badjson/run').call(req);
    const e = errorOf(r);
    expect(e.kind).toBe('invalid_json');
    expect(e.message).toContain('invalid JSON');
    expect(r.ok ? '' : r.raw).toBe('{"final_answer": "cut');
  });

  it('classifies an empty 200 as invalid_json', async () => {
    const e = errorOf(await adapter('/empty/run').call(req));
    expect(e.kind).toBe('invalid_json');
    expect(e.message).toContain('empty body');
  });

  it('stops reading a 50 MB body at the cap (too_large) without waiting for the rest', async () => {
    const r = await adapter('/huge/run', { maxResponseBytes: 1024 * 1024 }).call(req);
    expect(errorOf(r).kind).toBe('too_large');
    expect(errorOf(r).message).toContain('1048576-byte cap');
    // The server saw the socket go away long before it could write 50 MB.
    await until(() => huge.closedEarly);
    expect(huge.closedEarly).toBe(true);
    expect(huge.finished).toBe(false);
    expect(huge.written).toBeLessThan(HUGE / 2);
  });

  it('refuses a body whose content-length is over the cap before reading it', async () => {
    const e = errorOf(await adapter('/huge-declared/run', { maxResponseBytes: 1024 }).call(req));
    expect(e.kind).toBe('too_large');
    expect(e.message).toContain('content-length');
  });

  it('times out an engine that never answers', async () => {
    const r = await Promise.race([
      adapter('/silent/run', { timeoutMs: 300 }).call(req),
      sleep(5_000).then(() => 'hung' as const),
    ]);
    expect(r).not.toBe('hung');
    const e = errorOf(r as EngineResult);
    expect(e.kind).toBe('timeout');
    expect(e.message).toContain('300 ms');
    expect((r as EngineResult).latencyMs).toBeGreaterThanOrEqual(250);
  });

  it('reports a caller abort as aborted, not as an engine failure', async () => {
    const ac = new AbortController();
    const p = adapter('/silent/run').call(req, ac.signal);
    setTimeout(() => ac.abort(), 50);
    expect(errorOf(await p).kind).toBe('aborted');
  });

  it('classifies a refused connection, and redacts userinfo and query from the message', async () => {
    const port = await closedPort();
    const a = createHttpAdapter({
      url: new URL(`http://bob:hunter2hunter2@127.0.0.1:${port}/run?token=abc123`),
      headers: {},
      timeoutMs: 2_000,
      maxResponseBytes: 1024,
    });
    open.push(a);
    expect(a.target).toBe(`http://127.0.0.1:${port}/run`);
    const e = errorOf(await a.call(req));
    expect(e.kind).toBe('connection');
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).not.toContain('hunter2');
    expect(e.message).not.toContain('abc123');
  });
});

describe('http adapter: secrets in headers', () => {
  const templates = { Authorization: 'Bearer ${TOKEN}', 'X-Team': 'gate' };
  const withSecret = (url: string) => {
    const a = createHttpAdapter({
      url: new URL(url),
      headers: expandHeaders(templates, { TOKEN: SECRET }),
      timeoutMs: 2_000,
      maxResponseBytes: 1024 * 1024,
    });
    open.push(a);
    return a;
  };

  it('sends ${ENV} headers expanded', async () => {
    expect((await withSecret(`${base}/json/run`).call(req)).ok).toBe(true);
    expect(seen.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(seen.at(-1)!.headers['x-team']).toBe('gate');
  });

  it('never prints the secret, even when the engine echoes it back', async () => {
    const r = await withSecret(`${base}/500/run`).call(req);
    expect(seen.at(-1)!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(errorOf(r).kind).toBe('http_status');
    expect(errorOf(r).message).toContain('bad token');
    expect(errorOf(r).message).not.toContain(SECRET);
    expect(r.ok ? '' : r.raw).not.toContain(SECRET);

    const port = await closedPort();
    const down = withSecret(`http://127.0.0.1:${port}/run`);
    const h = await down.health();
    const texts = [errorOf(await down.call(req)).message, h.message, ...h.tried];
    expect(texts.join('\n')).toContain('ECONNREFUSED');
    for (const text of texts) expect(text).not.toContain(SECRET);
  });
});

describe('http adapter: health', () => {
  it('reads the version from the sibling /health route', async () => {
    const h = await adapter('/ok/run').health();
    expect(h).toMatchObject({ ok: true, version: '2.5.1' });
    expect(h.tried[0]).toBe(`GET ${base}/ok/health: HTTP 200`);
    expect(seen.map((s) => s.path)).toEqual(['/ok/health']);
  });

  it('asks /version when /health has no version', async () => {
    const h = await adapter('/healthonly/run').health();
    expect(h).toMatchObject({ ok: true, version: 'v-from-version' });
  });

  it('falls back to /version when /health is missing', async () => {
    const h = await adapter('/onlyversion/run').health();
    expect(h).toMatchObject({ ok: true, version: '7' });
    expect(seen.map((s) => s.path)).toEqual(['/onlyversion/health', '/onlyversion/version']);
  });

  it('is ok, with a message, when the server answers HTTP but has no health route', async () => {
    const h = await adapter('/nothing/run').health();
    expect(h.ok).toBe(true);
    expect(h.version).toBeUndefined();
    expect(h.message).toContain('no health route');
    expect(h.tried).toHaveLength(2);
  });

  it('is not ok when /health says 503', async () => {
    const h = await adapter('/sick/run').health();
    expect(h.ok).toBe(false);
    expect(h.message).toContain('HTTP 503');
  });

  it('is not ok when the engine refuses the configured headers', async () => {
    const h = await adapter('/locked/run').health();
    expect(h.ok).toBe(false);
    expect(h.message).toContain('401');
  });

  it('lists what was tried when nothing listens', async () => {
    const port = await closedPort();
    const a = createHttpAdapter({
      url: new URL(`http://127.0.0.1:${port}/v1/run`),
      headers: {},
      timeoutMs: 2_000,
      maxResponseBytes: 1024,
    });
    open.push(a);
    const h = await a.health();
    expect(h.ok).toBe(false);
    expect(h.tried).toEqual([expect.stringMatching(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/v1/health: .*ECONNREFUSED`))]);
    expect(h.message).toBe(`engine http://127.0.0.1:${port}/v1/run is unreachable (connection refused); the health check is made once, as the run starts, and not retried: start toron-testops once the engine is ready`);
  });

  it('is not ok when the health route never answers', async () => {
    const h = await adapter('/stuck/run', { timeoutMs: 300 }).health();
    expect(h.ok).toBe(false);
    expect(h.tried).toEqual([expect.stringContaining('/stuck/health')]);
    expect(h.message).toContain('no answer in time');
    expect(h.tried[0]).toContain('within 300 ms');
  });
});

function sleep(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
}
