// `npm run bench:replay`: throughput of the replay's per-answer work, canonical form (RFC 8785 style,
// ignorePaths removed) plus sha256, on Toron answers of 50 KB and more, beside the floor: plain
// JSON.stringify + sha256 of the same parsed answer (no sorting, nothing removed). Prints a table and
// the ratio (ours / floor, in time per answer); writes bench/.out/replay.json.
//
// Answers, two kinds, built from real ones:
//   structure-heavy: real toron-2.5h / 2.5h-stability answers (__tests__/fixtures/reference) whose T1_RAW
//                    lists are grown (more models) until the answer is 50, 100 or 200 KB;
//   text-heavy:      reference-engine answers (2.5h-stability) to long prompts, which the engine echoes.
// Knobs: BENCH_REPS=5 (median reported)  BENCH_MIN_MS=200 (time per rep at least)
// A benchmark reports; it exits non-zero only when the canonical form is wrong (a self-check).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';
import { fmtFixed, fmtInt, fmtRatio, formatTable } from '../lib/table.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT_DIR = join(ROOT, 'bench/.out');

// The TypeScript sources, through tsx's loader (the bench measures the code as it is, not a stale dist/).
register();
const { canonicalJson, sha256Hex } = await import(join(ROOT, 'src/replay/canonical.ts'));
const { compileIgnorePaths } = await import(join(ROOT, 'src/replay/ignore-paths.ts'));
const { SHAPES } = await import(join(ROOT, 'src/engine/reference/shapes/index.ts'));
const { seededRandom } = await import(join(ROOT, 'src/util/seed.ts'));

const REPS = Number(process.env.BENCH_REPS ?? 5);
const MIN_MS = Number(process.env.BENCH_MIN_MS ?? 200);
const IGNORE = ['/random_witness', '/state_snapshot/RWL_RESULT/model', '/state_snapshot/T1_RAW/*/latency_ms', '/latency_ms'];

function log(line = '') {
  process.stdout.write(line + '\n');
}

function realAnswers() {
  const out = [];
  for (const f of ['toron-2.5h.jsonl', 'toron-2.5h-stability.jsonl']) {
    const text = readFileSync(join(ROOT, '__tests__/fixtures/reference', f), 'utf8');
    for (const line of text.trim().split('\n')) out.push(JSON.parse(line).response);
  }
  return out;
}

/** A real answer grown to at least `bytes` by adding T1 models (copies with other names and numbers). */
function grow(answer, bytes) {
  const a = structuredClone(answer);
  const lists = [a.state_snapshot?.T1_RAW, a.snapshot?.T1_RAW, a.state_snapshot?.NORMALIZED_SNAPSHOT?.T1_RAW].filter(Array.isArray);
  const seeds = lists.map((l) => l.slice());
  for (let k = 1; Buffer.byteLength(JSON.stringify(a)) < bytes; k++) {
    lists.forEach((l, i) => {
      for (const e of seeds[i]) l.push({ ...e, model: `${e.model}-${k}`, latency_ms: (e.latency_ms ?? 0) + k, tokens_used: (e.tokens_used ?? 0) + k });
    });
    if (lists.length === 0) a[`extra_${k}`] = structuredClone(answer);
  }
  return a;
}

function longPromptAnswer(i, words) {
  const vocabulary = 'the engine verifies every claim against sources before the judicial tier reviews contradictions and confidence'.split(' ');
  const rnd = seededRandom(1000 + i);
  const prompt = Array.from({ length: words }, () => vocabulary[rnd.int(0, vocabulary.length - 1)]).join(' ');
  return SHAPES['2.5h-stability'](prompt, seededRandom(i), {});
}

function corpus() {
  const real = realAnswers();
  const sets = [];
  for (const kb of [50, 100, 200]) {
    sets.push({ kind: 'structure-heavy', target: `${kb} KB`, answers: real.map((r) => grow(r, kb * 1024)) });
  }
  for (const [kb, words] of [[50, 5200], [100, 12500], [200, 27000]]) {
    sets.push({ kind: 'text-heavy', target: `${kb} KB`, answers: Array.from({ length: 16 }, (_, i) => longPromptAnswer(i, words)) });
  }
  return sets;
}

/** Median time per pass over `answers` of `fn`, in ms. */
function time(answers, fn) {
  let sink = 0;
  for (let w = 0; w < 2; w++) for (const a of answers) sink += fn(a).length;
  const reps = [];
  for (let r = 0; r < REPS; r++) {
    let passes = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < MIN_MS || passes === 0) {
      for (const a of answers) sink += fn(a).length;
      passes++;
      t = performance.now();
    }
    reps.push((t - t0) / passes);
  }
  reps.sort((x, y) => x - y);
  if (sink === 0) throw new Error('nothing was hashed');
  return reps[reps.length >> 1];
}

