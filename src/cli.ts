import { runCommand } from './cli/run-command.js';
import { replayCommand } from './cli/replay-command.js';
import { engineCommand } from './cli/engine-command.js';
import { serveCommand } from './cli/serve-command.js';
import { bundleCommand } from './cli/bundle-command.js';
import { compareCommand } from './cli/compare-command.js';
import { mergeCommand } from './cli/merge-command.js';
import { errorMessage } from './util/errors.js';
import { outliveClosedConsole } from './util/closed-console.js';
import { neutralise } from './github/commands.js';
import { toolStamp } from './util/tool.js';

const USAGE = `toron-testops <command> [options]

  run                 the pipeline against an engine (toron-testops run --help)
  engine serve|stdio  the built-in reference engine as an HTTP server or a JSON-lines process
  serve               API, live SSE streams and a dashboard for runs (toron-testops serve --help)
  bundle REPORT_DIR   rebuild a run's bundle.zip from its report folder, same bytes (toron-testops bundle --help)
  replay SNAPSHOT     replay a stored snapshot against an engine (toron-testops replay --help)
  compare             the staging gate: a candidate engine against a baseline engine or snapshot (toron-testops compare --help)
  merge SHARDS...     the shards of a sharded run (--shard i/n) -> one report, verdict and bundle (toron-testops merge --help)
  --version           this build's version and the format revision of the files it writes

Exit codes: 0 PASS/WARN, 1 FAIL, 2 ERROR (not a test verdict); with --fail-on warn WARN exits 1, with --fail-on never FAIL exits 0.`;

/** Cancellation: the first SIGINT/SIGTERM stops new work and lets the run write what it has; a second one exits. */
function cancellation(): AbortSignal {
  const ac = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    // Exit codes are 0, 1 and 2 (DESIGN 3.1): quitting on a second signal is an ERROR like the first's,
    // so a wrapper checking for 2 reads it right (what result.json already says).
    if (ac.signal.aborted) process.exit(2);
    process.stderr.write(`toron-testops: ${sig} received, finishing the partial report (again to quit now)\n`);
    ac.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ac.signal;
}

async function main(argv: string[]): Promise<number> {
  outliveClosedConsole();
  const [command, ...rest] = argv;
  switch (command) {
    case 'run':
      return runCommand(rest, { cwd: process.cwd(), env: process.env, signal: cancellation() });
    case 'engine':
      return engineCommand(rest);
    case 'serve':
      return serveCommand(rest, { cwd: process.cwd(), env: process.env, signal: cancellation() });
    case 'bundle':
      return bundleCommand(rest, { cwd: process.cwd(), env: process.env });
    case 'replay':
      return replayCommand(rest, { cwd: process.cwd(), env: process.env, signal: cancellation() });
    case 'compare':
      return compareCommand(rest, { cwd: process.cwd(), env: process.env, signal: cancellation() });
    case 'merge':
      return mergeCommand(rest, { cwd: process.cwd(), env: process.env, signal: cancellation() });
    case '--version':
    case '-V':
    case 'version': {
      const t = toolStamp();
      process.stdout.write(`${t.name} ${t.version} (format revision ${t.formatRevision}, Node ${process.version})\n`);
      return 0;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(USAGE + '\n');
      return command === undefined ? 2 : 0;
    default:
      process.stderr.write(`toron-testops: unknown command '${command}'\n\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    // Engines and servers close themselves; exitCode lets pending writes (stdout) drain.
    if (code !== -1) process.exitCode = code;
  },
  (err) => {
    process.stderr.write(neutralise(`toron-testops: ERROR (internal, not a test verdict): ${err instanceof Error ? (err.stack ?? errorMessage(err)) : String(err)}\n`));
    process.exitCode = 2;
  },
);
