import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dataset, project, run } from '../replay/helpers.js';
import { parseRetryAfter, retryWaitMs } from '../../src/engine/rate-limit.js';
import { mergeShards } from '../../src/merge/merge.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { validateReport } from '../../src/report/schema.js';

/**
 * A real HTTP engine on 127.0.0.1 whose gateway rate-limits: `limit(n)` decides, for the n-th POST
 * (1-based), whether it is answered with a status and headers instead of the answer.
 */
async function limitedEngine(limit: (n: number) => { status: number; headers?: Record<string, string> } | null) {
  let posts = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","version":"gw-1"}');
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = ++posts;
      const l = limit(n);
      if (l) {
        res.writeHead(l.status, { 'content-type': 'application/json', ...l.headers }).end('{"message":"Too Many Requests"}');
        return;
      }
      // The same answer for the same prompt: replay agrees when every request gets its answer.
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ final_answer: `answer to ${JSON.parse(Buffer.concat(chunks).toString()).prompt}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/run`,
    posts: () => posts,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}

const findingsOf = (r: { reportJson: any }, type: string) => r.reportJson.warroom.filter((w: { type: string }) => w.type === type);

describe('SIM against an engine that rate-limits (429, 503 with Retry-After)', () => {
  it('a 429 with Retry-After on every 10th POST is waited out and asked again: no engine error, one LOW finding, counted in the SIM report', async () => {
    const engine = await limitedEngine((n) => (n % 10 === 0 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 20) }, { sim: { concurrency: 1 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-every-tenth' });
      expect(r.verdict).toBe('PASS');
      expect(validateReport(r.reportJson)).toEqual({ ok: true });
      const sim = r.reportJson.stages.sim;
      expect(sim).toMatchObject({ total: 20, passed: 20, errored: 0, engineErrors: {} });
      expect(sim.rateLimited).toEqual({ cases: 2, requests: 2, retries: 2, waitedMs: 0, stillLimited: 0 });
      expect(sim.cases.filter((c: { rateLimited?: unknown }) => c.rateLimited).map((c: { id: string; rateLimited: unknown }) => [c.id, c.rateLimited])).toEqual([
        ['c9', { times: 1, retries: 1, waitedMs: 0 }],
        ['c18', { times: 1, retries: 1, waitedMs: 0 }],
      ]);
      expect(engine.posts()).toBe(22);
      const f = findingsOf(r, 'engine-rate-limited');
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ severity: 'LOW', subsystem: 'engine' });
      expect(f[0].message).toMatch(/rate-limited 2 SIM request\(s\) of 2 case\(s\).*2 retries after 0 ms of waits, summed over the requests.*every retry was answered/);
      expect(f[0].remediation).toMatch(/engine\.rateLimit/);
      const log = fs.readFileSync(r.paths.runLog, 'utf8');
      // Said once in run.log (the finding's line), not once per case.
      expect(log.match(/rate-limited/g)).toHaveLength(1);
    } finally {
      engine.close();
    }
  });

  it('still rate-limited after its retries: an engine error saying how often and how long, one MEDIUM finding; waits capped by maxWaitMs', async () => {
    const engine = await limitedEngine(() => ({ status: 429 }));
    try {
      const dir = project({ d: dataset('d', 2) }, { sim: { concurrency: 1 }, engine: { target: 'reference', rateLimit: { retries: 2, maxWaitMs: 5 } } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-always' });
      expect(r.verdict).toBe('FAIL');
      const sim = r.reportJson.stages.sim;
      expect(sim).toMatchObject({ total: 2, errored: 2, engineErrors: { http_status: 2 } });
      // No Retry-After: backoff from 1 s, cut to maxWaitMs (5 ms) for each of the 2 retries.
      expect(sim.rateLimited).toEqual({ cases: 2, requests: 2, retries: 4, waitedMs: 20, stillLimited: 2 });
      expect(sim.cases[0].engineErrors[0].message).toMatch(/HTTP 429.*still rate-limited after 2 retries: rate-limited 3 times, waited 10 ms in all/);
      expect(sim.cases[0].rateLimited).toEqual({ times: 3, retries: 2, waitedMs: 10 });
      expect(engine.posts()).toBe(6);
      const f = findingsOf(r, 'engine-rate-limited');
      expect(f).toHaveLength(1);
      expect(f[0].severity).toBe('MEDIUM');
      expect(f[0].message).toMatch(/2 request\(s\) still rate-limited after their retries/);
    } finally {
      engine.close();
    }
  });

  it('a 503 with Retry-After (an HTTP date) is retried; a 503 without one is an engine error at once, as before', async () => {
    const past = new Date(Date.now() - 60_000).toUTCString();
    const engine = await limitedEngine((n) => (n === 1 ? { status: 503, headers: { 'retry-after': past } } : n === 3 ? { status: 503 } : null));
    try {
      const dir = project({ d: dataset('d', 3) }, { sim: { concurrency: 1 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-503' });
      const sim = r.reportJson.stages.sim;
      expect(sim.cases.map((c: { id: string; status: string }) => [c.id, c.status])).toEqual([
        ['c0', 'passed'],
        ['c1', 'errored'],
        ['c2', 'passed'],
      ]);
      expect(sim.rateLimited).toEqual({ cases: 1, requests: 1, retries: 1, waitedMs: 0, stillLimited: 0 });
      expect(sim.cases[1].engineErrors[0].message).not.toMatch(/rate-limited/);
    } finally {
      engine.close();
    }
  });

  it('engine.rateLimit.retries 0 turns retrying off: the 429 is an engine error, still counted', async () => {
    const engine = await limitedEngine((n) => (n === 1 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 2) }, { sim: { concurrency: 1 }, engine: { target: 'reference', rateLimit: { retries: 0 } } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-off' });
      const sim = r.reportJson.stages.sim;
      expect(sim).toMatchObject({ errored: 1, engineErrors: { http_status: 1 } });
      expect(sim.rateLimited).toEqual({ cases: 1, requests: 1, retries: 0, waitedMs: 0, stillLimited: 1 });
      expect(engine.posts()).toBe(2);
      expect(findingsOf(r, 'engine-rate-limited')[0].severity).toBe('MEDIUM');
    } finally {
      engine.close();
    }
  });

  it('cancelling the run ends a Retry-After wait at once (a 1-hour Retry-After, capped at 30 s by default)', async () => {
    const ac = new AbortController();
    const engine = await limitedEngine(() => {
      setTimeout(() => ac.abort(new Error('cancelled by test')), 50);
      return { status: 429, headers: { 'retry-after': '3600' } };
    });
    try {
      const dir = project({ d: dataset('d', 1) }, { sim: { concurrency: 1 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-cancel' }, { signal: ac.signal });
      expect(engine.posts()).toBe(1);
      expect(r.reportJson.stages.sim.notRun).toBe(1);
    } finally {
      engine.close();
    }
  }, 10_000);

  it('an engine that never rate-limits gets no rateLimited counts and no finding', async () => {
    const engine = await limitedEngine(() => null);
    try {
      const dir = project({ d: dataset('d', 3) }, { sim: { concurrency: 2 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-never' });
      expect(r.reportJson.stages.sim.rateLimited).toBeUndefined();
      expect(findingsOf(r, 'engine-rate-limited')).toHaveLength(0);
    } finally {
      engine.close();
    }
  });
});

describe('load against an engine that rate-limits', () => {
  it('is not retried: under load a 429 is a measured failure (http_req_failed), as k6 counts it, and no rate-limit finding', async () => {
    const engine = await limitedEngine((n) => (n % 2 === 0 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 4) }, { load: { rate: 20, duration: '1s' } });
      const r = await run(dir, { engine: engine.url, stages: 'load', runId: 'rl-load' });
      const load = r.reportJson.stages.load;
      expect(load.metrics.http_req_failed.rate).toBeGreaterThan(0.3);
      expect(engine.posts()).toBe(load.metrics.http_reqs.count);
      expect(findingsOf(r, 'engine-rate-limited')).toHaveLength(0);
    } finally {
      engine.close();
    }
  });
});

describe('replay against an engine that rate-limits', () => {
  it('retries the replay request too: the case stays scored and agreed, the replay report counts it, one replay finding', async () => {
    // 4 SIM requests, then 2 replay rounds of 4 requests: POST 6 is the 2nd request of the first round.
    const engine = await limitedEngine((n) => (n === 6 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 4) }, { sim: { concurrency: 1 }, replay: { rounds: 2 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim,replay', runId: 'rl-replay' });
      expect(r.reportJson.stages.sim.rateLimited).toBeUndefined();
      expect(r.replay).toMatchObject({ determinismScore: 100, replayed: 4, agreed: 4, unscored: 0 });
      expect(validateReport(r.reportJson)).toEqual({ ok: true });
      // The schema knows the member: a count that is no count is refused, in replay as in SIM.
      for (const stage of ['sim', 'replay']) {
        const broken = structuredClone(r.reportJson);
        broken.stages[stage].rateLimited = { cases: 1, requests: 'one', retries: 1, waitedMs: 0, stillLimited: 0 };
        expect(validateReport(broken).ok, stage).toBe(false);
      }
      expect(r.replay.rateLimited).toEqual({ cases: 1, requests: 1, retries: 1, waitedMs: 0, stillLimited: 0 });
      expect(engine.posts()).toBe(4 + 8 + 1);
      const f = findingsOf(r, 'engine-rate-limited');
      expect(f).toHaveLength(1);
      expect(f[0]).toMatchObject({ severity: 'LOW', subsystem: 'engine' });
      expect(f[0].message).toMatch(/rate-limited 1 replay request\(s\) of 1 case\(s\)/);
    } finally {
      engine.close();
    }
  });
});

describe('merge of sharded legs that met rate limits', () => {
  it('sums the legs\' rateLimited counts into the merged SIM report, and says so in one finding for the union', async () => {
    const engine = await limitedEngine((n) => (n % 3 === 0 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 8) }, { sim: { concurrency: 1 } });
      const legs = [];
      for (const i of [1, 2]) legs.push(await run(dir, { engine: engine.url, stages: 'sim', runId: 'rl-shards', shard: `${i}/2`, out: `s${i}` }));
      const counts = legs.map((l) => l.reportJson.stages.sim.rateLimited);
      expect(counts.every((c) => c && c.requests > 0)).toBe(true);
      const merged = await mergeShards(['s1', 's2'], { cwd: dir, out: 'm' });
      const report = JSON.parse(fs.readFileSync(merged.paths.report, 'utf8'));
      const sim = report.stages.sim;
      const f = findingsOf({ reportJson: report }, 'engine-rate-limited');
      expect(f).toHaveLength(1);
      expect(f[0].message).toMatch(new RegExp(`rate-limited ${sim.rateLimited.requests} SIM request\\(s\\) of ${sim.rateLimited.cases} case\\(s\\)`));
      expect(sim.rateLimited).toEqual({
        cases: counts[0].cases + counts[1].cases,
        requests: counts[0].requests + counts[1].requests,
        retries: counts[0].retries + counts[1].retries,
        waitedMs: 0,
        stillLimited: 0,
      });
    } finally {
      engine.close();
    }
  });
});

describe('engine.rateLimit settings', () => {
  it('a config giving one member keeps the other default; a bad value is an input error naming the field', () => {
    const dir = project({ d: dataset('d', 1) }, { engine: { target: 'reference', rateLimit: { retries: 1 } } });
    expect(resolveSettings({ cwd: dir, flags: {}, env: {} }).engine.rateLimit).toEqual({ retries: 1, maxWaitMs: 30_000 });
    const bad = project({ d: dataset('d', 1) }, { engine: { target: 'reference', rateLimit: { retries: -1, maxWait: 5 } } });
    expect(() => resolveSettings({ cwd: bad, flags: {}, env: {} })).toThrow(/rateLimit/);
  });
});

describe('merge of sharded legs whose replay met rate limits', () => {
  it('sums the legs\' replay rateLimited counts and says so in one finding for the union', async () => {
    // Each leg: 2 SIM requests, then 2 replay rounds of 2; every 5th POST of the engine is rate-limited.
    const engine = await limitedEngine((n) => (n % 5 === 0 ? { status: 429, headers: { 'retry-after': '0' } } : null));
    try {
      const dir = project({ d: dataset('d', 4) }, { sim: { concurrency: 1 }, replay: { rounds: 2 } });
      const legs = [];
      for (const i of [1, 2]) legs.push(await run(dir, { engine: engine.url, stages: 'sim,replay', runId: 'rl-rshards', shard: `${i}/2`, out: `s${i}` }));
      const counts = legs.map((l) => l.replay.rateLimited);
      expect(counts.every((c) => c && c.requests > 0)).toBe(true);
      const merged = await mergeShards(['s1', 's2'], { cwd: dir, out: 'm' });
      const report = JSON.parse(fs.readFileSync(merged.paths.report, 'utf8'));
      expect(report.stages.replay.rateLimited).toEqual({
        cases: counts[0].cases + counts[1].cases,
        requests: counts[0].requests + counts[1].requests,
        retries: counts[0].retries + counts[1].retries,
        waitedMs: 0,
        stillLimited: 0,
      });
      expect(report.stages.replay.determinismScore).toBe(100);
      // One finding for the union, from the summed counts (each leg's counted its slice only).
      const f = findingsOf({ reportJson: report }, 'engine-rate-limited');
      expect(f).toHaveLength(1);
      expect(f[0].message).toMatch(new RegExp(`rate-limited ${counts[0].requests + counts[1].requests} replay request\\(s\\) of ${counts[0].cases + counts[1].cases} case\\(s\\)`));
    } finally {
      engine.close();
    }
  });
});

describe('Retry-After and backoff', () => {
  it('reads delta-seconds and HTTP dates (a past date is 0), and nothing else', () => {
    const now = Date.parse('2026-11-26T12:00:00Z');
    expect(parseRetryAfter('1', now)).toBe(1000);
    expect(parseRetryAfter(' 120 ', now)).toBe(120_000);
    expect(parseRetryAfter('Thu, 26 Nov 2026 12:00:05 GMT', now)).toBe(5000);
    expect(parseRetryAfter('Thursday, 26-Nov-26 12:00:02 GMT', now)).toBe(2000);
    expect(parseRetryAfter('Wed, 25 Nov 2026 12:00:00 GMT', now)).toBe(0);
    for (const bad of ['', '-1', '1.5', 'soon', 'Thu', undefined]) expect(parseRetryAfter(bad, now), String(bad)).toBeUndefined();
  });

  it('without Retry-After: 1 s, 2 s, 4 s within ±25%, the same for the same seed, cut to maxWaitMs; a Retry-After is cut too', () => {
    const waits = (seed: number) => [0, 1, 2].map((i) => retryWaitMs(undefined, i, seed, 60_000));
    const a = waits(42);
    expect(waits(42)).toEqual(a);
    expect(waits(43)).not.toEqual(a);
    a.forEach((w, i) => {
      expect(w).toBeGreaterThanOrEqual(750 * 2 ** i);
      expect(w).toBeLessThan(1250 * 2 ** i);
    });
    expect(retryWaitMs(undefined, 5, 42, 3000)).toBe(3000);
    expect(retryWaitMs(3_600_000, 0, 42, 30_000)).toBe(30_000);
    expect(retryWaitMs(1000, 0, 42, 30_000)).toBe(1000);
  });
});
