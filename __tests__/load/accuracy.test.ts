import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGenerator } from '../../src/load/generator.js';
import { httpTransport } from '../../src/load/http-transport.js';
import { requestPool } from '../../src/load/requests.js';
import { constantSchedule } from '../../src/load/schedule.js';
import { ROOT } from '../helpers/cli.js';

const TARGET = path.join(ROOT, '__tests__/fixtures/load/stall-target.mjs');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startTarget(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TARGET, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    child.on('error', reject);
    child.stdout!.once('data', (d: Buffer) => resolve((JSON.parse(d.toString().split('\n')[0]) as { port: number }).port));
  });
}

/**
 * The small, loose version of the accuracy benchmark (bench/load): a target in its own process freezes
 * for 500 ms; the open-model generator keeps sending on time meanwhile, so the requests due during the
 * freeze are measured with their whole wait. Asserts the stall is seen, not how fast anything is.
 */
describe('latency under an event-loop stall (coordinated omission)', () => {
  it('sees the stall: max latency near the freeze, most requests unaffected', async () => {
    const port = await startTarget(['--stall-ms', '500', '--period-ms', '60000', '--offset-ms', '700']);
    const cases = [{ id: 'c', dataset: 'd', input: { prompt: 'p' }, assert: [], tags: [], repeat: 1, ignorePaths: [], location: { file: 'd.json', line: 1 } }];
    const pool = requestPool(cases, 'accuracy');
    const t = httpTransport({ url: new URL(`http://127.0.0.1:${port}/run`), headers: {}, maxResponseBytes: 1e6, runId: 'accuracy', timeoutMs: 10_000 });
    const r = await runGenerator({
      schedule: constantSchedule(200, 2000),
      maxInFlight: 256,
      timeoutMs: 10_000,
      transport: t,
      requestAt: (i) => pool.requestAt(i),
      signal: new AbortController().signal,
    });
    await t.close();
    expect(r.completed).toBe(400);
    expect(r.metrics.http_req_failed.rate).toBe(0);
    const d = r.metrics.http_req_duration!;
    // a request due as the freeze begins waits for (most of) all of it
    expect(d.max).toBeGreaterThanOrEqual(400);
    // about a quarter of the requests fall in the freeze: p90 is inside it, the median is not
    expect(d['p(90)']).toBeGreaterThanOrEqual(100);
    expect(d.med).toBeLessThan(250);
    // the generator itself stayed on schedule: the latency is the target's, not ours
    expect(r.metrics.dropped_iterations.count).toBe(0);
    // the per-second timeline shows it
    expect(Math.max(...r.timeline.map((row) => row.maxMs ?? 0))).toBeGreaterThanOrEqual(400);
  });
});
