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
import { fileURLToPath, pathToFileURL } from 'node:url';
import { errorMessage } from '../../util/errors.js';
import { parseReferenceKnobFlags, type ReferenceFlags } from './flags.js';
import { serveReference, stdioReference } from './process.js';

// For callers that import this file; a CLI should prefer flags.js and process.js (no entry logic).
export { DEFAULT_KNOBS, REFERENCE_FLAG_OPTIONS, knobsFromFlagValues, parseReferenceKnobFlags } from './flags.js';
export type { ReferenceFlags } from './flags.js';
export { serveReference, stdioReference } from './process.js';

const USAGE = `usage: main.ts serve [--port N] [--host H] [knobs]
       main.ts stdio [knobs]
knobs: --latency-ms N --error-rate P --nondeterminism P --crash-after N --stall-ms N
       --generation 2.5h|2.5h-stability|3 --seed S --toron3-form query|full`;

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

/**
 * Run only when this very file is the script: bundled into another entry (ncc puts every module in
 * one file, sharing its import.meta.url) it must never start an engine by itself.
 */
function isEntry(): boolean {
  const script = process.argv[1];
  const self = fileURLToPath(import.meta.url);
  if (!script || !/[\\/]engine[\\/]reference[\\/]main\.[cm]?[jt]s$/.test(self)) return false;
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
