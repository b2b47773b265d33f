import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schemas/report.schema.json' with { type: 'json' };

/**
 * report.json's JSON Schema (schemas/report.schema.json), compiled once, in two forms:
 * - validateReport: the schema as written, unknown members refused where it says so (the root).
 *   For what this version writes (the tests check every report we make with it): a misspelt field
 *   of our own is caught.
 * - validateReadReport: for reports read from another run, which another toron-testops version may
 *   have written (merge legs, `mode: publish` artifacts): members this version does not
 *   know are accepted, as DESIGN §3.3 welcomes them ("more fields welcome"); every member it knows is
 *   still checked (presence, type, values). The next release adding a field must not be refused here.
 */
let strict: ReturnType<Ajv['compile']> | undefined;
let tolerant: ReturnType<Ajv['compile']> | undefined;

export const REPORT_SCHEMA_ID = (schema as { $id: string }).$id;

const compile = (s: object) => new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(s);

export function validateReport(value: unknown): { ok: true } | { ok: false; errors: string[] } {
  strict ??= compile(schema);
  return run(strict, value);
}

export function validateReadReport(value: unknown): { ok: true } | { ok: false; errors: string[] } {
  tolerant ??= compile(openSchema(schema));
  return run(tolerant, value);
}

function run(v: ReturnType<Ajv['compile']>, value: unknown): { ok: true } | { ok: false; errors: string[] } {
  if (v(value)) return { ok: true };
  return { ok: false, errors: (v.errors ?? []).map(describe) };
}

/**
 * A copy of a schema without its `additionalProperties: false`: unknown members pass. An
 * `additionalProperties` that is a schema (unknown stages are stages, unknown artifacts are relative
 * paths) is kept: readers use those members (report.html and summary.md show every stage).
 */
export function openSchema<T>(s: T): T {
  if (Array.isArray(s)) return s.map(openSchema) as T;
  if (!s || typeof s !== 'object') return s;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'additionalProperties' && v === false) continue;
    out[k] = openSchema(v);
  }
  return out as T;
}

function describe(e: ErrorObject): string {
  // The run id names the run's folder and snapshot: a report from elsewhere with a path there is refused.
  if (e.keyword === 'pattern' && e.instancePath === '/runId') return '/runId is not a run id (1-128 letters, digits, ., _ or -, no path separators, no dot at either end)';
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}`;
}
