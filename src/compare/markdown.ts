import { shortPointer } from '../replay/divergence.js';
import { mdText } from '../report/summary-md.js';
import type { CaseComparison, Comparison, MetricDelta } from './types.js';

/** Rows per case list in comparison.md; the rest is counted (comparison.json has them all). */
export const MD_ROWS_MAX = 100;

const NA = 'not available';

/**
 * A cell (or line) of text from outside: engine versions and error messages, case ids, messages that
 * quote them. comparison.md is the job summary, the PR comment and the check run's summary of mode:
 * compare, so it is made inert as summary.md's text is: no HTML, links, images or @-mentions, pipes
 * escaped, one line. Whole: comparison.json and this file are the record, not a preview.
 */
function cell(text: string): string {
  return mdText(text, Number.POSITIVE_INFINITY);
}

function n(v: number | null, unit = ''): string {
  return v === null ? NA : `${v}${unit}`;
}

function signed(v: number | null, unit = ''): string {
  if (v === null) return NA;
  return `${v > 0 ? '+' : ''}${v}${unit}`;
}

function where(c: CaseComparison): string {
  return c.location ? `${c.location.file}:${c.location.line}` : '';
}

function metricRow(name: string, m: MetricDelta, unit: string, pointsUnit: string): string {
  return `| ${name} | ${n(m.baseline, unit)} | ${n(m.candidate, unit)} | ${signed(m.delta, pointsUnit)} | ${signed(m.deltaPct, '%')} |`;
}

function caseTable(title: string, rows: CaseComparison[], cols: { head: string; value: (c: CaseComparison) => string }[]): string[] {
  if (rows.length === 0) return [];
  const out = [`### ${title} (${rows.length})`, '', `| case | file:line | ${cols.map((c) => c.head).join(' | ')} |`, `|---|---|${cols.map(() => '---').join('|')}|`];
  for (const c of rows.slice(0, MD_ROWS_MAX)) out.push(`| ${cell(`${c.dataset}/${c.id}`)} | ${cell(where(c))} | ${cols.map((x) => cell(x.value(c))).join(' | ')} |`);
  if (rows.length > MD_ROWS_MAX) out.push('', `… and ${rows.length - MD_ROWS_MAX} more (comparison.json lists every case).`);
  out.push('');
  return out;
}

const sim = (c: CaseComparison) => (c.similarity === null ? NA : c.similarity.toFixed(4));
const lat = (c: CaseComparison) => `${n(c.latencyMs.baseline, ' ms')} → ${n(c.latencyMs.candidate, ' ms')}`;
const err = (c: CaseComparison) => [c.errors?.baseline ? `baseline: ${c.errors.baseline}` : '', c.errors?.candidate ? `candidate: ${c.errors.candidate}` : ''].filter(Boolean).join('; ');

