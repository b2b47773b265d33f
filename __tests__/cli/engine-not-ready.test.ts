import http from 'node:http';
import path from 'node:path';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

// An engine that answers its health route, but not as usable (503 while its model loads, 401 for a
// missing token), is reachable: the run's reason must not send the user to check the network.
function project(): string {
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
    'sim/basic.json': { name: 'basic', description: 'test', seed: 1, defaults: { assert: [] }, cases: [{ id: 'c0', input: { prompt: 'q' }, assert: [] }] },
    'testops.config.json': {},
  });
}

async function withEngine(status: number, fn: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'content-type': 'application/json', 'retry-after': '20' });
      res.end('{"detail":"model loading"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(server.address() as { port: number }).port}/run`);
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
}

describe('an engine that answers its health check but is not usable', () => {
  for (const [status, says] of [
    [503, 'is not ready: GET'],
    [401, 'refused GET'],
  ] as const) {
    it(`HTTP ${status}: ERROR saying the health check failed, not that the engine is unreachable`, () =>
      withEngine(status, async (url) => {
        const dir = project();
        const r = await runCli(['run', '--engine', url, '--stages', 'sim', '--run-id', `h${status}`], { cwd: dir });
        expect(r.code).toBe(2);
        const report = readJson(path.join(reportDir(dir, `h${status}`), 'report.json'));
        expect(report.error.message).toMatch(new RegExp(`^engine health check failed: engine ${url.replace(/[.]/g, '\\.')} ${says}`));
        expect(report.error.message).not.toContain('unreachable');
        expect(fs.readFileSync(path.join(reportDir(dir, `h${status}`), 'run.log'), 'utf8')).not.toContain('unreachable');
        expect(report.warroom[0]).toMatchObject({ severity: 'CRITICAL', type: 'engine-unreachable' });
      }));
  }
});
