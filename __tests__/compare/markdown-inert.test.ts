import { describe, expect, it } from 'vitest';
import { comparisonMarkdown } from '../../src/compare/markdown.js';
import type { Comparison } from '../../src/compare/types.js';

/**
 * comparison.md is the job summary, the PR comment and the check run's summary in `mode: compare`.
 * Its cells quote engine text (the version the engine reports, its error messages) and a
 * contributor's dataset (case ids): shown as literal text, never as HTML (an <img> loading from
 * another host, a <details> swallowing the rest), links or @-mentions that ping people.
 */
const HOSTILE = '<img src="https://evil.example/p.png"> <details><summary>x @octocat [a](https://evil.example) ![i](https://evil.example/i.png) javascript:alert(1)';

const ROW = (over: Record<string, unknown>) => ({
  dataset: 'ds',
  status: 'changed',
  pass: { baseline: true, candidate: false, change: 'regressed' },
  similarity: 0.5,
  latencyMs: { baseline: 1, candidate: 2 },
  location: { file: 'sim/ds.json', line: 9 },
  ...over,
});

function comparison(): Comparison {
  const metric = { baseline: 100, candidate: 100, delta: 0, deltaPct: 0 };
  return {
    runId: 'r',
    verdict: 'FAIL',
    comparisonVerdict: 'FAIL',
    promote: false,
    reason: `candidate FAIL: ${HOSTILE}`,
    candidate: { spec: 'http://127.0.0.1:8000/run', version: null, kind: 'engine', engine: { kind: 'http', target: 'http://127.0.0.1:8000/run', version: HOSTILE, profile: 'auto' }, runId: 'r', verdict: 'FAIL', reportDir: 'reports/r', snapshot: null, error: null },
    baseline: { spec: 'reference', version: null, kind: 'engine', engine: null, runId: 'b', verdict: 'PASS', reportDir: null, snapshot: null, error: null },
    metrics: { passRate: metric, p95Ms: metric, errorRate: metric, determinismScore: metric },
    counts: { unchanged: 0, changed: 1, new: 0, removed: 0, noise: 0, regressed: 1, fixed: 0, compared: 1 },
    rules: [],
    findings: [{ id: 'f', runId: 'r', type: 'compare-case-regressed', severity: 'HIGH', score: 75, subsystem: 'compare', message: `ds/${HOSTILE} passed on the baseline and fails on the candidate`, remediation: '', timestamp: '2024-01-01T00:00:00Z' }],
    notes: [`the report found for the baseline is of run ${HOSTILE}`],
    cases: [ROW({ id: HOSTILE, errors: { baseline: null, candidate: `engine error: ${HOSTILE}` } })],
  } as unknown as Comparison;
}

describe('comparison.md with engine and dataset text', () => {
  it('holds no HTML, links, images or mentions of theirs; the text is still there', () => {
    const md = comparisonMarkdown(comparison(), { cwd: '/', dir: '/' });
    expect(md).not.toMatch(/<(img|details|summary)\b/i);
    expect(md).not.toMatch(/!?\[[^\]\\]*\]\(/);
    expect(md).not.toContain('@octocat');
    expect(md).not.toMatch(/https?:\/\/evil/);
    expect(md).toContain('&lt;img');
    expect(md).toContain('octocat');
    // Table rows keep their table's columns.
    const cells = (l: string) => l.split(/(?<!\\)\|/).length;
    let columns = 0;
    for (const line of md.split('\n')) {
      if (line.startsWith('| case |')) columns = cells(line);
      else if (line.startsWith('| ds/')) expect(cells(line), line).toBe(columns);
    }
    expect(columns).toBeGreaterThan(0);
  });
});

describe('comparison.md counts', () => {
  it('reports unstable cases (noise) apart, in the counts line and in a table of their own', () => {
    const c = comparison();
    (c as { counts: unknown }).counts = { unchanged: 4, changed: 3, new: 0, removed: 0, noise: 1, regressed: 1, fixed: 1, compared: 8 };
    (c as { cases: unknown[] }).cases = [ROW({ id: 'flaky', status: 'noise', pass: { baseline: true, candidate: true, change: 'passing' }, similarity: null })];
    const md = comparisonMarkdown(c, { cwd: '/', dir: '/' });
    expect(md).toContain('Cases: 4 unchanged, 3 changed, 1 unstable (noise: not compared), 0 new, 0 removed;');
    expect(md).toContain('### Unstable (noise) (1)');
    expect(md).toContain('| ds/flaky | sim/ds.json:9 |');
  });
});
