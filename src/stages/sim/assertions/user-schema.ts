import { Ajv, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { RegExpEngine, RegExpLike } from 'ajv/dist/types/index.js';
import { guardRegexpBacktracking, linearCapable, testWithin } from '../../../util/regexp-guard.js';

/**
 * JSON Schemas written inside datasets (`json-schema`, `is-json`, `contains-json`). Draft-07, as
 * promptfoo uses, unless `$schema` names 2019-09 or 2020-12. Ajv's strict mode stays on so a misspelt keyword or an unknown `format` is a load-time
 * error instead of a schema that silently accepts everything; its warnings are not printed.
 */
const OPTIONS = {
  allErrors: true,
  logger: false,
  code: { regExp: guardedPattern() },
  // Ajv's default tests multipleOf by `x / d === parseInt(x / d)`, and 0.07 / 0.01 is 7.000000000000001:
  // `"multipleOf": 0.01` failed a price of 0.07 (and 19.99, 0.3 for 0.1). A quotient within 1e-9 of an
  // integer counts as one; the rounding error of a double division stays far below that.
  multipleOfPrecision: 9,
} as const;

type Draft = '07' | '2019-09' | '2020-12';
const ajv = new Ajv(OPTIONS);
const instances = new Map<Draft, Ajv | Ajv2019 | Ajv2020>([['07', ajv]]);

function newInstance(draft: Draft): Ajv | Ajv2019 | Ajv2020 {
  return draft === '2020-12' ? new Ajv2020(OPTIONS) : draft === '2019-09' ? new Ajv2019(OPTIONS) : new Ajv(OPTIONS);
}

/**
 * The draft a schema asks for with `$schema`. Without one: draft-07, as promptfoo. A schema written
 * for 2020-12 (`prefixItems`, `$defs`, `dependentRequired`) used to fail to load with Ajv's 'no schema
 * with key or ref "https://json-schema.org/draft/2020-12/schema"'.
 */
function draftOf(schema: unknown): Draft {
  if (typeof schema !== 'object' || schema === null || !('$schema' in schema)) return '07';
  const declared = (schema as { $schema: unknown }).$schema;
  const uri = typeof declared === 'string' ? declared.replace(/^https?:/, '').replace(/#$/, '') : '';
  if (uri === '//json-schema.org/draft-07/schema') return '07';
  if (uri === '//json-schema.org/draft/2019-09/schema') return '2019-09';
  if (uri === '//json-schema.org/draft/2020-12/schema') return '2020-12';
  throw new Error(
    `"$schema" ${JSON.stringify(declared)} is not supported: use draft-07 (the default: no "$schema"), "https://json-schema.org/draft/2019-09/schema" or "https://json-schema.org/draft/2020-12/schema"`,
  );
}

/** How long one `pattern` test may run under the watchdog before it is stopped. */
const PATTERN_BUDGET_MS = 2000;
const SURROGATE = /[\uD800-\uDFFF]/;

/**
 * Ajv's `pattern`/`patternProperties` regexes, guarded. Ajv compiles them with the `u` flag, which V8's
 * linear-time fallback cannot run: `"pattern": "^(a+)+$"` on "aaa…a!" backtracked for hours, stalling
 * the run (the `regex` assertion was guarded, schemas were not). A plain-ASCII pattern the linear
 * engine can run means the same without `u` on a value with no surrogate pair, so it runs that way
 * (the fallback covers it); anything else runs under the watchdog, and a test that runs away throws,
 * which fails the assertion saying so.
 */
function guardedPattern(): RegExpEngine {
  const engine = (pattern: string, flags: string): RegExpLike => {
    const full = new RegExp(pattern, flags);
    guardRegexpBacktracking();
    const plain = /^[\x20-\x7e]*$/.test(pattern) && !/\\[pPu]/.test(pattern) && linearCapable(pattern) ? new RegExp(pattern) : null;
    const like: RegExpLike & { toString(): string } = {
      test(s: string): boolean {
        if (plain && !SURROGATE.test(s)) return plain.test(s);
        const r = testWithin(full, s, PATTERN_BUDGET_MS);
        if (r === null) {
          throw new Error(`the schema's pattern /${pattern}/ ran over ${PATTERN_BUDGET_MS} ms on a value and was stopped (catastrophic backtracking); simplify it`);
        }
        return r;
      },
      // Ajv keys the compiled patterns of a schema by this text: it must differ between patterns.
      toString: () => `/${pattern}/${flags}`,
    };
    return like;
  };
  // Only read by Ajv's standalone code generation, which datasets do not use.
  return Object.assign(engine, { code: 'guardedPattern' });
}

/** Datasets repeat one schema across thousands of cases: compile each distinct schema once. */
const cache = new Map<string, ValidateFunction>();

/** Compile a user schema; throws with Ajv's reason when the schema itself is invalid. */
export function compileUserSchema(schema: unknown): ValidateFunction {
  if (typeof schema !== 'boolean' && (typeof schema !== 'object' || schema === null || Array.isArray(schema))) {
    throw new Error('a JSON Schema must be an object or a boolean');
  }
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    // Ajv keys its own cache by object identity and refuses a second schema with the same $id: a
    // structurally equal schema from another case must reuse the first compile.
    const draft = draftOf(schema);
    const shared = instances.get(draft) ?? instances.set(draft, newInstance(draft)).get(draft)!;
    try {
      fn = shared.compile(schema as object | boolean);
    } catch (err) {
      // Two different schemas with one `$id` (a schema copied to another case and changed): each case
      // is its own world, so the second compiles on its own instead of failing to load.
      if (!/already exists/.test((err as Error).message)) throw err;
      fn = newInstance(draft).compile(schema as object | boolean);
    }
    cache.set(key, fn);
  }
  return fn;
}

/**
 * Ajv lists every error (allErrors): an array of 200k wrong items gave a message of 5.9 MB in each
 * failing attempt, copied into every report. The first few say what is wrong; the rest are counted.
 */
const MAX_ERRORS = 5;

export function schemaErrors(fn: ValidateFunction): string {
  const errors = fn.errors ?? [];
  const shown = ajv.errorsText(errors.slice(0, MAX_ERRORS), { dataVar: 'value' });
  return errors.length > MAX_ERRORS ? `${shown} (and ${errors.length - MAX_ERRORS} more)` : shown;
}
