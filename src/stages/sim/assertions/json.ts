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
  // Ajv says "ignored" though strict mode refuses the schema; no format is checked here (no ajv-formats).
  const f = /^unknown format "(.*)" ignored in schema at path "(.*)"$/.exec(message);
  if (f) return `"format": "${f[1]}" at ${f[2]} cannot be checked (no format is): check the text with "pattern" instead`;
  const m = /^schema is invalid: (.*)$/.exec(message);
  if (!m) return message;
  const first = m[1].split(', ')[0].replace(/^data(?=\/|\s)/, 'schema');
  // Ajv does not say which values: for a misspelt type ("objekt") they are what the user needs.
  return /\/type must be equal to one of the allowed values$/.test(first) ? `${first}: ${JSON_TYPES}` : first;
}

const JSON_TYPES = 'array, boolean, integer, null, number, object, string (or a list of them)';

const UNKNOWN = -2;
const NEVER = -1;

/**
 * Where the JSON object or array opened at `start` ends (exclusive), by bracket depth, as `ends[start]`
 * (NEVER if it does not close). One pass also records the end of every bracket it opens outside a
 * string: scanning again from such a bracket would follow the same characters in the same state, so
 * each is scanned once. Rescanning from every bracket instead took minutes on an answer of unclosed
 * brackets (a truncated JSON answer of 1 MB: each of its brackets scanned to the end).
 */
function scanFrom(text: string, start: number, ends: Int32Array): void {
  const open: number[] = [];
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) open.push(i);
    else if (c === 125 /* } */ || c === 93 /* ] */) {
      ends[open.pop()!] = i + 1;
      if (open.length === 0) return;
    }
  }
  for (const j of open) ends[j] = NEVER;
}

/**
 * How many characters the candidates handed to JSON.parse may add up to, over one answer (at least
 * 8 times its length). Candidates
 * that fail late (a deep trailing comma) are parsed once per enclosing bracket; an answer built to
 * make that quadratic stops here, so a check never stalls a run.
 */
const PARSE_BUDGET_MIN = 16 * 1024 * 1024;

/**
 * The JSON objects inside free text, as promptfoo's contains-json finds them: every `{...}` that
 * parses, left to right, not looking inside one that parsed; inside arrays too (`[{"a": 1}]` holds
 * one). Arrays and scalars are no finding of their own: an answer's citations ("see [1]") and numbers
 * ("42") are prose, not JSON.
 */
export function extractJsonValues(text: string): unknown[] {
  return searchJson(text).values;
}

/** extractJsonValues, and whether the search gave up (the parse budget) (`exhausted`). */
function searchJson(text: string): { values: unknown[]; exhausted: boolean } {
  const whole = tryParse(text);
  if (whole.ok && typeof whole.value === 'object' && whole.value !== null && !Array.isArray(whole.value)) return { values: [whole.value], exhausted: false };
  const found: unknown[] = [];
  let ends: Int32Array | null = null;
  let budget = Math.max(PARSE_BUDGET_MIN, 8 * text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 123) continue;
    if (!ends) ends = new Int32Array(text.length).fill(UNKNOWN);
    if (ends[i] === UNKNOWN) scanFrom(text, i, ends);
    const end = ends[i];
    if (end < 0) continue;
    budget -= end - i;
    if (budget < 0) return { values: found, exhausted: true };
    const r = tryParse(text.slice(i, end));
    if (r.ok) {
      found.push(r.value);
      i = end - 1;
    }
  }
  return { values: found, exhausted: false };
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
      phrase: validate ? 'to contain a JSON object matching the schema' : 'to contain a JSON object',
      test(t) {
        const { values, exhausted } = searchJson(t as string);
        // A search that gave up is no "no JSON": neither contains-json nor its not- form may pass on it.
        const gaveUp = { holds: false, invalid: true, note: 'stopped looking for JSON: too many candidates that did not parse (nested brackets invalid deep inside)' };
        if (values.length === 0) return exhausted ? gaveUp : { holds: false, note: 'no JSON object found' };
        if (!validate) return { holds: true, note: `found ${values.length} JSON object(s)` };
        let lastErrors = '';
        for (const v of values) {
          if (validate(v)) return { holds: true, note: 'found JSON matching the schema' };
          lastErrors = schemaErrors(validate);
        }
        if (exhausted) return gaveUp;
        return { holds: false, note: `${values.length} JSON object(s), none matching the schema (${lastErrors})` };
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
        // The answer field often holds JSON as text: json-schema checks the string itself.
        const hint = typeof t === 'string' && /^\s*[[{]/.test(t) ? '; it is a string: for the JSON inside it use is-json with this schema' : '';
        return { holds: false, note: `schema: ${schemaErrors(validate)}${hint}` };
      },
    };
  },
};
