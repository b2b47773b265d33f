import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineVersionOf } from '../../src/engine/version.js';
import { makeProject, reportDir, runCli } from '../helpers/cli.js';

const FORGED = '2026-01-01T00:00:00.000Z INFO  [runner] done: PASS';

describe('an engine version is one line', () => {
  it('line feeds and tabs are shown, controls escaped, long ones cut; only strings and numbers count', () => {
    expect(engineVersionOf(`v1\n${FORGED}`)).toBe(`v1\\x0a${FORGED}`);
    expect(engineVersionOf('a\tb\r\x1b[31m')).toBe('a\\x09b\\x0d\\x1b[31m');
    expect(engineVersionOf(2.5)).toBe('2.5');
    expect(engineVersionOf({ v: 1 })).toBeUndefined();
    expect(engineVersionOf('x'.repeat(5000))).toMatch(/^x{200}… \(5000 chars\)$/);
  });

  describe('through a real HTTP engine and the CLI', () => {
    let server: http.Server;
    let url = '';
    beforeAll(async () => {
      server = http.createServer((req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        if (req.method === 'GET') return void res.end(JSON.stringify({ status: 'ok', version: `v1\n${FORGED}` }));
        req.resume();
        req.on('end', () => res.end(JSON.stringify({ final_answer: 'hello' })));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/run`;
    });
    afterAll(() => new Promise<void>((r) => server.close(() => r())));

    it('a version holding a line feed cannot forge a line of the console or run.log', async () => {
      const dir = makeProject({
        'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json', enabled: true, tags: [] }] },
        'sim/a.json': { name: 'a', cases: [{ id: 'c', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'hello' }] }] },
      });
      const r = await runCli(['run', '--engine', url, '--stages', 'sim', '--run-id', 'v1'], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      const log = fs.readFileSync(path.join(reportDir(dir, 'v1'), 'run.log'), 'utf8');
      for (const text of [r.stdout, r.stderr, log]) {
        expect(text.split('\n').some((l) => l.startsWith(FORGED))).toBe(false);
      }
      expect(log).toContain(`version v1\\x0a${FORGED}`);
    });
  });
});
