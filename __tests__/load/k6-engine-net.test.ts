import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

/**
 * engine.proxy and engine.tls reach k6 as the run's own requests take them: the stand-in k6
 * (fixtures/load/k6/fake-k6.sh) behind a wrapper that records the environment k6 is started with.
 * The engine is a real mTLS server on 127.0.0.1 (certificates made here by openssl); the gate's health
 * check and SIM reach it with the same certificate, trusting its CA through NODE_EXTRA_CA_CERTS (k6 has
 * no option for a CA, so engine.tls.ca is refused with the k6 backend).
 */
const FAKE = path.join(ROOT, '__tests__/fixtures/load/k6/fake-k6.sh');
let dir: string;
let bin: string;
let server: https.Server;
let port: number;
let proxy: http.Server;
let proxyUrl: string;
const tunnels: string[] = [];
const BASE_PATH = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-engine-net-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=k6 test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=gate');
  ssl('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '2');
  server = https.createServer(
    { key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.crt')), ca: fs.readFileSync(path.join(dir, 'ca.crt')), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(req.url?.endsWith('/health') ? '{"status":"ok"}' : '{"final_answer":"ok"}');
      });
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  proxy = http.createServer((_q, r) => r.writeHead(405).end());
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
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'k6-engine-net-bin-'));
  // k6: record the variables this test is about, then the stand-in.
  fs.writeFileSync(
    path.join(bin, 'k6'),
    `#!/usr/bin/env bash\nnode -e 'const k=["HTTP_PROXY","HTTPS_PROXY","NO_PROXY","http_proxy","https_proxy","TORON_TESTOPS_K6_TLS_CERT","TORON_TESTOPS_K6_TLS_KEY"];require("fs").appendFileSync(process.env.ENV_LOG, JSON.stringify(Object.fromEntries(k.filter(n=>n in process.env).map(n=>[n,process.env[n]])))+"\\n")'\nexec ${JSON.stringify(FAKE)} "$@"\n`,
    { mode: 0o755 },
  );
});

afterAll(async () => {
  for (const x of [server, proxy]) x.closeAllConnections();
  await Promise.all([server, proxy].map((x) => new Promise<void>((r) => x.close(() => r()))));
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(bin, { recursive: true, force: true });
});

function project(engine: Record<string, unknown>): string {
  const p = makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
    'sim/basic.json': { name: 'basic', description: 'd', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
    'testops.config.json': { engine: { target: `https://127.0.0.1:${port}/run`, ...engine }, load: { generator: 'k6', rate: 10, duration: '2s' } },
  });
  fs.mkdirSync(path.join(p, 'tls'));
  for (const f of ['client.crt', 'client.key']) fs.copyFileSync(path.join(dir, f), path.join(p, 'tls', f));
  return p;
}

describe('the k6 backend takes engine.proxy and engine.tls', () => {
  it('engine.proxy "none": k6 is started without proxy variables; engine.tls cert/key: tlsAuth from paths in its environment', async () => {
    const p = project({ proxy: 'none', tls: { cert: 'tls/client.crt', key: 'tls/client.key' } });
    const envLog = path.join(p, 'k6-env.log');
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'net1'], {
      cwd: p,
      env: {
        PATH: `${bin}${path.delimiter}${BASE_PATH}`,
        HOME: os.tmpdir(),
        K6_FIXTURE: 'summary-export-pass-arrival-submetrics',
        ENV_LOG: envLog,
        NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt'),
        HTTPS_PROXY: 'http://127.0.0.1:9',
        NO_PROXY: 'example.com',
      },
    });
    const rd = reportDir(p, 'net1');
    expect(readJson(path.join(rd, 'report.json')).stages.load?.generator, r.stdout + r.stderr).toBe('k6');
    const runs = fs.readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    const run = runs.at(-1)!;
    expect(run).toEqual({ TORON_TESTOPS_K6_TLS_CERT: path.join(p, 'tls/client.crt'), TORON_TESTOPS_K6_TLS_KEY: path.join(p, 'tls/client.key') });
    const script = fs.readFileSync(path.join(rd, 'k6', 'script.js'), 'utf8');
    expect(script).toContain('options.tlsAuth = [{ domains: ["127.0.0.1"], cert: open(__ENV["TORON_TESTOPS_K6_TLS_CERT"]), key: open(__ENV["TORON_TESTOPS_K6_TLS_KEY"]) }];');
    expect(script).not.toContain(p);
  });

  it('engine.proxy set to a URL: the gate goes through it, and k6 gets it as HTTP_PROXY and HTTPS_PROXY, NO_PROXY cleared', async () => {
    const p = project({ proxy: proxyUrl, tls: { cert: 'tls/client.crt', key: 'tls/client.key' } });
    const envLog = path.join(p, 'k6-env.log');
    tunnels.length = 0;
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'net2'], {
      cwd: p,
      env: { PATH: `${bin}${path.delimiter}${BASE_PATH}`, HOME: os.tmpdir(), K6_FIXTURE: 'summary-export-pass-arrival-submetrics', ENV_LOG: envLog, NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt'), no_proxy: '*', HTTP_PROXY: 'http://127.0.0.1:9' },
    });
    const rd = reportDir(p, 'net2');
    expect(readJson(path.join(rd, 'report.json')).engine.proxy, r.stdout + r.stderr).toBe(new URL(proxyUrl).host);
    expect(tunnels.length).toBeGreaterThan(0); // the health check, through the proxy
    const log = fs.readFileSync(path.join(rd, 'run.log'), 'utf8');
    expect(log).toContain(`engine requests go through the proxy ${proxyUrl} (from engine.proxy`);
    expect(log).toContain(`k6 sends its requests through the proxy ${proxyUrl} (latencies include the proxy)`);
    const run = fs.readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>).at(-1)!;
    expect(run).toMatchObject({ HTTP_PROXY: proxyUrl, HTTPS_PROXY: proxyUrl });
    expect(run).not.toHaveProperty('no_proxy');
    expect(run).not.toHaveProperty('NO_PROXY');
  });
});
