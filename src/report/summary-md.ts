import { STAGE_ORDER } from '../runner/events.js';
import type { Finding } from '../warroom/finding.js';
import type { Report } from './types.js';
import { cutText, sortFindings } from './view-model.js';
import { escapeControls } from '../util/printable.js';
import { pipelineChecksLine } from './pipeline-checks.js';
import { fixedDown } from './charts.js';

/**
 * summary.md: the Markdown the job summary and the PR comment use. Built line by line within a budget
 * (GitHub refuses a job summary over 1 MiB and a comment over 65,536 characters): the verdict, the
 * totals and the headline numbers always fit; items are added while they fit, and what does not is
 * counted in one "truncated" line that points to the bundle. A cut never lands inside a table or a line.
 */
export interface SummaryBudget {
  /** UTF-8 bytes. */
  bytes?: number;
  /** UTF-16 code units (what GitHub counts for a comment body), an upper bound on characters. */
  chars?: number;
}

export const JOB_SUMMARY_BUDGET: SummaryBudget = { bytes: 1024 * 1024 };
export const COMMENT_BUDGET: SummaryBudget = { chars: 60_000 };

export interface SummaryOptions {
  budget?: SummaryBudget;
  /** Link targets (default: the report's own relative artifact paths). The action passes artifact URLs. */
  links?: { html?: string | null; report?: string | null; bundle?: string | null };
  /** Most items listed at all (each line is also cut to 400 characters). */
  maxItems?: number;
}

export interface SummaryResult {
  markdown: string;
  truncated: boolean;
  /** Items (findings) listed and left out. */
  listed: number;
  omitted: number;
}

const ICON: Record<string, string> = { PASS: '✅', WARN: '⚠️', FAIL: '❌', ERROR: '🛑', SKIPPED: '⏭️' };
const SEV_ICON: Record<string, string> = { CRITICAL: '🔴', HIGH: '🟠', MEDIUM: '🟡', LOW: '🔵', INFO: '⚪' };
const MAX_LINE = 400;

/**
 * Text from a report (engine output, messages, ids) as inert Markdown: one line, no HTML, no links
 * (www. domains included), no emphasis, no table breaks, no @mentions or #123 / GH-123 references
 * that would ping people or link issues.
 */
