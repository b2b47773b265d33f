import { afterEach, describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
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
