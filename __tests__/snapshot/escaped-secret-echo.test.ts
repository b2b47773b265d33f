import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THREAD_FROM_ANSWERS } from '../../src/snapshot/sink.js';
import { runCli } from '../helpers/cli.js';
import { startLoopbackEngine, type LoopbackEngine } from '../helpers/loopback-engine.js';

// A base64-like token: "/" in it, which PHP's json_encode (and others) write as "\/".
const TOKEN = 'Zm9vYmFy/c2VjcmV0/LTQyNDI=';

let engine: LoopbackEngine;
let url: string;
beforeAll(async () => {
  // An engine echoing the Authorization header it got in a debug block, its JSON encoder escaping "/".
  engine = await startLoopbackEngine((_url, headers) => ({
    status: 200,
    body: JSON.stringify({ final_answer: 'ok', debug: { authorization: headers.authorization ?? null } }).replace(/\//g, '\\/'),
  }));
  url = `http://127.0.0.1:${engine.port}/run`;
});
afterAll(() => engine.close());

describe('a secret the engine echoes JSON-escaped, in a suite large enough for the snapshot thread', () => {
  it('stays out of the snapshot and the bundle', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-escaped-echo-'));
    const cases = Array.from({ length: THREAD_FROM_ANSWERS + 100 }, (_, i) => ({ id: `c${i}`, input: { prompt: `p${i}` }, assert: [{ type: 'contains', path: '/final_answer', value: 'ok' }] }));
    fs.mkdirSync(path.join(dir, 'sim'));
    fs.writeFileSync(path.join(dir, 'sim', 'echo.json'), JSON.stringify({ name: 'echo', cases }));
    fs.writeFileSync(path.join(dir, 'sim', 'sim_dataset.json'), JSON.stringify({ datasets: [{ name: 'echo', path: 'echo.json', enabled: true }] }));
    fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: url, headers: { Authorization: 'Bearer ${ECHO_TOKEN}' } }, sim: { concurrency: 16 } }));
    const r = await runCli(['run', '--stages', 'sim', '--run-id', 'echo', '--out', 'out'], { cwd: dir, env: { ECHO_TOKEN: TOKEN }, timeoutMs: 120_000 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('on a thread of its own');
    const snapshot = fs.readFileSync(path.join(dir, 'out', 'snapshots', 'echo.json'), 'utf8');
    expect(snapshot).toContain('"authorization":"[redacted]"');
    for (const form of [TOKEN, TOKEN.replace(/\//g, '\\/'), 'c2VjcmV0']) expect(snapshot).not.toContain(form);
    const bundled = execFileSync('python3', ['-c', 'import sys, zipfile; sys.stdout.buffer.write(zipfile.ZipFile(sys.argv[1]).read("snapshot.json"))', path.join(dir, 'out', 'reports', 'echo', 'bundle.zip')]);
    expect(bundled.toString('utf8')).not.toContain('c2VjcmV0');
  });
});
