import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReferenceAdapter } from '../../src/engine/reference/adapter.js';
import { runGenerator } from '../../src/load/generator.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { requestPool } from '../../src/load/requests.js';
import { constantSchedule, rampingSchedule } from '../../src/load/schedule.js';
import { adapterTransport, type LoadTransport } from '../../src/load/transport.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { compileCaseChecks } from '../../src/stages/sim/check.js';
import { attemptSeed } from '../../src/stages/sim/execute.js';
import type { SimCase } from '../../src/stages/sim/types.js';

function simCase(id: string, prompt: string, extra: Partial<SimCase> = {}): SimCase {
  return { id, dataset: 'd', input: { prompt }, assert: [], tags: [], repeat: 1, ignorePaths: [], location: { file: 'sim/d.json', line: 3 }, ...extra };
}

interface Seen {
  headers: IncomingMessage['headers'];
  body: string;
  socket: number | undefined;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
const hung: ServerResponse[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ headers: req.headers, body, socket: req.socket.remotePort });
      const prompt = (JSON.parse(body) as { prompt: string }).prompt;
      switch (prompt) {
        case 'status':
          res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
          return;
        case 'html':
          res.writeHead(200, { 'content-type': 'text/html' }).end('<html><head><title>Gateway oops</title></head></html>');
          return;
        case 'garbage':
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"final_answer": ');
          return;
        case 'big':
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ final_answer: 'x'.repeat(50_000) }));
          return;
        case 'hang':
          hung.push(res);
          return;
        default:
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ final_answer: `water boils (${prompt})` }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const r of hung) r.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function transport(url = `${base}/run`, timeoutMs = 5_000, maxResponseBytes = 1_000_000): LoadTransport {
  return httpTransport({ url: new URL(url), headers: { 'x-api-key': 'k-123' }, maxResponseBytes, body: { mode: 'fast' }, runId: 'gen-run', timeoutMs });
}

async function run(cases: SimCase[], t: LoadTransport, opts: { rate?: number; ms?: number; timeoutMs?: number; maxInFlight?: number } = {}) {
  const pool = requestPool(cases, 'gen-run');
  const checks = compileCaseChecks(cases);
  try {
    return await runGenerator({
      schedule: constantSchedule(opts.rate ?? 100, opts.ms ?? 300),
      maxInFlight: opts.maxInFlight ?? 64,
      timeoutMs: opts.timeoutMs ?? 5_000,
      transport: t,
      requestAt: (i) => pool.requestAt(i),
      judge: (req, body, latency) => checks.check(req.case, body, latency, '/final_answer').failures.length === 0,
      signal: new AbortController().signal,
    });
  } finally {
    await t.close();
  }
}

describe('built-in generator over HTTP (undici)', () => {
  it('sends what the engine adapter sends, checks the answers, and measures every request', async () => {
    seen.length = 0;
    const cases = [
      simCase('boils', 'ok', { assert: [{ type: 'contains', value: 'boils' }], repeat: 2 }),
      simCase('freezes', 'ok2', { assert: [{ type: 'contains', value: 'freezes' }] }),
    ];
    const r = await run(cases, transport());
    expect(r.sent).toBe(30);
    expect(r.completed).toBe(30);
    expect(r.metrics.http_req_failed.rate).toBe(0);
    expect(r.metrics.http_req_duration!.max).toBeGreaterThan(0);
    // every "boils" answer passes, every "freezes" answer fails its assertion
    const boils = seen.filter((s) => s.headers['x-toron-case-id'] === 'boils').length;
    expect(r.metrics.checks).toEqual({ rate: Math.round((boils / 30) * 1e6) / 1e6, passes: boils, fails: 30 - boils });
    for (const s of seen) {
      const c = cases.find((x) => x.id === s.headers['x-toron-case-id'])!;
      expect(JSON.parse(s.body)).toEqual({ mode: 'fast', prompt: c.input.prompt });
      const seeds = [0, 1].slice(0, c.repeat).map((rep) => String(attemptSeed('gen-run', c, rep)));
      expect(seeds).toContain(s.headers['x-toron-seed']);
      expect(s.headers['x-toron-run-id']).toBe('gen-run');
      expect(s.headers['x-api-key']).toBe('k-123');
      expect(s.headers['content-type']).toBe('application/json');
    }
    // keep-alive: never more sockets than requests were in flight at once (each one reused); a busy
    // machine answers slower and so has more in flight, which is why this is not a fixed number
    const sockets = new Set(seen.map((s) => s.socket)).size;
    expect(sockets).toBeLessThanOrEqual(r.maxInFlight);
    if (r.maxInFlight < 30) expect(sockets).toBeLessThan(30);
  });

  it.each([
    ['status', 'non_2xx', /HTTP 503/],
    ['html', 'invalid_json', /Gateway oops/],
    ['garbage', 'invalid_json', /invalid JSON/],
  ])('classifies %s answers as %s', async (prompt, cls, message) => {
    const r = await run([simCase(prompt, prompt)], transport(), { ms: 100 });
    expect(r.completed).toBe(10);
    expect(r.errors[cls]).toBe(10);
    expect(r.metrics.http_req_failed).toEqual({ rate: 1, passes: 10, fails: 0 });
    expect(r.errorSamples[cls]).toMatch(message);
    expect(r.metrics.checks).toBeNull();
  });

  it('an answer over maxResponseBytes is too_large', async () => {
    const r = await run([simCase('big', 'big')], transport(`${base}/run`, 5_000, 10_000), { ms: 50 });
    expect(r.errors.too_large).toBe(5);
  });

  it('refused connections are connection errors', async () => {
    const closed = createServer();
    await new Promise<void>((res) => closed.listen(0, '127.0.0.1', res));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((res) => closed.close(res));
    const r = await run([simCase('a', 'ok')], transport(`http://127.0.0.1:${port}/run`), { ms: 50 });
    expect(r.errors.connection).toBe(5);
    expect(r.errorSamples.connection).toMatch(/refused/);
  });

  it('a timeout of 300 ms fires long before 5 s, one sweep for all requests', async () => {
    const started = performance.now();
    const r = await run([simCase('hang', 'hang')], transport(), { ms: 100, timeoutMs: 300 });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(r.errors.timeout).toBe(10);
    expect(r.metrics.http_req_duration!.min).toBeGreaterThanOrEqual(300);
    expect(r.errorSamples.timeout).toMatch(/load.timeoutMs/);
  });

  it('drops what is due while maxInFlight are in flight (k6 dropped_iterations)', async () => {
    // Timeouts far after the 200 ms plan: a stall of the machine cannot free a slot early.
    const r = await run([simCase('hang', 'hang')], transport(), { rate: 100, ms: 200, timeoutMs: 2000, maxInFlight: 3 });
    expect(r.sent).toBe(3);
    expect(r.metrics.dropped_iterations.count).toBe(17);
    expect(r.timeline.reduce((n, row) => n + row.dropped, 0)).toBe(17);
  });

  it('cancellation stops sending and ends requests in flight (none is measured)', async () => {
    const ac = new AbortController();
    const pool = requestPool([simCase('hang', 'hang')], 'gen-run');
    const t = transport();
    setTimeout(() => ac.abort(), 150);
    const r = await runGenerator({
      schedule: constantSchedule(100, 10_000),
      maxInFlight: 64,
      timeoutMs: 60_000,
      transport: t,
      requestAt: (i) => pool.requestAt(i),
      signal: ac.signal,
    });
    await t.close();
    expect(r.cancelled).toBe(true);
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(1000);
    expect(r.interrupted).toBe(r.sent);
    expect(r.completed).toBe(0);
  });
});

