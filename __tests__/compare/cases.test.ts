import { describe, expect, it } from 'vitest';
import { caseKey, compareCase, compareCases, countCases, hasPassData, passChange } from '../../src/compare/cases.js';
import type { CaseSide, DriftInfo } from '../../src/compare/types.js';

function side(id: string, over: Partial<CaseSide> = {}): CaseSide {
  const answer = over.answer ?? { final_answer: `answer of ${id}`, random_witness: 1 };
  return {
    dataset: 'ds',
    id,
    inputKey: `{"prompt":"${id}"}`,
    seed: 7,
    answer,
    ignorePaths: [],
    answerText: typeof (answer as { final_answer?: unknown }).final_answer === 'string' ? (answer as { final_answer: string }).final_answer : null,
    answerPointer: '/final_answer',
    passed: true,
    latencyMs: 10,
    location: { file: 'sim/ds.json', line: 3 },
    ...over,
  };
}

describe('passChange', () => {
  it('names pass -> fail a regression and fail -> pass a fix; unknown without data', () => {
    expect(passChange(true, false)).toBe('regressed');
    expect(passChange(false, true)).toBe('fixed');
    expect(passChange(true, true)).toBe('passing');
    expect(passChange(false, false)).toBe('failing');
    expect(passChange(null, false)).toBe('unknown');
    expect(passChange(true, null)).toBe('unknown');
  });
});

describe('compareCase', () => {
  it('same canonical answer (key order aside) is unchanged, similarity 1', () => {
    const b = side('a', { answer: { x: 1, final_answer: 'hi' }, answerText: 'hi' });
    const c = side('a', { answer: { final_answer: 'hi', x: 1 }, answerText: 'hi' });
    const r = compareCase(b, c);
    expect(r.status).toBe('unchanged');
    expect(r.similarity).toBe(1);
    expect(r.basis).toBe('snapshots');
    expect(r.firstDifference).toBeUndefined();
  });

  it('a different answer is changed, with its first differing field and text similarity', () => {
    const b = side('a', { answer: { final_answer: 'water boils at 100 C' }, answerText: 'water boils at 100 C' });
    const c = side('a', { answer: { final_answer: 'water boils at 90 C' }, answerText: 'water boils at 90 C' });
    const r = compareCase(b, c);
    expect(r.status).toBe('changed');
    expect(r.firstDifference).toBe('/final_answer');
    expect(r.similarity).toBeGreaterThan(0.8);
    expect(r.similarity).toBeLessThan(1);
  });

  it("ignores a path either side ignored (the union), so a grown ignore list is not a change", () => {
    const b = side('a', { answer: { final_answer: 'x', random_witness: 1 }, ignorePaths: [] });
    // As a snapshot stores it: the paths a side ignored are left out of its answer.
    const c = side('a', { answer: { final_answer: 'x' }, ignorePaths: ['/random_witness'] });
    expect(compareCase(b, c).status).toBe('unchanged');
    const c2 = side('a', { answer: { final_answer: 'x', random_witness: 2 }, ignorePaths: [] });
    expect(compareCase(b, c2).status).toBe('changed');
  });

  it('an array item a side left out is not left out of its stored answer again', () => {
    // Stored answers: item 0 of [v, a, b] and of [w, z, b] left out by the candidate; the baseline kept it.
    const b = side('a', { answer: { final_answer: 'x', items: ['v', 'a', 'b'] }, ignorePaths: [] });
    const c = side('a', { answer: { final_answer: 'x', items: ['z', 'b'] }, ignorePaths: ['/items/0'] });
    const r = compareCase(b, c);
    expect(r.status).toBe('changed');
    // Named in the answers as sent: a vs z, item 1 of each (item 0 of the forms compared).
    expect(r.firstDifference).toBe('/items/1');
    const same = side('a', { answer: { final_answer: 'x', items: ['a', 'b'] }, ignorePaths: ['/items/0'] });
    expect(compareCase(b, same).status).toBe('unchanged');
  });

  it('pass -> fail is a regression even when the answer is unchanged; errors are kept', () => {
    const r = compareCase(side('a'), side('a', { passed: false }));
    expect(r.status).toBe('unchanged');
    expect(r.pass).toEqual({ baseline: true, candidate: false, change: 'regressed' });
    const e = compareCase(side('a'), side('a', { answer: undefined, error: 'timeout', answerText: null, passed: false }));
    expect(e.status).toBe('changed');
    expect(e.errors).toEqual({ candidate: 'timeout' });
    expect(e.pass.change).toBe('regressed');
    expect(e.similarity).toBeNull();
  });

  it('an edited input is a new case, never a regression', () => {
    const r = compareCase(side('a'), side('a', { inputKey: '{"prompt":"edited"}', passed: false }));
    expect(r.status).toBe('new');
    expect(r.pass.change).toBe('unknown');
  });

  it('with other seeds, the replay drift verdict decides (and its similarity at the answer field)', () => {
    const b = side('a', { seed: 1, answer: { final_answer: 'one' }, answerText: 'one' });
    const c = side('a', { seed: 2, answer: { final_answer: 'two' }, answerText: 'two' });
    const unchanged: DriftInfo = { status: 'unchanged' };
    const r1 = compareCase(b, c, unchanged);
    expect(r1.status).toBe('unchanged');
    expect(r1.basis).toBe('replay-drift');
    expect(r1.similarity).toBe(1);
    const changed: DriftInfo = { status: 'changed', diff: [{ pointer: '/final_answer', similarity: 0.5 }] };
    const r2 = compareCase(b, c, changed);
    expect(r2).toMatchObject({ status: 'changed', similarity: 0.5, firstDifference: '/final_answer' });
    expect(compareCase(b, c, { status: 'noise' }).status).toBe('noise');
    // Without a drift verdict the snapshots are compared, and the basis says the seeds differ.
    const r3 = compareCase(b, c);
    expect(r3.status).toBe('changed');
    expect(r3.basis).toBe('snapshots-other-seeds');
    // Same seeds: the snapshots decide, whatever the drift says...
    expect(compareCase(side('a'), side('a'), { status: 'changed' }).basis).toBe('snapshots');
    // ...unless the candidate's replay found the case unstable: then it is noise, not changed.
    const before = side('a', { answer: { final_answer: 'one' }, answerText: 'one' });
    const flaky = side('a', { answer: { final_answer: 'one (first)' }, answerText: 'one (first)' });
    expect(compareCase(before, flaky).status).toBe('changed');
    expect(compareCase(before, flaky, { status: 'noise' })).toMatchObject({ status: 'noise', basis: 'replay-drift', similarity: null });
  });
});

