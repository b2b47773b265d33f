import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestopsServer } from '../../src/server/server.js';
import { postRun, request, simProject, startTestServer, waitFor } from '../server/helpers.js';
import { makeProject } from '../helpers/cli.js';
import { CHROMIUM_FLAGS, ensureChromium } from './chromium.js';
import { startCli } from '../helpers/cli.js';

/**
 * The serve dashboard in real Chromium, against a real server on an ephemeral port: start a run
 * from the page (reference engine with latency, a dataset where every third case fails) and watch
 * log lines, stage transitions, WAR ROOM findings and the verdict arrive live over SSE.
 * Chromium comes from scripts/install-chromium.sh (see chromium.ts); without it the test is skipped.
 * TORON_SCREENSHOTS=<folder> saves screenshots.
 */
const TOKEN = 'dashboard-test-token';
const SHOTS = process.env.TORON_SCREENSHOTS;

let chromiumPath: string | null = null;
let skipReason = '';
let server: TestopsServer | null = null;

beforeAll(async () => {
  const c = ensureChromium();
  if ('skip' in c) {
    skipReason = c.skip;
    process.stdout.write(`browser tests skipped: ${skipReason}\n`);
    return;
  }
  chromiumPath = c.path;
  server = await startTestServer(simProject(30, 3), { token: TOKEN });
}, 15 * 60_000);

afterAll(async () => {
  await server?.close();
});

/** A fresh profile, online (the page talks to the local server), removed on close. */
async function launch(viewport: { width: number; height: number }): Promise<{ context: BrowserContext; page: Page; errors: string[]; close: () => Promise<void> }> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: chromiumPath!, headless: true, args: CHROMIUM_FLAGS, viewport });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return {
    context,
    page,
    errors,
    close: async () => {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, name), fullPage: true });
}

