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
    [['compare', '--engine', 'reference', '--help'], /^toron-testops compare --candidate/],
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

describe('--version', () => {
  it.each([['--version'], ['-V'], ['version']])('%s prints the version and format revision on stdout, exit 0', async (flag) => {
    const { toolStamp } = await import('../../src/util/tool.js');
    const r = await runCli([flag], { cwd: makeProject({}), timeoutMs: 20_000 });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`toron-testops ${toolStamp().version} (format revision ${toolStamp().formatRevision}, Node ${process.version})\n`);
    expect(r.code).toBe(0);
  });
});

describe('every flag a --help names is parsed, and every parsed flag is named', () => {
  const flagsIn = (text: string) => new Set([...text.matchAll(/(?<![\w-])--([a-z0-9][a-z0-9-]*)/g)].map((m) => m[1]));
  const named = (options: object, except: string[] = []) => new Set(Object.keys(options).filter((k) => k !== 'help' && !except.includes(k)));

  it('run, replay, compare: RUN_OPTIONS', async () => {
    const { RUN_OPTIONS, RUN_USAGE } = await import('../../src/cli/run-command.js');
    const { REPLAY_USAGE } = await import('../../src/cli/replay-command.js');
    const { COMPARE_USAGE } = await import('../../src/cli/compare-command.js');
    expect(flagsIn(RUN_USAGE)).toEqual(named(RUN_OPTIONS));
    // replay refuses --stages and --shard; compare takes --candidate and refuses --engine, --engine-version, --shard.
    expect(flagsIn(REPLAY_USAGE)).toEqual(named(RUN_OPTIONS, ['stages', 'shard']));
    expect(flagsIn(COMPARE_USAGE)).toEqual(new Set([...named(RUN_OPTIONS, ['engine', 'engine-version', 'shard']), 'candidate']));
  });

  it('serve: SERVE_OPTIONS', async () => {
    const { SERVE_OPTIONS, SERVE_USAGE } = await import('../../src/cli/serve-command.js');
    expect(flagsIn(SERVE_USAGE)).toEqual(named(SERVE_OPTIONS));
  });
});

describe('engine stdio', () => {
  it('refuses --port and --host, which only engine serve takes, instead of ignoring them', async () => {
    const dir = makeProject({});
    for (const args of [['engine', 'stdio', '--port', '8080'], ['engine', 'stdio', '--host=0.0.0.0']]) {
      const r = await runCli(args, { cwd: dir, timeoutMs: 20_000 });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^toron-testops engine: --(port|host) is for engine serve; engine stdio speaks JSON lines on stdin and stdout/);
    }
  });
});
