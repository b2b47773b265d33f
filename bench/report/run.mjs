// `npm run bench:report`: time and size of report.html (and summary.md) and of bundle.zip for runs of
// 1k, 10k and 100k SIM cases, and the bundle beside Info-ZIP's `zip -X` on the same files (time and
// size ratio). Prints a table per size; writes bench/.out/report.json.
//
// The run folders are built from the synthetic report of the tests (__tests__/report/fixtures), in the
// shapes the stages write: every 7th case failing with an expected-vs-actual diff, a WAR ROOM finding
// per failing or flaky case, sim_summary.json, run.log and warroom.log lines per failing case, and a
// snapshot with one ~1 KB answer per case.
// Knobs: BENCH_SIZES=1000,10k,100k  BENCH_REPS=3 (median reported)  BENCH_KEEP=1 (keep the folders)
// A benchmark reports; it exits non-zero only when a self-check fails (two builds of one bundle that
// differ, or an archive that unzip -t rejects).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { fmtFixed, fmtInt, fmtRatio, formatTable } from '../lib/table.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = join(ROOT, 'bench/.out');

// The TypeScript sources through tsx (the bench measures the code as it is, not a stale dist/).
register();
const { renderReportHtml } = await import(join(ROOT, 'src/report/html.ts'));
const { renderSummaryMarkdown } = await import(join(ROOT, 'src/report/summary-md.ts'));
const { buildBundle, bundleSources, bundledResultJson } = await import(join(ROOT, 'src/report/bundle.ts'));
const { syntheticReport } = await import(join(ROOT, '__tests__/report/fixtures/synthetic.ts'));

const SIZES = (process.env.BENCH_SIZES ?? '1000,10k,100k').split(',').map((s) => Number(s.trim().replace(/k$/i, '000')));
const REPS = Number(process.env.BENCH_REPS ?? 3);

function log(line = '') {
  process.stdout.write(line + '\n');
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function time(fn) {
  const t = process.hrtime.bigint();
  const value = fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

async function timeAsync(fn) {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - t) / 1e6, value };
}

/** A run folder as the runner leaves it: <out>/reports/<id>/* and <out>/snapshots/<id>.json. */
function writeRun(n) {
  const out = mkdtempSync(join(tmpdir(), `toron-bench-report-${n}-`));
  const runId = `bench-${n}`;
  const dir = join(out, 'reports', runId);
  mkdirSync(dir, { recursive: true });
  mkdirSync(join(out, 'snapshots'));
  const report = syntheticReport({ runId, cases: n });
  const compact = n > 5000; // as the runner: no indentation above 5000 cases
  const json = (v) => JSON.stringify(v, null, compact ? undefined : 2) + '\n';
  writeFileSync(join(dir, 'sim_summary.json'), json({ runId, ...report.stages.sim, warnings: [], registry: 'sim/sim_dataset.json' }));
  writeFileSync(join(dir, 'load_summary.json'), json(report.stages.load));
  writeFileSync(join(dir, 'replay_summary.json'), json(report.stages.replay));
  writeFileSync(join(dir, 'pipeline_summary.json'), json(report.stages.pipeline));
  writeFileSync(join(dir, 'report.json'), json(report));
  writeFileSync(join(dir, 'warroom.log'), report.warroom.map((f) => JSON.stringify(f) + '\n').join(''));
  writeFileSync(
    join(dir, 'run.log'),
    report.stages.sim.cases
      .filter((c) => !c.passed)
      .map((c) => `2026-01-02T03:04:05.000Z WARN  [sim] case ${c.dataset}/${c.id}#1 failed: ${c.failures[0]?.message ?? 'flaky'}\n`)
      .join(''),
  );
  writeFileSync(join(dir, 'result.json'), JSON.stringify({ schemaVersion: 1, runId, verdict: report.verdict, artifacts: report.artifacts, bundle: null }, null, 2) + '\n');
  const answers = report.stages.sim.cases.map((c, i) => ({
    id: c.id,
    dataset: c.dataset,
    seed: i * 2654435761 % 2 ** 32,
    answer: { final_answer: `Here is a clear, empathetic explanation of case ${i}. `.repeat(12), confidence_score: 58, opus_used: i % 5 === 0, tier_path: 'T1->T2->T3' },
  }));
  writeFileSync(join(out, 'snapshots', `${runId}.json`), JSON.stringify({ schemaVersion: 1, runId, cases: answers }) + '\n');
  return { out, dir, report };
}

/** The same entries as our bundle, under the same names, for `zip -X` (hard links; result.json as bundled). */
function stageForZip(dir, stage) {
  const names = [];
  for (const s of bundleSources(dir)) {
    const target = join(stage, s.name);
    mkdirSync(dirname(target), { recursive: true });
    if (s.name === 'result.json') writeFileSync(target, bundledResultJson(readFileSync(s.path)));
    else linkSync(s.path, target);
    names.push(s.name);
  }
  return names;
}

const sha256 = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

