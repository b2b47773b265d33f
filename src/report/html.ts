import { reportTemplates } from './templates.js';
import type { Report } from './types.js';
import { buildHtmlView, type ViewOptions } from './view-model.js';

/**
 * report.html: one self-contained page (inline CSS, inline SVG charts, one small inline script of
 * ours allowed by hash in the page's Content-Security-Policy). No request leaves the page, so it
 * works from file:// and as a downloaded artifact.
 */
export function renderReportHtml(report: Report, opts: ViewOptions = {}): string {
  const t = reportTemplates();
  const view = buildHtmlView(report, opts);
  return t.env.render('report.njk', { v: view, css: t.css, script: t.script, csp: t.csp });
}
