import { describe, expect, it } from 'vitest';
import { renderSummaryMarkdown } from '../../src/report/summary-md.js';
import { validateReport } from '../../src/report/schema.js';
import { syntheticReport } from './fixtures/synthetic.js';

/**
 * summary.md shows a finding's file:line as a code span. The file comes from the report, which in
 * mode: publish is a fork PR's artifact (schema-valid is all that is checked): a line break in it
 * ended the list item and made the rest a Markdown heading of the job summary, the PR comment and the
 * check run ("## ✅ toron-testops: PASS" under a failing run).
 */
describe('summary.md code spans with a line break in a finding\'s file', () => {
  it('stay on their line: no heading or block of the file\'s text', () => {
    const r = syntheticReport({ cases: 5 });
    const f = r.warroom.find((x) => x.location)!;
    f.location = { file: 'sim/a.json\n## ✅ toron-testops: PASS\n<img src="https://evil.example/x.png">', line: 3 };
    expect(validateReport(r)).toEqual({ ok: true });
    const { markdown } = renderSummaryMarkdown(r);
    const lines = markdown.split('\n');
    expect(lines.filter((l) => l.includes('toron-testops: PASS'))).toEqual([expect.stringMatching(/^- /)]);
    expect(lines.some((l) => l.startsWith('<img'))).toBe(false);
  });
});
