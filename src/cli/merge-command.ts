import { parseArgs } from 'node:util';
import { mergeShards } from '../merge/merge.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { InputError, errorMessage } from '../util/errors.js';
import { verdictBlock } from './run-command.js';
import { neutralise } from '../github/commands.js';

export const MERGE_USAGE = `toron-testops merge DIR_OR_BUNDLE... [options]

  Builds one run (report, verdict, snapshot, bundle) from the shards of a sharded run (--shard i/n).
  Inputs: shard report folders, folders holding them at any depth (what actions/download-artifact
  writes: one folder per artifact with its bundle.zip), or bundle.zip files.

  --out DIR                output folder (default .toron-testops); the run keeps the shards' run id
  --fail-on LEVEL          fail | warn | never (exit code policy; default: the shards')
  --k6-summary FILE        a distributed k6 runner's end-of-test summary (repeat the flag, or list
                           several files after it); replaces the shards' load stage. Percentiles are
                           upper bounds (the largest runner value), and thresholds are judged on them
  -v, --verbose            debug lines on the console

Exit codes: 0 PASS or WARN (1 on WARN with --fail-on warn), 1 FAIL (0 with --fail-on never), 2 ERROR (bad or missing shards,
mismatched runs: not a test verdict).`;

/** `--k6-summary a.json b.json`, `--k6-summary a.json --k6-summary b.json` and `--k6-summary k6.out` all work. */
export function splitArgs(argv: string[]): { rest: string[]; k6: string[] } {
  const rest: string[] = [];
  const k6: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--k6-summary=')) k6.push(a.slice('--k6-summary='.length));
    else if (a === '--k6-summary') {
      // The first file is the flag's whatever its name (k6 --summary-export=summary.out); more files
      // after it are told from shard inputs by their .json name.
      if (i + 1 >= argv.length || argv[i + 1].startsWith('-')) throw new InputError('--k6-summary needs a k6 summary file');
      k6.push(argv[++i]);
      while (i + 1 < argv.length && !argv[i + 1].startsWith('-') && /\.json$/i.test(argv[i + 1])) k6.push(argv[++i]);
    } else rest.push(a);
  }
  return { rest, k6 };
}

export async function mergeCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  let inputs: string[];
  let out: string | undefined;
  let failOn: 'fail' | 'warn' | 'never' | undefined;
  let k6: string[];
  let verbose = false;
  try {
    const split = splitArgs(argv);
    k6 = split.k6;
    const parsed = parseArgs({
      args: split.rest,
      options: { out: { type: 'string' }, 'fail-on': { type: 'string' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    if (parsed.values.help) {
      process.stdout.write(MERGE_USAGE + '\n');
      return 0;
    }
    inputs = parsed.positionals;
    if (inputs.length === 0) throw new InputError('merge needs at least one shard report folder or bundle.zip (see toron-testops merge --help)');
    out = parsed.values.out;
    const f = parsed.values['fail-on'];
    if (f !== undefined && f !== 'fail' && f !== 'warn' && f !== 'never') throw new InputError(`--fail-on must be fail, warn or never (got "${f}")`);
    failOn = f;
    verbose = Boolean(parsed.values.verbose);
  } catch (err) {
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${errorMessage(err)}\n`));
    return 2;
  }
  const outcome = await mergeShards(inputs, {
    cwd: io.cwd,
    out,
    failOn,
    k6Summaries: k6,
    env: io.env,
    signal: io.signal,
    sinks: [new ConsoleSink({ verbose })],
  });
  process.stdout.write(neutralise(verdictBlock(outcome, io.cwd)));
  return outcome.exitCode;
}
