import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

/** An engine whose answer depends on the prompt: good JSON, HTML, 500, invalid JSON, 50 MB, or silence. */
let server: http.Server;
let url = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.method === 'GET') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","version":"bad-1"}');
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const prompt = JSON.parse(body).prompt as string;
      switch (prompt) {
        case 'html':
          return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Oops</title></html>');
        case '500':
          return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
        case 'invalid':
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"final_answer": ');
        case 'huge': {
          res.writeHead(200, { 'content-type': 'application/json' });
          const chunk = Buffer.alloc(1 << 20, 'a');
          let sent = 0;
          const pump = () => {
            while (sent < 50 && res.write(chunk)) sent++;
            if (sent < 50 && !res.destroyed) res.once('drain', pump);
            else res.end();
          };
          res.on('error', () => {});
          return pump();
        }
        case 'silent':
          return; // never answers
        default:
          return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ final_answer: `ok ${prompt}` }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}/run`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

function withRegistry(datasets: Record<string, string>, registry?: unknown) {
  const files: Record<string, unknown> = {
    'sim/sim_dataset.json': registry ?? { datasets: Object.keys(datasets).map((n) => ({ name: n, path: `${n}.json`, enabled: true, tags: [] })) },
  };
  for (const [n, text] of Object.entries(datasets)) files[`sim/${n}.json`] = text;
  return makeProject(files);
}

describe('bad engine answers: the run goes on and reports each error kind apart', () => {
  it('HTML, 500, invalid JSON, 50 MB and silence are errored cases; good cases still pass; FAIL', async () => {
    const prompts = ['fine-1', 'html', '500', 'invalid', 'huge', 'silent', 'fine-2'];
    const ds = { name: 'bad', cases: prompts.map((p) => ({ id: p, input: { prompt: p }, assert: [{ type: 'contains', value: 'ok' }] })) };
    const dir = withRegistry({ bad: JSON.stringify(ds, null, 2) });
    // Every stage runs against the bad engine; the load plan is short, and its silent requests time out in 2 s, not 10.
    fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ engine: { target: url, timeoutMs: 1500, maxResponseBytes: 1048576 }, load: { rate: 5, duration: '2s', timeoutMs: 2000 } }));
    const r = await runCli(['run', '--run-id', 'b1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readJson(path.join(reportDir(dir, 'b1'), 'report.json'));
    const sim = report.stages.sim;
    expect(sim).toMatchObject({ verdict: 'FAIL', total: 7, passed: 2, errored: 5 });
    const kind = (id: string) => sim.cases.find((c: any) => c.id === id).engineErrors[0].kind;
    expect(kind('html')).toBe('invalid_json');
    expect(sim.cases.find((c: any) => c.id === 'html').engineErrors[0].message).toMatch(/HTML/);
    expect(kind('500')).toBe('http_status');
    expect(kind('invalid')).toBe('invalid_json');
    expect(kind('huge')).toBe('too_large');
    expect(kind('silent')).toBe('timeout');
    expect(sim.engineErrors).toEqual({ invalid_json: 2, http_status: 1, too_large: 1, timeout: 1 });
  });
});

describe('bad datasets end the run cleanly with ERROR naming file, line and case', () => {
  it('unknown assertion type', async () => {
    const text = '{\n  "name": "u",\n  "cases": [\n    { "id": "first", "input": { "prompt": "x" },\n      "assert": [ { "type": "containz", "value": "x" } ] }\n  ]\n}\n';
    const dir = withRegistry({ u: text });
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'u1'], { cwd: dir });
    expect(r.code).toBe(2);
    const msg = readJson(path.join(reportDir(dir, 'u1'), 'report.json')).error.message;
    expect(msg).toContain('sim/u.json:5');
    expect(msg).toContain('"first"');
    expect(msg).toContain('containz');
  });

  it('duplicate case ids', async () => {
    const text = '{\n  "name": "d",\n  "cases": [\n    { "id": "same", "input": { "prompt": "x" } },\n    { "id": "same", "input": { "prompt": "y" } }\n  ]\n}\n';
    const dir = withRegistry({ d: text });
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'd1'], { cwd: dir });
    expect(r.code).toBe(2);
    const msg = readJson(path.join(reportDir(dir, 'd1'), 'report.json')).error.message;
    expect(msg).toContain('sim/d.json:5');
    expect(msg).toContain('same');
  });

  it('a registry entry pointing at a missing file', async () => {
    const dir = withRegistry({}, { datasets: [{ name: 'gone', path: 'gone.json', enabled: true, tags: [] }] });
    const r = await runCli(['run', '--engine', 'reference', '--run-id', 'm1'], { cwd: dir });
    expect(r.code).toBe(2);
    const msg = readJson(path.join(reportDir(dir, 'm1'), 'report.json')).error.message;
    expect(msg).toContain('sim/sim_dataset.json');
    expect(msg).toContain('gone.json');
  });
});

describe('a cmd: engine at an absolute path that does not exist', () => {
  it('the reports shorten the path; the console names it whole, without the arguments', async () => {
    const dir = makeProject({ 'sim/sim_dataset.json': { datasets: [] } });
    const program = path.join(path.dirname(dir), 'no-such-folder-here', 'engine-bin');
    const r = await runCli(['run', '--engine', `cmd:${program} --token s3cret`, '--stages', 'sim', '--run-id', 'p1'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`the engine's program is ${program} `);
    expect(r.stderr + r.stdout).not.toContain('s3cret');
    const report = fs.readFileSync(path.join(reportDir(dir, 'p1'), 'report.json'), 'utf8');
    expect(report).toContain('…/engine-bin');
    expect(report).not.toContain(program);
  });

  it('a program inside the project or found on PATH is not repeated', async () => {
    const dir = makeProject({ 'sim/sim_dataset.json': { datasets: [] } });
    const r = await runCli(['run', '--engine', `cmd:${path.join(dir, 'missing-engine')}`, '--stages', 'sim', '--run-id', 'p2'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain("the engine's program is");
  });
});