export function mdText(s: unknown, max = MAX_LINE): string {
  let t = typeof s === 'string' ? s : s === undefined || s === null ? '' : String(s);
  t = t.replace(/[\r\n\t\f\v\u2028\u2029]+/g, ' ');
  if (t.length > max) t = `${cutText(t, max)}…`;
  // A bidi override would reorder the rest of the line as GitHub shows it ("LIAF" read as "FAIL").
  t = escapeControls(t);
  t = t
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_{}[\]|~$]/g, (c) => `\\${c}`)
    .replace(/#(?=\d)/g, '&#35;')
    // GFM autolinks a bare www. domain, and GitHub links GH-123 to an issue as it does #123.
    .replace(/\b(www)\./gi, '$1&#46;')
    .replace(/\b(gh)-(?=\d)/gi, '$1&#45;')
    .replace(/@/g, '&#64;')
    .replace(/:\/\//g, ':&#47;&#47;');
  // Block syntax only counts at the start of a line: a heading, a list item, a rule.
  return t.replace(/^(\s*)([#=+-]|\d+[.)])/, (_, sp: string, c: string) => `${sp}${c.slice(0, -1)}\\${c.slice(-1)}`);
}

function code(s: string): string {
  // Our own short identifiers and paths; engine text never goes through here. A report read from
  // elsewhere (mode: publish) may still hold a line break in a file name, which would end the code
  // span and the list item and start a heading: one line, controls shown escaped.
  return `\`${escapeControls(s.replace(/[\r\n\u2028\u2029]+/g, ' ')).replace(/`/g, "'")}\``;
}

function pct(x: unknown): string | null {
  return typeof x === 'number' && Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : null;
}

function n(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? x.toLocaleString('en-US') : '–';
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function stageResult(name: string, s: Obj): string {
  if (s.verdict === 'SKIPPED') return mdText(s.reason ?? 'skipped', 200);
  // A stage the cancel cut short: its numbers are of the work done, and the row says so first.
  return s.cancelled === true ? `**cancelled, partial:** ${stageFigures(name, s)}` : stageFigures(name, s);
}

function stageFigures(name: string, s: Obj): string {
  switch (name) {
    case 'sim': {
      const notRun = typeof s.notRun === 'number' && s.notRun > 0 ? `, ${n(s.notRun)} not run` : '';
      return `${n(s.passed)}/${n(s.total)} passed (${pct(s.passRate) ?? '–'}), ${n(s.failed)} failed, ${n(s.errored)} errored, ${n(s.flaky)} flaky${notRun}`;
    }
    case 'load': {
      const m = isObj(s.metrics) ? s.metrics : {};
      const d = isObj(m.http_req_duration) ? m.http_req_duration : {};
      const f = isObj(m.http_req_failed) ? m.http_req_failed : {};
      const reqs = isObj(m.http_reqs) ? m.http_reqs.count : m.http_reqs;
      return `p95 ${typeof d['p(95)'] === 'number' ? `${n(Math.round((d['p(95)'] as number) * 10) / 10)} ms` : '–'}, ${n(reqs)} requests, ${pct(f.rate) ?? '–'} failed`;
    }
    case 'replay': {
      // Rounded down, as report.html shows it: 89.97 must not read "90" beside a WARN.
      const det = `determinism ${typeof s.determinismScore === 'number' ? fixedDown(s.determinismScore, 1) : '–'} / 100`;
      // Drift's rate is null when nothing was compared: "not measured", never a 0% that reads as "no drift".
      if (!isObj(s.drift)) return det;
      return `${det}, drift ${typeof s.drift.rate === 'number' ? (pct(s.drift.rate) ?? '–') : 'not measured'}`;
    }
    case 'pipeline': {
      const checks = Array.isArray(s.checks) ? s.checks.filter(isObj) : [];
      return pipelineChecksLine(checks);
    }
    default:
      return mdText(s.reason ?? '', 200);
  }
}

function findingLine(f: Finding): string {
  const where = f.location ? ` ${code(`${f.location.file}:${f.location.line}`)}` : '';
  return `- ${SEV_ICON[f.severity] ?? ''} **${f.severity}** ${mdText(f.subsystem, 40)}${where}: ${mdText(f.message)}`;
}

class Budgeted {
  private parts: string[] = [];
  private bytes = 0;
  private chars = 0;
  constructor(private readonly budget: SummaryBudget) {}
  fits(line: string, reserve = 0): boolean {
    const b = Buffer.byteLength(line, 'utf8') + 1;
    const c = line.length + 1;
    return (this.budget.bytes === undefined || this.bytes + b + reserve <= this.budget.bytes) && (this.budget.chars === undefined || this.chars + c + reserve <= this.budget.chars);
  }
  add(line: string): void {
    this.parts.push(line);
    this.bytes += Buffer.byteLength(line, 'utf8') + 1;
    this.chars += line.length + 1;
  }
  /** Adds the lines all together or not at all. */
  addBlock(lines: string[], reserve: number): boolean {
    const text = lines.join('\n');
    if (!this.fits(text, reserve)) return false;
    for (const l of lines) this.add(l);
    return true;
  }
  text(): string {
    return this.parts.join('\n') + '\n';
  }
}

export function renderSummaryMarkdown(report: Report, opts: SummaryOptions = {}): SummaryResult {
  const budget = opts.budget ?? JOB_SUMMARY_BUDGET;
  const links = {
    html: opts.links?.html !== undefined ? opts.links.html : report.artifacts?.html ?? null,
    report: opts.links?.report !== undefined ? opts.links.report : report.artifacts?.report ?? null,
    bundle: opts.links?.bundle !== undefined ? opts.links.bundle : report.artifacts?.bundle ?? null,
  };
  const bundleName = links.bundle ?? 'bundle.zip';
  const truncLine = (omitted: number) =>
    `> **truncated:** ${omitted > 0 ? `${n(omitted)} more item${omitted === 1 ? '' : 's'} not shown; ` : ''}the full report is in the bundle (${mdLinkOrName('bundle.zip', links.bundle) || bundleName}).`;
  // Space kept for the truncation line and the links, so they always fit after the items.
  const linkLines = linksBlock(links);
  const reserve = Buffer.byteLength(truncLine(999_999_999) + '\n' + linkLines.join('\n'), 'utf8') + 8;

  const out = new Budgeted(budget);
  const stages = (report.stages ?? {}) as Record<string, Obj>;
  const head = [
    `## ${ICON[report.verdict] ?? ''} toron-testops: ${report.verdict}${report.verdict === 'ERROR' ? ' (not a test verdict)' : ''}`,
    '',
    `${mdText(report.reason, 1000)}`,
    '',
    `Run ${code(report.runId)} · engine ${[mdText(report.engine?.kind, 40), mdText(report.engine?.version ?? '', 80)].filter((t) => t !== '').join(' ')} · ${n(Math.round((report.durationMs ?? 0) / 100) / 10)} s` +
      (report.shard ? ` · shard ${n(report.shard.index)}/${n(report.shard.total)}` : '') +
      (report.merged ? ` · merged from ${n(report.merged.shards.length)} of ${n(report.merged.total ?? 0)} shards` : ''),
  ];
  if (!out.addBlock(head, reserve)) {
    // A budget smaller than the verdict itself: the verdict line and the pointer to the bundle.
    const tiny = new Budgeted(budget);
    tiny.addBlock([`## toron-testops: ${report.verdict}`], 0);
    tiny.addBlock([truncLine(0)], 0);
    return { markdown: tiny.text(), truncated: true, listed: 0, omitted: report.warroom?.length ?? 0 };
  }

  let truncated = false;
  const table = ['', '| Stage | Verdict | Result |', '| --- | --- | --- |'];
  for (const name of [...STAGE_ORDER, ...Object.keys(stages).filter((k) => !(STAGE_ORDER as string[]).includes(k))]) {
    const s = stages[name];
    if (!isObj(s)) continue;
    const v = String(s.verdict ?? '');
    table.push(`| ${mdText(name, 40)} | ${ICON[v] ?? ''} ${mdText(v, 20)} | ${stageResult(name, s)} |`);
  }
  if (!out.addBlock(table, reserve)) truncated = true;

  const sim = stages.sim;
  const replay = stages.replay;
  const load = stages.load;
  const headline: string[] = [];
  if (isObj(replay) && typeof replay.determinismScore === 'number') headline.push(`**Determinism** ${fixedDown(replay.determinismScore, 1)} / 100`);
  const p95 = isObj(load) && isObj(load.metrics) && isObj(load.metrics.http_req_duration) ? load.metrics.http_req_duration['p(95)'] : undefined;
  // Merged k6 runners: percentiles are upper bounds (src/merge/k6.ts).
  const bound = isObj(load) && isObj(load.metrics) && isObj(load.metrics.http_req_duration) && Array.isArray(load.metrics.http_req_duration.upperBound) && load.metrics.http_req_duration.upperBound.includes('p(95)');
  if (typeof p95 === 'number') headline.push(`**p95** ${bound ? '≤ ' : ''}${n(Math.round(p95 * 10) / 10)} ms${bound ? ' (upper bound)' : ''}`);
  if (isObj(sim) && sim.verdict !== 'SKIPPED' && pct(sim.passRate)) headline.push(`**SIM pass rate** ${pct(sim.passRate)}`);
  const counts = (['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'] as const).map((sev) => `${(report.warroom ?? []).filter((f) => f.severity === sev).length} ${sev}`);
  headline.push(`**WAR ROOM** ${counts.join(' · ')}`);
  if (!truncated && !out.addBlock(['', headline.join(' · ')], reserve)) truncated = true;

  // Failing and warning items first, most severe first, with the dataset file:line they point at.
  const sorted = sortFindings(report.warroom ?? []);
  const failing = sorted.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
  const warning = sorted.filter((f) => f.severity === 'MEDIUM' || f.severity === 'LOW');
  const info = sorted.filter((f) => f.severity === 'INFO');
  const maxItems = opts.maxItems ?? Number.POSITIVE_INFINITY;
  let listed = 0;
  let omitted = 0;
  for (const [title, list] of [
    ['Failing', failing],
    ['Warnings', warning],
    ['Notes', info],
  ] as const) {
    if (list.length === 0) continue;
    if (truncated || !out.addBlock(['', `### ${title} (${n(list.length)})`, ''], reserve)) {
      truncated = true;
      omitted += list.length;
      continue;
    }
    for (const f of list) {
      if (truncated || listed >= maxItems || !out.addBlock([findingLine(f)], reserve)) {
        truncated = true;
        omitted++;
        continue;
      }
      listed++;
    }
  }
  if (truncated) out.add('\n' + truncLine(omitted));
  for (const l of linkLines) out.add(l);
  return { markdown: out.text(), truncated, listed, omitted };
}

function mdLinkOrName(label: string, href: string | null): string {
  if (!href) return '';
  // Relative paths and http(s) URLs only; angle brackets keep spaces and parentheses inside the link.
  if (!/^(https?:\/\/|[^:]*$)/i.test(href)) return label;
  return `[${label}](<${href.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}

function linksBlock(links: { html: string | null; report: string | null; bundle: string | null }): string[] {
  const items = [
    mdLinkOrName('report.html', links.html),
    mdLinkOrName('report.json', links.report),
    mdLinkOrName('bundle.zip', links.bundle),
  ].filter(Boolean);
  return items.length ? ['', `Reports: ${items.join(' · ')}`] : [];
}
