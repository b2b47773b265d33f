import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';

// The load generator and SIM's adapter meet the same engine: a failure must be told the same way in
// both (the load stage's error samples are what a user reads to learn why http_req_failed rose).

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/moved/run') {
        res.writeHead(308, { location: 'https://engine.example/v2/run' });
        return res.end();
      }
      if (req.url === '/login/run') {
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<!doctype html><html><head><title>Sign in</title></head><body>SSO</body></html>');
      }
      if (req.url === '/empty/run') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.end();
      }
      if (req.url === '/cut/run') {
        // Headers and the start of the body, then the engine dies.
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"final_answer": "half');
        setTimeout(() => res.socket?.destroy(), 20);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"final_answer":"ok"}');
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

async function loadOnce(path: string): Promise<{ body: unknown } | { kind: string; message: string; status?: number }> {
  const t = httpTransport({ url: new URL(`${base}${path}`), headers: {}, maxResponseBytes: 1024 * 1024, runId: 'r', timeoutMs: 5_000 });
  try {
    return await new Promise((resolve) => {
      t.start(lr, { answered: (body) => resolve({ body }), failed: (kind, message, status) => resolve({ kind, message, status }) });
    });
  } finally {
    await t.close();
  }
}

describe('load transport: network failures, told as the SIM adapter tells them', () => {
  it('says the body was incomplete when the engine dies after its headers, not that it never answered', async () => {
    const load = await loadOnce('/cut/run');
    expect(load).toMatchObject({ kind: 'connection', status: 200 });
    const message = (load as { message: string }).message;
    expect(message).toMatch(/: HTTP 200, but the body was incomplete \(\d+ bytes received\): the engine closed the connection in the middle of the body/);
    expect(message).not.toContain('before answering');

    const adapter = createHttpAdapter({ url: new URL(`${base}/cut/run`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 });
    try {
      const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      expect(sim.ok).toBe(false);
      if (!sim.ok) expect(sim.error.message).toBe(message);
    } finally {
      await adapter.close();
    }
  });
});

/**
 * An engine that closes a keep-alive connection idle for 2 s (gunicorn's default keepalive; uvicorn's is
 * 5 s, Tomcat's 20 s; none of them says so in a Keep-Alive header), with its close still on the way to
 * us when we send the next request: a real network between us delays that FIN by its latency. Modelled
 * here by a server that stops taking requests on the connection at 2 s and sends its FIN 2 s later;
 * a request arriving in between finds the connection closed, and the server's kernel resets it, as one
 * would. Such a request was never seen by the engine.
 */
async function idleClosingEngine(): Promise<{ url: string; answered: () => number; close: () => Promise<void> }> {
  const IDLE_MS = 2_000;
  const FIN_IN_FLIGHT_MS = 2_000;
  let answered = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let gone = false;
    let idle: NodeJS.Timeout | undefined;
    let buf = Buffer.alloc(0);
    const arm = () => {
      idle = setTimeout(() => {
        gone = true;
        setTimeout(() => sock.end(), FIN_IN_FLIGHT_MS);
      }, IDLE_MS);
    };
    sock.on('data', (d) => {
      if (gone) {
        sock.resetAndDestroy();
        return;
      }
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: *(\d+)/i.exec(buf.subarray(0, end).toString())?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.subarray(end + 4 + length);
        clearTimeout(idle);
        answered++;
        const body = JSON.stringify({ final_answer: `answer ${answered}` });
        sock.write(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
        arm();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`,
    answered: () => answered,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('answers that are not answers, told in the same words by SIM and load', () => {
  for (const [what, route, expected] of [
    ['a redirect names its Location', '/moved/run', 'engine answered HTTP 308 (a redirect to https://engine.example/v2/run; redirects are not followed'],
    ['an HTML page is called HTML, with its title', '/login/run', 'engine answered HTML, not JSON (HTTP 200): <title>Sign in</title>'],
    ['an empty body', '/empty/run', 'engine answered HTTP 200 with an empty body, not JSON'],
  ] as const) {
    it(what, async () => {
      const load = await loadOnce(route);
      const adapter = createHttpAdapter({ url: new URL(`${base}${route}`), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 });
      try {
        const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
        if (sim.ok) throw new Error('SIM should have failed');
        expect(sim.error.message).toContain(expected);
        expect(load).toEqual({ kind: sim.error.kind, message: sim.error.message, status: sim.status });
      } finally {
        await adapter.close();
      }
    });
  }
});

describe('keep-alive: an engine that closes idle connections', () => {
  it('SIM\'s adapter and the load transport do not send a case on a connection the engine has closed (no engine error for a request it never saw)', async () => {
    const [simEngine, loadEngine] = await Promise.all([idleClosingEngine(), idleClosingEngine()]);
    const adapter = createHttpAdapter({ url: new URL(simEngine.url), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1024 * 1024 });
    const transport = httpTransport({ url: new URL(loadEngine.url), headers: {}, maxResponseBytes: 1024 * 1024, runId: 'r', timeoutMs: 5_000 });
    const loadOne = () =>
      new Promise<unknown>((resolve) => {
        transport.start(lr, { answered: (body) => resolve({ body }), failed: (kind, message) => resolve({ kind, message }) });
      });
    const simOne = async () => {
      const r = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      return r.ok ? { body: r.body } : { kind: r.error.kind, message: r.error.message };
    };
    try {
      // Both: one case, a pause past the engine's idle close (its FIN not arrived yet), another case.
      const [sim, load] = await Promise.all(
        [simOne, loadOne].map(async (one) => {
          const first = await one();
          await pause(2_500);
          return [first, await one()];
        }),
      );
      expect(sim).toEqual([{ body: { final_answer: 'answer 1' } }, { body: { final_answer: 'answer 2' } }]);
      expect(load).toEqual([{ body: { final_answer: 'answer 1' } }, { body: { final_answer: 'answer 2' } }]);
      expect([simEngine.answered(), loadEngine.answered()]).toEqual([2, 2]);
    } finally {
      await Promise.all([adapter.close(), transport.close(), simEngine.close(), loadEngine.close()]);
    }
  });
});

describe('connect failures name the address that was tried', () => {
  it('an engine named localhost where nothing listens on the address localhost resolves to (an engine on ::1 only, say)', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const url = `http://localhost:${port}/run`;
    const adapter = createHttpAdapter({ url: new URL(url), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    const transport = httpTransport({ url: new URL(url), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    try {
      const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      const load = await new Promise<string>((resolve) => transport.start(lr, { answered: () => resolve('answered'), failed: (_k, m) => resolve(m) }));
      const tried = new RegExp(`connection refused: nothing listens on (127\\.0\\.0\\.1|\\[::1\\]):${port}( or (127\\.0\\.0\\.1|\\[::1\\]):${port})? \\(ECONNREFUSED\\)$`);
      expect(sim.ok ? 'answered' : sim.error.message).toMatch(tried);
      expect(load).toMatch(tried);
    } finally {
      await Promise.all([adapter.close(), transport.close()]);
    }
  });
});

describe('a response undici refuses as one it did not ask for', () => {
  it('an interim 100 Continue the engine sends unasked is named, not called a connection closed before answering', async () => {
    const raw = net.createServer((sock) => {
      sock.on('error', () => {});
      sock.once('data', () => {
        const body = '{"final_answer":"ok"}';
        sock.end(`HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
      });
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(raw.address() as AddressInfo).port}/run`;
    const adapter = createHttpAdapter({ url: new URL(url), headers: {}, timeoutMs: 5_000, maxResponseBytes: 1e6 });
    const transport = httpTransport({ url: new URL(url), headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000 });
    try {
      const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
      const load = await new Promise<string>((resolve) => transport.start(lr, { answered: () => resolve('answered'), failed: (_k, m) => resolve(m) }));
      for (const m of [sim.ok ? 'answered' : sim.error.message, load]) {
        expect(m).toContain('the engine sent a response that was not asked for (an unsolicited 100 Continue');
        expect(m).not.toContain('before answering');
      }
    } finally {
      await Promise.all([adapter.close(), transport.close()]);
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});