async function benchSize(n) {
  log(`\n== ${fmtInt(n)} cases  (load average ${loadavg()[0].toFixed(2)})`);
  const t0 = time(() => writeRun(n));
  const { out, dir, report } = t0.value;
  log(`   run folder written in ${fmtFixed(t0.ms / 1000, 1)} s`);

  const htmlRuns = [];
  let html = '';
  for (let i = 0; i < REPS; i++) {
    const r = time(() => renderReportHtml(report));
    htmlRuns.push(r.ms);
    html = r.value;
  }
  writeFileSync(join(dir, 'report.html'), html);
  const mdRuns = [];
  let md = '';
  for (let i = 0; i < REPS; i++) {
    const r = time(() => renderSummaryMarkdown(report).markdown);
    mdRuns.push(r.ms);
    md = r.value;
  }
  writeFileSync(join(dir, 'summary.md'), md);

  const oursRuns = [];
  let first = null;
  for (let i = 0; i < REPS; i++) {
    const r = await timeAsync(() => buildBundle(dir, { env: {}, out: join(out, `ours-${i}.zip`) }));
    oursRuns.push(r.ms);
    if (first && r.value.sha256 !== first.sha256) throw new Error(`self-check: two builds of the ${n}-case bundle differ (${first.sha256} vs ${r.value.sha256})`);
    first ??= r.value;
  }
  const unzipT = spawnSync('unzip', ['-tq', first.file], { encoding: 'utf8' });
  if (unzipT.status !== 0) throw new Error(`self-check: unzip -t rejects the ${n}-case bundle: ${unzipT.stdout}${unzipT.stderr}`);

  const stage = join(out, 'zip-stage');
  const names = stageForZip(dir, stage);
  const zipRuns = [];
  let zipBytes = null;
  let zipNote = '';
  const hasZip = spawnSync('zip', ['-v'], { encoding: 'utf8' }).status === 0;
  if (hasZip) {
    for (let i = 0; i < REPS; i++) {
      const target = join(out, `infozip-${i}.zip`);
      const r = time(() => execFileSync('zip', ['-X', '-q', '-6', target, ...names], { cwd: stage }));
      zipRuns.push(r.ms);
      zipBytes = statSync(target).size;
    }
  } else zipNote = 'Info-ZIP zip is not installed: no comparison';

  const inputBytes = names.reduce((sum, name) => sum + statSync(join(stage, name)).size, 0);
  const row = {
    cases: n,
    reportJsonBytes: statSync(join(dir, 'report.json')).size,
    htmlMs: median(htmlRuns),
    htmlBytes: Buffer.byteLength(html),
    summaryMs: median(mdRuns),
    summaryBytes: Buffer.byteLength(md),
    inputBytes,
    entries: names.length,
    bundleMs: median(oursRuns),
    bundleBytes: first.bytes,
    bundleSha256: first.sha256,
    zipMs: zipRuns.length ? median(zipRuns) : null,
    zipBytes,
    timeRatio: zipRuns.length ? median(oursRuns) / median(zipRuns) : null,
    sizeRatio: zipBytes ? first.bytes / zipBytes : null,
    note: zipNote,
  };
  if (sha256(first.file) !== first.sha256) throw new Error('self-check: the recorded sha256 is not the file\'s');
  if (!process.env.BENCH_KEEP) rmSync(out, { recursive: true, force: true });
  else log(`   kept ${out}`);
  return row;
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  log(`bench:report  sizes ${SIZES.map(fmtInt).join(', ')}  reps ${REPS} (median)`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB; Node ${process.version}`);
  const zipVersion = spawnSync('zip', ['-v'], { encoding: 'utf8' }).stdout?.split('\n').find((l) => /This is Zip/.test(l))?.trim() ?? 'not installed';
  log(`peer: ${zipVersion} (zip -X -q -6: no extra fields, same deflate level as ours)`);
  const rows = [];
  for (const n of SIZES) rows.push(await benchSize(n));
  log('');
  log(
    formatTable(
      [
        { key: 'cases', title: 'cases' },
        { key: 'report', title: 'report.json' },
        { key: 'html', title: 'report.html' },
        { key: 'htmlMs', title: 'html ms' },
        { key: 'summary', title: 'summary.md' },
        { key: 'summaryMs', title: 'md ms' },
        { key: 'input', title: 'bundle input' },
        { key: 'bundle', title: 'bundle.zip' },
        { key: 'bundleMs', title: 'bundle ms' },
        { key: 'zip', title: 'zip -X' },
        { key: 'zipMs', title: 'zip -X ms' },
        { key: 'timeRatio', title: 'time ours/zip' },
        { key: 'sizeRatio', title: 'size ours/zip' },
      ],
      rows.map((r) => ({
        cases: fmtInt(r.cases),
        report: mib(r.reportJsonBytes),
        html: mib(r.htmlBytes),
        htmlMs: fmtInt(r.htmlMs),
        summary: mib(r.summaryBytes),
        summaryMs: fmtInt(r.summaryMs),
        input: mib(r.inputBytes),
        bundle: mib(r.bundleBytes),
        bundleMs: fmtInt(r.bundleMs),
        zip: r.zipBytes ? mib(r.zipBytes) : '-',
        zipMs: fmtInt(r.zipMs),
        timeRatio: fmtRatio(r.timeRatio),
        sizeRatio: r.sizeRatio ? fmtFixed(r.sizeRatio, 3) : '-',
        note: r.note || undefined,
      })),
    ),
  );
  log('');
  log('Notes: times are medians of in-process calls (html: view model + nunjucks; bundle: archiver, zlib level 6, streamed from disk, sha256 on the fly);');
  log('zip -X is a whole process (its start-up is in its time). Sizes in MiB. Every bundle was built twice with identical bytes and passed unzip -t.');
  writeFileSync(join(OUT_DIR, 'report.json'), JSON.stringify({ when: new Date().toISOString(), node: process.version, zip: zipVersion, rows }, null, 2) + '\n');
  log(`written: ${join('bench/.out', 'report.json')}`);
}

function mib(bytes) {
  return bytes >= 1024 * 1024 ? `${fmtFixed(bytes / 1024 / 1024, 1)} MiB` : `${fmtFixed(bytes / 1024, 1)} KiB`;
}

main().catch((err) => {
  process.stderr.write(`bench:report failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
