import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseK6SummaryText } from '../../src/load/k6-summary.js';
import { mergeK6Load, mergeK6Values } from '../../src/merge/k6.js';
import { DEFAULTS } from '../../src/settings/defaults.js';

// The k6 reference summaries, copied into the repository (a clean clone has nothing outside it).
const REF = path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/load/k6');
const read = (f: string) => ({ source: f, summary: parseK6SummaryText(fs.readFileSync(`${REF}/${f}`, 'utf8'), f) });
// Two runners' summaries (k6-operator parallelism 2): values from reference/k6/EXPECTED.json.
const A = read('handle-summary-fail-errors.json'); // 34825 requests, 95.28% failed
const B = read('handle-summary-pass-compact.json'); // 20 requests, none failed

describe('merging distributed k6 summaries', () => {
  it('sums counts and rates, weights avg by requests, keeps min/max exact, and bounds percentiles by the max', () => {
    const v = mergeK6Values([A.summary, B.summary]);
    expect(v.http_reqs.count).toBe(34845);
    expect(v.http_reqs.rate).toBeCloseTo(3243.7165624167674 + 2.4169333249062928, 9);
    expect(v.iterations.count).toBe(34832);
    expect(v.http_req_duration.avg).toBeCloseTo((93.62919545728624 * 34825 + 255.6286 * 20) / 34845, 9);
    expect(v.http_req_duration.min).toBe(0);
    expect(v.http_req_duration.max).toBe(2046.9319);
    expect(v.http_req_duration.med).toBe(255.0285);
    expect(v.http_req_duration['p(90)']).toBe(257.8066);
    expect(v.http_req_duration['p(95)']).toBe(260.64205000000004);
    expect(v.http_req_duration['p(99)']).toBeUndefined(); // neither runner has it: absent, not 0
    // http_req_failed: k6's `passes` are the failed requests.
    expect(v.http_req_failed.passes).toBe(33181);
    expect(v.http_req_failed.fails).toBe(1664);
    expect(v.http_req_failed.rate).toBeCloseTo(33181 / 34845, 12);
    expect(v.dropped_iterations).toBeUndefined();
  });

  it('judges thresholds on the merged values (percentiles on the upper bound) and keeps the runners\' own', () => {
    const { result, findings } = mergeK6Load([A, B], DEFAULTS.load as never);
    const report = result.report as any;
    expect(result.verdict).toBe('FAIL');
    expect(report.metrics.http_req_duration.upperBound).toEqual(['med', 'p(90)', 'p(95)']);
    expect(report.metrics.http_req_duration['p(99)']).toBeNull();
    const t = Object.fromEntries(report.thresholds.map((x: any) => [`${x.metric} ${x.expression}`, x]));
    expect(t['http_req_duration p(95)<450']).toMatchObject({ passed: true, actual: 260.64205000000004 });
    expect(t['http_req_duration p(95)<450'].note).toMatch(/upper bound over 2 runner/);
    expect(t['http_req_failed rate<0.01']).toMatchObject({ passed: false });
    // The runners' script thresholds: failed when any runner failed one.
    expect(t['http_req_failed rate<0.05']).toMatchObject({ passed: false });
    expect(t['http_req_duration p(95)<500']).toMatchObject({ passed: true });
    expect(report.durationMs).toBe(10736.1415);
    expect(findings.map((f) => f.message)).toContain('load threshold crossed (error): http_req_failed rate<0.01 (got 0.952)');
  });

  it('counts dropped iterations over runners and marks the run invalid', () => {
    const C = read('summary-export-fail-arrival-dropped.json');
    const v = mergeK6Values([C.summary, B.summary]);
    expect(v.dropped_iterations.count).toBe(188);
    const { result } = mergeK6Load([C, B], DEFAULTS.load as never);
    expect((result.report as any).valid).toBe(false);
  });
});
