import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { budgetSignal, watchCancellation, withDeadline, withinBudget } from '../../src/action/cancel.js';
import { withBaselineNotice } from '../../src/action/baseline-notice.js';
import type { Stage, StageResult } from '../../src/runner/stage.js';

describe('cancellation', () => {
  it('first signal aborts and starts the budget; the second one calls onSecondSignal', () => {
    const proc = new EventEmitter();
    const seen: string[] = [];
    const c = watchCancellation({
      onCancel: (s) => seen.push(`cancel ${s}`),
      onSecondSignal: (s) => seen.push(`again ${s}`),
      budgetMs: 6000,
      process: proc as unknown as NodeJS.Process,
    });
    expect(c.signal.aborted).toBe(false);
    expect(c.budget(60_000)).toBe(60_000);
    proc.emit('SIGINT', 'SIGINT');
    expect(c.signal.aborted).toBe(true);
    expect(c.cancelledAt()).not.toBeNull();
    expect(c.budget(60_000)).toBeLessThanOrEqual(6000);
    expect(c.budget(100)).toBeLessThanOrEqual(100);
    proc.emit('SIGTERM', 'SIGTERM');
    expect(seen).toEqual(['cancel SIGINT', 'again SIGTERM']);
    c.dispose();
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('Windows runners send Ctrl+C then Ctrl+Break (Node: SIGINT, then SIGBREAK, whose default kills the process): both are heard', () => {
    const proc = new EventEmitter();
    const seen: string[] = [];
    const c = watchCancellation({ onCancel: (s) => seen.push(`cancel ${s}`), onSecondSignal: (s) => seen.push(`again ${s}`), process: proc as unknown as NodeJS.Process });
    expect(proc.listenerCount('SIGBREAK')).toBe(1);
    proc.emit('SIGINT', 'SIGINT');
    proc.emit('SIGBREAK', 'SIGBREAK');
    expect(seen).toEqual(['cancel SIGINT', 'again SIGBREAK']);
    c.dispose();
    expect(proc.listenerCount('SIGBREAK')).toBe(0);
  });

  it('withDeadline: the value when in time, the fallback (or its error) when not, never an unhandled rejection', async () => {
    expect(await withDeadline(Promise.resolve(1), 5000, () => 2)).toBe(1);
    const never = new Promise<number>(() => {});
    expect(await withDeadline(never, 300, () => 2)).toBe(2);
    await expect(
      withDeadline(never, 300, () => {
        throw new Error('too slow');
      }),
    ).rejects.toThrow('too slow');
    const late = new Promise<number>((_, reject) => setTimeout(() => reject(new Error('late')), 50));
    expect(await withDeadline(late, 0, () => 3)).toBe(3);
    await new Promise((r) => setTimeout(r, 100)); // the late rejection lands here, handled
  });

  it('withinBudget: a download after a cancel gets what is left of the budget, and its error names the step', async () => {
    const proc = new EventEmitter();
    const c = watchCancellation({ onCancel: () => {}, onSecondSignal: () => {}, budgetMs: 200, process: proc as unknown as NodeJS.Process });
    expect(await withinBudget(c, 60_000, 'listing', Promise.resolve('ok'))).toBe('ok');
    proc.emit('SIGINT', 'SIGINT');
    const started = performance.now();
    await expect(withinBudget(c, 60_000, 'downloading gate-shard-1-of-2', new Promise(() => {}))).rejects.toThrow(
      /downloading gate-shard-1-of-2 did not finish within 0 s \(the job was cancelled\)/,
    );
    expect(performance.now() - started).toBeLessThan(5000);
    c.dispose();
  });
});

describe('a cancel in the middle of a network step', () => {
  it('withinBudget and budgetSignal: a step that started with minutes to go gets only what is left of the cancel budget', async () => {
    const proc = new EventEmitter();
    const c = watchCancellation({ onCancel: () => {}, onSecondSignal: () => {}, budgetMs: 300, process: proc as unknown as NodeJS.Process });
    const step = withinBudget(c, 10 * 60_000, 'the upload', new Promise(() => {}));
    const signal = budgetSignal(c, 10 * 60_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(signal.aborted).toBe(false);
    const started = performance.now();
    proc.emit('SIGINT', 'SIGINT');
    await expect(step).rejects.toThrow(/^the upload did not finish within \d+ s \(the job was cancelled\)$/);
    expect(performance.now() - started).toBeLessThan(60_000); // not the ten minutes it started with
    if (!signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    expect((signal.reason as Error).name).toBe('TimeoutError');
    // A step that settles in time is untouched by a later cancel.
    const c2 = watchCancellation({ onCancel: () => {}, onSecondSignal: () => {}, budgetMs: 300, process: new EventEmitter() as unknown as NodeJS.Process });
    expect(await withinBudget(c2, 60_000, 'x', Promise.resolve(7))).toBe(7);
    c.dispose();
    c2.dispose();
  });
});

describe('baseline notice', () => {
  const ctx = () => {
    const raised: unknown[] = [];
    return { raised, ctx: { raise: (f: unknown) => raised.push(f) } as never };
  };
  const stage = (verdict: StageResult['verdict']): Stage => ({ name: 'replay', run: async () => ({ verdict, reason: 'determinism 100', report: {} }) });

  it('PASS becomes WARN with the reason; a finding says why; worse verdicts stay', async () => {
    const a = ctx();
    const r = await withBaselineNotice(stage('PASS'), 'no successful run on main yet').run(a.ctx, {});
    expect(r).toMatchObject({ verdict: 'WARN', reason: 'determinism 100; no baseline (no successful run on main yet)' });
    expect(a.raised).toEqual([expect.objectContaining({ type: 'baseline-unavailable', severity: 'MEDIUM', subsystem: 'replay' })]);
    const b = ctx();
    expect((await withBaselineNotice(stage('FAIL'), 'x').run(b.ctx, {})).verdict).toBe('FAIL');
    expect(b.raised).toHaveLength(1);
  });
});
