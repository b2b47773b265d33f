import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http, { type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createEngine } from '../../src/engine/create.js';
import { engineRoute, k6ProxyEnv, proxyCredentialsToMask, proxyFromEnv, resolveProxy } from '../../src/engine/connection.js';
import { proxyOf } from '../../src/engine/http.js';
import { httpTransport } from '../../src/load/http-transport.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import type { EngineSettings } from '../../src/settings/types.js';
import { InputError } from '../../src/util/errors.js';

// A self-hosted runner that reaches its engine only through a forward proxy: k6 (Go) honours
// HTTP_PROXY/HTTPS_PROXY/NO_PROXY, and so must SIM, replay, the health check and the load generator.
// The proxy here is real (node:http: absolute-form requests for http engines, CONNECT for https), and
// it resolves every host it is asked for to 127.0.0.1 itself: an engine named engine.test is reached
// through it without any name lookup or packet leaving this machine.

let engine: Server;
let enginePort: number;
const engineSeen: string[] = [];
let proxy: Server;
let proxyUrl: string;
/** What the proxy was asked: "GET http://engine.test:1234/health", "CONNECT engine.test:443". */
const proxied: string[] = [];
const proxyAuth: (string | undefined)[] = [];

beforeAll(async () => {
  engine = http.createServer((req, res) => {
    engineSeen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.endsWith('/health') ? '{"status":"ok","version":"p-1"}' : '{"final_answer":"ok"}');
    });
  });
  proxy = http.createServer((req, res) => {
    proxied.push(`${req.method} ${req.url}`);
    proxyAuth.push(req.headers['proxy-authorization']);
    const target = new URL(req.url ?? '/');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const up = http.request({ host: '127.0.0.1', port: Number(target.port || 80), method: req.method, path: target.pathname + target.search, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.writeHead(502).end());
    req.pipe(up);
  });
  proxy.on('connect', (req, socket, head) => {
    proxied.push(`CONNECT ${req.url}`);
    proxyAuth.push(req.headers['proxy-authorization']);
    const port = Number(String(req.url).split(':').pop());
    const up = net.connect(port, '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await Promise.all([engine, proxy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  enginePort = (engine.address() as AddressInfo).port;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterEach(() => {
  proxied.length = 0;
  proxyAuth.length = 0;
  engineSeen.length = 0;
});
afterAll(async () => {
  for (const s of [engine, proxy]) s.closeAllConnections();
  await Promise.all([engine, proxy].map((s) => new Promise<void>((r) => s.close(() => r()))));
});

const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };

function engineSettings(target: string, proxySetting?: string): EngineSettings {
  return { ...structuredClone(DEFAULTS.engine), target, timeoutMs: 5_000, ...(proxySetting === undefined ? {} : { proxy: proxySetting }) } as EngineSettings;
}

/** The health check, one SIM call and one load request, as the run makes them; the run log's lines. */
async function healthSimLoad(target: string, env: NodeJS.ProcessEnv, proxySetting?: string) {
  const settings = engineSettings(target, proxySetting);
  const log: string[] = [];
  const adapter = createEngine(settings, DEFAULTS.reference, { log: (level, m) => log.push(`${level}: ${m}`), env, cwd: process.cwd() });
  const url = new URL(target);
  const transport = httpTransport({ url, headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000, route: engineRoute(url, settings, env) });
  try {
    const health = await adapter.health();
    const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
    const load = await new Promise<string>((resolve) =>
      transport.start(lr, { answered: () => resolve('answered'), failed: (kind, message) => resolve(`${kind}: ${message}`) }),
    );
    return { health, sim, load, log, reported: proxyOf(adapter) };
  } finally {
    await Promise.all([adapter.close(), transport.close()]);
  }
}

describe('which engine requests are proxied (as Go net/http and k6 decide)', () => {
  const env = { HTTP_PROXY: 'http://proxy.corp:3128', HTTPS_PROXY: 'http://sproxy.corp:3129' };
  const via = (u: string, e: NodeJS.ProcessEnv = env) => proxyFromEnv(new URL(u), e)?.value ?? null;

  it('HTTPS_PROXY for https engines, HTTP_PROXY for http engines, upper case before lower case, empty as unset', () => {
    expect(via('https://engine.example/run')).toBe('http://sproxy.corp:3129');
    expect(via('http://engine.example/run')).toBe('http://proxy.corp:3128');
    expect(via('https://engine.example/run', { HTTP_PROXY: 'http://p:1' })).toBeNull(); // Go does not fall back
    expect(via('http://engine.example/run', { http_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(via('http://engine.example/run', { HTTP_PROXY: 'http://upper:1', http_proxy: 'http://lower:1' })).toBe('http://upper:1');
    expect(via('http://engine.example/run', { HTTP_PROXY: '', http_proxy: 'http://lower:1' })).toBe('http://lower:1');
    expect(proxyFromEnv(new URL('https://engine.example/run'), { https_proxy: 'x' })?.from).toBe('https_proxy');
  });

  it('loopback engines are never proxied', () => {
    for (const u of ['http://localhost:8080/run', 'http://127.0.0.1/run', 'http://127.5.6.7:9/run', 'http://[::1]:8080/run', 'https://LOCALHOST/run', 'http://[::ffff:127.0.0.1]/run']) {
      expect(via(u), u).toBeNull();
    }
    // Only the name localhost itself, as Go: a name under it and other addresses go through.
    expect(via('http://engine.localhost/run')).not.toBeNull();
    expect(via('http://10.0.0.5/run')).not.toBeNull();
  });

  it('NO_PROXY: comma list, domain suffixes, leading dot, *, host:port, IP and CIDR, lower case too', () => {
    const n = (no: string, u: string) => via(u, { ...env, NO_PROXY: no }) === null;
    expect(n('*', 'http://engine.example/run')).toBe(true);
    expect(n('other.example, example.com', 'https://api.example.com/run')).toBe(true);
    expect(n('example.com', 'https://example.com/run')).toBe(true);
    expect(n('example.com', 'https://notexample.com/run')).toBe(false);
    expect(n('.example.com', 'https://example.com/run')).toBe(false); // a leading dot: subdomains only
    expect(n('.example.com', 'https://a.example.com/run')).toBe(true);
    expect(n('*.example.com', 'https://a.example.com/run')).toBe(true);
    expect(n('engine.example:8443', 'https://engine.example:8443/run')).toBe(true);
    expect(n('engine.example:8443', 'https://engine.example/run')).toBe(false);
    expect(n('engine.example:443', 'https://engine.example/run')).toBe(true); // the scheme's default port
    expect(n('10.1.2.3', 'http://10.1.2.3:8080/run')).toBe(true);
    expect(n('10.0.0.0/8', 'http://10.1.2.3/run')).toBe(true);
    expect(n('10.0.0.0/8', 'http://11.1.2.3/run')).toBe(false);
    expect(n('fd00::/8', 'http://[fd00::5]/run')).toBe(true);
    expect(n('ENGINE.Example', 'http://engine.example/run')).toBe(true);
    expect(via('http://engine.example/run', { ...env, no_proxy: 'engine.example' })).toBeNull();
  });

  it('engine.proxy: "none" is always direct, a URL is always used, a bad value is refused without its password', () => {
    const u = new URL('http://127.0.0.1:1/run');
    expect(resolveProxy(new URL('http://engine.example/run'), 'none', env)).toBeNull();
    const forced = resolveProxy(u, 'http://user:s3cretpw@proxy.corp:3128', { NO_PROXY: '*' });
    expect(forced?.printable).toBe('http://proxy.corp:3128');
    expect(forced?.host).toBe('proxy.corp:3128');
    expect(forced?.from).toBe('engine.proxy');
    // Go's reading of a value without a scheme: http://
    expect(resolveProxy(new URL('http://engine.example/run'), 'env', { HTTP_PROXY: 'proxy.corp:3128' })?.printable).toBe('http://proxy.corp:3128');
    let message = '';
    try {
      resolveProxy(new URL('http://engine.example/run'), 'env', { HTTP_PROXY: 'ftp://user:s3cretpw@proxy.corp' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('HTTP_PROXY');
    expect(message).toContain('is not a proxy URL');
    expect(message).not.toContain('s3cretpw');
  });

  it('a proxy user name or password holding a "%" that is not a percent-encoding is an input error, never printed (it crashed the run: URIError in undici\'s ProxyAgent)', () => {
    for (const [setting, env] of [
      ['env', { HTTP_PROXY: 'http://pu:pr%zzoxysecret99@proxy.corp:3128' }],
      ['http://pu%:proxysecret99@proxy.corp:3128', {}],
    ] as const) {
      let err: unknown;
      try {
        resolveProxy(new URL('http://engine.example/run'), setting, env);
      } catch (e) {
        err = e;
      }
      expect(err, setting).toBeInstanceOf(InputError);
      expect((err as Error).message).toContain('%25');
      expect((err as Error).message).not.toContain('proxysecret99');
      expect((err as Error).message).not.toContain('oxysecret99');
    }
  });

  it('the action masks the proxy credentials it may use; k6 is given the route engine.proxy asks for', () => {
    expect(proxyCredentialsToMask({ proxy: 'env' }, { HTTPS_PROXY: 'http://ci:pr0xyPass@proxy.corp:3128' })).toEqual(['pr0xyPass', Buffer.from('ci:pr0xyPass').toString('base64')]);
    expect(proxyCredentialsToMask({ proxy: 'http://bot:an0therPw@p:1' }, {})).toEqual(['an0therPw', Buffer.from('bot:an0therPw').toString('base64')]);
    expect(proxyCredentialsToMask({ proxy: 'none' }, { HTTPS_PROXY: 'http://ci:pr0xyPass@proxy.corp:3128' })).toEqual([]);
    expect(k6ProxyEnv({ proxy: 'env' })).toEqual({});
    expect(k6ProxyEnv({ proxy: 'none' })).toMatchObject({ HTTP_PROXY: undefined, https_proxy: undefined, NO_PROXY: undefined });
    expect(k6ProxyEnv({ proxy: 'http://p:1' })).toMatchObject({ HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:1', no_proxy: undefined });
  });
});

describe('engine traffic through a real forward proxy', () => {
  it('HTTP_PROXY: the health check, SIM and load go through it (absolute form), with the proxy credentials, never printed', async () => {
    const target = `http://engine.test:${enginePort}/v1/run`;
    const withAuth = proxyUrl.replace('http://', 'http://ci:pr0xyPass@');
    const { health, sim, load, log, reported } = await healthSimLoad(target, { HTTP_PROXY: withAuth });
    expect(health.ok).toBe(true);
    expect(health.message).toContain('version p-1');
    expect(sim.ok).toBe(true);
    expect(load).toBe('answered');
    expect(proxied).toEqual([`GET http://engine.test:${enginePort}/v1/health`, `POST ${target}`, `POST ${target}`]);
    expect(proxyAuth.every((a) => a === `Basic ${Buffer.from('ci:pr0xyPass').toString('base64')}`)).toBe(true);
    expect(log).toEqual([`info: engine requests go through the proxy ${proxyUrl} (from HTTP_PROXY; engine.proxy: "none" connects directly)`]);
    expect(log.join('\n')).not.toContain('pr0xyPass');
    expect(reported).toBe(new URL(proxyUrl).host);
  });

  it('a proxy quoting the Proxy-Authorization it was sent (a debug proxy, a gateway\'s error page): the Basic credentials never reach an answer or a message', async () => {
    const basic = `Basic ${Buffer.from('ci:pr0xyPassw0rd').toString('base64')}`;
    const quoting = http.createServer((req, res) => {
      const auth = String(req.headers['proxy-authorization']);
      if (req.url?.includes('/health')) {
        res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway, you sent Proxy-Authorization: ${auth}`);
      } else {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ final_answer: `seen ${auth}` }));
      }
    });
    await new Promise<void>((r) => quoting.listen(0, '127.0.0.1', r));
    const port = (quoting.address() as AddressInfo).port;
    try {
      const target = `http://engine.test:${enginePort}/run`;
      const { health, sim, load } = await healthSimLoad(target, { HTTP_PROXY: `http://ci:pr0xyPassw0rd@127.0.0.1:${port}` });
      const written = JSON.stringify({ health, sim, load });
      expect(written).toContain('Proxy-Authorization');
      expect(written).toContain('seen');
      expect(written).not.toContain(basic.slice('Basic '.length));
      expect(written).not.toContain('pr0xyPassw0rd');
    } finally {
      await new Promise<void>((r) => quoting.close(() => r()));
    }
  });

  it('a proxy URL with a user name and no password (http://TOKEN@proxy): Basic TOKEN: is sent, as Go (and so k6) sends it, and never printed', async () => {
    const target = `http://engine.test:${enginePort}/v1/run`;
    const withToken = proxyUrl.replace('http://', 'http://pxTok3nOnly42@');
    const { health, sim, load, log } = await healthSimLoad(target, { HTTP_PROXY: withToken });
    expect([health.ok, sim.ok, load]).toEqual([true, true, 'answered']);
    expect(proxyAuth.length).toBe(3);
    expect(proxyAuth.every((a) => a === `Basic ${Buffer.from('pxTok3nOnly42:').toString('base64')}`)).toBe(true);
    expect(log.join('\n')).not.toContain('pxTok3nOnly42');
    expect(proxyCredentialsToMask({ proxy: 'env' }, { HTTP_PROXY: withToken })).toEqual(['pxTok3nOnly42', Buffer.from('pxTok3nOnly42:').toString('base64')]);
  });

  it('HTTPS_PROXY: an https engine is reached through a CONNECT tunnel', async () => {
    // No TLS server behind it: the tunnel is what is checked; the failure names the proxy it went through.
    const target = `https://engine.test:${enginePort}/run`;
    const { health, sim, load } = await healthSimLoad(target, { HTTPS_PROXY: proxyUrl, HTTP_PROXY: 'http://127.0.0.1:9' });
    expect(health.ok).toBe(false);
    expect(proxied.length).toBeGreaterThanOrEqual(3);
    expect(new Set(proxied)).toEqual(new Set([`CONNECT engine.test:${enginePort}`]));
    if (sim.ok) throw new Error('a plain HTTP server cannot answer TLS');
    expect(sim.error.message).toContain(`(through the proxy ${proxyUrl}, from HTTPS_PROXY)`);
    expect(load).toContain(`(through the proxy ${proxyUrl}, from HTTPS_PROXY)`);
  });

  it('a loopback engine bypasses HTTP_PROXY, and engine.proxy: "none" bypasses it for any engine', async () => {
    const { health, sim, load, log, reported } = await healthSimLoad(`http://127.0.0.1:${enginePort}/run`, { HTTP_PROXY: proxyUrl, NO_PROXY: '' });
    expect([health.ok, sim.ok, load]).toEqual([true, true, 'answered']);
    expect(proxied).toEqual([]);
    expect(engineSeen).toEqual(['GET /health', 'POST /run', 'POST /run']);
    expect(log).toEqual([]);
    expect(reported).toBeUndefined();
    expect(engineRoute(new URL('http://engine.test/run'), { proxy: 'none' }, { HTTP_PROXY: proxyUrl }).proxy).toBeNull();
  });

  it('a proxy that refuses the connection: the health check names the proxy, not an engine to wait for', async () => {
    // A port nothing listens on (the server is closed again before the check).
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const dead = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise<void>((r) => closed.close(() => r()));
    for (const target of [`http://engine.test:${enginePort}/run`, `https://engine.test:${enginePort}/run`]) {
      const adapter = createEngine(engineSettings(target, dead), DEFAULTS.reference, { log: () => undefined, env: {}, cwd: process.cwd() });
      try {
        const health = await adapter.health();
        expect(health.ok).toBe(false);
        expect(health.message).toBe(`engine ${target} is unreachable (the proxy ${dead} (from engine.proxy) refused the connection)`);
        expect(health.tried.join('; ')).toContain(`(through the proxy ${dead}, from engine.proxy)`);
      } finally {
        await adapter.close();
      }
    }
  });

  it('NO_PROXY naming the engine: no proxy is used for it', () => {
    // Connecting directly to engine.test would need a name lookup; the route the adapter and transport take is checked instead.
    const route = (no: string) => engineRoute(new URL('http://engine.test:8080/run'), { proxy: 'env' }, { HTTP_PROXY: proxyUrl, NO_PROXY: no }).proxy;
    expect(route('engine.test')).toBeNull();
    expect(route('.test')).toBeNull();
    expect(route('other.test')?.printable).toBe(proxyUrl);
  });

  it('engine.proxy set to a URL: a loopback engine goes through it too, whatever NO_PROXY says', async () => {
    const target = `http://127.0.0.1:${enginePort}/run`;
    const { health, sim, load, reported } = await healthSimLoad(target, { NO_PROXY: '*' }, proxyUrl);
    expect([health.ok, sim.ok, load]).toEqual([true, true, 'answered']);
    expect(proxied).toEqual([`GET http://127.0.0.1:${enginePort}/health`, `POST ${target}`, `POST ${target}`]);
    expect(reported).toBe(new URL(proxyUrl).host);
  });

  it('engine.proxy in a config file: validated by the schema, a bad value quoted without its password', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proxy-settings-'));
    try {
      fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: 'http://engine.test/run', proxy: 'http://proxy.corp:3128' } }, null, 2));
      expect(resolveSettings({ cwd: dir, flags: {}, env: {} }).engine.proxy).toBe('http://proxy.corp:3128');
      fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: 'http://engine.test/run' } }, null, 2));
      expect(resolveSettings({ cwd: dir, flags: {}, env: {} }).engine.proxy).toBe('env');
      fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: 'http://engine.test/run', proxy: 'ci:s3cretpw@proxy.corp:3128' } }, null, 2));
      let message = '';
      try {
        resolveSettings({ cwd: dir, flags: {}, env: {} });
      } catch (err) {
        message = (err as Error).message + JSON.stringify(err);
      }
      expect(message).toContain('engine.proxy');
      expect(message).not.toContain('s3cretpw');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
