import { createHash } from 'node:crypto';
import fs from 'node:fs';
import nunjucks from 'nunjucks';

/**
 * The report's templates, read from templates/ next to the package. Each file is named by a literal
 * `new URL(..., import.meta.url)` so that ncc's asset relocator copies it into dist/ and rewrites the
 * path: the bundled CLI finds its templates from any working directory.
 */
function readTemplateFiles(): Record<string, string> {
  return {
    'report.njk': fs.readFileSync(new URL('../../templates/report.njk', import.meta.url), 'utf8'),
    'macros.njk': fs.readFileSync(new URL('../../templates/macros.njk', import.meta.url), 'utf8'),
    'report.css': fs.readFileSync(new URL('../../templates/report.css', import.meta.url), 'utf8'),
    'report.client.js': fs.readFileSync(new URL('../../templates/report.client.js', import.meta.url), 'utf8'),
  };
}

export interface ReportTemplates {
  env: nunjucks.Environment;
  css: string;
  script: string;
  /** The Content-Security-Policy of the page: only our own inline style and script, by hash. */
  csp: string;
}

let cached: ReportTemplates | null = null;

function sha256Base64(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('base64');
}

/** The page's policy: nothing from anywhere, except our one style block, our one script and data: images. */
export function contentSecurityPolicy(css: string, script: string): string {
  return [
    "default-src 'none'",
    `style-src 'sha256-${sha256Base64(css)}'`,
    `script-src 'sha256-${sha256Base64(script)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
}

export function reportTemplates(): ReportTemplates {
  if (cached) return cached;
  const files = readTemplateFiles();
  const loader: nunjucks.ILoader = {
    getSource(name: string) {
      const src = files[name];
      if (src === undefined) throw new Error(`report template ${name} does not exist`);
      return { src, path: name, noCache: false };
    },
  };
  // autoescape: every value from a report (engine answers, messages, ids) is HTML-escaped unless a
  // template says `| safe`, which only our own CSS and script do.
  const env = new nunjucks.Environment(loader, { autoescape: true, throwOnUndefined: false, trimBlocks: true, lstripBlocks: true });
  env.addFilter('num', (n: unknown, digits = 0) =>
    typeof n === 'number' && Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–',
  );
  env.addFilter('pct', (n: unknown, digits = 2) => (typeof n === 'number' && Number.isFinite(n) ? `${(n * 100).toFixed(digits)}%` : '–'));
  const css = files['report.css'];
  const script = files['report.client.js'];
  cached = { env, css, script, csp: contentSecurityPolicy(css, script) };
  return cached;
}