/** comparison.md: the headline, the sides, the deltas, the rules, then the cases that moved. */
export function comparisonMarkdown(c: Comparison, _where: { cwd: string; dir: string }): string {
  const lines: string[] = [];
  const side = (s: Comparison['candidate']) =>
    `${cell(s.spec)}${s.version ? ` (version ${cell(s.version)} of the engine map)` : ''}${s.engine ? ` — ${s.engine.version ? cell(s.engine.version) : `${s.engine.kind}, version not reported`}, profile ${s.engine.profile}` : ''}`;
  lines.push(`# Staging gate: ${c.verdict}, promote ${c.promote ? 'yes' : 'no'}`, '');
  lines.push(`${cell(c.reason)}`, '');
  lines.push('| | candidate | baseline |', '|---|---|---|');
  lines.push(`| engine | ${side(c.candidate)} | ${side(c.baseline)} |`);
  lines.push(`| kind | ${c.candidate.kind} | ${c.baseline.kind} |`);
  lines.push(`| run | ${cell(c.candidate.runId ?? NA)} | ${cell(c.baseline.runId ?? NA)} |`);
  lines.push(`| verdict | ${c.candidate.verdict ?? NA} | ${c.baseline.verdict ?? (c.baseline.kind === 'snapshot' ? 'not run (snapshot)' : NA)} |`);
  lines.push(`| report | ${cell(c.candidate.reportDir ?? NA)} | ${cell(c.baseline.reportDir ?? NA)} |`);
  lines.push(`| snapshot | ${cell(c.candidate.snapshot ?? NA)} | ${cell(c.baseline.snapshot ?? NA)} |`);
  lines.push('', `Comparison verdict: **${c.comparisonVerdict}**; candidate verdict: **${c.candidate.verdict ?? NA}**; combined: **${c.verdict}**.`, '');

  lines.push('## Deltas', '', '| metric | baseline | candidate | delta | delta % |', '|---|---|---|---|---|');
  lines.push(metricRow('SIM pass rate', c.metrics.passRate, '%', ' pts'));
  lines.push(metricRow('load p95', c.metrics.p95Ms, ' ms', ' ms'));
  lines.push(metricRow('load error rate', c.metrics.errorRate, '%', ' pts'));
  lines.push(metricRow('determinism score', c.metrics.determinismScore, '', ' pts'));
  const k = c.counts;
  lines.push('', `Cases: ${k.unchanged} unchanged, ${k.changed} changed, ${k.noise} unstable (noise: not compared), ${k.new} new, ${k.removed} removed; ${k.regressed} regressed (pass → fail), ${k.fixed} fixed (fail → pass).`, '');

  lines.push('## Rules', '', '| rule | level | max | value | status |', '|---|---|---|---|---|');
  for (const r of c.rules) lines.push(`| ${r.name} | ${r.level} | ${r.max} | ${r.value === null ? NA : `${r.value}${r.unit === '%' ? '%' : r.unit ? ` ${r.unit}` : ''}`} | ${r.status === 'broken' ? '**broken**' : r.status} |`);
  lines.push('');

  if (c.findings.length > 0) {
    lines.push('## Findings', '', '| severity | type | message |', '|---|---|---|');
    for (const f of c.findings) lines.push(`| ${f.severity} | ${f.type} | ${cell(f.message)}${f.location ? ` (${cell(`${f.location.file}:${f.location.line}`)})` : ''} |`);
    lines.push('');
  }

  lines.push('## Cases', '');
  lines.push(...caseTable('Regressed (pass → fail)', c.cases.filter((x) => x.pass.change === 'regressed'), [{ head: 'answer', value: (x) => x.status }, { head: 'similarity', value: sim }, { head: 'errors', value: err }]));
  lines.push(...caseTable('Fixed (fail → pass)', c.cases.filter((x) => x.pass.change === 'fixed'), [{ head: 'answer', value: (x) => x.status }, { head: 'similarity', value: sim }]));
  lines.push(
    ...caseTable('Changed answers', c.cases.filter((x) => x.status === 'changed'), [
      { head: 'first difference', value: (x) => (x.firstDifference === undefined ? '' : x.firstDifference === '' ? '(root)' : shortPointer(x.firstDifference)) },
      { head: 'similarity', value: sim },
      { head: 'latency', value: lat },
      { head: 'errors', value: err },
    ]),
  );
  // Reported apart (DESIGN §4.2): answers that differ between replays, so whether they changed is unknown.
  lines.push(...caseTable('Unstable (noise)', c.cases.filter((x) => x.status === 'noise'), [{ head: 'latency', value: lat }, { head: 'errors', value: err }]));
  lines.push(...caseTable('New cases', c.cases.filter((x) => x.status === 'new'), [{ head: 'candidate passed', value: (x) => (x.pass.candidate === null ? NA : String(x.pass.candidate)) }]));
  lines.push(...caseTable('Removed cases', c.cases.filter((x) => x.status === 'removed'), [{ head: 'baseline passed', value: (x) => (x.pass.baseline === null ? NA : String(x.pass.baseline)) }]));
  if (c.cases.length === 0) lines.push('No per-case comparison (see the reason above).', '');
  if (c.notes.length) lines.push('## Notes', '', ...c.notes.map((x) => `- ${cell(x)}`), '');
  return lines.join('\n');
}
