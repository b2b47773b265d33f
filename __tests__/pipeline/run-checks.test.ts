import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/engine/profiles/index.js';
import { casePins, declaredFor, pinnedPart } from '../../src/stages/pipeline/declared.js';
import { engineVersionFinding, versionMatches } from '../../src/stages/pipeline/engine-version.js';
import {
  checkEscalationRate,
  checkLatencyP95,
  checkOpusEscalations,
  contradictionSummary,
  findOutliers,
  summariseLatency,
  type EscalationTally,
} from '../../src/stages/pipeline/run-checks.js';
import { madSorted, medianSorted, quantileSorted } from '../../src/stages/pipeline/stats.js';
import type { SimCase } from '../../src/stages/sim/types.js';
import { clone, samples } from './helpers.js';

function simCase(over: Partial<SimCase>): SimCase {
  return { id: 'c', dataset: 'd', input: { prompt: 'p' }, assert: [], tags: [], repeat: 1, ignorePaths: [], location: { file: 'sim/d.json', line: 3 }, ...over };
}

describe('stats', () => {
  it('nearest-rank quantiles, median and MAD', () => {
    const s = Float64Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(quantileSorted(s, 0.95)).toBe(10);
    expect(quantileSorted(s, 0.5)).toBe(5);
    expect(quantileSorted(s, 0)).toBe(1);
    expect(medianSorted(s)).toBe(5.5);
    expect(madSorted(s, 5.5)).toBe(2.5);
    expect(Number.isNaN(quantileSorted([], 0.5))).toBe(true);
  });
});

