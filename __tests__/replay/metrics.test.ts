import { describe, expect, it } from 'vitest';
import { diffValues, excerpt, firstDivergence } from '../../src/replay/divergence.js';
import { countDrift, driftRate, driftStatus, driftVerdict } from '../../src/replay/drift.js';
import { firstDifferingChar, textSimilarity } from '../../src/replay/similarity.js';
import { caseAgreement, determinismScore, determinismVerdict, tarAtN, tarShare } from '../../src/replay/tar.js';
import { replayTotals } from '../../src/stages/replay/report.js';
import type { ReplayCaseResult } from '../../src/stages/replay/replay.js';

describe('firstDivergence', () => {
  it('is null for equal answers whatever their member order', () => {
    expect(firstDivergence({ a: 1, b: [1, { c: 'x' }] }, { b: [1, { c: 'x' }], a: 1 })).toBeNull();
  });

  it('points at the first differing field in canonical (sorted) order', () => {
    const snap = { z: 1, b: { y: 'same', x: [1, 2, 3] }, a: 'same' };
    const replay = { z: 2, b: { y: 'same', x: [1, 9, 3] }, a: 'same' };
    expect(firstDivergence(snap, replay)).toEqual({ pointer: '/b/x/1' }); // b < z
  });

  it('gives the character index inside strings', () => {
    expect(firstDivergence({ t: 'Here is a clear answer' }, { t: 'Here is a concise answer' })).toEqual({ pointer: '/t', charIndex: 11 });
    expect(firstDivergence({ t: 'abc' }, { t: 'abcd' })).toEqual({ pointer: '/t', charIndex: 3 });
  });

  it('points at a missing member, an extra item, a type change, and escapes pointer tokens', () => {
    expect(firstDivergence({ a: 1, c: 1 }, { a: 1, b: 1, c: 1 })).toEqual({ pointer: '/b' });
    expect(firstDivergence([1, 2], [1, 2, 3])).toEqual({ pointer: '/2' });
    expect(firstDivergence({ a: [1] }, { a: { 0: 1 } })).toEqual({ pointer: '/a' });
    expect(firstDivergence({ 'x/y~': 1 }, { 'x/y~': 2 })).toEqual({ pointer: '/x~1y~0' });
    expect(firstDivergence(1, '1')).toEqual({ pointer: '' });
  });
});

describe('diffValues', () => {
  it('lists every differing leaf with both values, text similarity and char index', () => {
    const { diffs, total } = diffValues(
      { final_answer: 'Here is a clear, empathetic answer', models: ['a', 'b', 'c'], n: 1, gone: true },
      { final_answer: 'Here is a concise, empathetic answer', models: ['b', 'c', 'a'], n: 1, added: 'x' },
    );
    expect(total).toBe(6);
    expect(diffs[0]).toEqual({ pointer: '/added', kind: 'added', right: 'x' });
    expect(diffs[1]).toMatchObject({
      pointer: '/final_answer',
      kind: 'changed',
      left: 'Here is a clear, empathetic answer',
      right: 'Here is a concise, empathetic answer',
      charIndex: 11,
    });
    expect(diffs[1].similarity).toBeCloseTo(1 - 6 / 36, 4); // clear -> concise: 6 edits
    expect(diffs[2]).toEqual({ pointer: '/gone', kind: 'removed', left: true });
    expect(diffs.slice(3).map((d) => d.pointer)).toEqual(['/models/0', '/models/1', '/models/2']);
  });

  it('stops listing at the limit but counts everything, and shortens long values', () => {
    const a = { list: Array.from({ length: 50 }, (_, i) => i), text: 'x'.repeat(1000) + 'A' };
    const b = { list: Array.from({ length: 50 }, (_, i) => i + 1), text: 'x'.repeat(1000) + 'B' };
    const { diffs, total } = diffValues(a, b, { limit: 3 });
    expect(total).toBe(51);
    expect(diffs).toHaveLength(3);
    const t = diffValues({ t: a.text }, { t: b.text }).diffs[0];
    expect(t.charIndex).toBe(1000);
    expect(String(t.left).startsWith('…')).toBe(true);
    expect(String(t.left).length).toBeLessThan(200);
    expect(String(t.left)).toContain('xA');
  });

  it('excerpt keeps short texts whole', () => {
    expect(excerpt('short', 2)).toBe('short');
  });
});

describe('textSimilarity', () => {
  it('is 1 - distance / longer length', () => {
    expect(textSimilarity('kitten', 'sitting')).toBeCloseTo(1 - 3 / 7, 4);
    expect(textSimilarity('', '')).toBe(1);
    expect(textSimilarity('abc', '')).toBe(0);
    expect(textSimilarity('same', 'same')).toBe(1);
  });

  it('cuts the common prefix and suffix first, so long answers that differ in a word are cheap', () => {
    const base = 'lorem ipsum '.repeat(2000); // 2 x 24 000 characters around one differing word
    expect(textSimilarity(`${base}alpha${base}`, `${base}omega${base}`)).toBe(0.9999); // 1 - 4 / 48 005
  });

  it('gives up (null) rather than spend seconds on two long texts that differ everywhere', () => {
    expect(textSimilarity('a'.repeat(70_000), 'b'.repeat(70_000))).toBeNull();
  });

  it('firstDifferingChar', () => {
    expect(firstDifferingChar('abc', 'abd')).toBe(2);
    expect(firstDifferingChar('ab', 'ab')).toBe(2);
  });
});