/** The WAR ROOM findings of one type in a run's report.json. */
function findingsOfType(dir: string, runId: string, type: string) {
  return readJson(path.join(reportDir(dir, runId), 'report.json')).warroom.filter((f: { type: string }) => f.type === type);
}

describe('cases that can never fail', () => {
  it('are one LOW WAR ROOM finding per dataset, with the first case and its line; the verdict is the engine\'s', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'smoke', path: 'smoke.json', enabled: true, tags: [] }] },
      'sim/smoke.json': {
        name: 'smoke',
        cases: [
          { id: 'checked', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] },
          { id: 'idle-1', input: { prompt: 'Hi' } },
          { id: 'idle-2', input: { prompt: 'Hi' }, assert: [] },
        ],
      },
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'u1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const found = findingsOfType(dir, 'u1', 'sim-case-unasserted');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'LOW', subsystem: 'sim', caseId: 'idle-1', location: { file: 'sim/smoke.json' } });
    expect(found[0].message).toMatch(/2 case\(s\) of dataset "smoke" assert nothing.*"idle-1" \(line \d+\), "idle-2" \(line \d+\)$/);
    expect(found[0].remediation).toMatch(/Add at least one assertion/);
  });
});

describe('a dataset file beside the registry that the registry does not list', () => {
  it('is an INFO WAR ROOM finding naming the file, not only a log line', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json', enabled: true, tags: [] }] },
      'sim/a.json': { name: 'a', cases: [{ id: 'c', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] }] },
      'sim/forgotten.json': { name: 'forgotten', cases: [] },
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'g1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const found = findingsOfType(dir, 'g1', 'sim-dataset-unregistered');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'MEDIUM', // a warning annotation, as DESIGN 3.4 says; no verdict changes
        location: { file: 'sim/forgotten.json', line: 1 },
        message: 'sim/forgotten.json is not registered in sim/sim_dataset.json, so it never runs',
      }),
    ]);
  });
});

describe('an integer beyond 2^53 in a dataset', () => {
  it('is a LOW WAR ROOM finding at its line, saying what the engine is sent', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'ids', path: 'ids.json', enabled: true, tags: [] }] },
      'sim/ids.json': '{\n  "name": "ids",\n  "cases": [\n    { "id": "c", "input": { "prompt": "Hi", "user": 9007199254740993 },\n      "assert": [{ "type": "contains", "value": "Hi" }] }\n  ]\n}\n',
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'n1'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const found = findingsOfType(dir, 'n1', 'sim-number-inexact');
    expect(found).toEqual([
      expect.objectContaining({
        severity: 'LOW',
        location: { file: 'sim/ids.json', line: 4 },
        message: expect.stringContaining("the integer 9007199254740993 is beyond 2^53: equals and range compare their own values as written, but this one is in a case's input: it is sent to the engine as 9007199254740992"),
      }),
    ]);
  });
});

describe('a shard leg without a run id', () => {
  it('warns on stderr that its generated run id cannot be merged with the other legs; with --run-id it does not', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json', enabled: true, tags: [] }] },
      'sim/a.json': { name: 'a', cases: [{ id: 'c', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] }] },
    });
    const bare = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--shard', '1/2'], { cwd: dir });
    expect(bare.code, bare.stdout + bare.stderr).toBe(0);
    expect(bare.stderr).toMatch(/shard 1\/2 runs under a generated run id \(\d{8}T\d{6}Z-[0-9a-f]{6}\).*Give every leg the same run id \(--run-id ID\)/);
    const named = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--shard', '1/2', '--run-id', 'legs-1'], { cwd: dir });
    expect(named.code, named.stdout + named.stderr).toBe(0);
    expect(named.stderr).not.toContain('generated run id');
  });
});

describe('config values found wrong only as the run uses them', () => {
  it('an engine header with a bad ${...} or a variable that is not set names the config file, its line and the header', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'a', path: 'a.json', enabled: true, tags: [] }] },
      'sim/a.json': { name: 'a', cases: [{ id: 'c', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] }] },
    });
    fs.writeFileSync(path.join(dir, 'bad.json'), '{\n  "engine": {\n    "headers": {\n      "authorization": "Bearer ${TORON AUDIT}"\n    }\n  }\n}\n');
    fs.writeFileSync(path.join(dir, 'unset.json'), '{\n  "engine": {\n    "headers": {\n      "x-a": "1",\n      "x-token": "${TORON_AUDIT_UNSET_TOKEN}"\n    }\n  }\n}\n');
    for (const [config, runId, line, header, text] of [
      ['bad.json', 'h1', 4, 'authorization', /uses "\$\{TORON AUDIT\}", which is not a variable name/],
      ['unset.json', 'h2', 5, 'x-token', /needs the environment variable TORON_AUDIT_UNSET_TOKEN, which is not set/],
    ] as const) {
      const r = await runCli(['run', '--engine', 'http://127.0.0.1:9/run', '--config', config, '--stages', 'sim', '--run-id', runId], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stdout + r.stderr).toContain(`${config}:${line} at /engine/headers/${header}: engine header "${header}"`);
      const [finding] = findingsOfType(dir, runId, 'run-error');
      expect(finding.location).toEqual({ file: config, line });
      expect(finding.message).toMatch(text);
    }
  });
});