describe('declared behaviour (what the dataset pins or expects)', () => {
  const long = clone(samples['2.5h']().find((l) => l.case === 'long_over_120_words')!.response) as any;
  const p25 = PROFILES['toron-2.5h'];
  const declared = (c: SimCase, body: unknown, profile = p25) => declaredFor(c, casePins(c), profile, body, profile.view(body));
  const pinning = (...pins: [string, unknown][]) => simCase({ assert: pins.map(([path, value]) => ({ type: 'equals', path, value })) });

  it('an equals pin on /opus_used true declares the escalation the answer made', () => {
    expect(declared(pinning(['/opus_used', true]), long).escalation).toBe(true);
  });

  it('expected.opus_used: true declares it; a pin the answer does not match, a warn-level or negated one, or an answer-text pin does not', () => {
    expect(declared(simCase({ expected: { opus_used: true } }), long).escalation).toBe(true);
    expect(declared(pinning(['/state_snapshot/JUDICIAL_RESULT', {}]), long).escalation).toBe(false);
    for (const a of [
      { type: 'equals', path: '/opus_used', value: true, level: 'warn' as const },
      { type: 'not-equals', path: '/opus_used', value: false },
      { type: 'equals', value: long.final_answer },
      { type: 'contains', path: '/opus_used', value: 'true' },
    ]) {
      expect(declared(simCase({ assert: [a] }), long).escalation, JSON.stringify(a)).toBe(false);
    }
  });

  it('a pinned value that only goes with the behaviour declares nothing: confidence, the model list, the plan', () => {
    // 68 is 2.5h's score with Opus; 58 is its score without (or with Opus and two contradictions).
    expect(long.confidence_score).toBe(68);
    for (const path of ['/confidence_score', '/models_used', '/state_snapshot/CONFIDENCE_SCORE', '/tier_path']) {
      const c = pinning([path, long[path.slice(1)] ?? long.state_snapshot.CONFIDENCE_SCORE]);
      expect(casePins(c)).toHaveLength(1);
      expect(declared(c, long), path).toEqual({ escalation: false, contradictions: false });
    }
    // An answer that escalated while its pinned confidence says it did not (58) is not excused either.
    const forced = clone(samples['2.5h']().find((l) => l.case === 'short')!.response) as any;
    forced.opus_used = true;
    forced.state_snapshot.JUDICIAL_RESULT = long.state_snapshot.JUDICIAL_RESULT;
    expect(declared(pinning(['/confidence_score', 58]), forced).escalation).toBe(false);
  });

  it('pins through members named __proto__ or constructor (JSON.parse keeps them as own members) never write to a prototype', () => {
    // The answer and the dataset both come from outside; JSON.parse makes "__proto__" an ordinary member.
    const body = JSON.parse('{"final_answer":"a","__proto__":{"x":1,"opus_used":true},"constructor":{"prototype":{"y":2}}}');
    const c = pinning(['/__proto__/x', 1], ['/constructor/prototype/y', 2], ['/__proto__/opus_used', true]);
    const part = pinnedPart(casePins(c), body) as Record<string, any>;
    try {
      expect(({} as any).x).toBeUndefined();
      expect(({} as any).y).toBeUndefined();
      expect(({} as any).opus_used).toBeUndefined();
      // The pinned members are in the part as the answer has them: own members, plain data.
      expect(JSON.stringify(part)).toBe('{"__proto__":{"x":1,"opus_used":true},"constructor":{"prototype":{"y":2}}}');
      expect(Object.getPrototypeOf(part)).toBe(Object.prototype);
      // A pin under __proto__ declares nothing the profile reads at the top level.
      expect(declared(c, body)).toEqual({ escalation: false, contradictions: false });
    } finally {
      delete (Object.prototype as any).x;
      delete (Object.prototype as any).y;
      delete (Object.prototype as any).opus_used;
    }
  });

  it('pins under or above the field that shows the behaviour count, read by the profile on their own', () => {
    const r = long.state_snapshot.JUDICIAL_RESULT.opus_result.result;
    expect(declared(pinning(['/state_snapshot/JUDICIAL_RESULT/opus_result/result', r]), long).escalation).toBe(true);
    expect(declared(pinning(['/state_snapshot', long.state_snapshot]), long).escalation).toBe(true);
    // The whole answer pinned ("path": ""): everything it shows is declared.
    expect(declared(pinning(['', long]), long).escalation).toBe(true);
    expect(declared(pinning(['', { ...long, final_answer: 'another' }]), long).escalation).toBe(false);
    // A sibling under the snapshot shows nothing.
    expect(declared(pinning(['/state_snapshot/T1_RAW/0/tokens_used', long.state_snapshot.T1_RAW[0].tokens_used]), long).escalation).toBe(false);
  });

  it('pinned contradiction lists declare as many contradictions as they hold, and no more', () => {
    const body = clone(long);
    body.state_snapshot.T1_RAW[0].contradictions = ['a', 'b'];
    body.state_snapshot.T1_RAW[3].contradictions = ['b', 'c'];
    const list = (i: number): [string, unknown] => [`/state_snapshot/T1_RAW/${i}/contradictions`, body.state_snapshot.T1_RAW[i].contradictions];
    expect(p25.view(body).contradictions).toBe(3);
    expect(declared(pinning(list(0), list(3)), body).contradictions).toBe(true);
    expect(declared(pinning(list(0)), body).contradictions).toBe(false); // 2 of the 3
    expect(declared(pinning(list(1)), body).contradictions).toBe(false); // an empty list
    const before = JSON.stringify(body);
    const c = pinning(['/state_snapshot/T1_RAW', body.state_snapshot.T1_RAW], list(0), ['/opus_used', true]);
    const pinsBefore = JSON.stringify(c.assert);
    expect(pinnedPart(casePins(c), body)).toEqual({ opus_used: true, state_snapshot: { T1_RAW: body.state_snapshot.T1_RAW } });
    expect(declared(c, body)).toEqual({ escalation: true, contradictions: true });
    // Neither the answer nor the dataset's values are written to.
    expect(JSON.stringify(body)).toBe(before);
    expect(JSON.stringify(c.assert)).toBe(pinsBefore);
  });

  it('stability: a pinned /contradictions covers up to its number; toron-3: a pinned arbitration declares it', () => {
    const stability = clone(samples.stability().find((l) => (l.response as any).opus_used)!.response) as any;
    const ps = PROFILES['toron-2.5h-stability'];
    stability.contradictions = 6;
    expect(declared(pinning(['/contradictions', 6]), stability, ps).contradictions).toBe(true);
    expect(declared(pinning(['/tier_path', stability.tier_path]), stability, ps).escalation).toBe(true); // ends in T4
    expect(declared(pinning(['/tier_path/0', 'T1']), stability, ps).escalation).toBe(false);
    const p3 = PROFILES['toron-3'];
    const full = clone(samples.t3full().find((l) => (l.response as any).metrics.tier4_arbitration_invoked)!.response) as any;
    expect(declared(pinning(['/metrics/tier4_arbitration_invoked', true]), full, p3).escalation).toBe(true);
    expect(declared(pinning(['/consensus/arbitration_source', full.consensus.arbitration_source]), full, p3).escalation).toBe(true);
    expect(declared(pinning(['/metrics/providers_called', full.metrics.providers_called]), full, p3).escalation).toBe(false);
  });

  it('expected.contradictions covers up to its number', () => {
    const c = simCase({ expected: { contradictions: 6 } });
    const withN = (n: number) => ({ ...p25.view(long), contradictions: n });
    expect(declaredFor(c, [], p25, long, withN(6)).contradictions).toBe(true);
    expect(declaredFor(c, [], p25, long, withN(7)).contradictions).toBe(false);
  });
});

