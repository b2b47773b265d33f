import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createCommandAdapter, type CommandAdapter, type CommandAdapterOptions } from '../../src/engine/command.js';
import type { EngineRequest, EngineResult } from '../../src/engine/types.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/engines/${name}`, import.meta.url));

const open: CommandAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

function engine(argv: string[], extra: Partial<CommandAdapterOptions> = {}) {
  const logs: { level: string; message: string }[] = [];
  const adapter = createCommandAdapter({
    argv,
    timeoutMs: 5_000,
    maxResponseBytes: 64 * 1024,
    log: (level, message) => logs.push({ level, message }),
    ...extra,
  });
  open.push(adapter);
  return { adapter, logs };
}

const req = (caseId: string, input: Record<string, unknown> = {}, seed = 1): EngineRequest => ({
  runId: 'run-1',
  caseId,
  seed,
  input: { prompt: `p-${caseId}`, ...input },
});

function errorOf(r: EngineResult) {
  if (r.ok) throw new Error(`expected a failure, got ${r.raw}`);
  return r.error;
}

describe('command adapter', () => {
  it('matches answers to requests by id when they come back out of order', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs')], { body: { mode: 'fast' } });
    const order: string[] = [];
    const calls = [
      adapter.call(req('slow', { delayMs: 300 }, 11)).then((r) => (order.push('slow'), r)),
      adapter.call(req('fast', { delayMs: 0 }, 22)).then((r) => (order.push('fast'), r)),
    ];
    const [slow, fast] = await Promise.all(calls);
    expect(order).toEqual(['fast', 'slow']);
    expect(slow.ok && slow.body).toMatchObject({
      caseId: 'slow',
      seed: 11,
      runId: 'run-1',
      echo: { prompt: 'p-slow', delayMs: 300, mode: 'fast' },
    });
    expect(fast.ok && fast.body).toMatchObject({ caseId: 'fast', seed: 22, echo: { prompt: 'p-fast' } });
    expect(fast.ok && JSON.parse(fast.raw)).toEqual(fast.ok && fast.body);
    expect(fast.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('starts lazily and reports health with the engine version', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs')]);
    expect(adapter.pid).toBeUndefined();
    const h = await adapter.health();
    expect(h).toMatchObject({ ok: true, version: 'echo-1' });
    expect(adapter.pid).toEqual(expect.any(Number));
  });

  it('counts an engine without a health method as up when it answers with an error', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs'), '--no-health']);
    const h = await adapter.health();
    expect(h.ok).toBe(true);
    expect(h.message).toContain('unknown method: health');
  });

  it('turns an engine-reported error into engine_error for that request only', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs')]);
    const [bad, good] = await Promise.all([adapter.call(req('a', { fail: 'no quota' })), adapter.call(req('b'))]);
    expect(errorOf(bad)).toMatchObject({ kind: 'engine_error' });
    expect(errorOf(bad).message).toContain('no quota');
    expect(good.ok).toBe(true);
  });

  it('fails pending and later calls with process_exit, the exit code and the last stderr', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('exit-after.mjs'), '2']);
    expect((await adapter.call(req('1'))).ok).toBe(true);
    expect((await adapter.call(req('2'))).ok).toBe(true);
    const [a, b] = await Promise.all([adapter.call(req('3')), adapter.call(req('4'))]);
    for (const r of [a, b]) {
      expect(errorOf(r).kind).toBe('process_exit');
      expect(errorOf(r).message).toContain('exited with code 3');
      expect(errorOf(r).message).toContain('out of patience after 2 requests');
    }
    const later = await adapter.call(req('5'));
    expect(errorOf(later).kind).toBe('process_exit');
    expect((await adapter.health()).ok).toBe(false);
    expect(logs.some((l) => l.level === 'error' && l.message.includes('exited with code 3'))).toBe(true);
  });

  it("counts the run's answers in the exit message, not the health check's", async () => {
    const { adapter } = engine([process.execPath, fixture('exit-after.mjs'), '2']);
    expect((await adapter.health()).ok).toBe(true);
    expect((await adapter.call(req('1'))).ok).toBe(true);
    expect((await adapter.call(req('2'))).ok).toBe(true);
    expect(errorOf(await adapter.call(req('3'))).message).toMatch(/exited with code 3 after 2 answer\(s\)/);
  });

  it('an answer that comes for a request the run cancelled is named so, not as an unknown id', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('echo.mjs')]);
    const ac = new AbortController();
    const pending = adapter.call(req('c', { delayMs: 200 }), ac.signal);
    ac.abort();
    expect(errorOf(await pending).kind).toBe('aborted');
    await until(() => logs.some((l) => l.message.includes('cancelled it')));
    expect(logs.some((l) => l.message.includes('unknown request id'))).toBe(false);
  });

  it('ignores and logs garbage on stdout, and sends stderr to the log', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('garbage.mjs')]);
    const r = await adapter.call(req('g'));
    expect(r.ok && r.body).toEqual({ ok: true, method: 'run' });
    const text = logs.map((l) => l.message).join('\n');
    expect(text).toContain('not JSON (ignored): this is not json');
    expect(text).toContain('without an "id"');
    expect(text).toContain('unknown request id "nobody-asked"');
    // stderr and stdout are separate pipes: give stderr its moment.
    await until(() => logs.some((l) => l.message === 'engine stderr: handling 1'));
    expect(logs).toContainEqual({ level: 'warn', message: 'engine stderr: garbage engine warming up' });
  });

  it('logs an answer sent twice as a duplicate, not as an unknown id, and keeps the first', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('answers-twice.mjs')]);
    const r = await adapter.call(req('d'));
    expect(r.ok && r.body).toEqual({ first: true });
    await until(() => logs.some((l) => l.message.includes('again')));
    expect(logs).toContainEqual({
      level: 'warn',
      message: `engine ${adapter.target} answered request "1" again (a duplicate: it was already answered) (ignored)`,
    });
    expect(logs.some((l) => l.message.includes('unknown request id'))).toBe(false);
  });

  it('times out a request the engine never answers, and keeps the process', async () => {
    const { adapter } = engine([process.execPath, fixture('silent.mjs')], { timeoutMs: 300 });
    const r = await Promise.race([adapter.call(req('s')), sleep(5_000).then(() => 'hung' as const)]);
    expect(r).not.toBe('hung');
    expect(errorOf(r as EngineResult).kind).toBe('timeout');
    const pid = adapter.pid;
    expect(pid).toEqual(expect.any(Number));
    const h = await adapter.health();
    expect(h.ok).toBe(false);
    expect(h.tried).toEqual([expect.stringContaining('silent.mjs')]);
    expect(h.tried[0]).toContain('within 300 ms');
    expect(h.message).toContain('did not answer the health check in time');
    expect(adapter.pid).toBe(pid);
  });

  it('reports a program that does not exist as process_exit with ENOENT', async () => {
    const { adapter, logs } = engine(['/nonexistent/toron-engine-xyz', '--stdio']);
    const r = await adapter.call(req('x'));
    expect(errorOf(r).kind).toBe('process_exit');
    expect(errorOf(r).message).toContain('ENOENT');
    expect(errorOf(r).message).toContain('/nonexistent/toron-engine-xyz');
    const h = await adapter.health();
    expect(h.ok).toBe(false);
    expect(h.tried[0]).toContain('/nonexistent/toron-engine-xyz');
    expect(h.tried[0]).toContain('ENOENT');
    expect(h.message).toContain('process_exit');
    expect(logs.some((l) => l.level === 'error')).toBe(true);
  });

  it('fails an answer line over the cap as too_large without buffering it', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs')], { maxResponseBytes: 10_000 });
    const big = await adapter.call(req('big', { bigBytes: 50_000 }));
    expect(errorOf(big).kind).toBe('too_large');
    // The stream stays usable: the next line is read normally.
    expect((await adapter.call(req('small'))).ok).toBe(true);
  });

  it('fails a line that never ends as too_large once it crosses the cap', async () => {
    const { adapter } = engine([process.execPath, fixture('endless-line.mjs')], { maxResponseBytes: 1_000_000 });
    const r = await adapter.call(req('endless'));
    expect(errorOf(r).kind).toBe('too_large');
    expect(errorOf(r).message).toContain('1000000-byte cap');
  });

  it('restart() starts a fresh process on the next call', async () => {
    const { adapter } = engine([process.execPath, fixture('echo.mjs')]);
    const first = await adapter.call(req('a'));
    const pid1 = first.ok ? (first.body as { pid: number }).pid : -1;
    await adapter.restart();
    expect(adapter.pid).toBeUndefined();
    const second = await adapter.call(req('b'));
    const pid2 = second.ok ? (second.body as { pid: number }).pid : -1;
    expect(pid1).toBeGreaterThan(0);
    expect(pid2).toBeGreaterThan(0);
    expect(pid2).not.toBe(pid1);
    expect(isAlive(pid1)).toBe(false);
  });

  it('close() ends the process and later calls are aborted', async () => {
    const { adapter } = engine([process.execPath, fixture('silent.mjs')]);
    const pending = adapter.call(req('p'));
    const pid = adapter.pid!;
    await adapter.close();
    expect(errorOf(await pending).kind).toBe('aborted');
    expect(isAlive(pid)).toBe(false);
    expect(errorOf(await adapter.call(req('q'))).kind).toBe('aborted');
  }, 15_000);
});

