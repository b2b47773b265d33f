import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { dataset, project, run } from '../replay/helpers.js';

/** An HTTP engine that answers `answers` cases, then stops listening, as a crashed server does. */
async function dyingEngine(answers: number): Promise<{ url: string; close: () => void }> {
  let served = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","version":"dying-1"}');
      return;
    }
    req.resume();
    req.on('end', () => {
      served++;
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' }).end(JSON.stringify({ final_answer: `answer ${served}` }));
      if (served === answers) {
        server.close();
        server.closeAllConnections();
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}/run`, close: () => server.close() };
}

describe('an HTTP engine that dies mid-run', () => {
  it('is one CRITICAL engine-died finding, as for a cmd: engine, beside the per-case failures', async () => {
    const engine = await dyingEngine(3);
    try {
      const dir = project({ d: dataset('d', 12) }, { sim: { concurrency: 1 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'http-dies' });
      expect(r.verdict).toBe('FAIL');
      const died = r.reportJson.warroom.filter((w: { type: string }) => w.type === 'engine-died');
      expect(died).toHaveLength(1);
      expect(died[0]).toMatchObject({ severity: 'CRITICAL', subsystem: 'engine' });
      expect(died[0].message).toMatch(/stopped accepting connections after 3 answer\(s\)/);
      expect(r.reportJson.stages.sim).toMatchObject({ total: 12, errored: 9 });
    } finally {
      engine.close();
    }
  });

  it('is not raised for an engine that stays up', async () => {
    const engine = await dyingEngine(1000);
    try {
      const dir = project({ d: dataset('d', 6) }, { sim: { concurrency: 1 } });
      const r = await run(dir, { engine: engine.url, stages: 'sim', runId: 'http-never' });
      expect(r.reportJson.warroom.filter((w: { type: string }) => w.type === 'engine-died')).toHaveLength(0);
    } finally {
      engine.close();
    }
  });
});