describe('compareCases and countCases', () => {
  it('lists new and removed cases and counts every status', () => {
    const baseline = [side('same'), side('fails-now'), side('fixed', { passed: false }), side('gone'), side('edit', { answer: { final_answer: 'old' }, answerText: 'old' })];
    const candidate = [
      side('same'),
      side('fails-now', { passed: false }),
      side('fixed', { passed: true }),
      side('edit', { answer: { final_answer: 'new' }, answerText: 'new' }),
      side('added'),
    ];
    const cases = compareCases(baseline, candidate);
    expect(cases.map((c) => [c.id, c.status, c.pass.change])).toEqual([
      ['same', 'unchanged', 'passing'],
      ['fails-now', 'unchanged', 'regressed'],
      ['fixed', 'unchanged', 'fixed'],
      ['edit', 'changed', 'passing'],
      ['added', 'new', 'unknown'],
      ['gone', 'removed', 'unknown'],
    ]);
    expect(countCases(cases)).toEqual({ unchanged: 3, changed: 1, new: 1, removed: 1, noise: 0, regressed: 1, fixed: 1, compared: 4 });
    expect(hasPassData(cases)).toBe(true);
  });

  it('uses the drift map by case key', () => {
    const drift = new Map([[caseKey({ dataset: 'ds', id: 'a' }), { status: 'changed' as const }]]);
    const cases = compareCases([side('a', { seed: 1 })], [side('a', { seed: 2 })], drift);
    expect(cases[0].status).toBe('changed');
    expect(cases[0].basis).toBe('replay-drift');
  });

  it('without pass data on the baseline, regressions are not known', () => {
    const cases = compareCases([side('a', { passed: null })], [side('a', { passed: false })]);
    expect(cases[0].pass.change).toBe('unknown');
    expect(hasPassData(cases)).toBe(false);
  });
});
