import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

/**
 * What a child process the tool starts for an engine (cmd:) or for k6 inherits: the runner's
 * environment without the action's inputs (INPUT_*, among them the github-token), the runner's own
 * tokens and service URLs, and GITHUB_TOKEN / GH_TOKEN unless the config passes one on. An engine under
 * test that prints its environment would otherwise put them into run.log, the snapshot and the bundle
 * (the runner masks its own log, not our files).
 */
const RUNNER_ENV: Record<string, string> = {
  'INPUT_GITHUB-TOKEN': 'ghs_inputTokenValue0123456789',
  INPUT_ENGINE: 'inputEngineValue-not-used',
  ACTIONS_RUNTIME_TOKEN: 'eyJruntimeTokenValue.abc.def',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'idTokenRequestTokenValue42',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://pipelines.example/idtoken?x=1',
  ACTIONS_RESULTS_URL: 'https://results-receiver.example/',
  ACTIONS_RUNTIME_URL: 'https://pipelines-runtime.example/',
  ACTIONS_CACHE_URL: 'https://artifactcache.example/',
  GITHUB_TOKEN: 'ghs_githubTokenValue987654321',
  GH_TOKEN: 'gho_ghTokenValue11223344556677',
};
const WITHHELD = Object.keys(RUNNER_ENV);

// An engine that reports its whole environment: into a file, and in every answer.
const ENGINE = `import fs from 'node:fs';
import { createInterface } from 'node:readline';
fs.appendFileSync(process.env.ENV_LOG, JSON.stringify(process.env) + '\\n');
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  const req = JSON.parse(line);
  if (req.method === 'health') return send({ id: req.id, result: { status: 'ok', version: 'env-1' } });
  send({ id: req.id, result: { final_answer: 'ok', env: process.env } });
});
`;

function cmdProject(engine: Record<string, unknown>): string {
  const p = makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
    'sim/basic.json': { name: 'basic', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
    'testops.config.json': { engine: { target: 'cmd:node engine.mjs', ...engine }, stages: ['sim'] },
  });
  fs.writeFileSync(path.join(p, 'engine.mjs'), ENGINE);
  return p;
}

/** Every file the run wrote, as one text. */
function written(p: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else out.push(e.name.endsWith('.zip') ? '' : fs.readFileSync(f, 'latin1'));
    }
  };
  walk(path.join(p, '.toron-testops'));
  return out.join('\n');
}

