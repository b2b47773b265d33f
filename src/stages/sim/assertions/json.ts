import type { ValidateFunction } from 'ajv';
import type { Assertion } from '../types.js';
import type { Family, Reject } from './spec.js';
import { compileUserSchema, schemaErrors } from './user-schema.js';

/** An optional schema in `value`, compiled at load time. */
function optionalSchema(a: Assertion, reject: Reject, type: string): ValidateFunction | null {
  if (a.value === undefined || a.value === null) return null;
  return requiredSchema(a, reject, type);
}

function requiredSchema(a: Assertion, reject: Reject, type: string): ValidateFunction {
  if (a.value === undefined) return reject('value', `"${type}" needs a JSON Schema in "value"`);
  try {
    return compileUserSchema(a.value);
  } catch (err) {
    return reject('value', `"${type}" has an invalid JSON Schema: ${schemaProblem((err as Error).message)}`);
  }
}

/**
 * Ajv explains a bad schema as every failed branch of its meta-schema ("a, b, c"); the first names the
 * keyword at fault, the rest repeat it through anyOf.
 */
function schemaProblem(message: string): string {
  const m = /^schema is invalid: (.*)$/.exec(message);
  if (!m) return message;
  return m[1].split(', ')[0].replace(/^data(?=\/|\s)/, 'schema');
}

/** Where a JSON object or array that starts at `start` ends (exclusive), by bracket depth; -1 if never. */
function balancedEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/**
 * The JSON values inside free text: the whole text if it is JSON, else every object or array that
 * parses, left to right, not looking inside one that parsed (as promptfoo's extraction does for
 * objects; arrays count here too).
 */
export function extractJsonValues(text: string): unknown[] {
  const whole = tryParse(text);
  if (whole.ok) return [whole.value];
  const found: unknown[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 123 && c !== 91) continue;
    const end = balancedEnd(text, i);
    if (end < 0) continue;
    const r = tryParse(text.slice(i, end));
    if (r.ok) {
      found.push(r.value);
      i = end - 1;
    }
  }
  return found;
}

function tryParse(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
}

export const isJson: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const validate = optionalSchema(a, reject, 'is-json');
    return {
      target: 'text',
      phrase: validate ? 'to be JSON matching the schema' : 'to be JSON',
      test(t) {
        const r = tryParse(t as string);
        if (!r.ok) return { holds: false, note: `not JSON: ${r.error}` };
        if (!validate) return { holds: true };
        if (validate(r.value)) return { holds: true, note: 'JSON matching the schema' };
        return { holds: false, note: `schema: ${schemaErrors(validate)}` };
      },
    };
  },
};

export const containsJson: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const validate = optionalSchema(a, reject, 'contains-json');
    return {
      target: 'text',
      phrase: validate ? 'to contain JSON matching the schema' : 'to contain JSON',
      test(t) {
        const values = extractJsonValues(t as string);
        if (values.length === 0) return { holds: false, note: 'no JSON found' };
        if (!validate) return { holds: true, note: `found ${values.length} JSON value(s)` };
        let lastErrors = '';
        for (const v of values) {
          if (validate(v)) return { holds: true, note: 'found JSON matching the schema' };
          lastErrors = schemaErrors(validate);
        }
        return { holds: false, note: `${values.length} JSON value(s), none matching the schema (${lastErrors})` };
      },
    };
  },
};

export const jsonSchema: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const validate = requiredSchema(a, reject, 'json-schema');
    return {
      target: 'value',
      phrase: 'to match the JSON schema',
      test(t) {
        if (validate(t)) return { holds: true };
        return { holds: false, note: `schema: ${schemaErrors(validate)}` };
      },
    };
  },
};
