import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createHttpAdapter } from '../../src/engine/http.js';

// An engine started in the background just before the gate (README's workflow) may not be ready when
// the run starts: nothing listens yet, or its /health says 503 while the model loads. The gate checks
// health once (README) and the run is ERROR: the message must say that it was not retried, and pass on
// what the engine said about when to come back.
let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/loading/health') {
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '20' });
        return res.end('{"detail":"model loading"}');
      }
      if (req.url === '/gateway/health') {
        res.writeHead(502, { 'content-type': 'text/plain' });
        return res.end('upstream not ready');
      }
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('health check crashed');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

async function healthOf(url: string) {
  const a = createHttpAdapter({ url: new URL(url), headers: {}, timeoutMs: 2_000, maxResponseBytes: 1e6 });
  try {
    return await a.health();
  } finally {
    await a.close();
  }
}

const ONCE = 'the health check is made once, as the run starts, and not retried: start toron-testops once the engine is ready';

describe('health check of an engine that is not ready yet', () => {
  it('503 with Retry-After: says not ready, passes the Retry-After on, and that the check is not retried', async () => {
    const h = await healthOf(`${base}/loading/run`);
    expect(h.ok).toBe(false);
    expect(h.message).toBe(`engine ${base}/loading/run is not ready: GET ${base}/loading/health answered HTTP 503 (Retry-After: 20): {"detail":"model loading"}; ${ONCE}`);
  });

  it('a gateway in front of an engine that is not up (502) says the same', async () => {
    const h = await healthOf(`${base}/gateway/run`);
    expect(h.message).toContain(`answered HTTP 502: upstream not ready; ${ONCE}`);
  });

  it('nothing listening yet: says the check is not retried', async () => {
    const free = net.createServer();
    await new Promise<void>((r) => free.listen(0, '127.0.0.1', r));
    const port = (free.address() as AddressInfo).port;
    await new Promise<void>((r) => free.close(() => r()));
    const h = await healthOf(`http://127.0.0.1:${port}/run`);
    expect(h.ok).toBe(false);
    expect(h.message).toBe(`engine http://127.0.0.1:${port}/run is unreachable (connection refused); ${ONCE}`);
  });

  it('a broken health route (500) is not called "not ready": waiting would not help', async () => {
    const h = await healthOf(`${base}/broken/run`);
    expect(h.message).toBe(`engine ${base}/broken/run is not healthy: GET ${base}/broken/health answered HTTP 500: health check crashed`);
  });
});
