/**
 * The reference engine as a whole process: what `main.ts serve|stdio` and the CLI's
 * `toron-testops engine serve|stdio` run. These own the process (stdout, signals, exit codes), unlike
 * startReferenceServer and runReferenceStdio.
 */
import type { ReferenceFlags } from './flags.js';
import { EXIT_CODE_CRASHED, startReferenceServer } from './server.js';
import { EngineCrashedError, runReferenceStdio } from './stdio.js';

type ProcessFlags = Omit<ReferenceFlags, 'positionals'>;

/** Prints `listening on URL` once, serves until SIGINT/SIGTERM (exit 0) or crash-after (exit 70). */
export async function serveReference(flags: ProcessFlags): Promise<void> {
  const server = await startReferenceServer(flags.knobs, {
    host: flags.host,
    port: flags.port,
    exitOnCrash: true,
    toron3Form: flags.toron3Form,
  });
  process.stdout.write(`listening on ${server.url}\n`);
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  await server.closed;
}

/** Speaks the JSON-lines protocol on stdin/stdout until stdin ends (exit 0) or crash-after (exit 70). */
export async function stdioReference(flags: ProcessFlags): Promise<void> {
  // The client went away: nobody is left to answer.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => process.exit(err.code === 'EPIPE' ? 0 : 1));
  try {
    await runReferenceStdio(flags.knobs, process.stdin, process.stdout, { toron3Form: flags.toron3Form });
  } catch (err) {
    if (err instanceof EngineCrashedError) {
      process.stderr.write(`${err.message}\n`);
      // Exit once the last answer has left our buffers.
      process.stdout.write('', () => process.exit(EXIT_CODE_CRASHED));
      return;
    }
    throw err;
  }
}