describe('progress', () => {
  it('the last progress call carries the final counts (a live view keeps the last one it saw)', async () => {
    const engine = createReferenceAdapter({ ...DEFAULTS.reference, seed: 7 });
    const pool = requestPool([simCase('hi', 'Hi')], 'gen-run');
    const seenProgress: { completed: number; sent: number; total: number }[] = [];
    const t = adapterTransport(engine, 'gen-run');
    const r = await runGenerator({
      schedule: constantSchedule(40, 1_500),
      maxInFlight: 64,
      timeoutMs: 5_000,
      transport: t,
      requestAt: (i) => pool.requestAt(i),
      signal: new AbortController().signal,
      onProgress: (p) => seenProgress.push(p),
    });
    await t.close();
    await engine.close();
    expect(r.completed).toBe(60);
    expect(seenProgress.at(-1)).toMatchObject({ completed: 60, sent: 60, total: 60, inFlight: 0 });
  });
});

describe('progress lines on a ramp', () => {
  it("each line reports the whole second that just ended, also after a busy start (the event loop's clock lagging)", async () => {
    const engine = createReferenceAdapter({ ...DEFAULTS.reference, seed: 7 });
    const pool = requestPool([simCase('hi', 'Hi')], 'ramp-run');
    const lines: { elapsedMs: number; sentLastSecond: number }[] = [];
    const t = adapterTransport(engine, 'ramp-run');
    // Work done in the same turn as the start (settings, datasets): the loop's cached time falls behind.
    const until = performance.now() + 80;
    while (performance.now() < until);
    const r = await runGenerator({
      // 0 -> 100/s over the first second (50 sent), 100 -> 300/s over the second (200 sent), then 300/s.
      schedule: rampingSchedule(0, [
        { durationMs: 1000, target: 100 },
        { durationMs: 1000, target: 300 },
        { durationMs: 1000, target: 300 },
      ]),
      maxInFlight: 64,
      timeoutMs: 5_000,
      transport: t,
      requestAt: (i) => pool.requestAt(i),
      signal: new AbortController().signal,
      onProgress: (p) => lines.push({ elapsedMs: p.elapsedMs, sentLastSecond: p.sentLastSecond }),
    });
    await t.close();
    await engine.close();
    expect(r.sent).toBe(550);
    const at = (s: number) => lines.find((l) => l.elapsedMs >= s * 1000 && l.elapsedMs < (s + 1) * 1000);
    expect(at(1)?.sentLastSecond).toBeGreaterThanOrEqual(48);
    expect(at(1)?.sentLastSecond).toBeLessThanOrEqual(51);
    expect(at(2)?.sentLastSecond).toBeGreaterThanOrEqual(197);
    expect(at(2)?.sentLastSecond).toBeLessThanOrEqual(201);
  });
});

describe('built-in generator through an EngineAdapter', () => {
  it('loads the in-process reference engine through the same scheduler; its injected errors are non-2xx', async () => {
    const engine = createReferenceAdapter({ ...DEFAULTS.reference, errorRate: 0.3, seed: 7 });
    const cases = [simCase('hi', 'Hi', { assert: [{ type: 'equals', path: '/opus_used', value: false }] })];
    const r = await run(cases, adapterTransport(engine, 'gen-run'), { rate: 200, ms: 500 });
    await engine.close();
    expect(r.completed).toBe(100);
    expect(r.errors.non_2xx).toBeGreaterThan(10);
    expect(r.errors.non_2xx).toBeLessThan(50);
    expect(r.metrics.checks!.passes).toBe(100 - r.errors.non_2xx);
  });
});
