import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';

/** What a user types first: every command's --help (and -h) prints its usage on stdout and exits 0. */
describe('--help of every command', () => {
  const dir = makeProject({});
  const cases: [string[], RegExp][] = [
    [['--help'], /^toron-testops <command>/],
    [['run', '--help'], /^toron-testops run \[options\]/],
    [['replay', '--help'], /^toron-testops replay SNAPSHOT/],
    [['compare', '--help'], /^toron-testops compare --candidate/],
    [['merge', '--help'], /^toron-testops merge DIR_OR_BUNDLE/],
    [['bundle', '--help'], /^toron-testops bundle REPORT_DIR/],
    [['serve', '--help'], /^toron-testops serve \[options\]/],
    // Help first: a flag the server would refuse (a public --host without a token) must not hide it.
    [['serve', '--host', '0.0.0.0', '--help'], /^toron-testops serve \[options\]/],
    [['engine', '--help'], /^toron-testops engine serve/],
    [['engine', 'serve', '--help'], /^toron-testops engine serve/],
    [['engine', 'stdio', '-h'], /^toron-testops engine serve/],
  ];
  it.each(cases)('%j', async (args, usage) => {
    const r = await runCli(args, { cwd: dir, timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(usage);
    expect(r.code).toBe(0);
  });
});