const tally = (over: Partial<EscalationTally>): EscalationTally => ({ answers: 0, escalated: 0, declared: 0, undeclaredCases: [], declaredCases: 0, ...over });

describe('run-level checks', () => {
  it('opus escalations: at most 3 undeclared cases; declared ones do not count', () => {
    const three = checkOpusEscalations(tally({ answers: 50, escalated: 20, declared: 17, undeclaredCases: ['d/a', 'd/b', 'd/c'], declaredCases: 9 }), 3);
    expect(three).toMatchObject({ ok: true, failed: 3 });
    expect(three.detail).toContain('17 escalated answer(s) in 9 case(s) declared by their datasets, not counted');
    const four = checkOpusEscalations(tally({ answers: 50, escalated: 4, undeclaredCases: ['d/a', 'd/b', 'd/c', 'd/d'] }), 3);
    expect(four).toMatchObject({ ok: false, failed: 4, cases: ['d/a', 'd/b', 'd/c', 'd/d'] });
    expect(four.detail).toMatch(/^4 cases escalated to Opus without their dataset declaring it, more than 3/);
  });

  it('escalation rate: over answers not declared to escalate, gated from a minimum sample', () => {
    expect(checkEscalationRate(tally({ answers: 40, escalated: 10, declared: 10 }), 0.2, 20)).toMatchObject({ ok: true, checked: 30, failed: 0 });
    expect(checkEscalationRate(tally({ answers: 40, escalated: 7 }), 0.15, 20)).toMatchObject({ ok: false, checked: 40, failed: 7 });
    expect(checkEscalationRate(tally({ answers: 40, escalated: 7 }), 0.2, 20).ok).toBe(true);
    const small = checkEscalationRate(tally({ answers: 5, escalated: 4 }), 0.2, 20);
    expect(small).toMatchObject({ ok: true, na: true });
    expect(small.detail).toContain('fewer than 20 answers, the rate is not gated');
  });

  it('contradiction density: the mean per answer is reported, undeclared answers at the limit fail', () => {
    const s = contradictionSummary({ measured: 4, total: 14, max: 8, declaredOver: 1, undeclaredOver: 0, unreadable: 0 }, 5);
    expect(s).toMatchObject({ ok: true, mean: 3.5 });
    expect(s.detail).toBe('mean 3.5 per answer, max 8; 0 answer(s) with 5 or more (limit: fewer than 5); 1 answer(s) at or over it declared by their datasets');
    expect(contradictionSummary({ measured: 2, total: 12, max: 7, declaredOver: 0, undeclaredOver: 1, unreadable: 0 }, 5).ok).toBe(false);
    expect(contradictionSummary({ measured: 0, total: 0, max: 0, declaredOver: 0, undeclaredOver: 0, unreadable: 0 }, 5)).toMatchObject({ ok: true, na: true, mean: null });
  });

  it('contradiction density: answers whose own count is unreadable fail the run-level check too, measured or not', () => {
    const some = contradictionSummary({ measured: 3, total: 0, max: 0, declaredOver: 0, undeclaredOver: 0, unreadable: 2 }, 5);
    expect(some).toMatchObject({ ok: false, checked: 5, failed: 2 });
    expect(some.detail).toMatch(/; 2 answer\(s\) with no readable contradiction count \(missing, not a count, or a tier-1 list that is not a list\)$/);
    expect(contradictionSummary({ measured: 0, total: 0, max: 0, declaredOver: 0, undeclaredOver: 0, unreadable: 4 }, 5)).toMatchObject({ ok: false, failed: 4, mean: null });
  });

  it('latency: p95 against the limit; outliers above median + max(k x MAD, min ms)', () => {
    const lat = [10, 11, 12, 10, 11, 13, 12, 11, 10, 400];
    const l = summariseLatency(lat, { latencyOutlierK: 5, latencyOutlierMinMs: 50 });
    expect(l).toMatchObject({ count: 10, p95: 400, median: 11, mad: 1, outlierAboveMs: 61 });
    expect(checkLatencyP95(l, 450).ok).toBe(true);
    expect(checkLatencyP95(l, 300)).toMatchObject({ ok: false });
    expect(findOutliers(lat, l)).toEqual([{ index: 9, latencyMs: 400 }]);
    // k x MAD wins when it is the larger margin.
    const wide = summariseLatency([100, 200, 300, 400, 500, 600, 700, 800, 900, 5000], { latencyOutlierK: 3, latencyOutlierMinMs: 50 });
    expect(wide.outlierAboveMs).toBe(550 + 3 * 250);
    // Sub-millisecond jitter of a local engine is no anomaly; too few answers say nothing.
    const jitter = [0.2, 0.21, 0.2, 0.22, 0.2, 0.21, 0.2, 0.2, 3.1];
    expect(findOutliers(jitter, summariseLatency(jitter, { latencyOutlierK: 5, latencyOutlierMinMs: 50 }))).toEqual([]);
    expect(findOutliers([1, 1, 900], summariseLatency([1, 1, 900], { latencyOutlierK: 5, latencyOutlierMinMs: 0 }))).toEqual([]);
    expect(checkLatencyP95(summariseLatency([], { latencyOutlierK: 5, latencyOutlierMinMs: 50 }), 450)).toMatchObject({ ok: true, na: true });
  });
});

