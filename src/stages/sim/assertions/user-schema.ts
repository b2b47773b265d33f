import { Ajv, type ValidateFunction } from 'ajv';

/**
 * JSON Schemas written inside datasets (`json-schema`, `is-json`, `contains-json`). Draft-07, as
 * promptfoo uses. Ajv's strict mode stays on so a misspelt keyword or an unknown `format` is a load-time
 * error instead of a schema that silently accepts everything; its warnings are not printed.
 */
const ajv = new Ajv({ allErrors: true, logger: false });

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
    fn = ajv.compile(schema as object | boolean);
    cache.set(key, fn);
  }
  return fn;
}

export function schemaErrors(fn: ValidateFunction): string {
  return ajv.errorsText(fn.errors, { dataVar: 'value' });
}
