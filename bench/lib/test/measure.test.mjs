// node --test bench/  (real child processes; no mocks)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mergePeaks, parseStatPgrp, parseVmHwmKb, readVmHwmKb, runMeasured } from '../measure.mjs';

const withDir = async (fn) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-measure-'));
  try {
    return await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

test('parseStatPgrp reads the group after a command name holding spaces and parentheses', () => {
  assert.equal(parseStatPgrp('4242 (we (ird) name) S 1 4240 4240 0 -1 4194560'), 4240);
  assert.equal(parseStatPgrp('garbage'), null);
});

test('parseVmHwmKb reads VmHWM and readVmHwmKb sees this process', () => {
  assert.equal(parseVmHwmKb('Name:\tnode\nVmPeak:\t 999 kB\nVmHWM:\t   12345 kB\nVmRSS:\t 1 kB\n'), 12345);
  assert.equal(parseVmHwmKb('Name:\tnode\n'), null);
  assert.ok(readVmHwmKb(process.pid) > 10_000);
  assert.equal(readVmHwmKb(2 ** 30), null);
});

test('mergePeaks keeps the larger reading per pid and sums a tree', () => {
  const polled = new Map([[1, 500], [2, 300], [3, 50]]);
  const m = mergePeaks([{ pid: 1, maxRssKb: 800, script: 'a.js' }, { pid: 2, maxRssKb: 100 }], polled);
  assert.deepEqual(m.processes.map((p) => [p.pid, p.peakKb, p.source]), [[1, 800, 'getrusage'], [2, 300, 'proc-poll'], [3, 50, 'proc-poll']]);
  assert.deepEqual([m.processes[1].rusageKb, m.processes[1].polledKb, m.processes[2].rusageKb], [100, 300, null]);
  assert.equal(m.treePeakKb, 1150);
  assert.equal(m.upperBound, true);
  assert.equal(mergePeaks([], new Map()).treePeakKb, null);
});

test('a Node child that touches 200 MB reports a peak above it through the preload', () =>
  withDir(async (dir) => {
    const r = await runMeasured({
      command: process.execPath,
      args: ['-e', 'const b = Buffer.alloc(200 * 1024 * 1024, 1); console.log(b[123])'],
      cwd: dir,
      timeoutMs: 30_000,
      logDir: dir,
    });
    assert.equal(r.exitCode, 0);
    assert.equal(r.timedOut, false);
    assert.equal(r.processes.length, 1);
    // The preload reported (the poller may also have seen it, a hair higher or lower).
    assert.ok(r.processes[0].rusageKb > 200 * 1024, `rusage ${r.processes[0].rusageKb} kB`);
    assert.equal(r.processes[0].node, process.version);
    assert.ok(r.peakRssKb > 200 * 1024, `peak ${r.peakRssKb} kB`);
    assert.ok(r.peakRssKb < 600 * 1024, `peak ${r.peakRssKb} kB`);
    assert.ok(r.wallMs > 0);
  }));

test('a hanging child is killed at the timeout and its peak comes from polling', () =>
  withDir(async (dir) => {
    const r = await runMeasured({
      command: process.execPath,
      args: ['-e', 'globalThis.k = Buffer.alloc(64 * 1024 * 1024, 1); setInterval(() => {}, 1000)'],
      cwd: dir,
      timeoutMs: 1500,
      logDir: dir,
      pollMs: 50,
    });
    assert.equal(r.timedOut, true);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(r.wallMs < 10_000);
    assert.equal(r.processes[0].source, 'proc-poll');
    assert.equal(r.processes[0].rusageKb, null);
    assert.ok(r.peakRssKb > 64 * 1024, `peak ${r.peakRssKb} kB`);
  }));

test('a tree of two Node processes is summed and flagged as an upper bound', () =>
  withDir(async (dir) => {
    const inner = "const b = Buffer.alloc(80 * 1024 * 1024, 1); console.log(b[1])";
    const outer = `require('node:child_process').execFileSync(process.execPath, ['-e', ${JSON.stringify(inner)}], { stdio: 'inherit' })`;
    const r = await runMeasured({ command: process.execPath, args: ['-e', outer], cwd: dir, timeoutMs: 30_000, logDir: dir });
    assert.equal(r.exitCode, 0);
    assert.equal(r.processes.length, 2);
    assert.equal(r.peakIsUpperBound, true);
    assert.ok(r.peakRssKb > 80 * 1024 + 20 * 1024, `peak ${r.peakRssKb} kB`);
  }));

test('a command that does not exist is a spawn error, not a throw', () =>
  withDir(async (dir) => {
    const r = await runMeasured({ command: join(dir, 'no-such-binary'), args: [], cwd: dir, timeoutMs: 5000, logDir: dir });
    assert.match(r.spawnError, /ENOENT/);
    assert.equal(r.exitCode, null);
  }));

test('diskUsage counts files and bytes recursively', () =>
  withDir(async (dir) => {
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(dir, 'a/b'), { recursive: true });
    writeFileSync(join(dir, 'a/x.txt'), 'hello');
    writeFileSync(join(dir, 'a/b/y.txt'), '123');
    const { diskUsage } = await import('../measure.mjs');
    assert.deepEqual(diskUsage([join(dir, 'a'), join(dir, 'missing')]), { files: 2, bytes: 8 });
  }));

test('excerptFile keeps the start and the end of a long file', () =>
  withDir(async (dir) => {
    const { writeFileSync } = await import('node:fs');
    const { excerptFile } = await import('../measure.mjs');
    const file = join(dir, 'err.txt');
    writeFileSync(file, 'FATAL first line\n' + 'x'.repeat(5000) + '\nlast line');
    const e = excerptFile(file, 100, 100);
    assert.ok(e.startsWith('FATAL first line'));
    assert.ok(e.endsWith('last line'));
    assert.ok(e.includes('[...]'));
    assert.ok(e.length < 250);
    writeFileSync(file, 'short');
    assert.equal(excerptFile(file), 'short');
    assert.equal(excerptFile(join(dir, 'none')), '');
  }));
