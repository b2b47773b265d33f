// `npm run bench:sim`: harness overhead of toron-testops (reference engine, in-process, zero
// latency) against promptfoo's `eval` (echo provider), both as whole CLI processes on the same
// generated cases. Prints a table per size and the targets; writes bench/.out/sim.json.
//
// Knobs: BENCH_SIZES=1000,10k,100k  BENCH_CONCURRENCY=8  BENCH_TIMEOUT_S=600 (per run)
//        BENCH_REPEAT=1 (median run reported)  BENCH_PEER=all|none|write|no-write  BENCH_KEEP=1
// A benchmark reports; it exits non-zero only when a tool crashed or judged cases wrongly.
import { cpus, loadavg, totalmem } from 'node:os';
import { mkdirSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { excerptFile } from '../lib/measure.mjs';
import { fmtFixed, fmtInt, fmtRatio, formatTable } from '../lib/table.mjs';
import { generateCases, writeOursInputs, writePeerInputs } from './cases.mjs';
import { CLI_PATH, cliBuilt, runOurs } from './ours.mjs';
import { PROMPTFOO_VERSION, choosePeerNode, ensurePromptfoo, runPeer } from './peer-promptfoo.mjs';
import { classify, evaluateTargets, metrics, pickRepresentative, ratio, readOptions } from './summary.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = join(ROOT, 'bench/.out');
const WORK_DIR = join(OUT_DIR, 'sim-work');

const PEER_LABEL = { write: `promptfoo ${PROMPTFOO_VERSION}`, 'no-write': `promptfoo ${PROMPTFOO_VERSION} --no-write` };

const CAVEATS = [
  'Both tools run as whole CLI processes: wall time includes process start and module loading; "in-tool" rates use each tool\'s own reported duration (our report.json durationMs, promptfoo\'s results.stats.durationMs).',
  'Node\'s compile cache: our CLI turns it on (module.enableCompileCache, in the temporary folder), so a start after the first of a build compiles about 25 ms less; promptfoo\'s CLI does not turn it on, and the bench sets NODE_COMPILE_CACHE for neither.',
  'Same cases, same concurrency (our sim.concurrency = promptfoo -j), inputs read from JSON files by both.',
  'promptfoo\'s echo provider returns the prompt string; our reference engine builds a full Toron-shaped response per case, so our per-case work is larger.',
  'promptfoo runs with --no-cache (we have no response cache), --no-table and --no-progress-bar (console output only; it skips the table above 500 tests anyway), --no-share, telemetry and update checks off (network); its state dir (SQLite DB, logs) is fresh per run.',
  'Results written (the "written" column: bytes and files each run left on disk): ours writes its run outputs under --out; promptfoo writes its SQLite DB and a JSON results file (-o). The "--no-write" row skips promptfoo\'s DB (it still writes the JSON file): the peer doing less, shown as its best case.',
  'Wall times are as busy as the machine was: the 1-min load average is printed per size; a load near or above the cpu count means other work shared the cpus.',
  'Each run starts on a quiet disk, for both tools: sync(1) before the timer starts writes back what generating its inputs and earlier runs left dirty, and a run\'s folder is deleted once measured. A run\'s own writes are in its time.',
  'Peak RSS: kernel high-water mark (getrusage ru_maxrss) of each Node process of the tree, written at exit by a --import preload; /proc VmHWM polling fills in for processes killed before exit. Several processes: their peaks are summed (an upper bound).',
];

function log(line = '') {
  process.stdout.write(line + '\n');
}

async function measureRepeated(times, once) {
  const runs = [];
  for (let i = 0; i < times; i++) {
    const r = await once(i);
    runs.push(r);
    if (r.status !== 'ok') break;
  }
  return pickRepresentative(runs);
}

function finish(run, n, timeoutMs) {
  const c = classify({ ...run, timeoutMs }, n);
  // Keep the start and end of stderr of a run that went wrong (its work dir is kept as well).
  const stderrTail = c.status === 'crashed' || c.status === 'wrong' ? excerptFile(run.stderrFile).trim() : '';
  return { ...run, ...c, stderrTail };
}

/**
 * A measured run's folder is deleted once its numbers are read (kept with BENCH_KEEP=1, or when the
 * run went wrong): the next run then starts as on a fresh machine, not with this one's files waiting
 * to be written back (measure.mjs syncs before each run as well).
 */
function done(dir, run, opts) {
  if (!opts.keep && run.status === 'ok') rmSync(dir, { recursive: true, force: true });
  return run;
}

async function main() {
  const opts = readOptions(process.env);
  mkdirSync(OUT_DIR, { recursive: true });
  log(`bench:sim  sizes ${opts.sizes.map((n) => fmtInt(n)).join(', ')}  concurrency ${opts.concurrency}  timeout ${opts.timeoutMs / 1000} s/run  repeat ${opts.repeat}`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; bench on Node ${process.version}`);

  const cli = cliBuilt();
  const ours = { built: cli.ok, node: process.version, why: cli.why };
  log(ours.built ? `toron-testops: ${CLI_PATH} on Node ${ours.node}` : `toron-testops: CLI not built yet (${cli.why})`);

  const peer = { variants: opts.peerVariants, ok: false, version: null, node: null, reason: null };
  if (opts.peerVariants.length) {
    const inst = await ensurePromptfoo(log);
    if (!inst.ok) {
      peer.reason = `promptfoo could not be installed: ${inst.error}`;
    } else {
      peer.version = inst.version;
      const probeHome = join(WORK_DIR, 'probe-home');
      mkdirSync(probeHome, { recursive: true });
      const choice = choosePeerNode(probeHome);
      rmSync(probeHome, { recursive: true, force: true });
      if (!choice.nodePath) {
        peer.reason = `promptfoo does not start on any Node here: ${choice.tried.join('; ')}`;
      } else {
        Object.assign(peer, { ok: true, node: choice.nodeVersion, nodePath: choice.nodePath, entry: choice.entry });
        if (choice.tried.length) log(`promptfoo fell back to ${choice.nodePath}: ${choice.tried.join('; ')}`);
      }
    }
    log(peer.ok ? `peer: promptfoo ${peer.version} on Node ${peer.node} (${peer.nodePath})` : `peer: ${peer.reason}`);
  }
  log();

  const results = [];
  let failed = false;
  for (const n of opts.sizes) {
    const sizeDir = join(WORK_DIR, String(n));
    rmSync(sizeDir, { recursive: true, force: true });
    let cases = generateCases(n);
    const rows = [];
    // Other work on this machine skews every number; record how busy it was.
    const loadBefore = loadavg()[0];

    if (!ours.built) {
      rows.push({ key: 'ours', label: 'toron-testops', node: ours.node, status: 'not-built', note: `toron-testops CLI not built yet (${ours.why})` });
    } else {
      log(`  ${fmtInt(n)} cases: toron-testops ...`);
      const r = await measureRepeated(opts.repeat, async (i) => {
        const dir = join(sizeDir, `ours-${i}`);
        const configPath = writeOursInputs(dir, cases, opts.concurrency);
        return done(dir, finish(await runOurs({ dir, configPath, runId: `bench-${n}`, timeoutMs: opts.timeoutMs }), n, opts.timeoutMs), opts);
      });
      rows.push({ key: 'ours', label: 'toron-testops', node: ours.node, ...r });
    }

    for (const variant of opts.peerVariants) {
      const key = `peer-${variant}`;
      const label = PEER_LABEL[variant];
      if (!peer.ok) {
        rows.push({ key, label, node: '-', status: 'unavailable', note: peer.reason });
        continue;
      }
      log(`  ${fmtInt(n)} cases: ${label} ...`);
      const r = await measureRepeated(opts.repeat, async (i) => {
        const dir = join(sizeDir, `${key}-${i}`);
        const configPath = writePeerInputs(dir, cases);
        const run = await runPeer({ dir, configPath, concurrency: opts.concurrency, write: variant === 'write', timeoutMs: opts.timeoutMs, node: peer });
        return done(dir, finish(run, n, opts.timeoutMs), opts);
      });
      rows.push({ key, label, node: peer.node, ...r });
    }
    cases = null;

    const ourRow = rows.find((r) => r.key === 'ours');
    for (const row of rows) row.metrics = metrics(row, n);
    for (const row of rows) if (row.key !== 'ours') row.ratio = ratio(ourRow?.metrics, row.metrics);
    for (const row of rows) if (row.status === 'crashed' || row.status === 'wrong') failed = true;

    const load = { before: loadBefore, after: loadavg()[0] };
    printSize(n, opts.concurrency, rows, load);
    results.push({ size: n, rows, load });
    const broken = rows.some((r) => r.status === 'crashed' || r.status === 'wrong');
    if (broken) log(`  inputs and outputs of this size kept for inspection: ${sizeDir}`);
    if (!opts.keep && !broken) rmSync(sizeDir, { recursive: true, force: true });
  }
  try {
    rmdirSync(WORK_DIR); // only when empty: kept runs stay
  } catch {
    // not empty, or already gone
  }

  const targets = evaluateTargets(results);
  log('targets (toron-testops at 100,000 cases):');
  log(formatTable(
    [{ key: 'name', title: 'target', align: 'left' }, { key: 'status', title: 'status', align: 'left' }, { key: 'detail', title: 'measured', align: 'left' }],
    targets,
  ));
  log();
  log('fairness notes:');
  for (const c of CAVEATS) log(`  - ${c}`);

  const jsonFile = join(OUT_DIR, 'sim.json');
  writeFileSync(jsonFile, JSON.stringify(toJson(opts, ours, peer, results, targets), null, 2) + '\n');
  log();
  log(`results: ${jsonFile}`);
  if (failed) {
    log('a tool crashed or judged cases wrongly (see notes above): exit 1');
    process.exitCode = 1;
  }
}

function printSize(n, concurrency, rows, load) {
  log();
  log(`== ${fmtInt(n)} cases, concurrency ${concurrency} (1-min load average ${load.before.toFixed(1)} before, ${load.after.toFixed(1)} after, on ${cpus().length} cpus) ==`);
  const table = rows.map((r) => {
    const m = r.metrics;
    const measured = m.casesPerSec !== null;
    const status = r.status === 'ok' ? 'ok' : r.status;
    const notes = [r.note, r.peakIsUpperBound ? `peak RSS summed over ${r.processes.length} processes` : ''].filter(Boolean);
    return {
      tool: r.label,
      node: r.node,
      status,
      wall: measured ? fmtFixed(r.wallMs / 1000, 2) : '-',
      rate: measured ? `${m.bound ? m.bound + ' ' : ''}${fmtInt(m.casesPerSec)}` : '-',
      us: measured ? `${m.bound === '<' ? '> ' : ''}${fmtFixed(m.usPerCase, 1)}` : '-',
      toolRate: fmtInt(m.toolCasesPerSec),
      rss: fmtFixed(m.peakMB, 1),
      written: r.written ? `${fmtFixed(r.written.bytes / 1e6, 1)} (${fmtInt(r.written.files)})` : '-',
      passed: r.passed !== undefined && r.passed !== null ? `${fmtInt(r.passed)}/${fmtInt(n)}` : '-',
      ratio: r.key === 'ours' ? '' : fmtRatio(r.ratio?.value, r.ratio?.bound),
      note: notes.join('; '),
    };
  });
  log(formatTable(
    [
      { key: 'tool', title: 'tool', align: 'left' },
      { key: 'node', title: 'node', align: 'left' },
      { key: 'status', title: 'status', align: 'left' },
      { key: 'wall', title: 'wall s' },
      { key: 'rate', title: 'cases/s' },
      { key: 'us', title: 'µs/case' },
      { key: 'toolRate', title: 'in-tool cases/s' },
      { key: 'rss', title: 'peak RSS MB' },
      { key: 'written', title: 'written MB (files)' },
      { key: 'passed', title: 'passed' },
      { key: 'ratio', title: 'ours/peer cases/s' },
    ],
    table,
  ));
  for (const r of rows) {
    if (!r.stderrTail) continue;
    log(`  ${r.label} stderr (start and end):`);
    const lines = r.stderrTail.split('\n').filter((l) => l.trim());
    const shown = lines.length > 20 ? [...lines.slice(0, 8), '[...]', ...lines.slice(-10)] : lines;
    for (const line of shown) log(`    ${line}`);
  }
  log();
}

function toJson(opts, ours, peer, results, targets) {
  return {
    bench: 'sim',
    generatedAt: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemBytes: totalmem(), platform: process.platform },
    options: { sizes: opts.sizes, concurrency: opts.concurrency, timeoutMs: opts.timeoutMs, repeat: opts.repeat, peerVariants: opts.peerVariants },
    tools: {
      ours: { name: 'toron-testops', built: ours.built, notBuiltReason: ours.why || null, node: ours.node },
      peer: { name: 'promptfoo', version: peer.version, node: peer.node, available: peer.ok, reason: peer.reason },
    },
    sizes: results.map(({ size, rows, load }) => ({
      size,
      loadAverage1m: load,
      rows: rows.map((r) => ({
        key: r.key,
        tool: r.label,
        node: r.node,
        status: r.status,
        note: r.note || null,
        wallMs: r.wallMs ?? null,
        toolDurationMs: r.toolDurationMs ?? null,
        casesPerSec: r.metrics.casesPerSec,
        casesPerSecBound: r.metrics.bound || null,
        usPerCase: r.metrics.usPerCase,
        inToolCasesPerSec: r.metrics.toolCasesPerSec,
        peakRssMB: r.metrics.peakMB,
        peakRssIsUpperBound: r.peakIsUpperBound ?? null,
        processes: r.processes ?? [],
        passed: r.passed ?? null,
        written: r.written ?? null,
        exitCode: r.exitCode ?? null,
        stderrTail: r.stderrTail || null,
        signal: r.signal ?? null,
        runs: r.runs ?? null,
        ratioOursOverPeer: r.ratio ? { value: r.ratio.value, bound: r.ratio.bound || null } : null,
        command: r.command ?? null,
      })),
    })),
    targets,
    caveats: CAVEATS,
  };
}

main().catch((err) => {
  process.stderr.write(`bench:sim failed: ${err?.stack ?? err}\n`);
  process.exitCode = 2;
});
