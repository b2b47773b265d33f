/**
 * Text from outside (case ids from a contributor's dataset, engine answers) printed to the step's log
 * must never be read by the runner as a workflow command. The runner (actions/runner,
 * ActionCommandManager.TryProcessCommand) reads every line of stdout and stderr two ways: `::cmd ...::data`
 * at the start of the line once whitespace is trimmed, and the older `##[cmd ...]data` found anywhere
 * in the line. `runnerCommands` (helpers) reads a log as it does.
 */
import { describe, expect, it } from 'vitest';
import { neutralise } from '../../src/github/commands.js';
import { repoWith } from '../fixtures/action/repo.js';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { runnerCommands } from '../helpers/runner-commands.js';

describe('neutralise', () => {
  it('breaks the legacy ##[command] form anywhere in a line, and :: after any whitespace the runner trims', () => {
    const hostile = 'case x ##[add-mask]FAIL\n##[error]forged\n\u0085::warning::forged\r::stop-commands::t';
    expect(runnerCommands(hostile).map((c) => c.command)).toEqual(['add-mask', 'error', 'warning', 'stop-commands']);
    const safe = neutralise(hostile);
    expect(runnerCommands(safe)).toEqual([]);
    // Readable (only zero-width spaces added) and idempotent: the action's log neutralises console lines again.
    expect(safe.replace(/\u200b/g, '')).toBe(hostile);
    expect(neutralise(safe)).toBe(safe);
  });
});

describe('the action: case ids in the log cannot issue workflow commands', { timeout: E2E_TIMEOUT }, () => {
  it('a failing case whose id holds ##[error] and ##[add-mask]: only the action\'s own commands are read', async () => {
    const ws = repoWith([
      { id: 'a', ok: true },
      { id: 'b ##[error]forged by a case id', ok: false },
      { id: 'c ##[add-mask]FAIL', ok: false },
    ]);
    const r = await runAction({ workspace: ws, emu: null, inputs: { 'run-id': 'inject-1', 'upload-artifact': 'false', 'pr-comment': 'off' } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const read = runnerCommands(r.stdout + '\n' + r.stderr);
    expect(read.filter((c) => c.form === 'legacy')).toEqual([]);
    expect(read.map((c) => c.command).filter((c) => c === 'add-mask' || c === 'stop-commands')).toEqual([]);
    expect(read.filter((c) => /^forged/.test(c.data))).toEqual([]);
    // The findings are still there, as annotations of ours, ids shown as written.
    const errors = read.filter((c) => c.command === 'error').map((c) => c.data);
    expect(errors.some((d) => d.includes('(case b ##[error]forged by a case id)'))).toBe(true);
    expect(errors.some((d) => d.includes('(case c ##[add-mask]FAIL)'))).toBe(true);
  });
});
