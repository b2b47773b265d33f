/**
 * Text from outside (case ids from a contributor's dataset, engine answers) printed to the step's log
 * must never be read by the runner as a workflow command. The runner (actions/runner,
 * ActionCommandManager.TryProcessCommand) reads every line of stdout and stderr two ways: `::cmd ...::data`
 * at the start of the line once whitespace is trimmed, and the older `##[cmd ...]data` found anywhere
 * in the line. `runnerCommands` reads a log as it does.
 */
import { describe, expect, it } from 'vitest';
import { neutralise } from '../../src/github/commands.js';
import { repoWith } from '../fixtures/action/repo.js';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';

const REGISTERED = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup', 'echo', 'add-mask', 'add-path', 'set-env', 'set-output', 'save-state', 'stop-commands', 'add-matcher', 'remove-matcher']);

/** .NET's Char.IsWhiteSpace, which the runner's TrimStart uses. */
const DOTNET_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

export interface RunnerCommand {
  form: 'v2' | 'legacy';
  command: string;
  data: string;
  line: string;
}

/** The commands the GitHub runner would obey in a log (lines split on CR, LF or CRLF, as StreamReader.ReadLine does). */
export function runnerCommands(log: string): RunnerCommand[] {
  const out: RunnerCommand[] = [];
  for (const line of log.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(DOTNET_SPACE, '');
    if (trimmed.startsWith('::')) {
      const end = trimmed.indexOf('::', 2);
      if (end >= 0) {
        const info = trimmed.slice(2, end);
        const name = info.split(' ')[0].toLowerCase();
        if (REGISTERED.has(name)) {
          out.push({ form: 'v2', command: name, data: trimmed.slice(end + 2), line });
          continue;
        }
      }
    }
    const at = line.indexOf('##[');
    if (at < 0) continue;
    const rb = line.indexOf(']', at);
    if (rb < 0) continue;
    const name = line.slice(at + 3, rb).split(' ')[0].toLowerCase();
    if (REGISTERED.has(name)) out.push({ form: 'legacy', command: name, data: line.slice(rb + 1), line });
  }
  return out;
}

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
