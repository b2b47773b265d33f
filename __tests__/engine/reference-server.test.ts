import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReferenceKnobs } from '../../src/settings/types.js';
import { DEFAULT_KNOBS } from '../../src/engine/reference/main.js';
import { EXIT_CODE_CRASHED, startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';

const knobs = (over: Partial<ReferenceKnobs> = {}): ReferenceKnobs => ({ ...DEFAULT_KNOBS, ...over });
const MAIN = fileURLToPath(new URL('../../src/engine/reference/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const servers: ReferenceServer[] = [];
async function start(over: Partial<ReferenceKnobs> = {}, opts: Parameters<typeof startReferenceServer>[1] = {}) {
  const s = await startReferenceServer(knobs(over), opts);
  servers.push(s);
  return s;
}
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function post(url: string, body: string): Promise<{ status: number; json: any }> {
  const res = await fetch(`${url}/run`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
  return { status: res.status, json: await res.json() };
}

describe('reference server over HTTP', () => {
  it('answers POST /run with the generation shape, deterministic for a seed', async () => {
    const s = await start({ generation: '2.5h-stability' });
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const a = await post(s.url, JSON.stringify({ prompt: 'What is the capital of France?', seed: 9 }));
    expect(a.status).toBe(200);
    expect(a.json.tier_path).toEqual(['T1', 'T2', 'T3']);
    expect(a.json.final_answer).toContain('capital of France?');
    const b = await post(s.url, JSON.stringify({ prompt: 'What is the capital of France?', seed: 9 }));
    expect(b.json).toEqual(a.json);
    // Without a seed, the prompt decides: still the same answer twice.
    const c = await post(s.url, JSON.stringify({ prompt: 'What is the capital of France?' }));
    const d = await post(s.url, JSON.stringify({ prompt: 'What is the capital of France?' }));
    expect(d.json).toEqual(c.json);
  });

  it('passes other body fields to the engine (the 2.5h clock `now`)', async () => {
    const s = await start();
    const r = await post(s.url, JSON.stringify({ prompt: 'Hi', now: 1700000003 }));
    expect(r.json.random_witness).toBe('Gemini-Pro');
  });

  it('serves /health and /version', async () => {
    const s = await start({ generation: '3' });
    const h = await fetch(`${s.url}/health`);
    expect(h.status).toBe(200);
    expect(await h.json()).toEqual({ status: 'ok', version: 'reference-3/2.0.0', generation: '3' });
    const v = await fetch(`${s.url}/version?x=1`);
    expect(await v.json()).toEqual({ version: 'reference-3/2.0.0' });
  });

  it('answers bad bodies with 400 JSON errors', async () => {
    const s = await start();
    const cases: [string, string][] = [
      ['{not json', 'not valid JSON'],
      ['[1,2]', 'JSON object'],
      ['{"text":"hi"}', '"prompt" must be a string'],
      ['{"prompt": 5}', '"prompt" must be a string'],
      ['{"prompt": "hi", "seed": "x"}', '"seed" must be an integer'],
      ['', 'not valid JSON'],
    ];
    for (const [body, msg] of cases) {
      const r = await post(s.url, body);
      expect(r.status, body).toBe(400);
      expect(r.json.error, body).toContain(msg);
    }
  });

  it('refuses bodies over the limit with 413', async () => {
    const s = await start({}, { maxBodyBytes: 1000 });
    const r = await post(s.url, JSON.stringify({ prompt: 'x'.repeat(5000) }));
    expect(r.status).toBe(413);
    expect(r.json.error).toContain('over 1000 bytes');
  });

  it('answers unknown routes with 404 and wrong methods with 405, as JSON', async () => {
    const s = await start();
    const nf = await fetch(`${s.url}/nope`);
    expect(nf.status).toBe(404);
    expect(((await nf.json()) as { error: string }).error).toContain('not found');
    const wm = await fetch(`${s.url}/run`);
    expect(wm.status).toBe(405);
    expect(wm.headers.get('allow')).toBe('POST');
  });

  it('answers injected engine errors and refused prompts with 500', async () => {
    const s = await start({ errorRate: 1 });
    const r = await post(s.url, JSON.stringify({ prompt: 'Hi' }));
    expect(r.status).toBe(500);
    expect(r.json.error).toContain('injected');
    const t = await start({ generation: '3' });
    const e = await post(t.url, JSON.stringify({ prompt: '' }));
    expect(e.status).toBe(500);
    expect(e.json.error).toBe('Query failed: Invalid prompt length: 0');
  });

  it('in process, crash-after closes the server after the N-th answer', async () => {
    const s = await start({ crashAfter: 2 });
    expect((await post(s.url, '{"prompt":"a"}')).status).toBe(200);
    expect((await post(s.url, '{"prompt":"b"}')).status).toBe(200);
    await s.closed;
    await expect(fetch(`${s.url}/health`)).rejects.toThrow();
  });

  it('stalls freeze the event loop for real', async () => {
    const s = await start({ stallMs: 300, seed: 5 });
    let last = performance.now();
    let longestGap = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longestGap = Math.max(longestGap, now - last);
      last = now;
    }, 10);
    await new Promise((r) => setTimeout(r, 2_700));
    clearInterval(tick);
    expect(longestGap).toBeGreaterThanOrEqual(280);
    expect((await fetch(`${s.url}/health`)).status).toBe(200);
  });
});

describe('reference server as a process', () => {
  it('prints its address, serves, and exits 70 after crash-after requests', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'serve', '--crash-after', '2', '--generation', '3'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /^listening on (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out);
          if (m) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code} before listening: ${out}`)));
      });
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const a = await post(url, '{"prompt":"What is 2 + 2?"}');
      expect(a.status).toBe(200);
      expect(a.json.consensus.output).toContain('What is 2 + 2?');
      expect((await post(url, '{"prompt":"b"}')).status).toBe(200);
      expect(await exited).toBe(EXIT_CODE_CRASHED);
    } finally {
      child.kill();
    }
  });
});

describe('seed over HTTP', () => {
  it('takes the x-toron-seed header the http adapter sends when the body has no seed', async () => {
    const { parseRunBody } = await import('../../src/engine/reference/server.js');
    expect(parseRunBody('{"prompt":"hi"}', { seed: '12345' }).seed).toBe(12345);
    expect(parseRunBody('{"prompt":"hi","seed":7}', { seed: '12345' }).seed).toBe(7);
    expect(parseRunBody('{"prompt":"hi"}', {}).seed).toBe(parseRunBody('{"prompt":"hi"}').seed);
    expect(parseRunBody('{"prompt":"hi"}', { seed: 'abc' }).seed).toBe(parseRunBody('{"prompt":"hi"}').seed);
  });
});
