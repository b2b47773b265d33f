import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli, startCli } from '../helpers/cli.js';

/**
 * A run killed with SIGKILL gets its result.json from the store on the next open (ABORTED). The store
 * row's engine target is what that result.json shows: a command engine given by its absolute path
 * must be named relative to the working folder there too, as in report.json (DESIGN §3.3).
 */
// Answers the health check, then never answers a case: the run waits in SIM until it is killed.
const STALLING_ENGINE = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  if (req.method === 'health') process.stdout.write(JSON.stringify({ id: req.id, result: { status: 'ok', version: '1' } }) + '\\n');
});
`;

describe('the result.json of an ABORTED run', () => {
  it('names the engine without a path of the machine', async () => {
    const cwd = makeProject({
      'engine.cjs': STALLING_ENGINE,
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hi' } }] },
    });
    const engine = `cmd:${process.execPath} ${path.join(cwd, 'engine.cjs')}`;
    const child = startCli(['run', '--engine', engine, '--stages', 'sim', '--run-id', 'killed', '--out', 'out'], { cwd });
    const runLog = path.join(cwd, 'out', 'reports', 'killed', 'run.log');
    for (let i = 0; i < 200 && !(fs.existsSync(runLog) && fs.readFileSync(runLog, 'utf8').includes('[sim] started')); i++) await sleep(100);
    const exited = new Promise((resolve) => child.on('close', resolve));
    child.kill('SIGKILL');
    await exited;

    const next = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'next', '--out', 'out'], { cwd });
    expect(next.code, next.stdout + next.stderr).toBe(0);
    expect(next.stdout).toContain('run killed');
    const result = readJson(path.join(cwd, 'out', 'reports', 'killed', 'result.json'));
    expect(result).toMatchObject({ status: 'ABORTED', verdict: 'ERROR' });
    // The interpreter lies outside the working folder: by its last part, as the snapshot names it.
    expect(result.engine.target).toBe(`cmd:…/${path.basename(process.execPath)} ./engine.cjs`);
    expect(JSON.stringify(result)).not.toContain(cwd);
  });
});
