import { describe, expect, it } from 'vitest';
import { createEngine } from '../../src/engine/create.js';
import type { AnswerObserver } from '../../src/runner/answers.js';
import type { RunContext } from '../../src/runner/stage.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { simStage } from '../../src/stages/sim/stage.js';
import { makeProject } from '../helpers/cli.js';

describe('an answer observer that throws', () => {
  it('is one HIGH WAR ROOM finding per observer with how many answers it missed; the other observers still see every answer', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json', enabled: true, tags: [] }] },
      'sim/a.json': {
        name: 'a',
        cases: Array.from({ length: 6 }, (_, i) => ({ id: `c${i}`, input: { prompt: `Hi ${i}` }, assert: [{ type: 'contains', value: 'Hi' }] })),
      },
    });
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', runId: 'o1', stages: 'sim' }, env: {} });
    const engine = createEngine(settings.engine, settings.reference, { log: () => {}, env: {}, cwd: dir });
    let seenByGood = 0;
    let calls = 0;
    const observers: AnswerObserver[] = [
      {
        name: 'pipeline',
        observe: () => {
          // Fails on every second answer (c1, c3, c5: concurrency 1 keeps the order).
          if (++calls % 2 === 0) throw new Error('cannot read it');
        },
      } as AnswerObserver,
      { name: 'snapshot', observe: () => void seenByGood++ } as AnswerObserver,
    ];
    const raised: Parameters<RunContext['raise']>[0][] = [];
    const warnings: string[] = [];
    const ctx = {
      runId: 'o1',
      settings: { ...settings, sim: { ...settings.sim, concurrency: 1 } },
      engine,
      paths: {} as RunContext['paths'],
      signal: new AbortController().signal,
      emit: () => {},
      log: (level: string, _s: string, m: string) => void (level === 'warn' && warnings.push(m)),
      answerObservers: observers,
      raise: (f: Parameters<RunContext['raise']>[0]) => void raised.push(f),
    } as RunContext;
    const r = await simStage.run(ctx, {});
    await engine.close();
    expect(r.verdict).toBe('PASS');
    expect(seenByGood).toBe(6);
    const found = raised.filter((f) => f.type === 'answer-observer-failed');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'HIGH',
        subsystem: 'pipeline',
        caseId: 'c1',
        message: 'answer observer pipeline failed on a/c1: cannot read it (and 2 more answer(s) it could not take)',
      }),
    ]);
    expect(warnings.filter((w) => w.startsWith('answer observer'))).toHaveLength(1);
  });
});
