import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { K6SummaryError, parseK6Summary, parseK6SummaryText } from '../../src/load/k6-summary.js';
import { k6Thresholds } from '../../src/stages/load/k6.js';
import { parseThresholds } from '../../src/load/thresholds.js';
import { ROOT } from '../helpers/cli.js';

/** Genuine k6 summaries (copied byte for byte from reference/k6; see the README beside them). */
const DIR = path.join(ROOT, '__tests__/fixtures/load/k6');
const EXPECTED = JSON.parse(fs.readFileSync(path.join(DIR, 'EXPECTED.json'), 'utf8')) as { files: Record<string, any> };

/** Relative tolerance 1e-9 (EXPECTED.json's rule); null must be null, never 0. */
function same(got: number | null | undefined, want: number | null): void {
  if (want === null) {
    expect(got ?? null).toBeNull();
    return;
  }
  expect(got).not.toBeNull();
  expect(Math.abs((got as number) - want)).toBeLessThanOrEqual(Math.abs(want) * 1e-9);
}

describe.each(Object.keys(EXPECTED.files))('%s', (file) => {
  const want = EXPECTED.files[file];
  const s = parseK6SummaryText(fs.readFileSync(path.join(DIR, file), 'utf8'), file);

  it('is read in its shape', () => {
    expect(s.shape).toBe(want.shape === 'handleSummary' ? 'handle-summary' : 'summary-export');
  });

  it('gives the counters, the trend and the rates, absent values as null', () => {
    same(s.http_reqs!.count, want.http_reqs.count);
    same(s.http_reqs!.rate, want.http_reqs.rate);
    for (const k of ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const) same(s.http_req_duration![k], want.http_req_duration_ms[k]);
    same(s.http_req_failed!.rate, want.http_req_failed.rate);
    same(s.http_req_failed!.passes, want.http_req_failed.failed_requests);
    same(s.http_req_failed!.fails, want.http_req_failed.ok_requests);
    same(s.iterations!.count, want.iterations.count);
    same(s.iterations!.rate, want.iterations.rate);
    if (want.dropped_iterations === null) expect(s.dropped_iterations).toBeNull();
    else {
      same(s.dropped_iterations!.count, want.dropped_iterations.count);
      same(s.dropped_iterations!.rate, want.dropped_iterations.rate);
    }
    if (want.checks === null) expect(s.checks).toBeNull();
    else {
      same(s.checks!.rate, want.checks.rate);
      same(s.checks!.passes, want.checks.passes);
      same(s.checks!.fails, want.checks.fails);
    }
    same(s.testRunDurationMs, want.test_run_duration_ms);
  });

  it("takes every threshold with k6's verdict (the export's inverted booleans undone)", () => {
    const key = (t: { metric: string; expression: string }) => `${t.metric} ${t.expression}`;
    const got = s.thresholds.map((t) => ({ metric: t.metric, expression: t.expression, passed: t.passed, as_stored: t.asStored })).sort((a, b) => key(a).localeCompare(key(b)));
    const exp = [...want.thresholds].sort((a: any, b: any) => key(a).localeCompare(key(b)));
    expect(got).toEqual(exp);
    expect(s.thresholdsPassed).toBe(want.thresholds_passed);
    expect(s.expectedExitCode).toBe(want.k6_exit_code);
    expect(s.failedThresholdMetrics).toEqual(want.failed_threshold_metrics);
  });
});

