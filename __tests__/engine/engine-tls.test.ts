import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import https from 'node:https';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { createEngine } from '../../src/engine/create.js';
import { engineRoute } from '../../src/engine/connection.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { buildK6Script } from '../../src/load/k6-script.js';
import type { LoadRequest } from '../../src/load/transport.js';
import type { SimCase } from '../../src/stages/sim/types.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import type { Settings } from '../../src/settings/types.js';
import { tlsMaterialOf } from '../../src/settings/engine-tls.js';

// Engines that want a client certificate (mTLS) behind a private CA, as on self-hosted runners. The
// certificates are real, made here with openssl: a CA, a server certificate for engine.internal only
// (the engine is reached at 127.0.0.1, so engine.tls.servername names it), and a client certificate.

let dir: string;
let server: https.Server;
let port: number;
/** The client certificate's subject CN of each request the engine answered. */
const clients: string[] = [];
let proxy: http.Server;
let proxyUrl: string;
const tunnels: string[] = [];

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-tls-'));
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=toron test CA');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=engine.internal');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=DNS:engine.internal\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=toron-gate');
  openssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
  // The client key encrypted: PEM-encrypted (what k6 can decrypt) and PKCS#8 (what it cannot).
  openssl('rsa', '-in', 'client.key', '-aes256', '-traditional', '-passout', 'pass:k3y-Passphrase', '-out', 'client-enc.key');
  openssl('pkcs8', '-topk8', '-in', 'client.key', '-v2', 'aes256', '-passout', 'pass:k3y-Passphrase', '-out', 'client-p8.key');
  fs.mkdirSync(path.join(dir, 'certs'));
  for (const f of ['ca.crt', 'client.crt', 'client.key', 'client-enc.key', 'client-p8.key']) fs.renameSync(path.join(dir, f), path.join(dir, 'certs', f));

  server = https.createServer(
    {
      key: fs.readFileSync(path.join(dir, 'server.key')),
      cert: fs.readFileSync(path.join(dir, 'server.crt')),
      ca: fs.readFileSync(path.join(dir, 'certs/ca.crt')),
      requestCert: true,
      rejectUnauthorized: true,
    },
    (req, res) => {
      clients.push(String((req.socket as TLSSocket).getPeerCertificate().subject?.CN));
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url?.endsWith('/health') ? '{"status":"ok","version":"mtls-1"}' : '{"final_answer":"ok"}');
      });
    },
  );
  // A CONNECT proxy, to show engine.tls also holds inside a proxy's tunnel.
  proxy = http.createServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket, head) => {
    tunnels.push(String(req.url));
    const up = net.connect(Number(String(req.url).split(':').pop()), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
  });
  await Promise.all([server, proxy].map((s) => new Promise<void>((r) => s.listen(0, '127.0.0.1', r))));
  port = (server.address() as AddressInfo).port;
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const s of [server, proxy]) s.closeAllConnections();
  await Promise.all([server, proxy].map((s) => new Promise<void>((r) => s.close(() => r()))));
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Settings from a config file written in the temp folder (its paths relative to it). */
function settingsFor(engine: Record<string, unknown>, env: NodeJS.ProcessEnv = {}, extra: Record<string, unknown> = {}): Settings {
  fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: `https://127.0.0.1:${port}/run`, timeoutMs: 5_000, ...engine }, ...extra }, null, 2));
  return resolveSettings({ cwd: dir, flags: {}, env });
}

