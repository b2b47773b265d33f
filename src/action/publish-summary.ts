import fs from 'node:fs';
import { appendWithinLimit, fallbackSummary, SUMMARY_NOTES_RESERVE } from '../github/summary.js';
import type { ActionContext } from './action-context.js';
import type { ActionOutcome } from './outcome.js';

const CUT_NOTE = '> ✂️ This summary was cut to fit the job summary limit (1 MiB). The full report is in the artifact (summary.md, report.html).';

/** summary.md as the run wrote it, or a summary built from what is known when it is missing. */
export function summaryText(o: ActionOutcome): string {
  const file = o.paths?.summaryMd;
  if (file) {
    try {
      const text = fs.readFileSync(file, 'utf8');
      if (text.trim() !== '') return text.endsWith('\n') ? text : text + '\n';
    } catch {
      // missing: the fallback below says what is known
    }
  }
  return fallbackSummary({ verdict: o.verdict, reason: o.reason, runId: o.runId, result: o.result, report: o.report, findings: o.findings });
}

/** The job summary (within 1 MiB, room kept for the links appended later). */
export function writeJobSummary(ctx: ActionContext, text: string): void {
  const file = ctx.gh.stepSummaryFile;
  if (!file) {
    ctx.log.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
    return;
  }
  const r = appendWithinLimit(file, text, SUMMARY_NOTES_RESERVE, CUT_NOTE);
  if (r.truncated) ctx.log.info('toron-testops: the job summary was cut to fit 1 MiB (the full summary is in the artifact)');
}

/** Lines appended after the summary (artifact links, publishing notes), inside the reserve kept for them. */
export function appendSummaryNotes(ctx: ActionContext, lines: string[]): void {
  const file = ctx.gh.stepSummaryFile;
  if (!file || lines.length === 0) return;
  appendWithinLimit(file, `\n${lines.join('\n')}\n`, 0, '…');
}
