import { describe, expect, it } from 'vitest';
import { generatorValidity, loadVerdict } from '../../src/stages/load/verdict.js';
import type { ThresholdResult } from '../../src/load/thresholds.js';

const passing: ThresholdResult[] = [{ metric: 'http_req_duration', expression: 'p(95)<450', level: 'error', passed: true, actual: 120 } as ThresholdResult];

describe('load verdict: a generator that fell behind makes the run invalid', () => {
  it('scheduler lag p99 over load.maxSchedulerLagMs: invalid, WARN at best, the lag named', () => {
    expect(generatorValidity({ dropped: 0, lagP99Ms: 100, maxLagMs: 100 })).toEqual({ valid: true, reasons: [] });
    const late = generatorValidity({ dropped: 0, lagP99Ms: 100.1, maxLagMs: 100 });
    expect(late.valid).toBe(false);
    expect(late.reasons).toEqual(['the scheduler lag p99 was 100.1 ms, over load.maxSchedulerLagMs (100 ms)']);
    const v = loadVerdict(passing, late);
    expect(v.verdict).toBe('WARN');
    expect(v.reason).toContain('invalid run, the generator fell behind');
  });

  it('dropped requests make it invalid too; no measurement (null) is not a reason', () => {
    expect(generatorValidity({ dropped: null, lagP99Ms: null, maxLagMs: 100 }).valid).toBe(true);
    const dropped = generatorValidity({ dropped: 3, lagP99Ms: 5, maxLagMs: 100, generator: 'k6' });
    expect(dropped.valid).toBe(false);
    expect(dropped.reasons[0]).toMatch(/^3 request\(s\) were due while k6 had no free VU/);
    expect(loadVerdict(passing, generatorValidity({ dropped: 0, lagP99Ms: 5, maxLagMs: 100 })).verdict).toBe('PASS');
  });
});
