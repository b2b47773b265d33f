import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schemas/report.schema.json' with { type: 'json' };

/**
 * report.json's JSON Schema (schemas/report.schema.json), compiled once. `merge` and the server read
 * reports written by other runs and versions: they check them here before trusting their shape.
 */
let validator: ReturnType<Ajv['compile']> | undefined;

export const REPORT_SCHEMA_ID = (schema as { $id: string }).$id;

export function validateReport(value: unknown): { ok: true } | { ok: false; errors: string[] } {
  if (!validator) validator = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true }).compile(schema);
  if (validator(value)) return { ok: true };
  return { ok: false, errors: (validator.errors ?? []).map(describe) };
}

function describe(e: ErrorObject): string {
  // The run id names the run's folder and snapshot: a report from elsewhere with a path there is refused.
  if (e.keyword === 'pattern' && e.instancePath === '/runId') return '/runId is not a run id (1-128 letters, digits, ., _ or -, no path separators, no dot at either end)';
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}`;
}
