import { errorMessage } from '../util/errors.js';
import { parseReferenceKnobFlags } from '../engine/reference/flags.js';
import { serveReference, stdioReference } from '../engine/reference/process.js';

const USAGE = `toron-testops engine serve [--port N] [--host 127.0.0.1] [knobs]
toron-testops engine stdio [knobs]

The built-in reference engine: a test engine that answers in the Toron shapes (POST /run, GET /health,
GET /version as a server; the JSON-lines protocol of cmd: engines on stdin/stdout).
serve prints "listening on <url>"; --port 0 (the default) takes a free port.
knobs: --generation 2.5h|2.5h-stability|3 --latency-ms N --error-rate P --nondeterminism P
       --crash-after N --stall-ms N --seed S --toron3-form query|full`;

/** `toron-testops engine serve|stdio`: resolves when the engine stops; -1 means the engine set the exit code. */
export async function engineCommand(argv: string[]): Promise<number> {
  // The knob parser knows no --help: asked before it, so `engine serve --help` is help, not an unknown option.
  if (argv.some((a) => a === '--help' || a === '-h')) {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  let flags;
  try {
    flags = parseReferenceKnobFlags(argv);
  } catch (err) {
    process.stderr.write(`toron-testops engine: ${errorMessage(err)}\n\n${USAGE}\n`);
    return 2;
  }
  const [mode, ...extra] = flags.positionals;
  if ((mode !== 'serve' && mode !== 'stdio') || extra.length > 0) {
    process.stderr.write(`${mode ? `unknown engine command "${[mode, ...extra].join(' ')}"` : 'engine needs serve or stdio'}\n\n${USAGE}\n`);
    return 2;
  }
  const netFlag = argv.find((a) => /^--(port|host)(=|$)/.test(a));
  if (mode === 'stdio' && netFlag) {
    process.stderr.write(`toron-testops engine: ${netFlag.split('=')[0]} is for engine serve; engine stdio speaks JSON lines on stdin and stdout\n\n${USAGE}\n`);
    return 2;
  }
  if (mode === 'serve') await serveReference(flags);
  else await stdioReference(flags);
  return -1;
}
