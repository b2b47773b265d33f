import { closest } from 'fastest-levenshtein';
import { InputError } from '../../util/errors.js';
import { getAtPointer, isJsonPointer, isKnownJsonPointer, segmentsOf } from '../../util/json-pointer.js';
import { segmentsToPointer } from '../../util/json-source.js';
import { answerWithExactNumbers } from '../../util/decimal.js';
import { containsJson, isJson, jsonSchema } from './assertions/json.js';
import { latency, range } from './assertions/numeric.js';
import type { Family, Prepared } from './assertions/spec.js';
import { contains, containsAll, containsAny, equals, icontains, levenshtein, regex, startsWith } from './assertions/text.js';
import { short, typeName } from './assertions/values.js';
import {
  ASSERTION_TYPES,
  type Assertion,
  type AssertionLevel,
  type AssertionOutcome,
  type BaseAssertionType,
  type SimCase,
} from './types.js';

const FAMILIES: Record<BaseAssertionType, Family> = {
  equals,
  contains,
  icontains,
  'contains-any': containsAny,
  'contains-all': containsAll,
  'starts-with': startsWith,
  regex,
  'is-json': isJson,
  'contains-json': containsJson,
  levenshtein,
  latency,
  'json-schema': jsonSchema,
  range,
};

const KNOWN = `known types: ${ASSERTION_TYPES.join(', ')} (each also as not-<type>)`;
const ALL_NAMES = [...ASSERTION_TYPES, ...ASSERTION_TYPES.map((t) => `not-${t}`)];

/** Where an assertion was written, for load-time errors. */
export interface AssertionWhere {
  file?: string;
  caseId?: string;
  /** JSON Pointer of the assertion object inside its file, e.g. `/cases/3/assert/0`. */
  pointer?: string;
  /** Line of the assertion, used when `lineOf` is not given. */
  line?: number;
  /** Line of any pointer of the file; lets an error point at the offending field's own line. */
  lineOf?: (pointer: string) => number;
  /**
   * The same assertion read with every number a double cannot hold kept as written (util/decimal.ts), when
   * its file has such a number: the families that compare numbers exactly are prepared from it.
   */
  exact?: Assertion;
}

/** An assertion checked and pre-compiled at load time (regexes, schemas, lists parsed once). */
export interface CompiledAssertion {
  /** As written, e.g. `not-contains`. */
  readonly type: string;
  readonly base: BaseAssertionType;
  readonly negate: boolean;
  readonly level: AssertionLevel;
  /** JSON Pointer into the response; null: the caller's answer field. */
  readonly path: string | null;
  readonly source: Assertion;
  readonly prepared: Prepared;
}

export interface EvaluationContext {
  response: unknown;
  /** The profile's answer field, used when an assertion has no `path`, e.g. `/final_answer`. */
  answerPath: string;
  latencyMs: number;
  /**
   * The answer's text as the engine sent it, or a function that gives it, for the checks that compare
   * numbers exactly (exactResponseOf). Plain data, no closure per answer: a closure made for each of
   * 100k answers kept their bodies alive into old space (peak 460 MB became 760 MB).
   */
  raw?: string | (() => string | undefined);
  /** exactResponseOf's result, once asked for. */
  exact?: { value: unknown };
}

/**
 * The response with every number a double cannot hold kept as written (util/decimal.ts); the response
 * itself when the answer's text has none or was not given. Built on the first call, then kept in ctx.
 */
