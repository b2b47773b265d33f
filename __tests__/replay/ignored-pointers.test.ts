import { describe, expect, it } from 'vitest';
import { compareCase } from '../../src/compare/cases.js';
import type { CaseSide } from '../../src/compare/types.js';
import { canonicalJson } from '../../src/replay/canonical.js';
import { diffValues, firstDivergence } from '../../src/replay/divergence.js';
import { compileIgnorePaths, originalIndex } from '../../src/replay/ignore-paths.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

/**
 * Divergence pointers name the value in the answer as the engine sent it. The forms compared have the
 * ignored members left out, so an item after an ignored one sits one index lower there; a pointer
 * into that form sends a reader of report.json to the wrong item of the real answer.
 */
const reduced = (answer: unknown, paths: string[]) => JSON.parse(canonicalJson(answer, compileIgnorePaths(paths)));

describe('pointers into the answer as sent, ignored array items aside', () => {
  it('originalIndex maps an index of the reduced array back, past every ignored item before it', () => {
    const t = compileIgnorePaths(['/0', '/2', '/5']);
    // sent [0 1 2 3 4 5 6 7] -> kept [1 3 4 6 7]
    expect([0, 1, 2, 3, 4, 5].map((i) => originalIndex(t, i))).toEqual([1, 3, 4, 6, 7, 8]);
    expect(originalIndex(null, 3)).toBe(3);
  });

  it('firstDivergence: with /items/1 ignored, a difference in item 2 as sent is at /items/2', () => {
    const paths = ['/items/1'];
    const a = reduced({ items: ['a', 'b', 'c', 'd'] }, paths);
    const b = reduced({ items: ['a', 'B', 'X', 'd'] }, paths);
    expect(firstDivergence(a, b, compileIgnorePaths(paths))).toEqual({ pointer: '/items/2', charIndex: 0 });
    // A longer answer: its extra item is named where it was sent (after the ignored one).
    const longer = reduced({ items: ['a', 'b', 'c', 'd', 'e'] }, paths);
    expect(firstDivergence(a, longer, compileIgnorePaths(paths))).toEqual({ pointer: '/items/4' });
  });

  it('diffValues: every pointer is into the answer as sent, nested lists and wildcards too', () => {
    const paths = ['/rows/0', '/rows/*/tags/1', '/rows/*/ts'];
    const before = { rows: [{ ts: 1 }, { ts: 2, tags: ['x', 'y', 'z'], v: 1 }, { ts: 3, v: 2 }], n: 1 };
    const after = { rows: [{ ts: 9 }, { ts: 8, tags: ['x', 'Y', 'Z', 'w'], v: 1 }, { ts: 7, v: 3 }], n: 1 };
    const t = compileIgnorePaths(paths);
    const { diffs, total } = diffValues(reduced(before, paths), reduced(after, paths), { ignore: t });
    expect(total).toBe(3);
    expect(diffs.map((d) => [d.pointer, d.kind])).toEqual([
      ['/rows/1/tags/2', 'changed'],
      ['/rows/1/tags/3', 'added'],
      ['/rows/2/v', 'changed'],
    ]);
    // Without the paths, pointers are into the values given (unchanged behaviour).
    expect(diffValues(reduced(before, paths), reduced(after, paths)).diffs[0].pointer).toBe('/rows/0/tags/1');
  });

  it('compare: the first difference of two snapshots is named in the answers as sent', () => {
    const side = (answer: unknown, ignorePaths: string[]): CaseSide => ({
      dataset: 'ds',
      id: 'a',
      inputKey: '{"prompt":"a"}',
      seed: 7,
      answer,
      ignorePaths,
      answerText: null,
      passed: true,
      latencyMs: 1,
    });
    // Stored answers: the candidate left item 0 out of [w, z, b]; the baseline kept [v, a, b].
    const r = compareCase(side({ items: ['v', 'a', 'b'] }, []), side({ items: ['z', 'b'] }, ['/items/0']));
    expect(r.firstDifference).toBe('/items/1');
  });

  it('a run: replay and drift pointers with /models_used/0 ignored name models_used[1], the item that differs', async () => {
    const config = { replay: { ignorePaths: ['/models_used/0'] } };
    const dir = project({ d: dataset('d', 3) }, config);
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    const now = await run(dir, {
      engine: cmd(DRIFT_ENGINE, '--models', 'a,x,c', '--flaky-model', 'question 2'),
      runId: 'same',
      stages: 'sim,replay',
      baseline: 'old/snapshots/same.json',
    });
    const c2 = now.replay.cases.find((c: { id: string }) => c.id === 'c2');
    expect(c2.firstDivergence).toMatchObject({ pointer: '/models_used/1' });
    expect(c2.diffs.map((d: { pointer: string }) => d.pointer)).toEqual(['/models_used/1']);
    const c0 = now.replay.drift.cases.find((c: { id: string }) => c.id === 'c0');
    expect(c0.diff).toEqual([{ pointer: '/models_used/1', kind: 'changed', baseline: 'b', current: 'x', charIndex: 0, similarity: 0 }]);
    // The stored canonical answers keep the item left out (hashes unchanged).
    expect(now.replay.drift).toMatchObject({ changed: 2, noise: 1 });
  });
});
