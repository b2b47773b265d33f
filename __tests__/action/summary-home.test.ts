import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startAction } from '../../src/action/action-context.js';
import { reportHome, writeJobSummary } from '../../src/action/publish-summary.js';

describe('where a cut job summary sends its reader', () => {
  const cut = (home: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'summary-home-'));
    const file = path.join(dir, 'step-summary.md');
    fs.writeFileSync(file, '');
    const ctx = startAction({ GITHUB_STEP_SUMMARY: file }, undefined, () => undefined);
    ctx.cancel.dispose();
    // Two MiB of findings: more than the job summary holds.
    const truncated = writeJobSummary(ctx, `${'- a finding line\n'.repeat(130_000)}`, home);
    const text = fs.readFileSync(file, 'utf8');
    fs.rmSync(dir, { recursive: true, force: true });
    return { truncated, text };
  };

  it('names the artifact only when one was uploaded', () => {
    const up = cut(reportHome(true, '.toron-testops/reports/r1'));
    expect(up.truncated).toBe(true);
    expect(up.text.trimEnd().endsWith('The full report (summary.md, report.html) is in the artifact.')).toBe(true);

    const local = cut(reportHome(false, '.toron-testops/reports/r1'));
    expect(local.truncated).toBe(true);
    expect(local.text).not.toContain('in the artifact');
    expect(local.text.trimEnd().endsWith('is in .toron-testops/reports/r1 on the runner (upload-artifact is false: nothing was uploaded).')).toBe(true);
  });

  it('says so when there is no report anywhere', () => {
    expect(reportHome(false, null)).toContain('nowhere else');
    expect(reportHome(true, null)).toBe('the artifact');
  });
});
