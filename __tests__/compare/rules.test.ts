import { describe, expect, it } from 'vitest';
import { ruleFindings } from '../../src/compare/findings.js';
import { comparisonMarkdown } from '../../src/compare/markdown.js';
import { invalidLoadNote, metricDelta, reportMetrics, snapshotMetrics } from '../../src/compare/metrics.js';
import { combinedVerdict, evaluateRules, promoteDecision, rulesVerdict } from '../../src/compare/rules.js';
import type { CaseComparison, CaseCounts, CompareMetrics, Comparison } from '../../src/compare/types.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import type { CompareSettings } from '../../src/settings/types.js';
import { CATALOGUE } from '../../src/warroom/catalogue.js';

const counts = (over: Partial<CaseCounts> = {}): CaseCounts => ({ unchanged: 10, changed: 0, new: 0, removed: 0, noise: 0, regressed: 0, fixed: 0, compared: 10, ...over });

function metrics(over: Partial<Record<keyof CompareMetrics, [number | null, number | null]>> = {}): CompareMetrics {
  const d = { passRate: [100, 100], p95Ms: [100, 100], errorRate: [0, 0], determinismScore: [100, 100], ...over } as Record<keyof CompareMetrics, [number | null, number | null]>;
  return {
    passRate: metricDelta(...d.passRate),
    p95Ms: metricDelta(...d.p95Ms),
    errorRate: metricDelta(...d.errorRate),
    determinismScore: metricDelta(...d.determinismScore),
  };
}

const rules = (): CompareSettings => structuredClone(DEFAULTS.compare) as CompareSettings;