describe('engine version (the engine map against what the engine reports)', () => {
  it('matches equal versions, a leading v, dotted prefixes and tokens of a longer version string', () => {
    for (const [asked, reported] of [
      ['3.1.0', '3.1.0'],
      ['v3.1.0', '3.1.0'],
      ['3.1', '3.1.4'],
      ['2.5h', 'reference-2.5h/2.0.0'],
      ['2.5h-stability', 'reference-2.5h-stability/2.0.0'],
      ['3', 'reference-3/2.0.0'],
      ['3.1', 'toron-v3.1.2+build7'],
      ['toron-3.1', 'Toron-3.1.2'],
    ]) {
      expect(versionMatches(asked, reported), `${asked} ~ ${reported}`).toBe(true);
    }
    for (const [asked, reported] of [
      ['3', 'reference-2.5h/2.0.0'],
      ['2.5h', 'reference-2.5h-stability/2.0.0'],
      ['2.5h', 'reference-2.6h/2.0.0'],
      ['3.1', '3.10.0'],
      ['staging', '3.1.0'],
      ['2.5h-stability', 'reference-2.5h/2.0.0'],
    ]) {
      expect(versionMatches(asked, reported), `${asked} !~ ${reported}`).toBe(false);
    }
  });

  it('a mismatch is HIGH, a silent engine MEDIUM, nothing asked: nothing', () => {
    expect(engineVersionFinding('3', 'reference-2.5h/2.0.0')).toMatchObject({
      type: 'engine-version-mismatch',
      severity: 'HIGH',
      message: 'engine version mismatch: asked for "3" (--engine-version / engineVersion), the engine reports "reference-2.5h/2.0.0"',
    });
    expect(engineVersionFinding('3', undefined)).toMatchObject({ type: 'engine-version-unknown', severity: 'MEDIUM' });
    expect(engineVersionFinding('2.5h', 'reference-2.5h/2.0.0')).toBeNull();
    expect(engineVersionFinding(null, 'anything')).toBeNull();
  });
});
