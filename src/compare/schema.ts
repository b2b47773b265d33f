import { Ajv, type ErrorObject } from 'ajv';
import schema from '../../schemas/comparison.schema.json' with { type: 'json' };

/** comparison.json's JSON Schema (schemas/comparison.schema.json), compiled once. */
let validator: ReturnType<Ajv['compile']> | undefined;

export function validateComparison(value: unknown): { ok: true } | { ok: false; errors: string[] } {
  if (!validator) validator = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true }).compile(schema);
  if (validator(value)) return { ok: true };
  return { ok: false, errors: (validator.errors ?? []).map(describe) };
}

function describe(e: ErrorObject): string {
  const extra = e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : '';
  return `${e.instancePath || '(root)'} ${e.message ?? e.keyword}${extra}`;
}
