import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoWith } from '../fixtures/action/repo.js';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { runnerCommands } from '../helpers/runner-commands.js';

/**
 * Header values interpolated from the environment (`Bearer ${TOKEN}`) and URL credentials are
 * secrets. GitHub masks its own `secrets.*` in the log, not a token an earlier step exported, and the
 * tool's redactors skip values under 8 characters: the action asks the runner to mask them
 * (`::add-mask::`) before anything could print them. Here the engine echoes its short API key in every
 * answer, and a failing case quotes the answer on the console.
 */
let server: http.Server;
let port = 0;
beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(req.url?.startsWith('/health') ? { status: 'ok' } : { final_answer: `question; key ${req.headers['x-api-key']}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('the action masks the engine\'s secrets', { timeout: E2E_TIMEOUT }, () => {
  it('interpolated header values and URL credentials get ::add-mask:: before any other line shows them', async () => {
    const ws = repoWith([{ id: 'a', ok: false }], {
      config: { engine: { target: `http://alice:PassW0rd9@127.0.0.1:${port}/run?api_key=QK-778899`, headers: { authorization: 'Bearer ${ENGINE_TOKEN}', 'x-api-key': '${SHORT_KEY}', 'x-tenant': 'acme' } } },
    });
    const r = await runAction({
      workspace: ws,
      emu: null,
      inputs: { 'run-id': 'mask-1', 'upload-artifact': 'false', 'pr-comment': 'off' },
      env: { ENGINE_TOKEN: 'tok-abcdef123456', SHORT_KEY: 'k7q2x' },
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const masks = runnerCommands(r.stdout).filter((c) => c.command === 'add-mask').map((c) => c.data);
    expect(masks.sort()).toEqual(['Bearer tok-abcdef123456', 'PassW0rd9', 'QK-778899', 'k7q2x', 'tok-abcdef123456'].sort());
    const lines = r.stdout.split('\n');
    for (const secret of masks) {
      const first = lines.findIndex((l) => l.includes(secret));
      expect(lines[first], secret).toBe(`::add-mask::${secret}`);
    }
    // The short key was printed (the engine's answer, quoted by the failure): masked by the runner now.
    expect(r.stdout).toContain('key k7q2x');
    // Literal header values from the config are not secrets.
    expect(masks).not.toContain('acme');
  });

  it('engine.env values interpolated for a cmd: engine are masked too, before anything runs', async () => {
    const ws = repoWith([{ id: 'a', ok: true }], { config: { engine: { target: 'reference', env: { API_KEY: 'key-${ENV_KEY}', MODE: 'plain' } } } });
    const r = await runAction({ workspace: ws, emu: null, inputs: { 'run-id': 'mask-2', 'upload-artifact': 'false', 'pr-comment': 'off' }, env: { ENV_KEY: 'ek-5566' } });
    const masks = runnerCommands(r.stdout).filter((c) => c.command === 'add-mask').map((c) => c.data);
    expect(masks.sort(), r.stdout + r.stderr).toEqual(['ek-5566', 'key-ek-5566']);
    const lines = r.stdout.split('\n');
    expect(lines[lines.findIndex((l) => l.includes('ek-5566'))]).toMatch(/^::add-mask::/);
  });
});
