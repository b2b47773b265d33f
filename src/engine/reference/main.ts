/**
 * The reference engine as a process, for tests and for users before (or besides) the CLI:
 *
 *   npx tsx src/engine/reference/main.ts serve [--port N] [--host 127.0.0.1] [knobs]
 *   npx tsx src/engine/reference/main.ts stdio [knobs]
 *
 * knobs: --latency-ms N --error-rate P --nondeterminism P --crash-after N --stall-ms N
 *        --generation 2.5h|2.5h-stability|3 --seed S --toron3-form query|full
 *
 * `serve` prints exactly one line, `listening on http://HOST:PORT`, to stdout once it accepts
 * connections (then nothing else on stdout); `stdio` speaks the JSON-lines protocol of stdio.ts.
 * Exit codes: 0 (stdin ended / SIGINT / SIGTERM), 2 (bad usage), 70 (crash-after reached), 1 (a bug).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { errorMessage } from '../../util/errors.js';
import { parseReferenceKnobFlags, type ReferenceFlags } from './flags.js';
import { EXIT_CODE_CRASHED, startReferenceServer } from './server.js';
import { EngineCrashedError, runReferenceStdio } from './stdio.js';

export { DEFAULT_KNOBS, REFERENCE_FLAG_OPTIONS, knobsFromFlagValues, parseReferenceKnobFlags } from './flags.js';
export type { ReferenceFlags } from './flags.js';

const USAGE = `usage: main.ts serve [--port N] [--host H] [knobs]
       main.ts stdio [knobs]
knobs: --latency-ms N --error-rate P --nondeterminism P --crash-after N --stall-ms N
       --generation 2.5h|2.5h-stability|3 --seed S --toron3-form query|full`;

export async function serveReference(flags: Omit<ReferenceFlags, 'positionals'>): Promise<void> {
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

export async function stdioReference(flags: Omit<ReferenceFlags, 'positionals'>): Promise<void> {
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

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  let flags: ReferenceFlags;
  try {
    flags = parseReferenceKnobFlags(argv);
    const [command, ...extra] = flags.positionals;
    if (command !== 'serve' && command !== 'stdio') throw new Error(command ? `unknown command "${command}"` : 'a command is needed');
    if (extra.length > 0) throw new Error(`unexpected argument "${extra[0]}"`);
  } catch (err) {
    process.stderr.write(`${errorMessage(err)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (flags.positionals[0] === 'serve') await serveReference(flags);
  else await stdioReference(flags);
}

function isEntry(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  main().catch((err: unknown) => {
    process.stderr.write(`reference engine: ${errorMessage(err)}\n`);
    process.exit(1);
  });
}
