import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReferenceServer, type ReferenceServer } from '../../src/engine/reference/server.js';
import { listZip, readZipFile } from '../../src/github/zip.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { makeProject, reportDir, runCli } from '../helpers/cli.js';

/**
 * k6 reads the engine URL, query and all, from TORON_TESTOPS_K6_URL, and a request that fails is
 * logged by k6 with that URL: Go's net/http replaces only the password ("Post \"http://u:***@h/run?
 * api_key=KEY\": dial tcp ...: connection refused"). Those lines go to run.log, the console and, when
 * k6 fails, the load stage's reason in report.json and summary.md: the ?api_key= value with them.
 * A stand-in k6 prints such a line, built from the URL it is given as k6 would, and fails (107).
 */
const KEY = 'QUERYSECRET12345';
const TOKEN = 'hdr-token-0987654321';
let bin: string;
let server: ReferenceServer;
const BASE_PATH = [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);

beforeAll(async () => {
  server = await startReferenceServer({ ...DEFAULTS.reference }, { port: 0 });
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-k6-leaky-'));
  fs.writeFileSync(
    path.join(bin, 'k6'),
    `#!/usr/bin/env bash
if [ "$1" = version ]; then echo 'k6 v1.5.0 (commit/7961cefa12, go1.25.5, linux/amd64)'; exit 0; fi
url=$(printf '%s' "$TORON_TESTOPS_K6_URL" | sed -E 's#//([^:/@]*):[^@/]*@#//\\1:***@#')
printf 'time="2026-01-01T00:00:00Z" level=warning msg="Request Failed" error="Post \\\\"%s\\\\": dial tcp 127.0.0.1:1: connect: connection refused"\\n' "$url" >&2
printf 'time="2026-01-01T00:00:00Z" level=error msg="auth header was %s"\\n' "$AUTH_FOR_FAKE" >&2
exit 107
`,
    { mode: 0o755 },
  );
});
afterAll(async () => {
  await server.close();
  fs.rmSync(bin, { recursive: true, force: true });
});

describe('k6 output quoting the engine URL', () => {
  it('reaches no report, log or console with the URL\'s credentials or a header secret', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'basic', path: 'basic.json', enabled: true, tags: [] }] },
      'sim/basic.json': { name: 'basic', seed: 1, cases: [{ id: 'c0', input: { prompt: 'Hi' }, assert: [] }] },
      'testops.config.json': {
        engine: { target: `http://alice:PassW0rd99@${new URL(server.url).host}/run?api_key=${KEY}`, headers: { authorization: 'Bearer ${K6_TEST_TOKEN}' } },
        load: { generator: 'k6', rate: 10, duration: '1s' },
      },
    });
    const r = await runCli(['run', '--stages', 'load', '--run-id', 'k6s'], {
      cwd: dir,
      env: { PATH: `${bin}${path.delimiter}${BASE_PATH}`, HOME: os.tmpdir(), K6_TEST_TOKEN: TOKEN, AUTH_FOR_FAKE: `Bearer ${TOKEN}` },
    });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const rd = reportDir(dir, 'k6s');
    const texts: [string, string][] = [['stdout', r.stdout], ['stderr', r.stderr]];
    for (const f of fs.readdirSync(rd)) {
      const p = path.join(rd, f);
      if (!fs.statSync(p).isFile()) continue;
      const buf = fs.readFileSync(p);
      if (f === 'bundle.zip') for (const e of listZip(buf)) texts.push([`bundle.zip!${e.name}`, readZipFile(buf, e.name)!.toString('utf8')]);
      else texts.push([f, buf.toString('utf8')]);
    }
    const log = texts.find(([n]) => n === 'run.log')![1];
    expect(log).toContain('Request Failed');
    expect(log).toContain(`${new URL(server.url).host}/run`);
    for (const [name, text] of texts) for (const s of [KEY, 'PassW0rd99', TOKEN]) expect(text.includes(s), `${s} in ${name}`).toBe(false);
  });
});
