import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/html.js';
import { buildHtmlView, LIMITS, paginate, sortFindings } from '../../src/report/view-model.js';
import type { MetricPoint } from '../../src/store/types.js';
import { HOSTILE, syntheticReport } from './fixtures/synthetic.js';

function between(html: string, open: string, close: string): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    const a = html.indexOf(open, i);
    if (a < 0) return out;
    const b = html.indexOf(close, a + open.length);
    out.push(html.slice(a + open.length, b));
    i = b + close.length;
  }
}

const sha = (s: string) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

describe('report.html', () => {
  const report = syntheticReport({ cases: 60 });
  const html = renderReportHtml(report);

  it('escapes engine output everywhere: the only script element is ours', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<img/g)).toBeNull();
    // no attribute can be broken out of: quotes in engine text are entities
    const report2 = syntheticReport({ cases: 4, failEvery: 1, hostile: `" onmouseover="alert(3)' x='` });
    const html2 = renderReportHtml(report2);
    expect(html2).not.toMatch(/onmouseover="alert/);
    expect(html2).toContain('&quot; onmouseover=&quot;alert(3)&#39; x=&#39;');
  });

  it('carries a Content-Security-Policy that allows only its own inline style and script, by hash', () => {
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1].replace(/&#39;/g, "'");
    expect(csp).toContain("default-src 'none'");
    const [style] = between(html, '<style>', '</style>');
    const [script] = between(html, '<script>', '</script>');
    expect(csp).toContain(`style-src ${sha(style)}`);
    expect(csp).toContain(`script-src ${sha(script)}`);
    expect(csp).not.toContain('unsafe-inline');
    // Nothing is loaded from anywhere: no src/href to another origin, no style attribute.
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).not.toMatch(/\son[a-z]+="/);
  });

  it('shows the verdict banner, a card per stage, and every section', () => {
    expect(html).toMatch(/<div class="banner fail" id="verdict" data-verdict="FAIL">/);
    for (const s of ['sim', 'load', 'replay', 'pipeline']) expect(html).toContain(`data-stage="${s}"`);
    for (const id of ['stage-sim', 'stage-load', 'stage-replay', 'stage-pipeline', 'warroom', 'trends', 'artifacts']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('<svg class="scorebar"');
    expect(html.match(/<svg class="chart"/g)).toHaveLength(2); // histogram + timeline (no history yet)
    expect(html).toContain('Not enough history yet');
  });

  it('shows failing cases with an expected vs actual diff and their dataset file:line', () => {
    expect(html).toContain('<del>90</del>');
    expect(html).toContain('<ins>100</ins>');
    expect(html).toContain('<code>sim/opus-escalation.json:13</code>');
  });

  it('sorts the WAR ROOM by severity and marks CRITICAL rows', () => {
    const rows = [...html.matchAll(/<tr class="(sev-[a-z]+)" data-severity="([A-Z]+)"/g)].map((m) => m[2]);
    expect(rows.slice(0, 2)).toEqual(['CRITICAL', 'CRITICAL']);
    const rank = { CRITICAL: 0, HIGH: 1, MEDIUM: 2, LOW: 3, INFO: 4 } as Record<string, number>;
    for (let i = 1; i < rows.length; i++) expect(rank[rows[i]]).toBeGreaterThanOrEqual(rank[rows[i - 1]]);
    expect(html).toContain('<tr class="sev-critical" data-severity="CRITICAL"');
  });

  it('shows a SKIPPED stage with its reason and no section', () => {
    const r = syntheticReport({ cases: 5 });
    r.stages.load = { verdict: 'SKIPPED', reason: 'not requested (--stages)' };
    const h = renderReportHtml(r);
    expect(h).toMatch(/data-stage="load"[\s\S]*?SKIPPED[\s\S]*?not requested \(--stages\)/);
    expect(h).not.toContain('id="stage-load"');
  });

  it('renders a stage that broke before it had results, and an ERROR run', () => {
    const r = syntheticReport({ cases: 5 });
    r.verdict = 'ERROR';
    r.error = { kind: 'engine', message: 'engine unreachable: <b>refused</b>' };
    r.stages.replay = { verdict: 'ERROR', reason: 'boom' };
    r.stages.pipeline = { verdict: 'PASS', checks: 'not a list' } as never;
    const h = renderReportHtml(r);
    expect(h).toContain('(not a test verdict)');
    expect(h).toContain('engine unreachable: &lt;b&gt;refused&lt;/b&gt;');
    expect(h).toContain('id="stage-replay"');
    expect(h).toContain('No checks in this report.');
  });

  it('draws trends from the store history plus this run', () => {
    const history: MetricPoint[] = [1, 2, 3].map((i) => ({
      runId: `r${i}`,
      status: 'PASS',
      verdict: 'PASS',
      startedAt: `2026-01-0${i}T00:00:00.000Z`,
      finishedAt: null,
      durationMs: 1,
      simPassRate: 0.9,
      simTotal: 10,
      determinismScore: 95,
      p95Ms: 100 + i,
      warroomCritical: 0,
      warroomHigh: 0,
    }));
    const view = buildHtmlView(report, { history });
    expect(view.trends.runs).toBe(4);
    expect(view.trends.charts.map((c) => c.title)).toEqual(['SIM pass rate', 'Determinism score', 'Load p95 latency']);
    const points = view.trends.charts[1].series[0].points!;
    expect(points.at(-1)!.title).toContain('synthetic-1');
    expect(points.at(-1)!.title).toContain(': 62');
  });

  it('the determinism trend draws the PASS and FAIL lines this run was gated on, as its score bar does', () => {
    const gated = syntheticReport();
    gated.stages.replay.thresholds = { pass: 95, warn: 80 };
    const history = [1, 2].map((i) => ({ runId: `r${i}`, status: 'PASS' as const, verdict: 'PASS' as const, startedAt: `2026-01-0${i}T00:00:00.000Z`, finishedAt: null, durationMs: 1, simPassRate: 1, simTotal: 1, determinismScore: 97, p95Ms: null, warroomCritical: 0, warroomHigh: 0 }));
    const view = buildHtmlView(gated, { history });
    const trend = view.trends.charts.find((c) => c.title === 'Determinism score')!;
    expect(trend.rules.map((r) => r.label)).toEqual(['PASS 95', 'FAIL below 80']);
    expect(view.replay!.bar.bands.map((b) => b.label)).toEqual(['FAIL < 80', 'WARN < 95', 'PASS ≥ 95']);
  });

  it('TAR and the determinism score are shown rounded down: 449 of 499 agreeing is 89.9, not 90.0 beside a WARN', () => {
    const r = syntheticReport();
    Object.assign(r.stages.replay, { determinismScore: 89.97, tarCanonical: 0.8997, tarRaw: 0.8997, verdict: 'WARN' });
    const view = buildHtmlView(r);
    expect(view.replay!.stats.find((x) => x.label === 'TAR (canonical)')!.value).toBe('89.9%');
    expect(view.replay!.stats.find((x) => x.label === 'TAR (raw bytes)')!.value).toBe('89.9%');
    expect(view.replay!.bar.marker!.label).toBe('89.9');
    const html = renderReportHtml(r);
    expect(html).toContain('determinism<b>89.9</b>');
    expect(html).not.toContain('90.0');
  });

  it('a baseline sharing no case with the run: the Drift section says drift was not measured, not "drift rate 0.00%"', () => {
    const r = syntheticReport();
    const drift = { baseline: 'snapshots/other-suite.json', verdict: 'WARN', rate: 0, unchanged: 0, changed: 0, new: 2, removed: 2, noise: 0, cases: [{ id: 'a', status: 'new' }, { id: 'b', status: 'new' }, { id: 'x', status: 'removed' }, { id: 'y', status: 'removed' }] };
    r.stages.replay.drift = drift;
    const html = renderReportHtml(r);
    expect(html).toContain('drift not measured');
    expect(html).not.toContain('drift rate');
    expect(buildHtmlView(r).replay!.drift).toMatchObject({ unmeasured: true, rate: null });
    // A measured drift of 0 still shows its rate.
    r.stages.replay.drift = { ...drift, unchanged: 1, cases: [...drift.cases, { id: 'c', status: 'unchanged' }] };
    expect(renderReportHtml(r)).toContain('drift rate 0.00%');
  });

  it("the score bar's tooltip names the configured replay lines, as its bands do", () => {
    const gated = syntheticReport();
    gated.stages.replay.thresholds = { pass: 95, warn: 80 };
    const html = renderReportHtml(gated);
    const tooltip = /<svg class="scorebar"[^>]*>\s*<title>([^<]*)<\/title>/.exec(html)![1];
    expect(tooltip).toContain('(FAIL below 80, WARN 80 to below 95, PASS 95 and above)');
    expect(html).not.toContain('FAIL below 70');
  });

  it('rounds the determinism score down in the stage card as in the replay section: 89.97 never reads "90"', () => {
    const r = syntheticReport();
    Object.assign(r.stages.replay, { verdict: 'WARN', determinismScore: 89.97 });
    const h = renderReportHtml(r);
    expect(h).toContain('determinism 89.9');
    expect(h).not.toMatch(/determinism 90(?![.\d])/);
  });

  it('shows bidi overrides and controls in engine text escaped, so the page cannot be visually reordered', () => {
    const hostile = syntheticReport();
    hostile.reason = 'verdict \u202eLIAF';
    hostile.warroom[0].message = 'answer \u202eLIAF\u001b[31m';
    const h = renderReportHtml(hostile);
    // The backslash of the escape is itself written as &#92;.
    expect(h).toContain('verdict &#92;u202eLIAF');
    expect(h).toContain('answer &#92;u202eLIAF&#92;x1b[31m');
    expect(h).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u001b]/);
    // The expected/actual diff of a failing case too: its sides are read back from the answer and from
    // the message's quoted values (JSON strings, where \u202e is the override itself).
    const failing = syntheticReport({ cases: 8, hostile: '\u202egnp.exe\u202c \u2066isolate' });
    expect((failing.stages.sim.cases as { status: string }[]).some((c) => c.status === 'failed')).toBe(true);
    const f = renderReportHtml(failing);
    expect(f).toMatch(/<ins[^>]*>[^<]*&#92;u202egnp\.exe/);
    expect(f).not.toMatch(/[\u202a-\u202e\u2066-\u2069]/);
  });

  it('cuts long engine text at a character, never inside a surrogate pair', () => {
    const r = syntheticReport();
    r.reason = 'x'.repeat(LIMITS.maxText - 1) + '😀';
    const h = renderReportHtml(r);
    expect(h).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    expect(h).toContain('x'.repeat(LIMITS.maxText - 1) + '… (');
  });

  it('stays bounded for 100k cases: summarised and paginated', () => {
    const big = syntheticReport({ cases: 100_000 });
    const view = buildHtmlView(big);
    expect(view.sim!.problems.total).toBeGreaterThan(LIMITS.maxCaseDetails);
    expect(view.sim!.problems.shown).toBe(LIMITS.maxCaseDetails);
    expect(view.sim!.problems.pages).toHaveLength(LIMITS.maxCaseDetails / LIMITS.casesPerPage);
    expect(view.warroom.rows.shown).toBe(LIMITS.maxWarroomRows);
    const h = renderReportHtml(big);
    expect(h.length).toBeLessThan(4_000_000);
    expect(h).toMatch(/Showing 500 of [\d,]+ failing cases/);
    expect(h).toContain('href="#sim-cases-p10"');
  });
});

describe('paginate and sortFindings', () => {
  it('pages with stable ids and counts what is left out', () => {
    const p = paginate([1, 2, 3, 4, 5], { perPage: 2, max: 4, idPrefix: 'x' });
    expect(p.pages.map((x) => [x.id, x.items])).toEqual([
      ['x-p1', [1, 2]],
      ['x-p2', [3, 4]],
    ]);
    expect([p.total, p.shown, p.more]).toEqual([5, 4, 1]);
  });

  it('orders by score, keeping the raise order within a severity', () => {
    const f = (id: string, severity: 'CRITICAL' | 'LOW' | 'HIGH', score: number) => ({ id, severity, score, runId: 'r', type: 't', subsystem: 's', message: 'm', remediation: '', timestamp: '' });
    expect(sortFindings([f('a', 'LOW', 10), f('b', 'CRITICAL', 100), f('c', 'HIGH', 75), f('d', 'CRITICAL', 100)]).map((x) => x.id)).toEqual(['b', 'd', 'c', 'a']);
  });
});

it('HOSTILE fixture text is what the tests look for', () => {
  expect(HOSTILE).toContain('<script>alert(1)</script>');
});
