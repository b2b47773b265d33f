import { describe, expect, it } from 'vitest';
import { COMMENT_BUDGET, JOB_SUMMARY_BUDGET, mdText, renderSummaryMarkdown } from '../../src/report/summary-md.js';
import { syntheticReport } from './fixtures/synthetic.js';

const bytes = (s: string) => Buffer.byteLength(s, 'utf8');

describe('summary.md', () => {
  it('has the verdict line, the totals table, headline numbers, failing items first, and links', () => {
    const r = syntheticReport({ cases: 30 });
    const { markdown, truncated, listed, omitted } = renderSummaryMarkdown(r);
    expect(truncated).toBe(false);
    expect(omitted).toBe(0);
    expect(listed).toBe(r.warroom.length);
    const lines = markdown.split('\n');
    expect(lines[0]).toBe('## ❌ toron-testops: FAIL');
    expect(markdown).toContain('| Stage | Verdict | Result |');
    expect(markdown).toMatch(/\| sim \| ❌ FAIL \| \d+\/30 passed/);
    expect(markdown).toContain('**Determinism** 62.0 / 100');
    expect(markdown).toContain('**p95** 131.5 ms');
    expect(markdown).toContain('**WAR ROOM** 2 CRITICAL');
    const failing = markdown.indexOf('### Failing');
    const warnings = markdown.indexOf('### Warnings');
    expect(failing).toBeGreaterThan(0);
    expect(warnings).toBeGreaterThan(failing);
    // CRITICAL before HIGH, with the dataset file:line
    const firstItems = lines.filter((l) => l.startsWith('- ')).slice(0, 3);
    expect(firstItems[0]).toContain('**CRITICAL**');
    expect(firstItems[1]).toContain('**CRITICAL**');
    expect(firstItems[1]).toContain('`sim/opus-escalation.json:13`');
    expect(firstItems[2]).toContain('**HIGH**');
    expect(markdown.trimEnd().split('\n').at(-1)).toBe('Reports: [report.html](<report.html>) · [report.json](<report.json>) · [bundle.zip](<bundle.zip>)');
  });

  it('a stage the cancel cut short says so in its row, and SIM how many cases never ran', () => {
    const r = syntheticReport({ cases: 4, failEvery: 0 });
    Object.assign(r.stages.sim, { verdict: 'PASS', passed: 4, total: 4, failed: 0, errored: 0, flaky: 0, passRate: 1, notRun: 16, cancelled: true });
    const { markdown } = renderSummaryMarkdown(r);
    expect(markdown).toContain('| sim | ✅ PASS | **cancelled, partial:** 4/4 passed (100.00%), 0 failed, 0 errored, 0 flaky, 16 not run |');
    delete (r.stages.sim as { cancelled?: boolean }).cancelled;
    Object.assign(r.stages.sim, { notRun: 0 });
    expect(renderSummaryMarkdown(r).markdown).toContain('| sim | ✅ PASS | 4/4 passed (100.00%), 0 failed, 0 errored, 0 flaky |');
  });

  it('the determinism score is rounded down to one decimal, as report.html shows it: 89.97 never reads "90" beside a WARN', () => {
    const r = syntheticReport({ cases: 2 });
    Object.assign(r.stages.replay, { verdict: 'WARN', determinismScore: 89.97 });
    const { markdown } = renderSummaryMarkdown(r);
    expect(markdown).toContain('| replay | ⚠️ WARN | determinism 89.9 / 100');
    expect(markdown).toContain('**Determinism** 89.9 / 100');
    expect(markdown).not.toMatch(/determinism 90\b|Determinism\*\* 90\b/);
  });

  it('an engine that never said its version (unreachable) leaves no double space in the run line', () => {
    const r = syntheticReport({ cases: 2 });
    r.engine = { ...r.engine, kind: 'http', version: null };
    const line = renderSummaryMarkdown(r).markdown.split('\n').find((l) => l.startsWith('Run '))!;
    expect(line).toMatch(/^Run `[^`]+` · engine http · [\d.]+ s/);
  });

  it('keeps engine text inert: no HTML, no mentions, no links, no table breaks', () => {
    const r = syntheticReport({ cases: 4, failEvery: 1, hostile: '<script>alert(1)</script> @octocat | [x](http://evil) #12 **b** `c`\n- item' });
    const { markdown } = renderSummaryMarkdown(r);
    expect(markdown).not.toContain('<script>');
    expect(markdown).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(markdown).not.toMatch(/(^|[^&#\w])@octocat/);
    expect(markdown).not.toMatch(/[^\\]\]\(http/);
    expect(markdown).toContain('&#64;octocat');
    expect(markdown).not.toContain(' #12');
    expect(markdown).toContain('\\|');
    for (const line of markdown.split('\n').filter((l) => l.startsWith('| '))) {
      expect(line.replace(/\\\|/g, '').split('|')).toHaveLength(5);
    }
    expect(mdText('- not a list')).toBe('\\- not a list');
    expect(mdText('# not a heading')).toBe('\\# not a heading');
    expect(mdText('1. not a list')).toBe('1\\. not a list');
    expect(mdText('x\ny')).toBe('x y');
  });

  it('never cuts a line inside a surrogate pair (half an emoji would be written as U+FFFD)', () => {
    const cut = mdText('a'.repeat(399) + '😀 tail', 400);
    expect(cut).toBe('a'.repeat(399) + '…');
    expect(Buffer.from(cut, 'utf8').toString('utf8')).not.toContain('\ufffd');
    expect(mdText('a'.repeat(398) + '😀 tail', 400)).toBe('a'.repeat(398) + '😀…');
  });

  it('shows bidi overrides and terminal controls from engine text escaped, so a line cannot be visually reordered', () => {
    // "<RLO>LIAF" renders as "FAIL" in a job summary or PR comment.
    expect(mdText('verdict \u202eLIAF')).toBe('verdict \\\\u202eLIAF');
    expect(mdText('a\u001b[31mb\u0007\u2066c')).toBe('a\\\\x1b\\[31mb\\\\x07\\\\u2066c');
    const report = syntheticReport();
    report.warroom[0].message = 'answer \u202eLIAF';
    const { markdown } = renderSummaryMarkdown(report);
    expect(markdown).toContain('answer \\\\u202eLIAF');
    expect(markdown).not.toMatch(/[\u202a-\u202e\u2066-\u2069\u0000-\u0008\u001b]/);
  });

  // One large run for the budget tests: 100k cases, multi-byte and hostile engine text.
  let big: ReturnType<typeof syntheticReport> | undefined;
  const bigReport = () => (big ??= syntheticReport({ cases: 100_000, hostile: '<script>alert(1)</script> ünïcödé ✓ 漢字 '.repeat(4) }));

  it('fits 100k cases in a 60,000-character comment with a clean truncation line', () => {
    const r = bigReport();
    const res = renderSummaryMarkdown(r, { budget: COMMENT_BUDGET });
    expect(res.markdown.length).toBeLessThanOrEqual(60_000);
    expect(res.truncated).toBe(true);
    expect(res.omitted).toBeGreaterThan(0);
    expect(res.listed + res.omitted).toBe(r.warroom.length);
    expect(res.markdown).toContain(`> **truncated:** ${res.omitted.toLocaleString('en-US')} more items not shown; the full report is in the bundle ([bundle.zip](<bundle.zip>)).`);
    // Whole lines only: every item line is complete, the table is whole.
    for (const l of res.markdown.split('\n').filter((x) => x.startsWith('- '))) expect(l).toMatch(/: .+/);
    expect(res.markdown.split('\n').filter((l) => l.startsWith('| ')).length).toBe(6);
  });

  it('fits the 1 MiB job summary budget in UTF-8 bytes', () => {
    const res = renderSummaryMarkdown(bigReport(), { budget: JOB_SUMMARY_BUDGET });
    expect(bytes(res.markdown)).toBeLessThanOrEqual(1024 * 1024);
    expect(res.truncated).toBe(true);
    expect(res.markdown).toContain('> **truncated:**');
  });

  it('degrades to the verdict and a pointer to the bundle under a tiny budget', () => {
    const r = syntheticReport({ cases: 10 });
    const res = renderSummaryMarkdown(r, { budget: { chars: 200 } });
    expect(res.markdown.length).toBeLessThanOrEqual(200);
    expect(res.markdown).toContain('toron-testops: FAIL');
    expect(res.markdown).toContain('truncated');
    expect(res.truncated).toBe(true);
  });

  it('links where the caller says (the action passes artifact URLs)', () => {
    const r = syntheticReport({ cases: 3 });
    const { markdown } = renderSummaryMarkdown(r, { links: { html: null, report: null, bundle: 'https://github.com/o/r/actions/runs/1/artifacts/2' } });
    expect(markdown).toContain('Reports: [bundle.zip](<https://github.com/o/r/actions/runs/1/artifacts/2>)');
    expect(markdown).not.toContain('report.html](');
  });

  it('says SKIPPED stages with their reason', () => {
    const r = syntheticReport({ cases: 3 });
    r.stages.load = { verdict: 'SKIPPED', reason: 'not requested (--stages)' };
    expect(renderSummaryMarkdown(r).markdown).toContain('| load | ⏭️ SKIPPED | not requested (--stages) |');
  });
});

describe('summary.md and report.html: the pipeline checks line', () => {
  it('counts checks as the stage reason does: off and not-applicable checks apart, never as passed', async () => {
    const r = syntheticReport({ cases: 4 });
    const pipeline = r.stages.pipeline as unknown as { checks: Record<string, unknown>[] };
    pipeline.checks.push({ name: 'latency-anomalies', ok: true, severity: 'HIGH', level: 'error', applicable: false, detail: 'not applicable: toron-3 does not expose it' });
    const { markdown } = renderSummaryMarkdown(r);
    // 5 checks: 1 passed, 2 failed, 1 off, 1 not applicable.
    expect(markdown).toMatch(/\| pipeline \| [^|]+ \| 1\/3 checks ok \(2 off or not applicable\) \|/);
    const { renderReportHtml } = await import('../../src/report/html.js');
    const html = renderReportHtml(r);
    expect(html).toContain('1/3 checks ok (2 off or not applicable)');
    expect(html).not.toContain('3/5 checks ok');
  });
});
