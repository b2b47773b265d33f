// The load benchmark's moving parts: peers (nginx and wrk from Debian, autocannon from npm into
// bench/.peers, never project dependencies), the nginx target, the stall target, our generator bundled
// once, and a way to run any tool pinned to a core with its CPU time measured.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const OUT_DIR = join(ROOT, 'bench/.out');
export const AUTOCANNON_VERSION = '9.0.0';
const AUTOCANNON_DIR = join(ROOT, 'bench/.peers/autocannon');
/** A bare undici loop (no generator): the ceiling of any generator built on undici. */
export const UNDICI_ALONE = join(ROOT, 'bench/load/undici-alone.mjs');
export const STALL_TARGET = join(ROOT, '__tests__/fixtures/load/stall-target.mjs');

/** The request every tool sends: the same POST, the same JSON body. */
export const REQUEST_BODY = JSON.stringify({ prompt: 'Is it not true that water boils at 100 C at sea level?' });
/** What nginx answers: a small Toron-like JSON document. */
export const NGINX_BODY = JSON.stringify({ final_answer: 'Water boils at 100 C at sea level.', confidence_score: 68, opus_used: true });

export function has(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** nginx and wrk from Debian (apt-get install -y), only when missing. */
export function ensureDebianPeers(log) {
  const missing = [];
  if (!has('nginx') && !existsSync('/usr/sbin/nginx')) missing.push('nginx-light');
  if (!has('wrk')) missing.push('wrk');
  if (missing.length === 0) return { ok: true, installed: [] };
  if (!has('apt-get')) return { ok: false, error: `missing ${missing.join(', ')} and no apt-get to install them` };
  log(`installing ${missing.join(' ')} with apt-get (once)`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const run = (args) => spawnSync(sudo[0] ?? args[0], sudo.length ? [...sudo.slice(1), ...args] : args.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  let r = run(['apt-get', 'install', '-y', ...missing]);
  if (r.status !== 0) {
    run(['apt-get', 'update']);
    r = run(['apt-get', 'install', '-y', ...missing]);
  }
  if (r.status !== 0) return { ok: false, error: `apt-get install ${missing.join(' ')} failed: ${String(r.stderr).slice(-400)}` };
  return { ok: true, installed: missing };
}

export function nginxPath() {
  return has('nginx') ? 'nginx' : '/usr/sbin/nginx';
}

/** npm as `npm run` launched it, on this Node. */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli) && existsSync(cli)) return { command: process.execPath, pre: [cli] };
  return { command: 'npm', pre: [] };
}

export function autocannonEntry() {
  return join(AUTOCANNON_DIR, 'node_modules/autocannon/autocannon.js');
}