export function exactResponseOf(ctx: EvaluationContext): unknown {
  if (ctx.raw === undefined) return ctx.response;
  ctx.exact ??= { value: answerWithExactNumbers(ctx.response, typeof ctx.raw === 'function' ? ctx.raw() : ctx.raw) };
  return ctx.exact.value;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function splitType(type: string): { base: string; negate: boolean } {
  return type.startsWith('not-') ? { base: type.slice(4), negate: true } : { base: type, negate: false };
}

function isBaseType(t: string): t is BaseAssertionType {
  return Object.hasOwn(FAMILIES, t);
}

/**
 * Validate one assertion and prepare it for evaluation. Every problem is an InputError naming the file,
 * the line, the case and the field.
 */
export function compileAssertion(a: Assertion, where: AssertionWhere = {}): CompiledAssertion {
  const fail = (field: string | null, message: string): never => {
    const pointer = where.pointer !== undefined && field !== null ? `${where.pointer}/${field}` : where.pointer;
    const line = where.lineOf && pointer !== undefined ? where.lineOf(pointer) : where.line;
    throw new InputError(message, { file: where.file, line, pointer, caseId: where.caseId });
  };
  if (!isRecord(a)) return fail(null, `an assertion must be an object, got ${typeName(a)}`);
  if (typeof a.type !== 'string') return fail('type', 'an assertion needs a string "type"');

  const { base, negate } = splitType(a.type);
  if (!isBaseType(base)) {
    const guess = closest(a.type, ALL_NAMES);
    return fail('type', `unknown assertion type "${a.type}" (did you mean "${guess}"?); ${KNOWN}`);
  }
  const family = FAMILIES[base];

  for (const key of Object.keys(a)) {
    if (key === 'type' || key === 'level' || (key === 'path' && family.usesPath)) continue;
    if (!(family.fields as readonly string[]).includes(key)) {
      fail(key, `"${key}" is not used by "${base}"${key === 'path' ? ' (it checks the whole call)' : ''}`);
    }
  }

  const level = a.level ?? 'error';
  if (level !== 'error' && level !== 'warn') return fail('level', `"level" must be "error" or "warn", got ${short(level)}`);

  let path: string | null = null;
  if (a.path !== undefined) {
    if (typeof a.path !== 'string' || !isJsonPointer(a.path)) {
      return fail('path', `"path" must be a JSON Pointer such as "/final_answer", got ${short(a.path)}`);
    }
    path = a.path;
  }

  // The families word their errors after the base type; a negated assertion is named as written.
  const named = negate ? (message: string) => message.replaceAll(`"${base}"`, `"${a.type}"`) : (message: string) => message;
  const prepared = family.prepare(family.exactNumbers && where.exact ? where.exact : a, (field, message) => fail(field, named(message)));
  return { type: a.type, base, negate, level, path, source: a, prepared };
}

function pointerName(p: string): string {
  return p === '' ? '(the whole response)' : p;
}

/**
 * Why a pointer finds nothing, for the failure message: the deepest part of it that exists and what
 * is there instead, e.g. `/final_answer is a string, not an object or array` when the answer field
 * holds JSON as text, or `the response is an array` for an answer that is no object at the top.
 */
function whereItStops(response: unknown, pointer: string): string {
  const segs = segmentsOf(pointer) ?? [];
  let cur = response;
  for (let i = 0; i < segs.length; i++) {
    const at = i === 0 ? 'the response' : segmentsToPointer(segs.slice(0, i) as (string | number)[]);
    const seg = segs[i];
    if (Array.isArray(cur)) {
      if (typeof seg !== 'number' || seg >= cur.length) {
        return typeof seg === 'number' ? `${at} is an array of ${cur.length}` : `${at} is an array, indexed by numbers`;
      }
      cur = cur[seg];
    } else if (isRecord(cur)) {
      if (!Object.hasOwn(cur, String(seg))) return `${at} has no member ${short(String(seg))}`;
      cur = cur[String(seg)];
    } else {
      const hint = typeof cur === 'string' && /^\s*[[{]/.test(cur) ? '; for JSON inside text use is-json or contains-json' : '';
      return `${at} is ${typeName(cur)}, not an object or array${hint}`;
    }
  }
  return 'not found';
}

/** Run one compiled assertion against one response. Never throws. */
export function evaluate(c: CompiledAssertion, ctx: EvaluationContext): AssertionOutcome {
  return judge(c, ctx, true) as AssertionOutcome;
}

/**
 * The failing outcome of one assertion, or null when it passes: what a SIM run keeps. Skips writing the
 * "ok: ..." message of a pass, which nothing reads there (100k cases, each with a few assertions).
 */
export function failureOf(c: CompiledAssertion, ctx: EvaluationContext): AssertionOutcome | null {
  return judge(c, ctx, false);
}

function judge(c: CompiledAssertion, ctx: EvaluationContext, passMessage: boolean): AssertionOutcome | null {
  const out = (pass: boolean, message: string): AssertionOutcome => ({ assertion: c.type, level: c.level, pass, message });
  const not = c.negate ? 'not ' : '';
  const { prepared } = c;

  if (prepared.target === 'none') {
    const r = prepared.test(undefined, ctx.latencyMs);
    const pass = !r.invalid && r.holds !== c.negate;
    if (pass && !passMessage) return null;
    const seen = r.note ?? '';
    return pass
      ? out(true, `ok: latency ${not}${prepared.phrase} (${seen})`)
      : out(false, `expected latency ${not}${prepared.phrase}; got ${seen}`);
  }

  const pointer = c.path ?? ctx.answerPath;
  if (!isKnownJsonPointer(pointer)) return out(false, `answer path ${short(pointer)} is not a JSON Pointer`);
  const response = prepared.exactNumbers ? exactResponseOf(ctx) : ctx.response;
  let got = getAtPointer(response, pointer);
  // A missing field fails under not- too: "does not contain X" must not pass on a field that is absent.
  if (!got.found) return out(false, `${pointerName(pointer)} is missing from the response (${whereItStops(ctx.response, pointer)})`);

  let subject = pointerName(pointer);
  let target = got.value;
  if (prepared.target === 'text' && typeof target !== 'string') {
    // Its JSON text as the engine wrote it: a number a double cannot hold keeps its digits (util/decimal.ts).
    if (ctx.raw !== undefined) {
      got = getAtPointer(exactResponseOf(ctx), pointer);
      if (!got.found) got = { found: true, value: target };
      target = got.value;
    }
    subject += ` (${typeName(target)}, compared as its JSON text)`;
    try {
      target = JSON.stringify(target);
    } catch (err) {
      // A runaway recursive trace nested thousands of levels deep has no JSON text (the stack runs
      // out): no text check can hold on it, nor its not- form.
      return out(false, `${pointerName(pointer)} (${typeName(got.value)}) has no JSON text to check: ${(err as Error).message}`);
    }
  }
  let r;
  try {
    r = prepared.test(target, ctx.latencyMs);
  } catch (err) {
    return out(false, `${subject}: the check failed to run: ${(err as Error).message}`);
  }
  const pass = !r.invalid && r.holds !== c.negate;
  if (pass && !passMessage) return null;
  const note = r.note ? ` (${r.note})` : '';
  return pass
    ? out(true, `ok: ${subject} ${not}${prepared.phrase}${note}`)
    : out(false, `expected ${subject} ${not}${prepared.phrase}; got ${short(got.value)}${note}`);
}

export function evaluateAll(list: readonly CompiledAssertion[], ctx: EvaluationContext): AssertionOutcome[] {
  return list.map((c) => evaluate(c, ctx));
}

/**
 * Compiled assertions of loaded cases, kept beside the plain SimCase (which stays serialisable for
 * reports and snapshots) so the stage does not compile 100k cases twice.
 */
const compiledByCase = new WeakMap<SimCase, readonly CompiledAssertion[]>();

export function rememberCompiled(c: SimCase, list: readonly CompiledAssertion[]): void {
  compiledByCase.set(c, list);
}

/** The case's assertions, compiled: from the loader when it loaded the case, else compiled now. */
export function compiledAssertions(c: SimCase): readonly CompiledAssertion[] {
  let list = compiledByCase.get(c);
  if (!list) {
    list = c.assert.map((a) => compileAssertion(a, { file: c.location.file, line: c.location.line, caseId: c.id }));
    compiledByCase.set(c, list);
  }
  return list;
}