describe('command adapter: stderr', () => {
  const stderrLogs = (logs: { level: string; message: string }[]) => logs.filter((l) => l.message.startsWith('engine stderr: '));

  it('shows the first 20 lines, keeps up to 10000 in run.log, then counts the rest in one note', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('stderr-flood.mjs'), '12000', '100']);
    expect((await adapter.health()).ok).toBe(true);
    expect((await adapter.call(req('after-the-flood'))).ok).toBe(true);
    await until(() => logs.some((l) => l.message.includes('run.log keeps 10000 lines')));
    await adapter.close();
    const lines = stderrLogs(logs);
    const warned = lines.filter((l) => l.level === 'warn');
    // 20 lines, the switch to run.log only, and the final note (dropped: 1999 lines of 100 bytes, then "flood done").
    expect(warned).toHaveLength(22);
    expect(warned[20].message).toContain('more than 20 lines; further engine stderr goes only to run.log');
    expect(warned[21].message).toMatch(/^engine stderr: 2000 more line\(s\) \(199911 bytes\) were not logged \(run.log keeps 10000 lines or 4 MB\); the last: .*flood done$/);
    const debug = lines.filter((l) => l.level === 'debug' && !l.message.includes('run.log keeps'));
    expect(debug).toHaveLength(10_000 - 20);
    expect(debug.at(-1)!.message).toBe(`engine stderr: line 9999 ${'x'.repeat(100 - 'line 9999 '.length - 1)}`);
    // Control characters are shown, never sent to the terminal as they are.
    expect(warned[0].message).toBe('engine stderr: colour \\x1b[31mred\\x1b[0m and a NUL \\x00 here');
    expect(logs.every((l) => !/[\x00\x1b]/.test(l.message))).toBe(true);
  });

  it('bounds run.log by bytes too', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('stderr-flood.mjs'), '1000', '8000']);
    expect((await adapter.call(req('x'))).ok).toBe(true);
    await until(() => logs.some((l) => l.message.includes('run.log keeps')));
    await adapter.close();
    const kept = stderrLogs(logs).filter((l) => !/more than 20 lines|run\.log keeps|were not logged/.test(l.message));
    const keptBytes = kept.reduce((n, l) => n + Buffer.byteLength(l.message) - 'engine stderr: '.length + 1, 0);
    expect(keptBytes).toBeLessThanOrEqual(4 * 1024 * 1024);
    expect(kept.length).toBeGreaterThan(500);
    const note = logs.find((l) => l.message.includes('were not logged'))!;
    expect(note.message).toMatch(new RegExp(`^engine stderr: ${1000 - kept.length} more line\\(s\\) \\(\\d+ bytes\\) were not logged`));
  });

  it('keeps answering while the engine floods stderr', async () => {
    const { adapter, logs } = engine([process.execPath, fixture('stderr-flood.mjs'), '200000', '100'], { timeoutMs: 20_000 });
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => adapter.call(req(`c${i}`))));
    expect(results.every((r) => r.ok)).toBe(true);
    await adapter.close();
    expect(stderrLogs(logs).length).toBeLessThanOrEqual(10_000 + 3);
    expect(logs.some((l) => l.message.includes('were not logged'))).toBe(true);
  });
});

