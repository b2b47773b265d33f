import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { InputError } from '../../util/errors.js';
import type { JsonSource } from '../../util/json-source.js';
import { short, typeName } from './assertions/values.js';

/**
 * Ajv for our own file formats (registry, dataset). One error is enough to fix a file and stopping at
 * the first keeps a 100k-case check linear and cheap; `verbose` gives the offending data for messages.
 */
// validateSchema off: only our own schemas come here, checked against their meta-schema by the tests.
const ajv = new Ajv({ allErrors: false, verbose: true, allowUnionTypes: true, logger: false, validateSchema: false });
ajv.addKeyword('x-expected'); // our annotation: how to say what a `pattern` wants

export function compileFormat(schema: object): ValidateFunction {
  return ajv.compile(schema);
}

/** A member name as a JSON Pointer segment (RFC 6901: `~` as `~0`, `/` as `~1`). */
function escapeSegment(name: unknown): string {
  return String(name).replace(/~/g, '~0').replace(/\//g, '~1');
}

/** How a field is named in a message: `"repeat"`, or `item 3 of "tags"` for array elements. */
function fieldName(pointer: string, what: string): string {
  const segs = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (segs.length === 0) return `the ${what}`;
  const last = segs[segs.length - 1];
  if (/^\d+$/.test(last)) return segs.length > 1 ? `item ${last} of "${segs[segs.length - 2]}"` : `item ${last}`;
  return `"${last}"`;
}

function describe(e: ErrorObject, what: string): { pointer: string; message: string } {
  const at = e.instancePath;
  const name = fieldName(at, what);
  switch (e.keyword) {
    case 'required':
      return { pointer: `${at}/${escapeSegment(e.params.missingProperty)}`, message: `missing required field "${e.params.missingProperty}"` };
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      return {
        pointer: `${at}/${escapeSegment(e.params.additionalProperty)}`,
        message: `unknown field "${e.params.additionalProperty}"${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`,
      };
    }
    case 'type':
      // A literal past a double's range (1e400) parses to Infinity, which is no JSON number: say so,
      // not "must be number, got a number (Infinity)".
      if (typeof e.data === 'number' && !Number.isFinite(e.data)) {
        return { pointer: at, message: `${name} must be ${String(e.params.type).replace(',', ' or ')}, got a number beyond the range of a JSON number (a double, up to about 1.8e308), read as ${String(e.data)}` };
      }
      // A number or a boolean is shown as itself: "must be integer, got 2.5" says what to fix.
      return {
        pointer: at,
        message: `${name} must be ${String(e.params.type).replace(',', ' or ')}, got ${typeof e.data === 'number' || typeof e.data === 'boolean' ? `${typeName(e.data)} (${String(e.data)})` : typeName(e.data)}`,
      };
    case 'enum':
      return {
        pointer: at,
        message: `${name} must be one of ${(e.params.allowedValues as unknown[]).map((v) => short(v)).join(', ')}, got ${short(e.data)}`,
      };
    case 'pattern':
      if (e.schemaPath.includes('/pointer/')) {
        return { pointer: at, message: `${name} must be a JSON Pointer such as "/final_answer", got ${short(e.data)}` };
      }
      {
        const expected = (e.parentSchema as { 'x-expected'?: unknown } | undefined)?.['x-expected'];
        return { pointer: at, message: `${name} ${typeof expected === 'string' ? `must be ${expected}` : e.message}, got ${short(e.data)}` };
      }
    case 'minLength':
      return { pointer: at, message: e.params.limit === 1 ? `${name} must not be empty` : `${name} ${e.message}` };
    case 'minimum':
    case 'maximum':
      return { pointer: at, message: `${name} ${e.message}, got ${short(e.data)}` };
    default:
      return { pointer: at, message: `${name} ${e.message ?? `fails "${e.keyword}"`}` };
  }
}

/**
 * Validate a parsed file against one of our formats; the first problem becomes an InputError with the
 * file, the line, the pointer and (through `caseIdAt`) the case it belongs to.
 */
export function checkFormat(
  validate: ValidateFunction,
  src: JsonSource,
  what: string,
  caseIdAt?: (pointer: string) => string | undefined,
): void {
  if (validate(src.value)) return;
  const e = validate.errors?.[0];
  if (!e) throw new InputError(`invalid ${what}`, { file: src.file });
  const { pointer, message } = describe(e, what);
  throw new InputError(message, {
    file: src.file,
    line: src.lineOf(pointer),
    pointer,
    caseId: caseIdAt?.(pointer),
  });
}
