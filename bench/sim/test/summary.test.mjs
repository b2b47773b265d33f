import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCases, wordOf, writeOursInputs, writePeerInputs } from '../cases.mjs';
import { parsePeerStats, readPeerStats } from '../peer-promptfoo.mjs';
import { classify, evaluateTargets, metrics, pickRepresentative, ratio, readOptions } from '../summary.mjs';

test('readOptions: defaults, k suffixes, and clear errors', () => {
  const d = readOptions({});
  assert.deepEqual(d.sizes, [1000, 10000, 100000]);
  assert.equal(d.concurrency, 8);
  assert.equal(d.timeoutMs, 600_000);
  assert.deepEqual(d.peerVariants, ['write', 'no-write']);
  assert.deepEqual(readOptions({ BENCH_SIZES: '1k, 250' }).sizes, [1000, 250]);
  assert.deepEqual(readOptions({ BENCH_PEER: 'none' }).peerVariants, []);
  assert.throws(() => readOptions({ BENCH_SIZES: '10,abc' }), /BENCH_SIZES/);
  assert.throws(() => readOptions({ BENCH_TIMEOUT_S: '0' }), /BENCH_TIMEOUT_S/);
  assert.throws(() => readOptions({ BENCH_PEER: 'fast' }), /BENCH_PEER/);
});

test('generated cases: unique words, each inside its own prompt', () => {
  const cases = generateCases(300);
  assert.equal(cases[17].prompt, `case 17: the quick brown fox ${wordOf(17)}`);
  // A word must sit in its own prompt and in no other, or a mixed-up answer could still pass.
  for (const c of cases) {
    const holders = cases.filter((o) => o.prompt.includes(c.word));
    assert.deepEqual(holders.map((o) => o.id), [c.id]);
  }
});

test('input files: our config -> registry -> dataset, and promptfoo config + tests', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-cases-'));
  try {
    const cases = generateCases(3);
    const cfg = JSON.parse(readFileSync(writeOursInputs(join(dir, 'o'), cases, 8), 'utf8'));
    assert.equal(cfg.sim.concurrency, 8);
    const reg = JSON.parse(readFileSync(cfg.sim.registry, 'utf8'));
    assert.deepEqual(reg.datasets[0], { name: 'bench', path: 'bench.json', enabled: true, tags: [] });
    const ds = JSON.parse(readFileSync(join(dir, 'o/sim/bench.json'), 'utf8'));
    assert.deepEqual(ds.cases[2], { id: 'c2', input: { prompt: cases[2].prompt }, assert: [{ type: 'contains', value: cases[2].word }] });
    const yaml = readFileSync(writePeerInputs(join(dir, 'p'), cases), 'utf8');
    assert.match(yaml, /providers:\n {2}- echo/);
    assert.match(yaml, /tests: file:\/\/tests\.json/);
    const tests = JSON.parse(readFileSync(join(dir, 'p/tests.json'), 'utf8'));
    assert.deepEqual(tests[1], { vars: { prompt: cases[1].prompt }, assert: [{ type: 'contains', value: cases[1].word }] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('promptfoo stats are found mid-file, before the echoed config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-pf-'));
  try {
    const doc = {
      evalId: 'x',
      results: { results: [{ stats: 'decoy' }], stats: { successes: 7, failures: 1, errors: 2, tokenUsage: { total: 0 }, durationMs: 4321 } },
      config: { tests: Array.from({ length: 3000 }, (_, i) => ({ vars: { prompt: `p${i}`.repeat(300) } })) },
    };
    const file = join(dir, 'results.json');
    writeFileSync(file, JSON.stringify(doc, null, 2));
    assert.deepEqual(readPeerStats(file), { passed: 7, failed: 1, errored: 2, durationMs: 4321 });
    assert.equal(readPeerStats(join(dir, 'missing.json')), null);
    assert.equal(parsePeerStats('{"nothing": 1}'), null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('classify: ok, wrong, crashed, timeout', () => {
  const base = { exitCode: 0, signal: null, spawnError: null, timedOut: false, passed: 10, timeoutMs: 1000 };
  assert.equal(classify(base, 10).status, 'ok');
  assert.equal(classify({ ...base, passed: null }, 10).note, 'pass count not reported');
  assert.equal(classify({ ...base, passed: 9, exitCode: 1 }, 10).status, 'wrong');
  assert.equal(classify({ ...base, exitCode: 2, passed: null }, 10).status, 'crashed');
  assert.equal(classify({ ...base, signal: 'SIGSEGV', exitCode: null }, 10).status, 'crashed');
  assert.equal(classify({ ...base, timedOut: true, signal: 'SIGKILL' }, 10).status, 'timeout');
  assert.equal(classify({ ...base, spawnError: 'ENOENT' }, 10).status, 'crashed');
});

test('metrics and ratios, with bounds from timeouts', () => {
  const ours = metrics({ status: 'ok', wallMs: 2000, toolDurationMs: 1000, peakRssKb: 100_000 }, 100_000);
  assert.equal(ours.casesPerSec, 50_000);
  assert.equal(ours.usPerCase, 20);
  assert.equal(ours.toolCasesPerSec, 100_000);
  assert.equal(ours.peakMB, 102.4);
  const peer = metrics({ status: 'ok', wallMs: 100_000 }, 100_000);
  assert.deepEqual(ratio(ours, peer), { value: 50, bound: '' });
  const slow = metrics({ status: 'timeout', wallMs: 600_000 }, 100_000);
  assert.equal(slow.bound, '<');
  const r = ratio(ours, slow);
  assert.equal(r.bound, '>');
  assert.equal(Math.round(r.value), 300);
  assert.deepEqual(ratio(ours, metrics({ status: 'crashed' }, 10)), { value: null, bound: '' });
});

test('pickRepresentative: median run, peak over all runs, failures win', () => {
  const runs = [{ status: 'ok', wallMs: 30, peakRssKb: 5 }, { status: 'ok', wallMs: 10, peakRssKb: 9 }, { status: 'ok', wallMs: 20, peakRssKb: 1 }];
  const p = pickRepresentative(runs);
  assert.equal(p.wallMs, 20);
  assert.equal(p.peakRssKb, 9);
  assert.equal(pickRepresentative([...runs, { status: 'crashed', wallMs: 1 }]).status, 'crashed');
});

test('evaluateTargets at 100k', () => {
  const row = (key, status, m, r) => ({ key, label: key, status, metrics: m, ratio: r });
  const good = row('ours', 'ok', { casesPerSec: 25_000, peakMB: 300 });
  const peerFast = row('peer-a', 'ok', {}, { value: 40, bound: '' });
  const peerTimeout = row('peer-b', 'timeout', {}, { value: 100, bound: '>' });
  let t = evaluateTargets([{ size: 100_000, rows: [good, peerFast, peerTimeout] }]);
  assert.deepEqual(t.map((x) => x.status), ['met', 'met', 'met']);
  t = evaluateTargets([{ size: 100_000, rows: [row('ours', 'ok', { casesPerSec: 19_999, peakMB: 500 }), row('peer', 'ok', {}, { value: 0.8, bound: '' })] }]);
  assert.deepEqual(t.map((x) => x.status), ['NOT MET', 'NOT MET', 'NOT MET']);
  t = evaluateTargets([{ size: 1000, rows: [good] }]);
  assert.ok(t.every((x) => x.status === 'not measured'));
  t = evaluateTargets([{ size: 100_000, rows: [row('ours', 'not-built', {})] }]);
  assert.ok(t.every((x) => x.status === 'not measured' && /not built/.test(x.detail)));
});