describe('k6 summaries: the rest', () => {
  it('a configured threshold k6 judged keeps its verdict, even without the value (p(99) absent)', () => {
    const s = parseK6SummaryText(fs.readFileSync(path.join(DIR, 'handle-summary-fail-errors.json'), 'utf8'), 'x');
    const parsed = parseThresholds({ http_req_duration: ['p(99)<2000', { threshold: 'p(95)<50', level: 'warn' }], http_req_failed: ['rate<0.05'] }, 'k6');
    const r = k6Thresholds(parsed, s);
    expect(r[0]).toMatchObject({ passed: true, actual: null, note: 'verdict from k6' });
    // not in the file: judged here from its values (p(95) = 91.4)
    expect(r[1]).toMatchObject({ level: 'warn', passed: false, actual: 91.43761999999981 });
    expect(r[2]).toMatchObject({ passed: false, level: 'error' });
    // the file's own thresholds that were not configured are kept with k6's verdict
    expect(r.find((t) => t.expression === 'p(95)<1000')).toMatchObject({ passed: true, note: /not in load.thresholds/ });
  });

  it('a sub-metric key with space inside its braces finds the name k6 gave it; summary-only thresholds show their value', () => {
    const s = parseK6Summary({
      metrics: {
        'http_req_duration{status:200}': { type: 'trend', contains: 'time', values: { avg: 12, 'p(95)': 30 }, thresholds: { 'p(95)<450': { ok: true } } },
        http_req_failed: { type: 'rate', contains: 'default', values: { rate: 0.02, passes: 2, fails: 98 }, thresholds: { 'rate<0.05': { ok: true } } },
      },
    });
    const r = k6Thresholds(parseThresholds({ 'http_req_duration{ status:200 }': ['p(95)<450'] }, 'k6'), s);
    expect(r).toHaveLength(2);
    expect(r[0]).toMatchObject({ metric: 'http_req_duration{ status:200 }', passed: true, actual: 30, note: 'verdict from k6' });
    expect(r[1]).toMatchObject({ metric: 'http_req_failed', expression: 'rate<0.05', passed: true, actual: 0.02 });
  });

  it('a configured Rate threshold k6 passed with no sample at all is a breach, as with the built-in generator', () => {
    const s = parseK6Summary({
      metrics: {
        'http_req_failed{scenario:other}': { passes: 0, fails: 0, value: 0, thresholds: { 'rate<0.01': false } },
        http_req_failed: { passes: 1, fails: 99, value: 0.01, thresholds: { 'rate<0.05': false } },
      },
    });
    const r = k6Thresholds(parseThresholds({ 'http_req_failed{scenario:other}': ['rate<0.01'], http_req_failed: ['rate<0.05'] }, 'k6'), s);
    expect(r[0]).toMatchObject({ passed: false, actual: null, note: expect.stringMatching(/no samples/) });
    expect(r[1]).toMatchObject({ passed: true, actual: 0.01, note: 'verdict from k6' });
  });

  it('a request-duration Trend k6 passed with no sample (all zeros: a tag matching nothing) is a breach too', () => {
    const empty = { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0 };
    const s = parseK6Summary({
      metrics: {
        'http_req_duration{scenario:typo}': { type: 'trend', contains: 'time', values: empty, thresholds: { 'p(95)<450': { ok: true } } },
        http_req_duration: { type: 'trend', contains: 'time', values: { avg: 12, min: 3, med: 10, max: 40, 'p(90)': 20, 'p(95)': 30 }, thresholds: { 'p(95)<450': { ok: true } } },
        // Connecting time is 0 on reused connections: zeros there are a measurement, k6's verdict stands.
        http_req_connecting: { type: 'trend', contains: 'time', values: empty, thresholds: { 'max<100': { ok: true } } },
      },
    });
    const r = k6Thresholds(parseThresholds({ 'http_req_duration{scenario:typo}': ['p(95)<450'], http_req_duration: ['p(95)<450'] }, 'k6'), s);
    expect(r[0]).toMatchObject({ passed: false, actual: null, note: expect.stringMatching(/no samples/) });
    expect(r[1]).toMatchObject({ passed: true, actual: 30, note: 'verdict from k6' });
    expect(r.find((t) => t.metric === 'http_req_connecting')).toMatchObject({ passed: true });
  });

  it("refuses k6's new machine-readable summary (no thresholds) with a clear reason", () => {
    const doc = { config: {}, metadata: { k6Version: '1.5.0', generatedAt: 'x' }, results: { checks: {}, metrics: [] }, version: '1.0.0' };
    expect(() => parseK6Summary(doc, 'summary.json')).toThrow(/new machine-readable summary.*no thresholds/);
  });

  it.each([
    ['not JSON', '{"metrics": '],
    ['no metrics', '{"root_group": {}}'],
    ['an array', '[]'],
  ])('%s is a K6SummaryError', (_what, text) => {
    expect(() => parseK6SummaryText(text, 'f.json')).toThrow(K6SummaryError);
  });
});