describe('command adapter: a grandchild holding the pipes', () => {
  const TSX = pathToFileURL(fileURLToPath(new URL('../../node_modules/tsx/dist/loader.mjs', import.meta.url))).href;
  const helpers: string[] = [];
  afterEach(() => {
    // The `sleep` helpers are detached (a process group each): end them, whatever the test did.
    for (const file of helpers.splice(0)) {
      const pid = Number(fs.readFileSync(file, 'utf8'));
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {}
    }
  });

  /** Runs drive-command.ts in its own process; resolves when it exits, or after `capMs` (then kills it). */
  function drive(engineArgs: string[], calls: number, capMs = 20_000) {
    const pidfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'toron-gc-')), 'helper.pid');
    helpers.push(pidfile);
    const spec = JSON.stringify({ argv: [process.execPath, fixture('leaves-grandchild.mjs'), pidfile, '60', ...engineArgs], calls });
    const child = spawn(process.execPath, ['--import', TSX, fixture('drive-command.ts'), spec], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let closedAt: number | undefined;
    child.stdout.on('data', (d: Buffer) => {
      out += d;
      if (closedAt === undefined && out.includes('\nclosed\n')) closedAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => (err += d));
    return new Promise<{ report: any; lingerMs: number; killed: boolean; stderr: string }>((resolve) => {
      const cap = setTimeout(() => child.kill('SIGKILL'), capMs);
      child.on('exit', (code, signal) => {
        clearTimeout(cap);
        const line = out.split('\n')[0];
        resolve({
          report: line ? JSON.parse(line) : undefined,
          lingerMs: closedAt === undefined ? Infinity : Date.now() - closedAt,
          killed: signal === 'SIGKILL' || code === null,
          stderr: err,
        });
      });
    });
  }

  it('lets the process exit once close() returns, though a helper of the engine keeps its stdout open', async () => {
    const { report, lingerMs, killed, stderr } = await drive([], 2);
    expect(stderr).toBe('');
    expect(report.health.ok).toBe(true);
    expect(report.results.map((r: EngineResult) => r.ok)).toEqual([true, true]);
    expect(killed).toBe(false);
    // The helper sleeps 60 s; before the fix the process lived until then.
    expect(lingerMs).toBeLessThan(5_000);
  }, 30_000);

  it('fails the rest as process_exit when the engine dies, keeps its last answer and stderr, and lets the process exit', async () => {
    const started = Date.now();
    const { report, lingerMs, killed } = await drive(['exit-after', '1'], 4);
    expect(killed).toBe(false);
    expect(lingerMs).toBeLessThan(5_000);
    // The engine's death is seen from its exit, not from its pipes closing (the helper holds them).
    expect(Date.now() - started).toBeLessThan(15_000);
    const results = report.results as EngineResult[];
    expect(results.slice(0, 2).map((r) => r.ok)).toEqual([true, true]);
    for (const r of results.slice(2)) {
      expect(errorOf(r).kind).toBe('process_exit');
      expect(errorOf(r).message).toContain('exited with code 0');
      expect(errorOf(r).message).toContain('last words before exit');
    }
  }, 30_000);
});

function sleep(ms: number) {
  return new Promise<void>((r) => setTimeout(r, ms));
}

async function until(cond: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(10);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