function inputErrorOf(f: () => unknown): string {
  try {
    f();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an input error');
}

const lr: LoadRequest = { caseIndex: 0, repeat: 0, seed: 1, case: { id: 'c', input: { prompt: 'p' } } as unknown as SimCase };

/** The health check, one SIM call and one load request against the engine, as a run makes them. */
async function healthSimLoad(settings: Settings, env: NodeJS.ProcessEnv = {}) {
  const adapter = createEngine(settings.engine, settings.reference, { log: () => undefined, env, cwd: dir });
  const url = new URL(settings.engine.target);
  const transport = httpTransport({ url, headers: {}, maxResponseBytes: 1e6, runId: 'r', timeoutMs: 5_000, route: engineRoute(url, settings.engine, env) });
  try {
    const health = await adapter.health();
    const sim = await adapter.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
    const load = await new Promise<string>((resolve) =>
      transport.start(lr, { answered: () => resolve('answered'), failed: (kind, message) => resolve(`${kind}: ${message}`) }),
    );
    return { health, sim: sim.ok ? 'answered' : `${sim.error.kind}: ${sim.error.message}`, load };
  } finally {
    await Promise.all([adapter.close(), transport.close()]);
  }
}

describe('engine.tls: a private CA and a client certificate (mTLS)', () => {
  it('the health check, SIM and load present the client certificate and trust the private CA', async () => {
    clients.length = 0;
    const s = settingsFor({ tls: { ca: 'certs/ca.crt', cert: 'certs/client.crt', key: 'certs/client.key', servername: 'engine.internal' } });
    const { health, sim, load } = await healthSimLoad(s);
    expect(health.ok).toBe(true);
    expect(health.message).toContain('version mtls-1');
    expect([sim, load]).toEqual(['answered', 'answered']);
    expect(clients).toEqual(['toron-gate', 'toron-gate', 'toron-gate']);
  });

  it('without a client certificate: the message says the engine probably requires one (engine.tls.cert/key)', async () => {
    const s = settingsFor({ tls: { ca: 'certs/ca.crt', servername: 'engine.internal' } });
    const { health, sim, load } = await healthSimLoad(s);
    expect(health.ok).toBe(false);
    for (const m of [health.tried.join('; '), sim, load]) {
      expect(m).toContain('it probably requires one (configure engine.tls.cert and engine.tls.key)');
    }
  });

  it('a TLS 1.2 engine refusing the handshake for lack of a client certificate: said in words, with the hint, not in OpenSSL\'s lines', async () => {
    const tls12 = https.createServer(
      { maxVersion: 'TLSv1.2', key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.crt')), ca: fs.readFileSync(path.join(dir, 'certs/ca.crt')), requestCert: true, rejectUnauthorized: true },
      (_req, res) => res.end('{}'),
    );
    await new Promise<void>((r) => tls12.listen(0, '127.0.0.1', r));
    try {
      const s = settingsFor({ target: `https://127.0.0.1:${(tls12.address() as AddressInfo).port}/run`, tls: { ca: 'certs/ca.crt', servername: 'engine.internal' } });
      const { health, sim, load } = await healthSimLoad(s);
      for (const m of [health.tried.join('; '), sim, load]) {
        expect(m).toContain('the engine ended the TLS handshake (alert: handshake failure)');
        expect(m).toContain('it probably requires one (configure engine.tls.cert and engine.tls.key)');
        expect(m).not.toMatch(/openssl|rec_layer|[\r\n]/);
      }
    } finally {
      tls12.closeAllConnections();
      await new Promise<void>((r) => tls12.close(() => r()));
    }
  });

  it('engine.tls.servername: without it the certificate for engine.internal does not match 127.0.0.1', async () => {
    const s = settingsFor({ tls: { ca: 'certs/ca.crt', cert: 'certs/client.crt', key: 'certs/client.key' } });
    const { sim } = await healthSimLoad(s);
    expect(sim).toContain('TLS certificate does not match the host name');
  });

  it('an encrypted key: its passphrase from the variable passphraseEnv names, never printed; a wrong one is an input error', async () => {
    clients.length = 0;
    const tls = { ca: 'certs/ca.crt', cert: 'certs/client.crt', key: 'certs/client-enc.key', passphraseEnv: 'ENGINE_KEY_PASS', servername: 'engine.internal' };
    const env = { ENGINE_KEY_PASS: 'k3y-Passphrase' };
    const s = settingsFor({ tls }, env);
    expect(JSON.stringify(s)).not.toContain('k3y-Passphrase');
    expect(JSON.stringify(s)).not.toContain('PRIVATE KEY');
    const { sim, load } = await healthSimLoad(s, env);
    expect([sim, load]).toEqual(['answered', 'answered']);
    expect(clients).toContain('toron-gate');

    const wrong = inputErrorOf(() => settingsFor({ tls }, { ENGINE_KEY_PASS: 'not-the-Passphrase' }));
    expect(wrong).toMatch(/^testops\.config\.json:\d+ at \/engine\/tls\/passphraseEnv: engine\.tls\.passphraseEnv: /);
    expect(wrong).toContain('does not decrypt the key');
    expect(wrong).not.toContain('not-the-Passphrase');
    const unset = inputErrorOf(() => settingsFor({ tls }, {}));
    expect(unset).toContain('engine.tls.passphraseEnv: the environment variable ENGINE_KEY_PASS is not set');
    const noVariable = inputErrorOf(() => settingsFor({ tls: { ...tls, passphraseEnv: undefined } }, env));
    expect(noVariable).toContain('name the variable holding its passphrase in engine.tls.passphraseEnv');
  });

  it('engine.tls for an engine that speaks no TLS: a warning, not silence', () => {
    const s = settingsFor({ target: `http://127.0.0.1:${port}/run`, tls: { cert: 'certs/client.crt', key: 'certs/client.key' } });
    const log: string[] = [];
    const adapter = createEngine(s.engine, s.reference, { log: (level, m) => log.push(`${level}: ${m}`), env: {}, cwd: dir });
    void adapter.close();
    expect(log).toEqual(['warn: engine.tls is only used for https:// engines; ignored for an http:// engine (no TLS): is the URL meant to be https://?']);
  });

  it('bad files are input errors naming the config file, the line and the field', () => {
    const missing = inputErrorOf(() => settingsFor({ tls: { cert: 'certs/nope.crt', key: 'certs/client.key' } }));
    const lines = fs.readFileSync(path.join(dir, 'testops.config.json'), 'utf8').split('\n');
    const certLine = lines.findIndex((l) => l.includes('"cert"')) + 1;
    expect(missing).toContain(`testops.config.json:${certLine}`);
    expect(missing).toContain('engine.tls.cert: cannot read "certs/nope.crt" (no such file; paths are relative to the config file)');
    expect(inputErrorOf(() => settingsFor({ tls: { cert: 'certs/client.crt' } }))).toContain('engine.tls.key is missing');
    expect(inputErrorOf(() => settingsFor({ tls: { ca: 'testops.config.json' } }))).toContain('engine.tls.ca: "testops.config.json" is not a PEM file');
    const mismatch = inputErrorOf(() => settingsFor({ tls: { cert: 'certs/ca.crt', key: 'certs/client.key' } }));
    expect(mismatch).toContain('engine.tls.key');
    expect(mismatch).not.toContain('BEGIN');
    expect(inputErrorOf(() => settingsFor({ tls: { cafile: 'x' } }))).toContain('engine.tls');
    // OpenSSL ignores what it cannot read in a CA file: a key, or a damaged certificate, is said now.
    expect(inputErrorOf(() => settingsFor({ tls: { ca: 'certs/client.key' } }))).toContain('engine.tls.ca: "certs/client.key" holds no certificate');
    fs.writeFileSync(path.join(dir, 'certs/damaged.crt'), '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    expect(inputErrorOf(() => settingsFor({ tls: { ca: 'certs/damaged.crt' } }))).toContain('engine.tls.ca: certificate 1 of "certs/damaged.crt" cannot be read');
  });

  it('through a proxy (CONNECT), the TLS to the engine inside the tunnel still carries engine.tls', async () => {
    clients.length = 0;
    tunnels.length = 0;
    const s = settingsFor({ proxy: proxyUrl, tls: { ca: 'certs/ca.crt', cert: 'certs/client.crt', key: 'certs/client.key', servername: 'engine.internal' } });
    const { health, sim, load } = await healthSimLoad(s);
    expect([health.ok, sim, load]).toEqual([true, 'answered', 'answered']);
    expect(tunnels.length).toBeGreaterThan(0);
    expect(new Set(tunnels)).toEqual(new Set([`127.0.0.1:${port}`]));
    expect(clients.length).toBe(3);
  });
});

describe('engine.tls with the k6 backend', () => {
  const k6 = { load: { generator: 'k6' } };

  it('a CA or a server name cannot be given to k6: refused with the settings, naming the field', () => {
    const ca = inputErrorOf(() => settingsFor({ tls: { ca: 'certs/ca.crt' } }, {}, k6));
    expect(ca).toMatch(/^testops\.config\.json:\d+ at \/engine\/tls\/ca: engine\.tls\.ca cannot be given to k6/);
    expect(ca).toContain('load.generator "builtin"');
    expect(inputErrorOf(() => settingsFor({ tls: { servername: 'engine.internal' } }, {}, k6))).toContain('engine.tls.servername cannot be given to k6');
    const p8 = inputErrorOf(() => settingsFor({ tls: { cert: 'certs/client.crt', key: 'certs/client-p8.key', passphraseEnv: 'P' } }, { P: 'k3y-Passphrase' }, k6));
    expect(p8).toContain('encrypted PKCS#8 key');
    // Without the load stage k6 never runs: nothing to refuse.
    expect(() => settingsFor({ tls: { ca: 'certs/ca.crt' } }, {}, { ...k6, stages: ['sim'] })).not.toThrow();
  });

  it('a client certificate becomes k6 tlsAuth, its files and password read from the environment, no path or secret in the script', () => {
    const s = settingsFor({ tls: { cert: 'certs/client.crt', key: 'certs/client-enc.key', passphraseEnv: 'ENGINE_KEY_PASS' } }, { ENGINE_KEY_PASS: 'k3y-Passphrase' }, k6);
    expect(tlsMaterialOf(s.engine.tls)?.files.cert).toBe(path.join(dir, 'certs/client.crt'));
    const script = buildK6Script({
      runId: 'r',
      url: s.engine.target,
      urlEnv: 'U',
      headers: {},
      hasUrlCredentials: false,
      seed: 1,
      cases: [{ id: 'c', body: '{}', seeds: [1] }],
      schedule: { executor: 'constant-arrival-rate' },
      rate: 1,
      durationMs: 1000,
      maxInFlight: 1,
      timeoutMs: 1000,
      thresholds: {},
      tlsAuth: { domains: ['127.0.0.1'], certEnv: 'TORON_TESTOPS_K6_TLS_CERT', keyEnv: 'TORON_TESTOPS_K6_TLS_KEY', passwordEnv: 'ENGINE_KEY_PASS' },
    });
    expect(script).not.toContain(dir);
    expect(script).not.toContain('k3y-Passphrase');
    const line = script.split('\n').find((l) => l.startsWith('options.tlsAuth'));
    expect(line).toBeDefined();
    const opened: string[] = [];
    const options: { tlsAuth?: unknown } = {};
    new Function('options', 'open', '__ENV', line!)(options, (p: string) => (opened.push(p), `<${path.basename(p)}>`), {
      TORON_TESTOPS_K6_TLS_CERT: '/x/client.crt',
      TORON_TESTOPS_K6_TLS_KEY: '/x/client-enc.key',
      ENGINE_KEY_PASS: 'pw',
    });
    expect(options.tlsAuth).toEqual([{ domains: ['127.0.0.1'], cert: '<client.crt>', key: '<client-enc.key>', password: 'pw' }]);
  });
});