function selfCheck(sets, tree) {
  for (const { answers } of sets) {
    for (const a of answers) {
      const c = canonicalJson(a);
      if (JSON.stringify(JSON.parse(c)) !== JSON.stringify(JSON.parse(JSON.stringify(a))) && !sameValue(JSON.parse(c), a)) {
        throw new Error('canonical form changed a value');
      }
      const shuffled = reverseKeys(a);
      if (canonicalJson(shuffled) !== c) throw new Error('canonical form depends on member order');
      if (canonicalJson(a, tree).length >= c.length) throw new Error('ignorePaths removed nothing');
    }
  }
}

function reverseKeys(v) {
  if (Array.isArray(v)) return v.map(reverseKeys);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverseKeys(x)]));
  return v;
}

function sameValue(a, b) {
  return canonicalJson(a) === canonicalJson(b);
}

async function main() {
  mkdirSync(OUT_DIR, { recursive: true });
  log(`bench:replay  canonical form + sha256 vs JSON.stringify + sha256  reps ${REPS} (median), >= ${MIN_MS} ms each`);
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, load ${loadavg()[0].toFixed(2)}; Node ${process.version}`);
  const sets = corpus();
  const tree = compileIgnorePaths(IGNORE);
  selfCheck(sets, tree);

  const floor = (a) => createHash('sha256').update(JSON.stringify(a)).digest('hex');
  const ours = (a) => sha256Hex(canonicalJson(a));
  const oursIgnore = (a) => sha256Hex(canonicalJson(a, tree));

  const rows = [];
  const results = [];
  for (const s of sets) {
    const bytes = s.answers.reduce((n, a) => n + Buffer.byteLength(JSON.stringify(a)), 0);
    const n = s.answers.length;
    const tFloor = time(s.answers, floor);
    const tOurs = time(s.answers, ours);
    const tIgnore = time(s.answers, oursIgnore);
    const mbps = (ms) => bytes / 1e6 / (ms / 1000);
    const cps = (ms) => n / (ms / 1000);
    const r = {
      kind: s.kind,
      target: s.target,
      answers: n,
      meanKB: bytes / n / 1024,
      floor: { mbPerS: mbps(tFloor), casesPerS: cps(tFloor) },
      canonical: { mbPerS: mbps(tOurs), casesPerS: cps(tOurs) },
      canonicalIgnore: { mbPerS: mbps(tIgnore), casesPerS: cps(tIgnore) },
      ratio: tOurs / tFloor,
      ratioIgnore: tIgnore / tFloor,
    };
    results.push(r);
    rows.push({
      kind: `${r.kind} ${r.target}`,
      n: fmtInt(n),
      kb: fmtFixed(r.meanKB, 1),
      fMB: fmtFixed(r.floor.mbPerS, 0),
      fCps: fmtInt(r.floor.casesPerS),
      oMB: fmtFixed(r.canonical.mbPerS, 0),
      oCps: fmtInt(r.canonical.casesPerS),
      iMB: fmtFixed(r.canonicalIgnore.mbPerS, 0),
      ratio: fmtRatio(r.ratio),
      ratioI: fmtRatio(r.ratioIgnore),
    });
  }
  log('');
  log(
    formatTable(
      [
        { key: 'kind', title: 'answers', align: 'left' },
        { key: 'n', title: 'n' },
        { key: 'kb', title: 'mean KB' },
        { key: 'fMB', title: 'floor MB/s' },
        { key: 'fCps', title: 'floor cases/s' },
        { key: 'oMB', title: 'canon MB/s' },
        { key: 'oCps', title: 'canon cases/s' },
        { key: 'iMB', title: 'canon+ignore MB/s' },
        { key: 'ratio', title: 'time vs floor' },
        { key: 'ratioI', title: '+ignore vs floor' },
      ],
      rows,
    ),
  );
  const all = results.reduce((x, r) => x + r.ratio, 0) / results.length;
  log('');
  log(`floor: JSON.stringify(answer) + sha256 (keeps member order, removes nothing: not a canonical form).`);
  log(`canon: canonicalJson(answer) + sha256, keys sorted (RFC 8785 style); +ignore: with ${IGNORE.length} ignorePaths (one wildcard).`);
  log(`mean time ratio canonical / floor: ${fmtRatio(all)} (MB/s counted on the answer's JSON bytes)`);
  writeFileSync(join(OUT_DIR, 'replay.json'), JSON.stringify({ node: process.version, reps: REPS, ignorePaths: IGNORE, results }, null, 2) + '\n');
  log(`written: bench/.out/replay.json`);
}

main().catch((err) => {
  process.stderr.write(`bench:replay failed: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
