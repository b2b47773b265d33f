// `npm run bench:action`: the action as the runner starts it (node dist/index.js with INPUT_*,
// GITHUB_OUTPUT, GITHUB_STEP_SUMMARY), on a minimal run (reference engine, 3 SIM cases, no upload,
// no GitHub API). Reports the size of dist/ (the action's files, not dist/cli/), and the median time
// from process start to the first log line and to the end, next to a bare `node -e 0` start.
// Target: first line < 300 ms. Writes bench/.out/action.json.
//
// Knobs: BENCH_REPEAT=7 (runs per measure)  BENCH_KEEP=1 (keep the work folder)
import { spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmtFixed, fmtInt, formatTable } from '../lib/table.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = join(ROOT, 'dist');
const OUT_DIR = join(ROOT, 'bench/.out');
const REPEAT = Math.max(1, Number(process.env.BENCH_REPEAT) || 7);
const TARGET_FIRST_LINE_MS = 300;

function log(line = '') {
  process.stdout.write(line + '\n');
}

/** The action's files: dist/ without the CLI's own bundle. */
export function distSize(dir = DIST) {
  const files = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isFile()) files.push({ name, bytes: st.size });
  }
  const total = files.reduce((n, f) => n + f.bytes, 0);
  const entry = files.find((f) => f.name === 'index.js')?.bytes ?? 0;
  const chunks = files.filter((f) => /^\d+\.index\.js$/.test(f.name));
  return { total, entry, chunks: chunks.length, chunkBytes: chunks.reduce((n, f) => n + f.bytes, 0), files: files.length };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function project(dir) {
  mkdirSync(join(dir, 'sim'), { recursive: true });
  writeFileSync(join(dir, 'sim/sim_dataset.json'), JSON.stringify({ datasets: [{ name: 'mini', path: 'mini.json', enabled: true, tags: [] }] }));
  writeFileSync(
    join(dir, 'sim/mini.json'),
    JSON.stringify({
      name: 'mini',
      description: 'bench',
      seed: 1,
      defaults: { assert: [] },
      cases: ['a', 'b', 'c'].map((id) => ({ id, input: { prompt: `question ${id}` }, assert: [{ type: 'contains', value: 'question' }] })),
    }),
  );
}

/** One process: ms to its first stdout byte and to its exit. */
function timeProcess(argv, env, cwd) {
  return new Promise((resolvePromise, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, argv, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let first = null;
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => {
      if (first === null) first = performance.now() - t0;
      stdout += d;
    });
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ first, end: performance.now() - t0, code, stdout, stderr }));
  });
}

function actionEnv(work, i) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^(GITHUB_|ACTIONS_|INPUT_|RUNNER_)/.test(k)) env[k] = v;
  const files = { output: join(work, `output-${i}.txt`), summary: join(work, `summary-${i}.md`) };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  return {
    ...env,
    GITHUB_WORKSPACE: join(work, 'repo'),
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    INPUT_ENGINE: 'reference',
    INPUT_STAGES: 'sim',
    'INPUT_RUN-ID': `bench-${i}`,
    'INPUT_UPLOAD-ARTIFACT': 'false',
    'INPUT_JOB-SUMMARY': 'true',
    'INPUT_PR-COMMENT': 'off',
    INPUT_ANNOTATIONS: 'workflow-commands',
  };
}

async function main() {
  if (!existsSync(join(DIST, 'index.js'))) {
    log('dist/index.js is missing: run npm run build first');
    process.exitCode = 2;
    return;
  }
  mkdirSync(OUT_DIR, { recursive: true });
  const work = mkdtempSync(join(OUT_DIR, 'action-work-'));
  project(join(work, 'repo'));
  log(`bench:action  ${REPEAT} runs per measure  machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}; Node ${process.version}`);

  const size = distSize();
  const bare = [];
  const runs = [];
  for (let i = 0; i < REPEAT; i++) {
    bare.push((await timeProcess(['-e', 'process.stdout.write("x")'], process.env, work)).first);
    const r = await timeProcess([join(DIST, 'index.js')], actionEnv(work, i), join(work, 'repo'));
    if (r.code !== 0 || !/toron-testops PASS/.test(r.stdout)) {
      log(`run ${i + 1} did not PASS (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-2000)}`);
      process.exitCode = 1;
      return;
    }
    runs.push(r);
  }
  const first = median(runs.map((r) => r.first));
  const end = median(runs.map((r) => r.end));
  const bareFirst = median(bare);

  log('');
  log(
    formatTable(
      [
        { key: 'what', title: 'dist/ (action)', align: 'left' },
        { key: 'value', title: 'bytes' },
      ],
      [
        { what: 'index.js (loaded at start)', value: fmtInt(size.entry) },
        { what: `${size.chunks} chunks (loaded on demand)`, value: fmtInt(size.chunkBytes) },
        { what: `all ${size.files} files`, value: fmtInt(size.total) },
      ],
    ),
  );
  log('');
  log(
    formatTable(
      [
        { key: 'what', title: `median of ${REPEAT}`, align: 'left' },
        { key: 'ms', title: 'ms' },
      ],
      [
        { what: 'node -e (bare process start, first byte)', ms: fmtFixed(bareFirst, 0) },
        { what: 'action: first log line', ms: fmtFixed(first, 0) },
        { what: 'action: end of a minimal run (3 SIM cases, no upload)', ms: fmtFixed(end, 0) },
      ],
    ),
  );
  const ok = first < TARGET_FIRST_LINE_MS;
  log('');
  log(`target first line < ${TARGET_FIRST_LINE_MS} ms: ${ok ? 'met' : 'NOT met'} (${fmtFixed(first, 0)} ms; ${fmtFixed(first - bareFirst, 0)} ms over a bare node start)`);
  writeFileSync(
    join(OUT_DIR, 'action.json'),
    JSON.stringify({ repeat: REPEAT, load1: loadavg()[0], node: process.version, size, bareFirstMs: bareFirst, firstLineMs: first, endMs: end, runs: runs.map((r) => ({ first: r.first, end: r.end })), targetMet: ok }, null, 2),
  );
  if (!process.env.BENCH_KEEP) rmSync(work, { recursive: true, force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
