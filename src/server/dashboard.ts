import fs from 'node:fs';

// A URL relative to this module, so ncc copies the page next to the bundle as an asset.
const DASHBOARD_URL = new URL('../../templates/dashboard.html', import.meta.url);

let cached: string | null = null;

/** The dashboard page (templates/dashboard.html): plain HTML, CSS and JS, no build step. */
export function dashboardHtml(): string {
  cached ??= fs.readFileSync(DASHBOARD_URL, 'utf8');
  return cached;
}

/**
 * The page's scripts and styles are inline and fetch only this server: nothing else may load, and
 * no other site may frame it.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
