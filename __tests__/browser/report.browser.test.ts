import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/html.js';
import { ROOT, reportDir, runCli } from '../helpers/cli.js';
import { syntheticReport } from '../report/fixtures/synthetic.js';
import { failingProject } from '../report/failing-project.js';
import { ensureChromium, launch } from './chromium.js';

/**
 * report.html in real Chromium: the page of a failing run opens without a console error (a CSP
 * violation is one), draws its SVG charts, highlights CRITICAL rows, keeps engine markup as text, and
 * reads on a phone. TORON_SCREENSHOTS=<folder> saves screenshots.
 */
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const SHOTS = process.env.TORON_SCREENSHOTS;

let chromiumPath: string | null = null;
let skipReason = '';
let browser: Awaited<ReturnType<typeof launch>> | null = null;
let runHtml = '';
let syntheticHtml = '';

beforeAll(async () => {
  const c = ensureChromium();
  if ('skip' in c) {
    skipReason = c.skip;
    process.stdout.write(`browser tests skipped: ${skipReason}\n`);
    return;
  }
  chromiumPath = c.path;
  // The reference engine as a JSON-lines process that dies after a few answers (a CRITICAL finding),
  // answers some requests with errors, and quotes the hostile prompts in its answers.
  const project = failingProject();
  const engine = `cmd:${process.execPath} --import ${TSX} ${path.join(ROOT, 'src/cli.ts')} engine stdio --error-rate 0.2 --crash-after 10`;
  // Which requests get an injected error follows the run id (the reference engine draws per request):
  // with browser-2 the two cases quoting markup are answered, so their answers reach the report.
  const r = await runCli(['run', '--engine', engine, '--run-id', 'browser-2'], { cwd: project, timeoutMs: 120_000 });
  expect(r.code, r.stderr).toBe(1);
  runHtml = path.join(reportDir(project, 'browser-2'), 'report.html');
  syntheticHtml = path.join(project, 'synthetic.html');
  fs.writeFileSync(syntheticHtml, renderReportHtml(syntheticReport({ cases: 300 })));
  // One browser (with a fresh profile) for the file; every test opens its own page.
  browser = await launch(chromiumPath);
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  page: Page;
  errors: string[];
  dialogs: string[];
  requests: string[];
  close: () => Promise<void>;
}

async function open(file: string, viewport = { width: 1280, height: 900 }): Promise<Opened> {
  const page = await browser!.context.newPage();
  await page.setViewportSize(viewport);
  const close = () => page.close();
  const errors: string[] = [];
  const dialogs: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('request', (req) => requests.push(req.url()));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, errors, dialogs, requests, close };
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

describe('report.html in Chromium', () => {
  it('the failing run opens with no console error, no dialog, no request, and our script runs', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const o = await open(runHtml);
    try {
      expect(o.errors).toEqual([]);
      expect(o.dialogs).toEqual([]);
      expect(o.requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
      expect(await o.page.getAttribute('html', 'data-script')).toBe('ok');
      expect(await o.page.textContent('#verdict .verdict')).toContain('FAIL');
      await shot(o.page, 'run-1280.png');
    } finally {
      await o.close();
    }
  });

  it('keeps <script> and <img onerror> in engine answers as text', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const o = await open(runHtml);
    try {
      // Page functions are serialised into the page: they reach the DOM through globalThis (no DOM lib here).
      const facts = await o.page.evaluate(() => {
        const d = (globalThis as any).document;
        return {
          scripts: d.querySelectorAll('script').length as number,
          imgs: d.querySelectorAll('img').length as number,
          text: d.body.innerText as string,
          handlers: [...d.querySelectorAll('*')].filter((el: any) => [...el.attributes].some((a: any) => a.name.startsWith('on'))).length,
        };
      });
      expect(facts.scripts).toBe(1);
      expect(facts.imgs).toBe(0);
      expect(facts.handlers).toBe(0);
      expect(facts.text).toContain('<script>alert(1)</script>');
      expect(facts.text).toContain('<img src=x onerror=alert(2)>');
      expect(o.dialogs).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('highlights the CRITICAL rows of the WAR ROOM, which come first', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const o = await open(runHtml);
    try {
      const rows = await o.page.$$eval('table.warroom tbody tr', (trs) =>
        trs.map((tr) => ({ severity: tr.getAttribute('data-severity'), bg: (globalThis as any).getComputedStyle(tr.querySelector('td')).backgroundColor as string })),
      );
      expect(rows.length).toBeGreaterThan(1);
      const critical = rows.filter((r) => r.severity === 'CRITICAL');
      expect(critical.length).toBeGreaterThan(0);
      expect(rows[0].severity).toBe('CRITICAL');
      const others = rows.filter((r) => r.severity !== 'CRITICAL');
      for (const c of critical) {
        expect(c.bg).not.toBe('rgba(0, 0, 0, 0)');
        for (const x of others) expect(c.bg).not.toBe(x.bg);
      }
    } finally {
      await o.close();
    }
  });

  it('draws its SVG charts with non-empty paths (run and a report with every section)', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    for (const [file, minCharts] of [
      [runHtml, 0],
      [syntheticHtml, 2],
    ] as const) {
      const o = await open(file);
      try {
        expect(o.errors).toEqual([]);
        const charts = await o.page.$$eval('svg', (svgs) =>
          svgs.map((svg) => ({
            cls: svg.getAttribute('class'),
            label: svg.getAttribute('aria-label') ?? '',
            width: svg.getBoundingClientRect().width,
            paths: [...svg.querySelectorAll('path')].map((p) => ({ d: p.getAttribute('d') ?? '', length: (p as any).getTotalLength() as number })),
          })),
        );
        const drawn = charts.filter((c) => c.cls === 'chart' || c.cls === 'scorebar');
        expect(drawn.length).toBeGreaterThanOrEqual(minCharts + 1);
        for (const c of drawn) {
          expect(c.width).toBeGreaterThan(100);
          // A replay with no scored case (this run's engine dies) has no needle on its scale, and says so.
          if (c.cls === 'scorebar' && c.label.includes('not measured')) {
            expect(c.paths).toEqual([]);
            continue;
          }
          expect(c.paths.length).toBeGreaterThan(0);
          for (const p of c.paths) {
            expect(p.d).toMatch(/^M/);
            expect(p.length).toBeGreaterThan(0);
          }
        }
        if (file === syntheticHtml) {
          expect(await o.page.locator('#stage-load svg.chart').count()).toBe(2);
          expect(await o.page.locator('#stage-load svg.chart path.p95').count()).toBe(1);
          expect(await o.page.locator('#stage-load svg.chart rect.bar').count()).toBeGreaterThan(10);
          await shot(o.page, 'synthetic-1280.png');
        }
      } finally {
        await o.close();
      }
    }
  });

  it('filters failing cases with our script, and pages them without one', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const o = await open(syntheticHtml);
    try {
      const visible = () => o.page.locator('#sim-cases article.case:visible').count();
      expect(await visible()).toBe(50);
      await o.page.click('a[href="#sim-cases-p2"]');
      expect(await o.page.locator('#sim-cases-p2 article.case:visible').count()).toBeGreaterThan(0);
      expect(await o.page.locator('#sim-cases-p1 article.case:visible').count()).toBe(0);
      await o.page.fill('input[data-filter="sim-cases"]', 'opus-escalation/case-3 ');
      expect(await visible()).toBe(1);
      expect(await o.page.textContent('#sim-cases-status')).toMatch(/^1 of \d+ shown$/);
      await o.page.fill('input[data-filter="sim-cases"]', '');
      expect(o.errors).toEqual([]);
    } finally {
      await o.close();
    }
  });

  it('reads on a phone: nothing wider than the screen', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    for (const file of [runHtml, syntheticHtml]) {
      const o = await open(file, { width: 390, height: 844 });
      try {
        const width = await o.page.evaluate(() => (globalThis as any).document.documentElement.scrollWidth as number);
        expect(width).toBeLessThanOrEqual(390);
        expect(o.errors).toEqual([]);
        await shot(o.page, `${path.basename(file, '.html')}-390.png`);
      } finally {
        await o.close();
      }
    }
  });
});
