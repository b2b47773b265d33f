import fs from 'node:fs';
import type { Report, RunResult } from '../report/types.js';
import type { Verdict } from '../runner/verdict.js';
import type { Finding } from '../warroom/finding.js';
import { mdText } from '../report/summary-md.js';

/**
 * The job summary: 1 MiB per step, and over it the platform drops the whole summary (the toolkit's
 * `core.summary` does not guard it), so every write here is measured in UTF-8 bytes against what the
 * file already holds.
 */
export const SUMMARY_LIMIT_BYTES = 1024 * 1024;
/** Kept free for the lines appended after the upload and the comment (links, warnings). */
export const SUMMARY_NOTES_RESERVE = 16 * 1024;

/**
 * `text` in at most `maxBytes` UTF-8 bytes: cut at a line boundary (never inside a character), with
 * `note` in place of what was cut. Text that fits is returned unchanged.
 */
export function fitUtf8(text: string, maxBytes: number, note: string): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const tail = `\n\n${note}\n`;
  const room = maxBytes - Buffer.byteLength(tail);
  if (room <= 0) return Buffer.byteLength(note) <= maxBytes ? note : '';
  const buf = Buffer.from(text);
  let cut = room;
  // Back off to the start of a UTF-8 sequence, then to the last line break.
  while (cut > 0 && (buf[cut] & 0xc0) === 0x80) cut--;
  const head = buf.subarray(0, cut).toString('utf8');
  const nl = head.lastIndexOf('\n');
  const kept = nl > head.length / 2 ? head.slice(0, nl) : head;
  return closeOpenFence(kept) + tail;
}

/** A cut inside a ``` block would swallow the note into the code block. */
function closeOpenFence(text: string): string {
  const fences = text.match(/^```/gm)?.length ?? 0;
  return fences % 2 === 1 ? `${text}\n\`\`\`` : text;
}

export function fileBytes(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** Appends within the step's 1 MiB (less `reserve`); returns the bytes written and whether it had to cut. */
export function appendWithinLimit(file: string, text: string, reserve: number, note: string): { bytes: number; truncated: boolean } {
  const room = SUMMARY_LIMIT_BYTES - fileBytes(file) - reserve;
  if (room <= 0) return { bytes: 0, truncated: Buffer.byteLength(text) > 0 };
  const fitted = fitUtf8(text, room, note);
  fs.appendFileSync(file, fitted);
  return { bytes: Buffer.byteLength(fitted), truncated: fitted !== text };
}

const ICON: Record<Verdict, string> = { PASS: '✅', WARN: '⚠️', FAIL: '❌', ERROR: '🛑' };

export function verdictHeadline(verdict: Verdict): string {
  return `${ICON[verdict]} **${verdict}**${verdict === 'ERROR' ? ' (not a test verdict)' : ''}`;
}

/**
 * Text of the run (its reason, stage notes, findings) as inert Markdown, as summary.md shows it: the
 * reason of an early ERROR quotes what it refused (a mode: publish artifact's entry and member names,
 * an engine's answer), which must show as text, not as HTML, links or @-mentions.
 */
function cell(s: string, max = 400): string {
  return mdText(s, max);
}

/**
 * The reason as markdown: its first line a paragraph, each further line (several invalid inputs, one a
 * line) an item of a list; run together into one paragraph they read as one sentence.
 */
function reasonLines(reason: string): string[] {
  const [head = '', ...rest] = reason.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return rest.length === 0 ? [cell(head, 4000)] : [cell(head, 4000), '', ...rest.slice(0, 50).map((l) => `- ${cell(l, 1000)}`)];
}

function fmt(n: number | null, digits = 2): string {
  return n === null ? '–' : String(Number(n.toFixed(digits)));
}

/** Most findings the fallback summary lists. */
export const FALLBACK_FINDINGS = 50;

/**
 * What the summary says when summary.md is missing (the run broke before its report was written, or
 * the inputs were wrong): the verdict, why, the metrics and the worst findings.
 */
export function fallbackSummary(input: {
  verdict: Verdict;
  reason: string;
  runId: string | null;
  result: RunResult | null;
  report: Report | null;
  findings: Finding[];
}): string {
  const lines = [`## toron-testops ${verdictHeadline(input.verdict)}${input.runId ? ` · run \`${input.runId}\`` : ''}`, '', ...reasonLines(input.reason), ''];
  if (input.report) {
    lines.push('| stage | verdict | note |', '|---|---|---|');
    for (const [name, s] of Object.entries(input.report.stages)) lines.push(`| ${cell(name, 40)} | ${cell(String(s.verdict), 20)} | ${cell(s.reason ?? '')} |`);
    lines.push('');
  }
  if (input.result) {
    const m = input.result.metrics;
    lines.push(
      '| metric | value |',
      '|---|---|',
      `| SIM pass rate | ${m.simPassRate === null ? '–' : `${fmt(m.simPassRate * 100, 1)}%`} |`,
      `| determinism score | ${fmt(m.determinismScore, 1)} |`,
      `| load p95 (ms) | ${fmt(m.p95Ms, 1)} |`,
      `| WAR ROOM critical / high | ${m.warroomCritical} / ${m.warroomHigh} |`,
      '',
    );
  }
  if (input.findings.length > 0) {
    const shown = input.findings.slice(0, FALLBACK_FINDINGS);
    lines.push('### WAR ROOM', '', '| severity | type | where | message |', '|---|---|---|---|');
    for (const f of shown) {
      const where = f.location ? `${f.location.file}:${f.location.line}` : f.caseId ?? f.subsystem;
      lines.push(`| ${cell(f.severity, 20)} | ${cell(f.type, 80)} | ${cell(where)} | ${cell(f.message, 300)} |`);
    }
    if (input.findings.length > shown.length) lines.push('', `…and ${input.findings.length - shown.length} more in report.json.`);
    lines.push('');
  }
  return lines.join('\n') + '\n';
}