describe('a cmd: engine\'s environment', () => {
  it('holds neither the action\'s inputs nor the runner\'s tokens and URLs, nor GITHUB_TOKEN / GH_TOKEN; the rest is inherited', async () => {
    const p = cmdProject({});
    const envLog = path.join(p, 'env.log');
    const r = await runCli(['run', '--run-id', 'env1'], { cwd: p, env: { ...RUNNER_ENV, ENV_LOG: envLog, OTHER_SETTING: 'kept' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const seen = fs.readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(seen.length).toBeGreaterThan(0);
    for (const env of seen) {
      for (const name of WITHHELD) expect(env, name).not.toHaveProperty(name);
      expect(Object.keys(env).filter((n) => n.toUpperCase().startsWith('INPUT_'))).toEqual([]);
      expect(env.OTHER_SETTING).toBe('kept');
    }
    const files = written(p);
    for (const name of WITHHELD) expect(files, name).not.toContain(RUNNER_ENV[name]);
  });

  it('engine.env passes a variable on (by ${NAME}, as engine headers): set in the engine, its value never written, named when missing', async () => {
    const p = cmdProject({ env: { GH_TOKEN: '${GH_TOKEN}', MODEL_KEY: 'key-${MY_SECRET}', MODE: 'plain' } });
    const envLog = path.join(p, 'env.log');
    const r = await runCli(['run', '--run-id', 'env2'], { cwd: p, env: { ...RUNNER_ENV, ENV_LOG: envLog, MY_SECRET: 'sEcReT-vAlUe-42' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const env = fs.readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>).at(-1)!;
    expect(env).toMatchObject({ GH_TOKEN: RUNNER_ENV.GH_TOKEN, MODEL_KEY: 'key-sEcReT-vAlUe-42', MODE: 'plain' });
    expect(env).not.toHaveProperty('GITHUB_TOKEN');
    expect(env).not.toHaveProperty('INPUT_GITHUB-TOKEN');
    // The engine echoes them in its answers: the snapshot and reports hold them blanked.
    const files = written(p);
    expect(files).not.toContain(RUNNER_ENV.GH_TOKEN);
    expect(files).not.toContain('sEcReT-vAlUe-42');
    expect(readJson(path.join(reportDir(p, 'env2'), 'report.json')).verdict).toBe('PASS');

    const missing = await runCli(['run', '--run-id', 'env3'], { cwd: p, env: { ENV_LOG: envLog, GH_TOKEN: 'x'.repeat(12) } });
    expect(missing.code).toBe(2);
    expect(missing.stdout + missing.stderr).toMatch(/engine\.env "MODEL_KEY" needs the environment variable MY_SECRET, which is not set/);
  });

  it('engine.env: a name that is not a variable name is refused, naming the config line', async () => {
    const p = cmdProject({ env: { 'BAD-NAME': 'x' } });
    const r = await runCli(['run', '--run-id', 'env4'], { cwd: p });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/testops\.config\.json:\d+.*\/engine\/env/);
  });
});

/** The stand-in k6 behind a wrapper that records its whole environment at every start (also `k6 version`). */
const FAKE = path.join(ROOT, '__tests__/fixtures/load/k6/fake-k6.sh');
const BASE_PATH = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);
let bin: string;
let server: http.Server;
let port: number;

beforeAll(async () => {
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'child-env-bin-'));
  fs.writeFileSync(
    path.join(bin, 'k6'),
    `#!/usr/bin/env bash\nnode -e 'require("fs").appendFileSync(process.env.ENV_LOG, JSON.stringify(process.env)+"\\n")'\nexec ${JSON.stringify(FAKE)} "$@"\n`,
    { mode: 0o755 },
  );
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.url?.endsWith('/health') ? '{"status":"ok"}' : '{"final_answer":"ok"}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  fs.rmSync(bin, { recursive: true, force: true });
});

describe('k6\'s environment', () => {
  it('is the same withheld environment; a variable the engine headers read (${GITHUB_TOKEN}) is passed on', async () => {
    const p = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
      'sim/basic.json': { name: 'basic', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
      'testops.config.json': {
        engine: { target: `http://127.0.0.1:${port}/run`, headers: { Authorization: 'Bearer ${GITHUB_TOKEN}' } },
        load: { generator: 'k6', rate: 10, duration: '2s' },
      },
    });
    const envLog = path.join(p, 'k6-env.log');
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k6env'], {
      cwd: p,
      env: { ...RUNNER_ENV, PATH: `${bin}${path.delimiter}${BASE_PATH}`, HOME: os.tmpdir(), K6_FIXTURE: 'summary-export-pass-arrival-submetrics', ENV_LOG: envLog },
    });
    expect(readJson(path.join(reportDir(p, 'k6env'), 'report.json')).stages.load?.generator, r.stdout + r.stderr).toBe('k6');
    const starts = fs.readFileSync(envLog, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
    expect(starts.length).toBeGreaterThanOrEqual(2); // k6 version, k6 run
    for (const env of starts) {
      for (const name of WITHHELD.filter((n) => n !== 'GITHUB_TOKEN')) expect(env, name).not.toHaveProperty(name);
      expect(Object.keys(env).filter((n) => n.toUpperCase().startsWith('INPUT_'))).toEqual([]);
    }
    expect(starts.at(-1)!.GITHUB_TOKEN, JSON.stringify(starts.map((s) => Object.keys(s).filter((k) => /TOKEN|TORON/.test(k))))).toBe(RUNNER_ENV.GITHUB_TOKEN);
  });
});
