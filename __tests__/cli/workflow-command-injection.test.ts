/**
 * `npx toron-testops run` is also a step of GitHub workflows (sharded runs, compare): its stdout and
 * stderr are read by the runner for workflow commands like the action's. Case ids, prompts and
 * assertion values of a contributor's dataset, and engine answers, must not become commands there.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli, startCli } from '../helpers/cli.js';
import { runnerCommands } from '../helpers/runner-commands.js';

function project(cases: unknown[]): string {
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'gate', path: 'gate.json', enabled: true, tags: [] }] },
    'sim/gate.json': { name: 'gate', seed: 1, cases },
    'testops.config.json': { engine: 'reference', stages: ['sim'] },
  });
}

describe('CLI output read by the GitHub runner', () => {
  it('failing cases: ids with ##[error] / ##[add-mask], a regex value with a line break before ::warning:: → no command', async () => {
    const dir = project([
      { id: 'a', input: { prompt: 'question a' }, assert: [{ type: 'contains', value: 'question' }] },
      { id: 'b ##[error]forged by a case id', input: { prompt: 'question b' }, assert: [{ type: 'contains', value: 'never said' }] },
      { id: 'c ##[add-mask]FAIL', input: { prompt: 'question c' }, assert: [{ type: 'contains', value: 'never said' }] },
      { id: 'd', input: { prompt: 'question d' }, assert: [{ type: 'regex', value: '^never\n::warning title=forged::forged by a regex' }] },
    ]);
    const r = await runCli(['run', '--run-id', 'inject-1'], { cwd: dir, env: { GITHUB_ACTIONS: 'true' } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toContain('b ##');
    expect(r.stdout).toContain('forged by a regex');
    expect(runnerCommands(r.stdout)).toEqual([]);
    expect(runnerCommands(r.stderr)).toEqual([]);
  });

  it('a dataset error quoting a case id (the verdict block), a config error quoting a value (stderr): no command', async () => {
    const dir = project([
      { id: 'x ##[add-mask]ERROR', input: { prompt: 'p' } },
      { id: 'x ##[add-mask]ERROR', input: { prompt: 'p' } },
    ]);
    const r = await runCli(['run', '--run-id', 'inject-2'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout).toContain('duplicate case id');
    expect(runnerCommands(r.stdout + '\n' + r.stderr)).toEqual([]);

    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ engine: 'reference', stages: ['sim', '##[add-mask]x'] }));
    const bad = await runCli(['run', '--run-id', 'inject-3', '--config', 'bad.json'], { cwd: dir });
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stderr).toContain('stages[1] must be one of');
    expect(runnerCommands(bad.stdout + '\n' + bad.stderr)).toEqual([]);
  });

  it('serve: its start-up ERROR (a config value), its stdout lines and its log on stderr (a path of --out): no command', async () => {
    const dir = project([{ id: 'a', input: { prompt: 'q' } }]);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ engine: 'reference', stages: ['sim', '##[add-mask]x'] }));
    const bad = await runCli(['serve', '--port', '0', '--config', 'bad.json'], { cwd: dir });
    expect(bad.code, bad.stdout + bad.stderr).toBe(2);
    expect(bad.stderr).toContain('stages[1] must be one of');
    expect(runnerCommands(bad.stdout + '\n' + bad.stderr)).toEqual([]);

    // An --out folder whose history database cannot be opened: the server logs the path on stderr.
    fs.mkdirSync(path.join(dir, 'x ##[error]forged', 'testops.db'), { recursive: true });
    const child = startCli(['serve', '--port', '0', '--out', 'x ##[error]forged'], { cwd: dir });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const ended = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      const deadline = Date.now() + 30_000;
      while (!(stdout.includes('runs write to') && stderr.includes('history is not available')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(stdout).toContain('runs write to');
      expect(stderr).toContain('history is not available');
    } finally {
      child.kill('SIGTERM');
      await ended;
    }
    expect(stdout + stderr).toContain('forged');
    expect(runnerCommands(stdout)).toEqual([]);
    expect(runnerCommands(stderr)).toEqual([]);
  });
});