/** autocannon, pinned, into bench/.peers/autocannon (npm install --prefix), only when missing. */
export function ensureAutocannon(log) {
  try {
    const v = JSON.parse(readFileSync(join(AUTOCANNON_DIR, 'node_modules/autocannon/package.json'), 'utf8')).version;
    if (v === AUTOCANNON_VERSION) return { ok: true, version: v };
  } catch {
    // not installed
  }
  mkdirSync(AUTOCANNON_DIR, { recursive: true });
  writeFileSync(join(AUTOCANNON_DIR, 'package.json'), JSON.stringify({ name: 'bench-peer-autocannon', private: true }, null, 2) + '\n');
  log(`installing autocannon@${AUTOCANNON_VERSION} into ${AUTOCANNON_DIR} (once)`);
  const { command, pre } = npmCommand();
  const r = spawnSync(command, [...pre, 'install', '--prefix', AUTOCANNON_DIR, '--no-audit', '--no-fund', `autocannon@${AUTOCANNON_VERSION}`], {
    cwd: AUTOCANNON_DIR,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
  if (r.status !== 0 || !existsSync(autocannonEntry())) return { ok: false, error: `npm install autocannon failed: ${String(r.stderr).slice(-400)}` };
  return { ok: true, version: AUTOCANNON_VERSION };
}

/**
 * Our generator as one ESM file (esbuild from tsx's own dependency): no TypeScript loader at run time.
 * It stays under bench/ so that its bare imports (undici, hdr-histogram-js) resolve from node_modules.
 */
export async function bundleOurs(outfile = join(OUT_DIR, 'load-ours.mjs')) {
  const { build } = await import('esbuild');
  await build({
    entryPoints: [join(ROOT, 'bench/load/ours.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return outfile;
}

export function freePort() {
  return new Promise((res, rej) => {
    const s = net.createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => res(port));
    });
  });
}

export async function waitForPort(port, timeoutMs = 10_000) {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const ok = await new Promise((res) => {
      const c = net.connect(port, '127.0.0.1');
      c.once('connect', () => (c.destroy(), res(true)));
      c.once('error', () => res(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing listens on 127.0.0.1:${port}`);
}

/** `taskset -c N` when there are at least two cpus and taskset exists; else no pinning. */
export function pinPrefix(core, canPin) {
  return canPin ? ['taskset', '-c', String(core)] : [];
}

/** nginx serving NGINX_BODY for any method at /run, one worker, pinned. Returns { url, stop }. */
export async function startNginx(canPin) {
  const dir = join(OUT_DIR, 'load-nginx');
  mkdirSync(join(dir, 'logs'), { recursive: true });
  writeFileSync(join(dir, 'body.json'), NGINX_BODY);
  const port = await freePort();
  const conf = `worker_processes 1;
daemon off;
error_log ${dir}/logs/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 10000000;
  keepalive_timeout 65;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    # the small JSON file, for POST too (the static module would answer POST with 405)
    location = /run { default_type application/json; return 200 '${NGINX_BODY}'; }
  }
}
`;
  const confFile = join(dir, 'nginx.conf');
  writeFileSync(confFile, conf);
  const [cmd, ...args] = [...pinPrefix(1, canPin), nginxPath(), '-c', confFile, '-p', dir];
  const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  try {
    await waitForPort(port);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`nginx did not start: ${err.trim() || e.message}`);
  }
  return { url: `http://127.0.0.1:${port}/run`, stop: () => stopChild(child) };
}

/** The stall target (a freeze of stallMs every periodMs), pinned to the other core. */
export async function startStallTarget(canPin, stallMs, periodMs) {
  const [cmd, ...args] = [...pinPrefix(1, canPin), process.execPath, STALL_TARGET, '--stall-ms', String(stallMs), '--period-ms', String(periodMs)];
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((res, rej) => {
    child.once('error', rej);
    child.stdout.once('data', (d) => res(JSON.parse(String(d).split('\n')[0]).port));
  });
  return { url: `http://127.0.0.1:${port}/run`, stop: () => stopChild(child) };
}

function stopChild(child) {
  return new Promise((res) => {
    if (child.exitCode !== null || child.signalCode !== null) return res();
    child.once('close', res);
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 3000).unref();
  });
}

/**
 * Runs a command pinned to a core, under bash so that `times` reports the CPU seconds (user + system)
 * of the whole process (start-up included, the same for every tool). Returns stdout, stderr, cpu.
 */
export function runMeasuredCpu(argv, { core = 0, canPin, timeoutMs = 300_000, cwd = ROOT } = {}) {
  const q = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;
  const cmd = [...pinPrefix(core, canPin), ...argv].map(q).join(' ');
  const script = `${cmd}; rc=$?; times >&2; exit $rc`;
  return new Promise((res) => {
    const child = spawn('bash', ['-c', script], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const started = process.hrtime.bigint();
    child.on('close', (code) => {
      clearTimeout(timer);
      const wallS = Number(process.hrtime.bigint() - started) / 1e9;
      const lines = err.trimEnd().split('\n');
      const cpu = parseTimes(lines.at(-1) ?? '');
      res({ code, stdout: out, stderr: lines.slice(0, -2).join('\n'), cpuS: cpu, wallS });
    });
  });
}

/** bash `times`, second line: "0m1.234s 0m0.456s" (children's user and system time). */
export function parseTimes(line) {
  const m = /^(\d+)m([\d.]+)s\s+(\d+)m([\d.]+)s$/.exec(line.trim());
  if (!m) return null;
  return Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4]);
}

export function wrkScript() {
  const file = join(OUT_DIR, 'load-wrk-post.lua');
  writeFileSync(file, `wrk.method = "POST"\nwrk.body = ${JSON.stringify(REQUEST_BODY)}\nwrk.headers["Content-Type"] = "application/json"\n`);
  return file;
}

/** wrk's "Requests/sec:" and its request count. */
export function parseWrk(stdout) {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(stdout);
  const total = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(stdout);
  return {
    rps: rps ? Number(rps[1]) : null,
    completed: total ? Number(total[1]) : null,
    errors: non2xx ? Number(non2xx[1]) : 0,
  };
}

/** autocannon --json: requests/s, total, latency percentiles (ms). */
export function parseAutocannon(stdout) {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  if (!line) return null;
  const j = JSON.parse(line);
  return {
    rps: j.requests?.average ?? null,
    completed: j.requests?.total ?? null,
    durationS: j.duration ?? null,
    errors: (j.errors ?? 0) + (j.non2xx ?? 0) + (j.timeouts ?? 0),
    p50: j.latency?.p50 ?? null,
    p90: j.latency?.p90 ?? null,
    p99: j.latency?.p99 ?? null,
    max: j.latency?.max ?? null,
  };
}

/**
 * One saturation run of one tool against `url`, pinned to core 0: 'ours' (answers checked),
 * 'ours-nocheck', 'wrk' (with the POST script `lua`) or 'autocannon'; `o` holds durationS and
 * connections. Returns { ok, rps, completed, errors, cpuS } or { ok: false, note }.
 */
export async function runSaturationTool(tool, url, o, canPin, bundle, lua) {
  const C = String(o.connections);
  if (tool === 'ours' || tool === 'ours-nocheck') {
    const arg = JSON.stringify({ url, rate: 1_000_000, durationS: o.durationS, maxInFlight: o.connections, check: tool === 'ours' });
    const r = await runMeasuredCpu([process.execPath, bundle, arg], { canPin });
    const j = lastJsonLine(r.stdout);
    if (r.code !== 0 || !j) return { ok: false, note: `exit ${r.code}: ${r.stderr.slice(-300)}` };
    const errors = Object.values(j.errors ?? {}).reduce((a, b) => a + b, 0);
    return { ok: true, rps: j.completed / (j.durationMs / 1000), completed: j.completed, errors, cpuS: r.cpuS, checks: j.checks };
  }
  if (tool === 'undici') {
    const arg = JSON.stringify({ url, durationS: o.durationS, connections: o.connections, body: REQUEST_BODY });
    const r = await runMeasuredCpu([process.execPath, UNDICI_ALONE, arg], { canPin });
    const j = lastJsonLine(r.stdout);
    if (r.code !== 0 || !j) return { ok: false, note: `exit ${r.code}: ${r.stderr.slice(-300)}` };
    return { ok: true, rps: j.completed / (j.durationMs / 1000), completed: j.completed, errors: j.errors, cpuS: r.cpuS };
  }
  if (tool === 'wrk') {
    const r = await runMeasuredCpu(['wrk', '-t1', `-c${C}`, `-d${o.durationS}s`, '-s', lua, url], { canPin });
    const p = parseWrk(r.stdout);
    if (r.code !== 0 || p.rps === null) return { ok: false, note: `exit ${r.code}: ${(r.stderr || r.stdout).slice(-300)}` };
    return { ok: true, rps: p.rps, completed: p.completed, errors: p.errors, cpuS: r.cpuS };
  }
  const r = await runMeasuredCpu(
    [process.execPath, autocannonEntry(), '-c', C, '-d', String(o.durationS), '-m', 'POST', '-H', 'content-type=application/json', '-b', REQUEST_BODY, '-j', url],
    { canPin },
  );
  const p = r.code === 0 ? parseAutocannon(r.stdout) : null;
  if (!p) return { ok: false, note: `exit ${r.code}: ${r.stderr.slice(-300)}` };
  return { ok: true, rps: p.completed / (p.durationS || o.durationS), completed: p.completed, errors: p.errors, cpuS: r.cpuS };
}

/** The last line of a tool's stdout that is a JSON object, parsed (null: none). */
export function lastJsonLine(stdout) {
  const line = stdout.trim().split('\n').reverse().find((l) => l.startsWith('{'));
  return line ? JSON.parse(line) : null;
}
