import type { ChildProcess } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { readJson, reportDir, runCli, startCli } from '../helpers/cli.js';
import { postRun, request, simProject, waitFor } from './helpers.js';
import { DEFAULT_PORT, SERVE_USAGE, parseServeArgs } from '../../src/cli/serve-command.js';

/** Waits for the "dashboard and API on <url>" line of a `serve` process. */
function serverUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}${err}`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stdout: string }> {
  let stdout = '';
  child.stdout!.on('data', (d) => (stdout += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout })));
}

describe('toron-testops serve (the CLI process)', () => {
  it('listens on 127.0.0.1, runs, and on SIGTERM stops a running run cleanly (partial report) and exits 0', async () => {
    const dir = simProject(40, 0);
    const child = startCli(['serve', '--port', '0', '--engine', 'reference'], { cwd: dir });
    try {
      const url = await serverUrl(child);
      const end = exited(child);
      expect((await request(url, '/health')).json).toMatchObject({ ok: true, name: 'toron-testops' });
      const posted = await postRun(url, { runId: 'cli-1', latencyMs: 200, concurrency: 1 });
      expect(posted.status).toBe(202);
      await waitFor('the run to be running', async () => (await request(url, '/master/status/cli-1')).json.progress?.sim);
      child.kill('SIGTERM');
      const { code, stdout } = await end;
      expect(code).toBe(0);
      expect(stdout).toContain('stopped');
      const report = readJson(`${reportDir(dir, 'cli-1')}/report.json`);
      expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a bad flag or engine is an ERROR with exit 2, before listening', async () => {
    const r = await runCli(['serve', '--port', '0', '--engine', 'ftp://nope'], { cwd: simProject(1) });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/ERROR \(not a test verdict\).*engine/);
  });
});

describe('serve flags', () => {
  it('binds 127.0.0.1 unless told otherwise; another address needs a token', () => {
    expect(parseServeArgs([], {}).options).toMatchObject({ host: '127.0.0.1', port: DEFAULT_PORT, token: null, maxConcurrent: 2, maxQueued: 8 });
    expect(() => parseServeArgs(['--host', '0.0.0.0'], {})).toThrow(/--token/);
    expect(parseServeArgs(['--host', '0.0.0.0', '--token', 'long-enough'], {}).options).toMatchObject({ host: '0.0.0.0', token: 'long-enough' });
    expect(parseServeArgs(['--host', '0.0.0.0'], { TORON_TESTOPS_TOKEN: 'from-the-env' }).options.token).toBe('from-the-env');
    expect(() => parseServeArgs(['--token', 'abc'], {})).toThrow(/at least 8/);
  });

  it('checks numbers and unknown flags', () => {
    expect(parseServeArgs(['--port', '0', '--max-runs', '3', '--max-queued', '0'], {}).options).toMatchObject({ port: 0, maxConcurrent: 3, maxQueued: 0 });
    expect(() => parseServeArgs(['--port', '70000'], {})).toThrow(/--port/);
    expect(() => parseServeArgs(['--max-runs', '0'], {})).toThrow(/--max-runs/);
    expect(() => parseServeArgs(['--max-runs', 'two'], {})).toThrow(/--max-runs/);
    expect(() => parseServeArgs(['--bogus'], {})).toThrow(/bogus/);
    expect(parseServeArgs(['--engine', 'reference', '--latency-ms', '50', '--stages', 'sim'], {}).options.flags).toEqual({ engine: 'reference', latencyMs: '50', stages: 'sim' });
    expect(SERVE_USAGE).toContain('POST /master/run');
  });
});