describe('TAR and the determinism verdict', () => {
  it('agreement per case: unique outputs, modal agreement, stability of the replays', () => {
    expect(caseAgreement('h', ['h', 'h', 'h'])).toEqual({ agreed: true, uniqueOutputs: 1, modalAgreement: 1, replaysAgree: true });
    expect(caseAgreement('h', ['h', 'x', 'h'])).toEqual({ agreed: false, uniqueOutputs: 2, modalAgreement: 0.75, replaysAgree: false });
    expect(caseAgreement('h', ['x', 'x', 'x'])).toEqual({ agreed: false, uniqueOutputs: 2, modalAgreement: 0.75, replaysAgree: true });
    expect(caseAgreement('h', ['x', 'y', 'z'])).toEqual({ agreed: false, uniqueOutputs: 4, modalAgreement: 0.25, replaysAgree: false });
  });

  it('score = 100 x TAR@N, gated PASS >= 90, WARN >= 70, FAIL below', () => {
    expect(determinismScore(tarAtN(86, 86))).toBe(100);
    expect(determinismScore(tarAtN(20, 86))).toBe(23.25); // 23.2558...: rounded down, never above what was measured
    // At the PASS line of a large suite: 89.996 is below 90, and must not show (and pass) as 90.
    expect(determinismScore(tarAtN(89_996, 100_000))).toBe(89.99);
    expect(determinismVerdict(determinismScore(tarAtN(89_996, 100_000)), { pass: 90, warn: 70 })).toBe('WARN');
    // Exact shares stay exact (no float step below them).
    for (const [k, n, score] of [[9, 10, 90], [7, 10, 70], [29, 100, 29], [57, 100, 57], [1, 3, 33.33], [90_000, 100_000, 90]] as const) {
      expect(determinismScore(tarAtN(k, n)), `${k}/${n}`).toBe(score);
    }
    expect(tarAtN(0, 0)).toBe(0);
    const t = { pass: 90, warn: 70 };
    expect(determinismVerdict(90, t)).toBe('PASS');
    expect(determinismVerdict(89.99, t)).toBe('WARN');
    expect(determinismVerdict(70, t)).toBe('WARN');
    expect(determinismVerdict(69.99, t)).toBe('FAIL');
    expect(determinismVerdict(50, { pass: 50, warn: 10 })).toBe('PASS');
  });
});

describe('TAR in report.json', () => {
  it('is rounded down to 4 decimals like the score: 449 of 499 agreeing is 0.8997 beside 89.97, not 0.8998', () => {
    expect(tarShare(tarAtN(449, 499))).toBe(0.8997);
    for (const [k, n, share] of [[9, 10, 0.9], [29, 100, 0.29], [1, 3, 0.3333], [2, 3, 0.6666], [86, 86, 1]] as const) {
      expect(tarShare(tarAtN(k, n)), `${k}/${n}`).toBe(share);
    }
    const kase = (i: number, agreed: boolean) =>
      ({ id: `c${i}`, dataset: 'd', agreed, rawAgreed: agreed, uniqueOutputs: agreed ? 1 : 2, modalAgreement: 1, stable: true, rounds: 3, errors: [], firstDivergence: agreed ? null : { pointer: '', charIndex: 0 }, diffs: [], diffCount: 0 }) as unknown as ReplayCaseResult;
    const t = replayTotals(Array.from({ length: 499 }, (_, i) => kase(i, i < 449)), { pass: 90, warn: 70 });
    expect(t).toMatchObject({ determinismScore: 89.97, determinismVerdict: 'WARN', tarCanonical: 0.8997, tarRaw: 0.8997 });
  });
});

describe('drift', () => {
  const facts = { inBaseline: true, inRun: true, sameInput: true, stable: true, sameAnswer: true };
  it('a case drifts only when stable and different; unstable cases are noise', () => {
    expect(driftStatus(facts)).toBe('unchanged');
    expect(driftStatus({ ...facts, sameAnswer: false })).toBe('changed');
    expect(driftStatus({ ...facts, sameAnswer: false, stable: false })).toBe('noise');
    expect(driftStatus({ ...facts, stable: false })).toBe('noise');
    expect(driftStatus({ ...facts, inBaseline: false })).toBe('new');
    expect(driftStatus({ ...facts, sameInput: false })).toBe('new');
    expect(driftStatus({ ...facts, inRun: false })).toBe('removed');
  });

  it('rate = changed / stable cases both runs have; WARN on any change by default, FAIL above failRate', () => {
    const c = countDrift(['unchanged', 'unchanged', 'changed', 'noise', 'noise', 'new', 'removed']);
    expect(c).toEqual({ unchanged: 2, changed: 1, new: 1, removed: 1, noise: 2 });
    expect(driftRate(c)).toBeCloseTo(1 / 3);
    const t = { warnRate: 0, failRate: 0.05 };
    expect(driftVerdict(0, 0, t)).toBe('PASS');
    expect(driftVerdict(0.01, 1, t)).toBe('WARN');
    expect(driftVerdict(0.05, 5, t)).toBe('WARN');
    expect(driftVerdict(0.06, 6, t)).toBe('FAIL');
    expect(driftVerdict(0.01, 1, { warnRate: 0.02, failRate: 0.5 })).toBe('PASS');
    // Nothing compared: no rate (null), not a drift of 0.
    expect(driftRate(countDrift(['noise', 'new']))).toBeNull();
  });
});