describe('metricDelta', () => {
  it('gives the delta and the delta in percent of the baseline', () => {
    expect(metricDelta(200, 250)).toEqual({ baseline: 200, candidate: 250, delta: 50, deltaPct: 25 });
    expect(metricDelta(0, 5)).toEqual({ baseline: 0, candidate: 5, delta: 5, deltaPct: null });
    expect(metricDelta(null, 5)).toEqual({ baseline: null, candidate: 5, delta: null, deltaPct: null });
    expect(metricDelta(undefined, Number.NaN)).toEqual({ baseline: null, candidate: null, delta: null, deltaPct: null });
  });

  it('reads a report and a snapshot header (k6 names), with null for what is not there', () => {
    const stages = {
      sim: { verdict: 'PASS', passRate: 0.95 },
      load: { verdict: 'PASS', metrics: { http_req_duration: { 'p(95)': 120.5 }, http_req_failed: { rate: 0.02 } } },
      replay: { verdict: 'SKIPPED' },
    };
    expect(reportMetrics(stages)).toEqual({ passRate: 95, p95Ms: 120.5, errorRate: 2, determinismScore: null });
    expect(snapshotMetrics({ sim: { passRate: 1 }, load: null })).toEqual({ passRate: 100, p95Ms: null, errorRate: null, determinismScore: null });
  });

  it('an invalid load run (its generator fell behind) gives no p95: its latency holds the lag; its error rate stands', () => {
    const load = { verdict: 'WARN', valid: false, metrics: { http_req_duration: { 'p(95)': 337.2 }, http_req_failed: { rate: 0.01 } } };
    expect(reportMetrics({ sim: { verdict: 'PASS', passRate: 1 }, load })).toMatchObject({ p95Ms: null, errorRate: 1 });
    expect(snapshotMetrics({ sim: { passRate: 1 }, load })).toMatchObject({ p95Ms: null, errorRate: 1 });
    expect(invalidLoadNote(load, 'the baseline (run b1)')).toMatch(/^the baseline \(run b1\)'s load run was invalid .*its p95 is not available$/);
    expect(invalidLoadNote({ ...load, valid: true }, 'x')).toBeNull();
  });
});

describe('evaluateRules', () => {
  it('all within: PASS, no finding', () => {
    const r = evaluateRules({ metrics: metrics(), counts: counts(), passData: true }, rules());
    expect(r.filter((x) => x.status === 'broken')).toEqual([]);
    expect(rulesVerdict(r)).toBe('PASS');
    expect(ruleFindings(r, [])).toEqual([]);
  });

  it('any regressed case is an error: FAIL', () => {
    const r = evaluateRules({ metrics: metrics(), counts: counts({ regressed: 1 }), passData: true }, rules());
    expect(r.find((x) => x.name === 'regressions')).toMatchObject({ status: 'broken', value: 1, level: 'error' });
    expect(rulesVerdict(r)).toBe('FAIL');
  });

  it('p95 worse by more than 20% and more than minMs: WARN; by 20% exactly, or by a few ms: ok', () => {
    const worse = evaluateRules({ metrics: metrics({ p95Ms: [100, 130] }), counts: counts(), passData: true }, rules());
    expect(worse.find((x) => x.name === 'p95Increase')).toMatchObject({ status: 'broken', value: 30 });
    expect(rulesVerdict(worse)).toBe('WARN');
    const edge = evaluateRules({ metrics: metrics({ p95Ms: [100, 120] }), counts: counts(), passData: true }, rules());
    expect(edge.find((x) => x.name === 'p95Increase')!.status).toBe('ok');
    const tiny = evaluateRules({ metrics: metrics({ p95Ms: [4, 12] }), counts: counts(), passData: true }, rules());
    expect(tiny.find((x) => x.name === 'p95Increase')).toMatchObject({ status: 'ok', value: 200 });
    const strict = rules();
    strict.rules.p95Increase = { level: 'error', max: 20, minMs: 0 };
    expect(rulesVerdict(evaluateRules({ metrics: metrics({ p95Ms: [4, 12] }), counts: counts(), passData: true }, strict))).toBe('FAIL');
  });

  it('a determinism drop of more than 10 points warns; error rate and pass rate drops too', () => {
    const r = evaluateRules(
      { metrics: metrics({ determinismScore: [100, 85], errorRate: [0, 5], passRate: [100, 90] }), counts: counts(), passData: true },
      rules(),
    );
    const by = Object.fromEntries(r.map((x) => [x.name, x]));
    expect(by.determinismDrop).toMatchObject({ status: 'broken', value: 15 });
    expect(by.errorRateIncrease).toMatchObject({ status: 'broken', value: 5 });
    expect(by.passRateDrop).toMatchObject({ status: 'broken', value: 10 });
    expect(rulesVerdict(r)).toBe('WARN');
    const types = ruleFindings(r, []).map((f) => f.type);
    expect(types.sort()).toEqual(['compare-determinism-drop', 'compare-error-rate-increase', 'compare-pass-rate-drop']);
    for (const t of types) expect(CATALOGUE[t], t).toBeDefined();
  });

  it('missing data is "not available", never a number, and breaks nothing', () => {
    const r = evaluateRules(
      { metrics: metrics({ determinismScore: [null, 90], p95Ms: [null, 500] }), counts: counts({ compared: 0, unchanged: 0 }), passData: false },
      rules(),
    );
    const by = Object.fromEntries(r.map((x) => [x.name, x]));
    expect(by.determinismDrop).toMatchObject({ status: 'not-available', value: null });
    expect(by.p95Increase).toMatchObject({ status: 'not-available', value: null });
    expect(by.regressions).toMatchObject({ status: 'not-available', value: null });
    expect(by.changedAnswers.status).toBe('off');
    expect(rulesVerdict(r)).toBe('PASS');
  });

  it('levels are data: off skips, warn downgrades an error rule', () => {
    const s = rules();
    s.rules.regressions = { level: 'warn', max: 0 };
    s.rules.changedAnswers = { level: 'error', max: 10 };
    const r = evaluateRules({ metrics: metrics(), counts: counts({ regressed: 2, changed: 5, unchanged: 5 }), passData: true }, s);
    expect(r.find((x) => x.name === 'changedAnswers')).toMatchObject({ status: 'broken', value: 50 });
    expect(rulesVerdict(r)).toBe('FAIL');
    s.rules.changedAnswers.level = 'off';
    expect(rulesVerdict(evaluateRules({ metrics: metrics(), counts: counts({ regressed: 2 }), passData: true }, s))).toBe('WARN');
  });

  it('changedAnswers is over the stable cases: noise neither changed nor stayed, as in replay drift', () => {
    const s = rules();
    s.rules.changedAnswers = { level: 'error', max: 40 };
    const one = evaluateRules({ metrics: metrics(), counts: counts({ changed: 1, unchanged: 2, noise: 1, compared: 4 }), passData: true }, s);
    expect(one.find((x) => x.name === 'changedAnswers')).toMatchObject({ status: 'ok', value: 33.33 });
    const none = evaluateRules({ metrics: metrics(), counts: counts({ changed: 0, unchanged: 0, noise: 3, compared: 3 }), passData: true }, s);
    expect(none.find((x) => x.name === 'changedAnswers')).toMatchObject({ status: 'not-available', value: null });
  });

  it('a broken regressions rule gives one finding per regressed case, with its file:line', () => {
    const r = evaluateRules({ metrics: metrics(), counts: counts({ regressed: 1 }), passData: true }, rules());
    const c: CaseComparison = {
      dataset: 'ds',
      id: 'x',
      status: 'unchanged',
      pass: { baseline: true, candidate: false, change: 'regressed' },
      similarity: 1,
      latencyMs: { baseline: 1, candidate: 1 },
      location: { file: 'sim/ds.json', line: 9 },
    };
    const f = ruleFindings(r, [c]);
    expect(f.map((x) => [x.type, x.severity])).toEqual([
      ['compare-regressions', 'HIGH'],
      ['compare-case-regressed', 'HIGH'],
    ]);
    expect(f[1]).toMatchObject({ caseId: 'x', location: { file: 'sim/ds.json', line: 9 } });
  });
});

describe('promote', () => {
  it('only PASS or WARN with no CRITICAL finding', () => {
    expect(promoteDecision('PASS', 0)).toBe(true);
    expect(promoteDecision('WARN', 0)).toBe(true);
    expect(promoteDecision('WARN', 1)).toBe(false);
    expect(promoteDecision('PASS', 2)).toBe(false);
    expect(promoteDecision('FAIL', 0)).toBe(false);
    expect(promoteDecision('ERROR', 0)).toBe(false);
  });

  it('combines the candidate verdict with the comparison verdict (the worst wins)', () => {
    expect(combinedVerdict('PASS', 'WARN')).toBe('WARN');
    expect(combinedVerdict('FAIL', 'PASS')).toBe('FAIL');
    expect(combinedVerdict('WARN', 'FAIL')).toBe('FAIL');
    expect(combinedVerdict('PASS', 'PASS')).toBe('PASS');
  });
});

describe('comparison.md', () => {
  it('says "not available" for missing numbers and lists regressed cases with file:line', () => {
    const c = {
      runId: 'r',
      verdict: 'FAIL',
      comparisonVerdict: 'FAIL',
      promote: false,
      reason: 'candidate PASS; comparison FAIL',
      candidate: { spec: 'reference', version: null, kind: 'engine', engine: null, runId: 'r', verdict: 'PASS', reportDir: '../../reports/r', snapshot: null, error: null },
      baseline: { spec: 'old.json', version: null, kind: 'snapshot', engine: null, runId: 'o', verdict: null, reportDir: null, snapshot: 'old.json', error: null },
      metrics: metrics({ determinismScore: [null, 100] }),
      counts: counts({ regressed: 1 }),
      rules: [],
      findings: [],
      notes: [],
      cases: [
        {
          dataset: 'ds',
          id: 'x|y',
          status: 'unchanged',
          pass: { baseline: true, candidate: false, change: 'regressed' },
          similarity: 1,
          latencyMs: { baseline: 1, candidate: 2 },
          location: { file: 'sim/ds.json', line: 9 },
        },
      ],
    } as unknown as Comparison;
    const md = comparisonMarkdown(c, { cwd: '/', dir: '/' });
    expect(md).toContain('# Staging gate: FAIL, promote no');
    expect(md).toMatch(/\| determinism score \| not available \| 100 \| not available \|/);
    expect(md).toContain('### Regressed (pass → fail) (1)');
    expect(md).toContain('| ds/x\\|y | sim/ds.json:9 |');
  });
});
