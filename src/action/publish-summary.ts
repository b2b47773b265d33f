import fs from 'node:fs';
import { renderSummaryMarkdown } from '../report/summary-md.js';
import { appendWithinLimit, fallbackSummary, FALLBACK_FINDINGS, SUMMARY_LIMIT_BYTES, SUMMARY_NOTES_RESERVE } from '../github/summary.js';
import type { ActionContext } from './action-context.js';
import type { ActionOutcome } from './outcome.js';

/** Where the whole report can be read, said as the job's publishing left it. */
export function reportHome(uploaded: boolean, reportDir: string | null): string {
  if (uploaded) return 'the artifact';
  return reportDir ? `${reportDir} on the runner (upload-artifact is false: nothing was uploaded)` : 'nowhere else (upload-artifact is false and the run wrote no report)';
}

const cutNote = (home: string): string => `> ✂️ This summary was cut to fit the job summary limit (1 MiB). The full report (summary.md, report.html) is in ${home}.`;

export interface SummaryText {
  markdown: string;
  /** How many WAR ROOM findings the text lists (null: not known). */
  listed: number | null;
}

/**
 * The run's summary for GitHub: summary.md's content, rendered again from the report within the room
 * the job summary leaves (1 MiB less the reserve for the links and notes appended later), so it is
 * never cut in the middle and it is known how many findings it lists; without summary.md's relative
 * links (report.html, bundle.zip), which do not resolve on the run page or in a comment: the artifact
 * links are appended after the upload. Without a report: a summary built from what is known.
 */
export function summaryText(o: ActionOutcome): SummaryText {
  if (o.report) {
    try {
      const r = renderSummaryMarkdown(o.report, {
        budget: { bytes: SUMMARY_LIMIT_BYTES - SUMMARY_NOTES_RESERVE - 64 },
        links: { html: null, report: null, bundle: null },
      });
      return { markdown: r.markdown, listed: r.listed };
    } catch {
      // summary.md, as the run wrote it, below
    }
  }
  const file = o.paths?.summaryMd;
  if (file) {
    try {
      const text = withoutRelativeLinks(fs.readFileSync(file, 'utf8'));
      if (text.trim() !== '') return { markdown: text.endsWith('\n') ? text : text + '\n', listed: null };
    } catch {
      // missing: the fallback below says what is known
    }
  }
  return {
    markdown: fallbackSummary({ verdict: o.verdict, reason: o.reason, runId: o.runId, result: o.result, report: o.report, findings: o.findings }),
    listed: Math.min(FALLBACK_FINDINGS, o.findings.length),
  };
}

/** summary.md's `Reports: [report.html](<report.html>) · ...` line: paths inside the artifact, 404s on GitHub. */
export function withoutRelativeLinks(markdown: string): string {
  return markdown
    .split('\n')
    .filter((l) => !/^Reports: \[[^\]]+\]\(<(?![a-z]+:)[^>]*>\)( · \[[^\]]+\]\(<(?![a-z]+:)[^>]*>\))*$/.test(l))
    .join('\n')
    .replace(/\[(report\.html|report\.json|bundle\.zip)\]\(<(?![a-z]+:)[^>]*>\)/g, '$1');
}

/**
 * The job summary (within 1 MiB, room kept for the links appended later). Returns whether it had to cut
 * it. `home`: where the full report is (reportHome).
 */
export function writeJobSummary(ctx: ActionContext, text: string, home: string): boolean {
  const file = ctx.gh.stepSummaryFile;
  if (!file) {
    ctx.log.debug('GITHUB_STEP_SUMMARY is not set: no job summary');
    return false;
  }
  const r = appendWithinLimit(file, text, SUMMARY_NOTES_RESERVE, cutNote(home));
  if (r.truncated) ctx.log.info(`toron-testops: the job summary was cut to fit 1 MiB (the full summary is in ${home})`);
  return r.truncated;
}

/** Lines appended after the summary (artifact links, publishing notes), inside the reserve kept for them. */
export function appendSummaryNotes(ctx: ActionContext, lines: string[]): void {
  const file = ctx.gh.stepSummaryFile;
  if (!file || lines.length === 0) return;
  appendWithinLimit(file, `\n${lines.join('\n')}\n`, 0, '…');
}