// Functions given to waitForFunction run in the page; this project compiles without DOM types, so
// they reach the document through globalThis. (String predicates would need 'unsafe-eval', which the
// dashboard's CSP rightly refuses.)
describe('serve dashboard in Chromium', () => {
  it('starts a run from the page; log lines, stages, WAR ROOM findings and the verdict appear live', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${server!.url}/?token=${TOKEN}`, { waitUntil: 'load' });
      // The token leaves the address bar (it lives in the tab and an HttpOnly cookie).
      expect(page.url()).not.toContain(TOKEN);
      await page.waitForFunction(() => (globalThis as any).document.getElementById('server-info').textContent.includes('default engine reference'));

      await page.fill('#f-latency', '80');
      await page.fill('#f-run-id', 'dash-1');
      await page.click('summary');
      await page.fill('#f-extra', '{"concurrency": 1}');
      await page.click('#start-btn');

      // Live: log lines and progress while the run is still RUNNING, the verdict not there yet.
      await page.waitForFunction(
        () => {
          const d = (globalThis as any).document; // serialised into the page: no closures
          return (
            d.getElementById('live-status').textContent === 'RUNNING' &&
            d.getElementById('verdict').hidden &&
            d.querySelectorAll('#log div').length > 2 &&
            d.querySelector('[data-stage="sim"]').dataset.state === 'running' &&
            /^sim \d+\/30/.test(d.getElementById('progress-text').textContent)
          );
        },
        undefined,
        { timeout: 30_000 },
      );
      await shot(page, 'dashboard-running.png');

      // The end: FAIL, the WAR ROOM table with a HIGH finding per failing case, the report links.
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 60_000 });
      expect(await page.textContent('#live-status')).toBe('FAIL');
      expect(await page.locator('#warroom tbody tr[data-severity="HIGH"]').count()).toBe(10);
      expect(await page.textContent('#warroom tbody')).toContain('failed 1/1');
      expect(await page.getAttribute('[data-stage="sim"]', 'data-state')).toBe('FAIL');

      // What arrived, in order: the page saw every event as it came, WAR ROOM findings before `done`.
      const timeline = (await page.evaluate('window.toronDashboard.timeline')) as { type: string; seq: number; at: number }[];
      const types = timeline.map((t) => t.type);
      expect(types[0]).toBe('status');
      expect(types.at(-1)).toBe('done');
      expect(types.indexOf('subsystem')).toBeLessThan(types.indexOf('warroom'));
      expect(types.lastIndexOf('warroom')).toBeLessThan(types.indexOf('done'));
      expect(types.filter((t) => t === 'progress').length).toBeGreaterThan(0);
      for (let i = 1; i < timeline.length; i++) expect(timeline[i].seq).toBeGreaterThan(timeline[i - 1].seq);
      // Spread over the run, not one burst at the end.
      expect(timeline.at(-1)!.at - timeline[0].at).toBeGreaterThan(100);

      // Links to report.html and the bundle once the run has written them; they open with the cookie.
      await page.waitForSelector('#links a[data-file="bundle.zip"]', { timeout: 30_000 });
      const html = await page.getAttribute('#links a[data-file="report.html"]', 'href');
      expect(html).toBe('/master/runs/dash-1/files/report.html');
      const answers = (await page.evaluate(`Promise.all([
        fetch('/master/runs/dash-1/files/report.html').then(async (r) => [r.status, (await r.text()).includes('dash-1')]),
        fetch('/master/runs/dash-1/bundle').then((r) => [r.status, r.headers.get('content-type')]),
      ])`)) as [number, unknown][];
      expect(answers).toEqual([
        [200, true],
        [200, 'application/zip'],
      ]);

      // The history table has the run, finished.
      await page.waitForSelector('#runs tbody tr[data-run-id="dash-1"] .v-FAIL', { timeout: 20_000 });
      await shot(page, 'dashboard-done.png');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('a run replaced by a new run of the same id while the page was reconnecting: the page shows the new run alone, not a mix of both', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const own = await startTestServer(simProject(12, 3), { keepFinished: 5 });
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      expect((await postRun(own.url, { runId: 'reused', latencyMs: 400, concurrency: 1 })).status).toBe(202);
      await page.goto(`${own.url}/#run=reused`, { waitUntil: 'load' });
      await page.waitForFunction(() => /sim [1-9][0-9]*\/12/.test((globalThis as any).document.getElementById('progress-text').textContent), undefined, { timeout: 20_000 });
      // The page's next connection is held until the run id has been run again.
      let held: (() => Promise<void>) | null = null;
      // (Chromium adds Last-Event-ID after this interception point: the request is held, not rewritten.)
      await page.route('**/master/stream/reused*', async (route) => {
        held = () => route.continue();
      });
      own.manager.get('reused')!.hub.closeAll(); // the connection breaks (a proxy, a laptop lid)
      await waitFor('the page to reconnect', () => held);
      expect((await request(own.url, '/master/runs/reused/cancel', { method: 'POST' })).status).toBe(202);
      await waitFor('the first run to settle', async () => (await request(own.url, '/master/status/reused')).json.settled);
      expect((await postRun(own.url, { runId: 'reused' })).status).toBe(202);
      await waitFor('the second run to settle', async () => (await request(own.url, '/master/status/reused')).json.settled);
      await held!();
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 20_000 });
      const timeline = (await page.evaluate('window.toronDashboard.timeline')) as { type: string }[];
      expect(timeline.map((t) => t.type)).toContain('replaced');
      expect(await page.textContent('#live-error')).toMatch(/replaced by a new run/);
      // The second run alone: one start of its SIM stage, its 4 failing cases as findings, its 12 cases counted.
      const log = (await page.textContent('#log')) ?? '';
      expect(log.match(/\[sim\] stage started/g)).toHaveLength(1);
      expect(await page.locator('#warroom tbody tr').count()).toBe(4);
      expect(await page.textContent('#verdict')).toContain('cases passed 8, failed 4');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('a cancelled run says so: CANCELLED in the history and live for a run cancelled in the queue, "cancelled" on the verdict of a running one', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const own = await startTestServer(simProject(20, 0), { maxConcurrent: 1, maxQueued: 1 });
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      expect((await postRun(own.url, { runId: 'c-running', latencyMs: 300, concurrency: 1 })).status).toBe(202);
      expect((await postRun(own.url, { runId: 'c-queued' })).json.status).toBe('QUEUED');
      expect((await request(own.url, '/master/runs/c-queued/cancel', { method: 'POST' })).json.outcome).toBe('cancelled');
      await waitFor('the queued run to be recorded', async () => (await request(own.url, '/master/status/c-queued')).json.settled);
      expect((await request(own.url, '/master/status/c-queued')).json.status).toBe('CANCELLED');

      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      // The history shows what the API says, not the ERROR verdict the database keeps for it.
      await page.waitForSelector('#runs tbody tr[data-run-id="c-queued"]');
      expect(await page.textContent('#runs tbody tr[data-run-id="c-queued"] .badge')).toBe('CANCELLED');
      // Opened, its stream ends with done (ERROR); the page settles on CANCELLED.
      await page.click('#runs tbody tr[data-run-id="c-queued"] code');
      await page.waitForSelector('#verdict[data-verdict]', { timeout: 20_000 });
      await page.waitForFunction(() => (globalThis as any).document.getElementById('live-status').textContent === 'CANCELLED', undefined, { timeout: 10_000 });
      expect(await page.textContent('#verdict')).toContain('cancelled');

      // The running one, cancelled from the page: ERROR (not a test verdict) that says it was cancelled.
      await page.click('#runs tbody tr[data-run-id="c-running"] code');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('live-status').textContent === 'RUNNING', undefined, { timeout: 20_000 });
      await page.click('#cancel-btn');
      await page.waitForSelector('#verdict[data-verdict="ERROR"]', { timeout: 30_000 });
      await page.waitForFunction(() => /cancelled/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  });

  it('a run opened from the history after a restart shows its real stages, exit code and cases, not SKIPPED and zeros', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const dir = simProject(9, 3);
    let own = await startTestServer(dir);
    expect((await postRun(own.url, { runId: 'hist-1' })).status).toBe(202);
    await waitFor('the run to settle', async () => (await request(own.url, '/master/status/hist-1')).json.settled);
    await own.close();
    own = await startTestServer(dir); // only the history database knows the run now
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${own.url}/#run=hist-1`, { waitUntil: 'load' });
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 20_000 });
      expect(await page.locator('#warroom tbody tr').count()).toBe(3);
      await page.waitForFunction(() => (globalThis as any).document.querySelector('[data-stage="sim"]').dataset.state === 'FAIL', undefined, { timeout: 10_000 });
      expect(await page.getAttribute('[data-stage="load"]', 'data-state')).toBe('SKIPPED');
      await page.waitForFunction(() => /exit code 1\b/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      const verdict = await page.textContent('#verdict');
      expect(verdict).toContain('6 of 9');
      expect(verdict).not.toContain('exit code null');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  });

  it('a link to a run the server does not know says so, instead of CONNECTING forever; a broken link does not break the page', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${server!.url}/?token=${TOKEN}#run=no-such-run`, { waitUntil: 'load' });
      await page.waitForFunction(() => /no run no-such-run/.test((globalThis as any).document.getElementById('live-conn').textContent), undefined, { timeout: 15_000 });
      expect(await page.textContent('#live-status')).toBe('UNKNOWN');
      expect(await page.isVisible('#cancel-btn')).toBe(false);
      await page.goto(`${server!.url}/#run=%E0%A4`, { waitUntil: 'load' });
      await page.waitForFunction(() => (globalThis as any).document.getElementById('page-info').textContent !== '', undefined, { timeout: 15_000 });
      // (The browser logs the 404s of the unknown run's stream and status; no script error.)
      expect(b.errors.filter((e) => !e.includes('404 (Not Found)'))).toEqual([]);
    } finally {
      await b.close();
    }
  });

  it('while a finished run still writes its bundle, the page does not say the bundle was not written', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    // 2000 cases: the bundle takes a moment after `done`, while the page already shows the links.
    const own = await startTestServer(simProject(2000, 0));
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      await page.evaluate(`(() => {
        window.__links = [];
        new MutationObserver(() => window.__links.push(document.getElementById('links').textContent)).observe(document.getElementById('links'), { childList: true, subtree: true });
      })()`);
      await page.fill('#f-run-id', 'bundling');
      await page.click('summary');
      await page.fill('#f-extra', '{"concurrency": 32}');
      await page.click('#start-btn');
      await page.waitForSelector('#links a[data-file="bundle.zip"]', { timeout: 50_000 });
      const seen = (await page.evaluate('window.__links')) as string[];
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((t) => t.includes('not written'))).toEqual([]);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('Cancel on a run this server cannot cancel (running in a CLI process on the same folder) says why', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const dir = simProject(20, 0);
    const own = await startTestServer(dir);
    const cli = startCli(['run', '--run-id', 'cli-run', '--latency-ms', '300', '--concurrency', '1'], { cwd: dir });
    const b = await launch({ width: 1280, height: 900 });
    try {
      await waitFor('the CLI run in the history', async () => (await request(own.url, '/master/status/cli-run')).json?.status === 'RUNNING', 30_000);
      const { page } = b;
      await page.goto(`${own.url}/#run=cli-run`, { waitUntil: 'load' });
      await page.waitForFunction(() => (globalThis as any).document.getElementById('live-status').textContent === 'RUNNING', undefined, { timeout: 15_000 });
      await page.click('#cancel-btn');
      await page.waitForFunction(() => /not cancelled: no queued or running run cli-run on this server/.test((globalThis as any).document.getElementById('live-error').textContent), undefined, { timeout: 10_000 });
    } finally {
      cli.kill('SIGKILL');
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('a run whose process died shows as ABORTED, as the API has it, not as a plain ERROR', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const dir = simProject(20, 0);
    const cli = startCli(['run', '--run-id', 'died', '--latency-ms', '300', '--concurrency', '1'], { cwd: dir });
    const probe = await startTestServer(dir);
    await waitFor('the CLI run in the history', async () => (await request(probe.url, '/master/status/died')).json?.status === 'RUNNING', 30_000);
    await probe.close();
    await new Promise<void>((resolve) => {
      cli.on('exit', () => resolve());
      cli.kill('SIGKILL');
    });
    const own = await startTestServer(dir); // opening the history marks the dead run ABORTED
    const b = await launch({ width: 1280, height: 900 });
    try {
      expect((await request(own.url, '/master/status/died')).json.status).toBe('ABORTED');
      const { page } = b;
      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      await page.waitForSelector('#runs tbody tr[data-run-id="died"]');
      expect(await page.textContent('#runs tbody tr[data-run-id="died"] .badge')).toBe('ABORTED');
      await page.click('#runs tbody tr[data-run-id="died"] code');
      await page.waitForFunction(() => (globalThis as any).document.getElementById('live-status').textContent === 'ABORTED', undefined, { timeout: 15_000 });
      expect(await page.textContent('#verdict')).toContain('died');
      // Its stages were never recorded: unknown, not "SKIPPED" (SIM was running when it died).
      await page.waitForFunction(() => (globalThis as any).document.querySelector('#stages [data-stage="sim"]').dataset.state === 'UNKNOWN', undefined, { timeout: 10_000 });
      expect(await page.getAttribute('#stages [data-stage="sim"]', 'title')).toMatch(/not recorded/);
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('an ERROR run says why on its verdict, live and from the history (a dataset with no cases)', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'empty', path: 'empty.json', enabled: true, tags: [] }] },
      'sim/empty.json': { name: 'empty', description: 'no cases', seed: 1, defaults: { assert: [] }, cases: [] },
      'testops.config.json': { engine: 'reference', stages: ['sim'] },
    });
    let own = await startTestServer(dir);
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      await page.fill('#f-run-id', 'no-cases');
      await page.click('#start-btn');
      await page.waitForSelector('#verdict[data-verdict="ERROR"]', { timeout: 30_000 });
      await page.waitForFunction(() => /no SIM cases were selected/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      await own.close();
      own = await startTestServer(dir);
      await page.goto(`${own.url}/#run=no-cases`, { waitUntil: 'load' });
      await page.waitForSelector('#verdict[data-verdict="ERROR"]', { timeout: 20_000 });
      await page.waitForFunction(() => /no SIM cases were selected/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it("counts SIM cases as the report does: replay's case events are not cases", async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const own = await startTestServer(simProject(6, 3, { stages: ['sim', 'replay'], replay: { rounds: 1 } }));
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      await page.fill('#f-run-id', 'with-replay');
      await page.click('#start-btn');
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 30_000 });
      // 6 cases, 2 failing; the replay's 6 case events (answers asked again) do not count as cases.
      await page.waitForFunction(() => /SIM cases passed 4, failed 2/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      expect((await request(own.url, '/master/status/with-replay')).json.cases).toEqual({ passed: 4, failed: 2 });
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('a finished run whose oldest events left memory still shows its true counts, and says the list is partial', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    // A tiny budget for finished runs: a late subscriber gets only the newest events (and the run's shape).
    const own = await startTestServer(simProject(30, 3), { finishedLogMaxChars: 8_000 });
    const b = await launch({ width: 1280, height: 900 });
    try {
      expect((await postRun(own.url, { runId: 'gappy' })).status).toBe(202);
      await waitFor('the run to settle', async () => (await request(own.url, '/master/status/gappy')).json.settled);
      const { page } = b;
      await page.goto(`${own.url}/#run=gappy`, { waitUntil: 'load' });
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 20_000 });
      await page.waitForFunction(() => /cases passed 20, failed 10/.test((globalThis as any).document.getElementById('verdict').textContent), undefined, { timeout: 10_000 });
      await page.waitForFunction(() => (globalThis as any).document.getElementById('warroom-counts').textContent.includes('HIGH 10'), undefined, { timeout: 10_000 });
      const rows = await page.locator('#warroom tbody tr').count();
      expect(rows).toBeLessThan(10);
      expect(await page.textContent('#warroom-more')).toContain('/master/runs/gappy/warroom');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('in a tab that does not paint (in the background), log lines waiting for the next frame stay bounded', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    // 1500 failing cases: a log line each, far more than the 400 lines the log keeps.
    const own = await startTestServer(simProject(1500, 1));
    const b = await launch({ width: 1280, height: 900 });
    try {
      const { page } = b;
      // A background tab gets no animation frames: the page's flush never runs until `done`.
      await page.addInitScript('window.requestAnimationFrame = () => 0;');
      await page.goto(`${own.url}/`, { waitUntil: 'load' });
      await page.fill('#f-run-id', 'hidden-tab');
      await page.click('summary');
      await page.fill('#f-extra', '{"concurrency": 2, "latencyMs": 2}');
      await page.click('#start-btn');
      let most = 0;
      for (;;) {
        const [pendingLines, done] = (await page.evaluate(`[window.toronDashboard.pendingLogLines, !document.getElementById('verdict').hidden]`)) as [number, boolean];
        most = Math.max(most, pendingLines);
        if (done) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(most).toBeGreaterThan(0);
      expect(most).toBeLessThanOrEqual(400);
      // What the log shows at the end is the newest lines, as before.
      await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#log div').length === 400, undefined, { timeout: 10_000 });
      expect(await page.textContent('#log div:last-child')).toContain('snapshot of 1500 case(s) written');
    } finally {
      await b.close();
      await own.close();
    }
  }, 60_000);

  it('reads on a phone: no sideways scrolling, the form and the history fit; a finished run replays when opened', async (ctx) => {
    if (!chromiumPath) return ctx.skip(skipReason);
    const b = await launch({ width: 390, height: 844 });
    try {
      const { page } = b;
      await page.goto(`${server!.url}/?token=${TOKEN}#run=dash-1`, { waitUntil: 'load' });
      // A late subscriber: the finished run's history streams in, ending with its verdict.
      await page.waitForSelector('#verdict[data-verdict="FAIL"]', { timeout: 30_000 });
      expect(await page.locator('#warroom tbody tr').count()).toBe(10);
      await page.waitForSelector('#runs tbody tr[data-run-id="dash-1"]');
      const widths = (await page.evaluate(`[document.documentElement.scrollWidth, window.innerWidth, document.getElementById('start-btn').getBoundingClientRect().right]`)) as number[];
      expect(widths[0]).toBeLessThanOrEqual(widths[1]);
      expect(widths[2]).toBeLessThanOrEqual(widths[1]);
      await shot(page, 'dashboard-phone.png');
      expect(b.errors).toEqual([]);
    } finally {
      await b.close();
    }
  });
});
