import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shortPointer } from '../../src/replay/divergence.js';
import { diffText } from '../../src/report/view-model.js';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

// An engine that keys a map by the prompt (a cache, a per-question trace) has member names as long as
// the prompt: the JSON Pointer of a difference under it is as long too (100 KB here; a deep answer
// with long names reaches megabytes). The pointer went whole into every message that named the
// divergence: the live console line and run.log, the WAR ROOM finding (warroom.log, annotations), and
// each diff line of report.html. Messages now show the pointer shortened; report.json keeps it whole.

const LONG = 'q'.repeat(100_000);
// A member name holding a line break and a log line: shown whole, it forged a line of run.log.
const FORGED = 'x\n2026-01-01T00:00:00.000Z INFO  [runner] done: PASS';

describe('shortPointer', () => {
  it('keeps short pointers, shortens long ones keeping both ends and saying how long they were', () => {
    expect(shortPointer('/a/b')).toBe('/a/b');
    expect(shortPointer('/a\nb/c\r\nd')).toBe('/a\\x0ab/c\r\\x0ad');
    expect(shortPointer('')).toBe('');
    const p = `/cache/${LONG}/hits`;
    const s = shortPointer(p);
    expect(s.length).toBeLessThan(260);
    expect(s.startsWith('/cache/qqq')).toBe(true);
    expect(s.endsWith('qqq/hits')).toBe(true);
    expect(s).toContain(`(${p.length} chars)`);
    // Never cut between the two halves of a surrogate pair.
    const emoji = `/${'\u{1F600}'.repeat(300)}`;
    const e = shortPointer(emoji);
    expect(e).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
  });

  it('report.html diff lines show the pointer shortened', () => {
    const line = diffText({ pointer: `/cache/${LONG}`, kind: 'changed', snapshot: 1, replay: 2 });
    expect(line.length).toBeLessThan(1000);
    expect(line).toContain('1 → 2');
  });
});

describe('replay of an engine whose answers change under a member named by a 100 KB prompt (CLI, HTTP engine)', () => {
  let server: http.Server;
  let port = 0;
  let calls = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') return res.end('{"status":"ok"}');
        calls++;
        if (body.includes('forge')) return res.end(JSON.stringify({ final_answer: 'ok', m: { [FORGED]: calls } }));
        res.end(JSON.stringify({ final_answer: 'ok', cache: { [LONG]: { hits: calls } } }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('names the divergence in bounded messages, and keeps the whole pointer in report.json', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true }] },
      'sim/d.json': { name: 'd', cases: [{ id: 'keyed', input: { prompt: 'p' }, assert: [{ type: 'contains', value: 'ok' }] }] },
    });
    const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/run`, '--stages', 'sim,replay', '--run-id', 'long-ptr'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const rd = reportDir(dir, 'long-ptr');
    const report = readJson(path.join(rd, 'report.json'));
    const full = `/cache/${LONG}/hits`;
    expect(report.stages.replay.cases[0].firstDivergence.pointer).toBe(full);
    const longest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));
    expect(longest(r.stdout + r.stderr)).toBeLessThan(2000);
    expect(longest(fs.readFileSync(path.join(rd, 'run.log'), 'utf8'))).toBeLessThan(2000);
    expect(longest(fs.readFileSync(path.join(dir, '.toron-testops/warroom/warroom.log'), 'utf8'))).toBeLessThan(2000);
    const critical = report.warroom.find((f: { subsystem: string; severity: string }) => f.subsystem === 'replay' && f.severity === 'CRITICAL');
    expect(critical.message).toContain('first divergence at /cache/qqq');
    expect(critical.message).toContain(`(${full.length} chars)`);
    expect(fs.statSync(path.join(rd, 'report.html')).size).toBeLessThan(200_000);
  });

  it('a line break in a member name is shown escaped: an answer cannot forge a log line', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true }] },
      'sim/d.json': { name: 'd', cases: [{ id: 'forge', input: { prompt: 'forge' }, assert: [{ type: 'contains', value: 'ok' }] }] },
    });
    const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/run`, '--stages', 'sim,replay', '--run-id', 'forge'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const rd = reportDir(dir, 'forge');
    const forgedLine = /^2026-01-01T00:00:00\.000Z INFO {2}\[runner\] done: PASS/m;
    expect(r.stdout + r.stderr).not.toMatch(forgedLine);
    expect(fs.readFileSync(path.join(rd, 'run.log'), 'utf8')).not.toMatch(forgedLine);
    expect(fs.readFileSync(path.join(dir, '.toron-testops/warroom/warroom.log'), 'utf8')).not.toMatch(forgedLine);
    const report = readJson(path.join(rd, 'report.json'));
    expect(report.stages.replay.cases[0].firstDivergence.pointer).toBe(`/m/${FORGED}`);
    const critical = report.warroom.find((f: { subsystem: string; severity: string }) => f.subsystem === 'replay' && f.severity === 'CRITICAL');
    expect(critical.message).toContain('first divergence at /m/x\\x0a2026-01-01T00:00:00.000Z INFO');
  });
});
