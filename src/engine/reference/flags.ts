import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Generation, ReferenceKnobs } from '../../settings/types.js';
import { InputError } from '../../util/errors.js';
import { GENERATIONS, checkKnobs } from './engine.js';
import type { Toron3Form } from './shapes/index.js';
import { DEFAULTS } from '../../settings/defaults.js';

/** The reference engine's knobs when no flag is given: everything off (DESIGN §3.1). */
export const DEFAULT_KNOBS: Readonly<ReferenceKnobs> = DEFAULTS.reference;

/**
 * node:util parseArgs options for the knob flags and the serve flags: a CLI can merge these into its
 * own options and hand the values to knobsFromFlagValues.
 */
export const REFERENCE_FLAG_OPTIONS = {
  'latency-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  nondeterminism: { type: 'string' },
  'crash-after': { type: 'string' },
  'stall-ms': { type: 'string' },
  generation: { type: 'string' },
  seed: { type: 'string' },
  'toron3-form': { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export interface ReferenceFlags {
  knobs: ReferenceKnobs;
  /** serve only */
  host: string;
  /** serve only; 0 = an ephemeral port */
  port: number;
  toron3Form: Toron3Form;
  /** Words that are not flags (the entry script's `serve` / `stdio`). */
  positionals: string[];
}

type FlagValues = Partial<Record<keyof typeof REFERENCE_FLAG_OPTIONS, string | boolean | undefined>>;

function numberFlag(name: string, raw: string | boolean | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const n = text === '' ? NaN : Number(text);
  if (!Number.isFinite(n)) throw new InputError(`--${name} must be a number (got ${JSON.stringify(raw)})`);
  return n;
}

/** Knobs (and serve settings) from parsed flag values; unset flags keep `base`. Throws InputError. */
export function knobsFromFlagValues(values: FlagValues, base: ReferenceKnobs = DEFAULT_KNOBS): Omit<ReferenceFlags, 'positionals'> {
  const knobs: ReferenceKnobs = { ...base };
  knobs.latencyMs = numberFlag('latency-ms', values['latency-ms']) ?? knobs.latencyMs;
  knobs.errorRate = numberFlag('error-rate', values['error-rate']) ?? knobs.errorRate;
  knobs.nondeterminism = numberFlag('nondeterminism', values.nondeterminism) ?? knobs.nondeterminism;
  knobs.crashAfter = numberFlag('crash-after', values['crash-after']) ?? knobs.crashAfter;
  knobs.stallMs = numberFlag('stall-ms', values['stall-ms']) ?? knobs.stallMs;
  knobs.seed = numberFlag('seed', values.seed) ?? knobs.seed;
  if (values.generation !== undefined) {
    const g = String(values.generation);
    if (!GENERATIONS.includes(g as Generation)) {
      throw new InputError(`--generation must be one of ${GENERATIONS.join(', ')} (got ${JSON.stringify(g)})`);
    }
    knobs.generation = g as Generation;
  }
  checkKnobs(knobs);
  const form = values['toron3-form'] === undefined ? 'query' : String(values['toron3-form']);
  if (form !== 'query' && form !== 'full') {
    throw new InputError(`--toron3-form must be query or full (got ${JSON.stringify(form)})`);
  }
  const port = numberFlag('port', values.port) ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new InputError(`--port must be a whole number from 0 to 65535 (got ${JSON.stringify(values.port)})`);
  }
  const host = values.host === undefined ? '127.0.0.1' : String(values.host);
  if (host.trim() === '') throw new InputError('--host must not be empty');
  return { knobs, host, port, toron3Form: form };
}

/**
 * `serve|stdio` plus knob flags, as the entry script and `toron-testops engine serve|stdio` take them:
 * --latency-ms N --error-rate P --nondeterminism P --crash-after N --stall-ms N
 * --generation 2.5h|2.5h-stability|3 --seed S --toron3-form query|full --port N --host H.
 * Unknown flags and bad values throw InputError.
 */
export function parseReferenceKnobFlags(argv: string[], base: ReferenceKnobs = DEFAULT_KNOBS): ReferenceFlags {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: REFERENCE_FLAG_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError((err as Error).message);
  }
  return { ...knobsFromFlagValues(parsed.values, base), positionals: parsed.positionals };
}
