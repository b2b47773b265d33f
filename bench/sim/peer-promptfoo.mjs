// The peer: promptfoo's `eval` with its echo provider, installed into bench/.peers/promptfoo (git-
// ignored, never a project dependency), pinned, only when missing.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diskUsage, runMeasured } from '../lib/measure.mjs';

export const PROMPTFOO_VERSION = '0.123.1';
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const PEER_DIR = join(ROOT, 'bench/.peers/promptfoo');
const PKG_DIR = join(PEER_DIR, 'node_modules/promptfoo');

/** Version of the promptfoo in the peer folder, or null. */
export function installedVersion() {
  try {
    return JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8')).version ?? null;
  } catch {
    return null;
  }
}

/** The CLI entry (package.json "bin.promptfoo"), resolved inside the peer folder. */
function entryPath() {
  const pkg = JSON.parse(readFileSync(join(PKG_DIR, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.promptfoo;
  return join(PKG_DIR, bin ?? 'dist/src/entrypoint.js');
}

/**
 * npm as `npm run` launched it (npm_execpath), run on this Node; otherwise the npm on PATH.
 * Running it on the project's Node keeps any native build on the Node that will load it.
 */
function npmCommand() {
  const cli = process.env.npm_execpath;
  if (cli && /npm-cli\.js$/.test(cli) && existsSync(cli)) return { command: process.execPath, pre: [cli] };
  return { command: 'npm', pre: [] };
}

/**
 * Installs the pinned promptfoo when missing (or at another version). Output goes to install.log.
 * @returns {Promise<{ ok: boolean, version: string|null, installed: boolean, error?: string }>}
 */
export async function ensurePromptfoo(log = console.log) {
  if (installedVersion() === PROMPTFOO_VERSION) return { ok: true, version: PROMPTFOO_VERSION, installed: false };
  mkdirSync(PEER_DIR, { recursive: true });
  // A package.json of its own keeps the peer's tree out of the project's and pins the version.
  writeFileSync(
    join(PEER_DIR, 'package.json'),
    JSON.stringify({ name: 'bench-peer-promptfoo', private: true, dependencies: { promptfoo: PROMPTFOO_VERSION } }, null, 2) + '\n',
  );
  const logFile = join(PEER_DIR, 'install.log');
  log(`installing promptfoo@${PROMPTFOO_VERSION} into ${PEER_DIR} (once; takes a few minutes; log: ${logFile})`);
  const { command, pre } = npmCommand();
  const fd = openSync(logFile, 'w');
  const code = await new Promise((res) => {
    const child = spawn(command, [...pre, 'install', '--prefix', PEER_DIR, '--no-audit', '--no-fund', '--no-save'], {
      cwd: PEER_DIR,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
    child.once('error', () => res(-1));
    child.once('exit', (c) => res(c ?? -1));
  });
  closeSync(fd);
  const version = installedVersion();
  if (code !== 0 || version !== PROMPTFOO_VERSION) {
    return { ok: false, version, installed: false, error: `npm install exited ${code}; see ${logFile}` };
  }
  return { ok: true, version, installed: true };
}

/** Env for every promptfoo run: no network side-trips, no cache, its state in a folder of the run. */
export function peerEnv(homeDir, nodeBinDir) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('npm_')) delete env[k];
  Object.assign(env, {
    PROMPTFOO_CONFIG_DIR: homeDir, // its SQLite DB and logs: fresh per run, not ~/.promptfoo
    PROMPTFOO_DISABLE_TELEMETRY: '1',
    PROMPTFOO_DISABLE_UPDATE: '1',
    PROMPTFOO_DISABLE_SHARING: '1',
    PROMPTFOO_CACHE_ENABLED: 'false',
    FORCE_COLOR: '0',
    NO_COLOR: '1',
  });
  if (nodeBinDir) env.PATH = [nodeBinDir, '/usr/local/bin', '/usr/bin', '/bin'].join(delimiter);
  return env;
}

function nodeVersion(nodePath) {
  const r = spawnSync(nodePath, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

/** First `node` on the system PATH, skipping the project's node_modules/.bin (Node 24). */
function systemNode() {
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    const p = join(dir, 'node');
    if (existsSync(p)) return p;
  }
  return null;
}

/**
 * Picks the Node that runs promptfoo: the project's (this process's) when `promptfoo --version`
 * works on it, else the system Node. Returns null with the reasons when neither works.
 */
export function choosePeerNode(tmpHome) {
  const tried = [];
  const entry = entryPath();
  for (const nodePath of [process.execPath, systemNode()].filter(Boolean)) {
    const r = spawnSync(nodePath, [entry, '--version'], {
      encoding: 'utf8',
      env: peerEnv(tmpHome, dirname(nodePath)),
      timeout: 120_000,
    });
    const v = nodeVersion(nodePath);
    if (r.status === 0) return { nodePath, nodeVersion: v, entry, tried };
    tried.push(`${nodePath} (${v}): exit ${r.status}${r.signal ? ' ' + r.signal : ''}: ${(r.stderr || '').trim().split('\n').slice(-3).join(' | ')}`);
  }
  return { nodePath: null, nodeVersion: null, entry, tried };
}

/**
 * Offset of the last `"stats": { "successes"` in a file, scanned in chunks: promptfoo's JSON output
 * reaches hundreds of MB and its `results.stats` sits before the echoed config, not at the end.
 */
export function findStatsOffset(file) {
  const chunk = 4 * 1024 * 1024;
  const overlap = 256;
  const re = /"stats"\s*:\s*\{\s*"successes"/g;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const buf = Buffer.alloc(chunk + overlap);
    let found = -1;
    for (let pos = 0; pos < size; pos += chunk) {
      const start = Math.max(0, pos - overlap);
      const len = readSync(fd, buf, 0, Math.min(chunk + (pos - start), size - start), start);
      // latin1 keeps one char per byte, so match indices are byte offsets.
      const text = buf.toString('latin1', 0, len);
      re.lastIndex = 0;
      for (let m = re.exec(text); m; m = re.exec(text)) found = Math.max(found, start + m.index);
    }
    return found;
  } finally {
    closeSync(fd);
  }
}

function readAt(file, offset, bytes) {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const len = readSync(fd, buf, 0, bytes, offset);
    return buf.toString('utf8', 0, len);
  } finally {
    closeSync(fd);
  }
}

/** promptfoo's own numbers from a text that starts at (or contains) its `"stats"` block. */
export function parsePeerStats(text) {
  const at = text.indexOf('"stats"');
  if (at < 0) return null;
  const s = text.slice(at);
  const num = (key) => {
    const m = new RegExp(`"${key}"\\s*:\\s*(\\d+)`).exec(s);
    return m ? Number(m[1]) : null;
  };
  return { passed: num('successes'), failed: num('failures'), errored: num('errors'), durationMs: num('durationMs') };
}

/** Reads promptfoo's stats out of its JSON results file, or null. */
export function readPeerStats(resultsFile) {
  if (!existsSync(resultsFile)) return null;
  try {
    const at = findStatsOffset(resultsFile);
    return at < 0 ? null : parsePeerStats(readAt(resultsFile, at, 8192));
  } catch {
    return null;
  }
}

/**
 * One measured `promptfoo eval` over the inputs in `dir`.
 * @param {{ dir: string, configPath: string, concurrency: number, write: boolean, timeoutMs: number,
 *           node: { nodePath: string, entry: string } }} o
 */
export async function runPeer(o) {
  const home = join(o.dir, 'pf-home');
  mkdirSync(home, { recursive: true });
  const resultsFile = join(o.dir, 'out', 'results.json');
  const args = [
    o.node.entry, 'eval',
    '-c', o.configPath,
    '--no-cache', '--no-table', '--no-progress-bar', '--no-share',
    '-j', String(o.concurrency),
    '-o', resultsFile,
  ];
  if (!o.write) args.push('--no-write');
  const m = await runMeasured({
    command: o.node.nodePath,
    args,
    cwd: o.dir,
    env: peerEnv(home, dirname(o.node.nodePath)),
    timeoutMs: o.timeoutMs,
    logDir: o.dir,
  });
  const stats = readPeerStats(resultsFile);
  return {
    ...m,
    command: [o.node.nodePath, ...args].join(' '),
    passed: stats?.passed ?? null,
    toolDurationMs: stats?.durationMs ?? null,
    // Its results file plus its state dir (SQLite DB with WAL, logs).
    written: diskUsage([join(o.dir, 'out'), home]),
  };
}
