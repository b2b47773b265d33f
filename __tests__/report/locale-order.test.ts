import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

/**
 * report.html (inside the bundle) and the order of the annotations the action publishes must not
 * depend on the machine's locale: `localeCompare` without a locale collates by LANG/LC_ALL (Node reads
 * them at start-up), so a runner set to cs_CZ sorts "checks" after "http_*" ("ch" is one letter after
 * "h"), sv_SE puts "ä" after "z", and the same run gave other bytes. Each locale needs its own process.
 */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const url = (rel: string) => pathToFileURL(path.join(ROOT, rel)).href;

const SCRIPT = `
import { renderReportHtml } from ${JSON.stringify(url('src/report/html.ts'))};
import { orderAnnotations } from ${JSON.stringify(url('src/github/annotations.ts'))};
import { syntheticReport } from ${JSON.stringify(url('__tests__/report/fixtures/synthetic.ts'))};
const report = syntheticReport({ cases: 4 });
const names = ['checks', 'http_req_duration_uncorrected', 'data_received', 'ärger', 'zeta', 'iy', 'ıx'];
for (const n of names) report.stages.load.metrics[n] = { count: 1, rate: 1 };
const html = renderReportHtml(report);
const metricOrder = names.map((n) => [n, html.indexOf('>' + n + '<')]).sort((a, b) => a[1] - b[1]).map((x) => x[0]);
const files = ['sim/h.json', 'sim/ch.json', 'sim/ärger.json', 'sim/zeta.json', 'sim/iy.json', 'sim/ıx.json'];
const planned = files.map((file) => ({ level: 'error', severity: 'HIGH', title: 't', message: 'm', file, line: 1 }));
const annotationOrder = orderAnnotations(planned, new Set()).map((a) => a.file);
process.stdout.write(JSON.stringify({ metricOrder, annotationOrder }));
`;

function orderUnder(locale: string): { metricOrder: string[]; annotationOrder: string[] } {
  const env = { ...process.env, LANG: locale, LC_ALL: locale, LC_COLLATE: locale };
  const r = spawnSync(process.execPath, ['--import', TSX, '--input-type=module', '-e', SCRIPT], { cwd: ROOT, env, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child under ${locale} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

describe('report.html and annotations sort the same under every locale', () => {
  it('C, cs_CZ, sv_SE and tr_TR give one order, by code point', () => {
    const c = orderUnder('C');
    for (const locale of ['cs_CZ.UTF-8', 'sv_SE.UTF-8', 'tr_TR.UTF-8']) expect(orderUnder(locale), locale).toEqual(c);
    // after the fixed k6 metrics: by UTF-16 code units, as JavaScript's default sort and the bundle's entries
    expect(c.metricOrder).toEqual(['checks', 'data_received', 'http_req_duration_uncorrected', 'iy', 'zeta', 'ärger', 'ıx']);
    expect(c.annotationOrder).toEqual(['sim/ch.json', 'sim/h.json', 'sim/iy.json', 'sim/zeta.json', 'sim/ärger.json', 'sim/ıx.json']);
  }, 60_000);
});
