import fs from 'node:fs';
import path from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { closest, distance } from 'fastest-levenshtein';
import schema from '../../schemas/settings.schema.json' with { type: 'json' };
import { STAGE_ORDER, type StageName } from '../runner/events.js';
import type { FailOn } from '../runner/verdict.js';
import { parseEngineSpec, redactTarget } from '../engine/spec.js';
import { withoutCredentials } from '../engine/connection.js';
import { InputError, errorMessage } from '../util/errors.js';
import { segmentsToPointer } from '../util/json-source.js';
import { DEFAULTS, type SettingsDefaults } from './defaults.js';
import { parseDuration } from './duration.js';
import { scheduleFromSettings } from '../load/schedule.js';
import { thresholdProblems } from '../load/thresholds.js';
import { k6EngineProblem } from '../load/k6-engine.js';
import { findConfigFile, loadConfigFile, type ConfigSource } from './load.js';
import { newRunId } from './run-id.js';
import { k6TlsProblems, loadEngineTls } from './engine-tls.js';
import type {
  CompareRule,
  CompareRuleName,
  EngineSettings,
  LoadSettings,
  PipelineSettings,
  ProfileName,
  ReferenceKnobs,
  ReplaySettings,
  Settings,
  SimSettings,
} from './types.js';

/**
 * CLI flags and (later) action inputs. `undefined` means "not given"; every other value, the empty
 * string included, is validated (callers that get '' for an unset input map it to undefined).
 * Numbers may come as strings, as argv and action inputs give them.
 */
export interface SettingsFlags {
  /** Engine SPEC: `reference`, an http(s) URL or `cmd:<argv>`. Beats `engineVersion`'s map entry. */
  engine?: string;
  config?: string;
  runId?: string;
  out?: string;
  baseline?: string | null;
  /** `sim,load` or ['sim', 'load']. */
  stages?: string | string[];
  failOn?: string;
  /** `i/n`, 1-based. */
  shard?: string;
  engineVersion?: string;
  concurrency?: number | string;
  /** Per-request timeout: sets both engine.timeoutMs and sim.timeoutMs. */
  timeoutMs?: number | string;
  /** Engine profile. */
  profile?: string;
  replayRounds?: number | string;
  /** --replay-fresh-process: a fresh engine process per replay round (cmd: engines). */
  freshProcess?: boolean;
  generation?: string;
  latencyMs?: number | string;
  errorRate?: number | string;
  nondeterminism?: number | string;
  crashAfter?: number | string;
  stallMs?: number | string;
  seed?: number | string;
}

export interface ResolveInput {
  cwd: string;
  /** Config file path (relative to cwd or absolute); `flags.config` wins when both are given. */
  configPath?: string;
  flags: SettingsFlags;
  /** Reserved for action inputs (INPUT_*); settings read nothing from it yet. */
  env: NodeJS.ProcessEnv;
  now?: Date;
}

/** The config file's shape once the schema has accepted it. */
interface ConfigFile {
  engine?: string | ({ target?: string } & Partial<EngineSettings>);
  engines?: Record<string, { target: string; profile?: ProfileName }>;
  engineVersion?: string | null;
  reference?: Partial<ReferenceKnobs>;
  sim?: Partial<Omit<SimSettings, 'passRate'>> & { passRate?: Partial<SimSettings['passRate']> };
  load?: Partial<LoadSettings>;
  replay?: Partial<Omit<ReplaySettings, 'thresholds' | 'drift'>> & {
    thresholds?: Partial<ReplaySettings['thresholds']>;
    drift?: Partial<ReplaySettings['drift']>;
  };
  pipeline?: Partial<PipelineSettings>;
  compare?: { rules?: Partial<Record<CompareRuleName, Partial<CompareRule>>> };
  stages?: StageName[];
  failOn?: FailOn;
  baseline?: string | null;
  out?: string;
  runId?: string;
}

const SCHEMA_ID = (schema as { $id: string }).$id;

let ajvInstance: Ajv | undefined;
function ajv(): Ajv {
  if (!ajvInstance) {
    // verbose: errors carry the offending value and their schema (for "got ...", hints and key suggestions).
    // validateSchema off: our own schema, checked against its meta-schema by the tests, not at every start (8 ms).
    ajvInstance = new Ajv({ allErrors: true, verbose: true, strict: true, allowUnionTypes: true, validateSchema: false });
    ajvInstance.addKeyword('x-expected'); // our annotation: how to say what a `pattern` wants
    ajvInstance.addSchema(schema);
  }
  return ajvInstance;
}

/** The validator of the whole config, or of one node of it (`/properties/sim/properties/concurrency`). */
function validatorAt(schemaPointer = ''): ValidateFunction {
  const v = ajv().getSchema(`${SCHEMA_ID}#${schemaPointer}`);
  if (!v) throw new Error(`settings schema has no node at ${schemaPointer}`);
  return v;
}

/** Where a problem lives: a place in the config file, or a flag. */
type Where = { pointer: string } | { flag: string };

interface Problem {
  message: string;
  where: Where;
}

/** Collects every problem so the user fixes them in one round, then throws them as one InputError. */
class Problems {
  private readonly list: Problem[] = [];
  constructor(private readonly source: ConfigSource | null) {}

  add(message: string, where: Where): void {
    if (!this.list.some((p) => p.message === message)) this.list.push({ message, where });
  }

  throwIfAny(): void {
    if (this.list.length === 0) return;
    const located = this.list.map((p) => ({ ...p, loc: this.locate(p.where) }));
    // File problems first and top to bottom, so the error's own location is the first one in the file.
    located.sort((a, b) => (a.loc.line ?? Infinity) - (b.loc.line ?? Infinity));
    const [first, ...rest] = located;
    const lines = [first.message, ...rest.map((p) => new InputError(p.message, p.loc).message)];
    throw new InputError(lines.join('\n'), first.loc);
  }

  private locate(where: Where): { file?: string; line?: number; pointer?: string } {
    if ('flag' in where || !this.source) return {};
    return { file: this.source.file, line: this.source.lineOf(where.pointer), pointer: where.pointer };
  }
}

export function resolveSettings(input: ResolveInput): Settings {
  const cwd = path.resolve(input.cwd);
  const flags = input.flags;
  const now = input.now ?? new Date();

  const configArg = flags.config ?? input.configPath;
  let source: ConfigSource | null = null;
  if (configArg !== undefined) {
    if (configArg === '') throw new InputError('flag --config: must not be empty');
    source = loadConfigFile(configArg, cwd);
  } else {
    const found = findConfigFile(cwd);
    if (found) source = loadConfigFile(found, cwd);
  }

  // 1. The file against the schema: all errors at once.
  const fileProblems = new Problems(source);
  const config = (source?.value ?? {}) as ConfigFile;
  if (source) {
    const validate = validatorAt();
    if (!validate(source.value)) {
      for (const e of primaryErrors(validate.errors)) {
        const d = describeAjvError(e, source.value, (p) => subjectInFile(p, source!.value));
        if (d) fileProblems.add(d.message, { pointer: d.pointer });
      }
    }
  }
  fileProblems.throwIfAny();

  // 2. Flags against the same schema nodes.
  const flagProblems = new Problems(null);
  const given = readFlags(flags, flagProblems);
  const shard = flags.shard === undefined ? null : parseShard(flags.shard, flagProblems);
  flagProblems.throwIfAny();

  // 3. Merge: defaults < config < flags.
  const merged = applyConfig(DEFAULTS, config);
  for (const g of given) g.spec.apply(merged, g.value);

  // 4. What the schema cannot say: cross-field rules and the engine map.
  const checks = new Problems(source);
  checkCrossFields(merged, config, checks);
  const engineFrom = resolveEngineVersion(merged, config, flags, checks);
  checkEngineSpecs(merged, engineFrom, checks);
  checkK6Engine(merged, checks);
  checkCustomProfile(merged, config, checks);
  checkNamedDatasets(merged, config, cwd, checks);
  checks.throwIfAny();

  // engine.tls's files and passphrase, once, here: a missing file is an input error naming its line.
  if (merged.engine.tls !== undefined) {
    merged.engine.tls = loadEngineTls(merged.engine.tls, source, cwd, input.env);
    const k6 = new Problems(source);
    if (merged.load.generator === 'k6' && merged.stages.includes('load')) {
      for (const p of k6TlsProblems(merged.engine.tls)) k6.add(p.message, { pointer: `/engine/tls/${p.field}` });
    }
    k6.throwIfAny();
  }

  merged.stages = STAGE_ORDER.filter((s) => merged.stages.includes(s));
  // --run-id was validated with the other flags (its apply is a no-op: runId is not a config default).
  const chosenRunId = (given.find((g) => g.spec.key === 'runId')?.value as string | undefined) ?? config.runId;
  const runId = chosenRunId ?? newRunId(now);

  // An engine object without a target only holds request options for the engine named elsewhere.
  const configTarget = typeof config.engine === 'string' || config.engine?.target !== undefined;
  const engineNamed = flags.engine !== undefined || configTarget || merged.engineVersion !== null;
  return {
    configFile: source ? source.file : null,
    cwd,
    runId,
    shard,
    ...merged,
    ...(engineNamed ? {} : { engineDefaulted: true as const }),
    ...(chosenRunId === undefined ? { runIdGenerated: true as const } : {}),
  };
}

// ---------------------------------------------------------------------------------------------------
// Config merge

function applyConfig(base: Readonly<SettingsDefaults>, c: ConfigFile): SettingsDefaults {
  const s = structuredClone(base) as SettingsDefaults;
  if (c.engine !== undefined) {
    // A bare spec only changes the target: headers, timeouts and the rest keep their values.
    s.engine =
      typeof c.engine === 'string'
        ? { ...s.engine, target: c.engine }
        : { ...s.engine, ...c.engine, rateLimit: { ...s.engine.rateLimit, ...c.engine.rateLimit } };
  }
  if (c.engines !== undefined) {
    s.engines = Object.fromEntries(
      Object.entries(c.engines).map(([v, e]) => [v, { target: e.target, profile: e.profile ?? 'auto' }]),
    );
  }
  if (c.engineVersion !== undefined) s.engineVersion = c.engineVersion;
  if (c.reference) s.reference = { ...s.reference, ...c.reference };
  if (c.sim) s.sim = { ...s.sim, ...c.sim, passRate: { ...s.sim.passRate, ...c.sim.passRate } };
  // Thresholds replace the defaults wholesale, as in k6: a listed metric set is the whole set.
  if (c.load) s.load = { ...s.load, ...c.load };
  if (c.replay) {
    s.replay = {
      ...s.replay,
      ...c.replay,
      thresholds: { ...s.replay.thresholds, ...c.replay.thresholds },
      drift: { ...s.replay.drift, ...c.replay.drift },
    };
  }
  if (c.pipeline) s.pipeline = { ...s.pipeline, ...c.pipeline };
  // Compare rules merge per rule and per field: `{ "p95Increase": { "max": 10 } }` keeps its level.
  for (const [name, rule] of Object.entries(c.compare?.rules ?? {}) as [CompareRuleName, Partial<CompareRule>][]) {
    s.compare.rules[name] = { ...s.compare.rules[name], ...rule };
  }
  if (c.stages !== undefined) s.stages = [...c.stages];
  if (c.failOn !== undefined) s.failOn = c.failOn;
  if (c.baseline !== undefined) s.baseline = c.baseline;
  if (c.out !== undefined) s.out = c.out;
  return s;
}

/**
 * sim.datasets names registered datasets: a name the registry lacks is the config's error, said at its
 * line (SIM would say it of the registry, which is fine). A registry that cannot be read is left to SIM,
 * which reports it in full.
 */
function checkNamedDatasets(s: SettingsDefaults, c: ConfigFile, cwd: string, problems: Problems): void {
  const named = c.sim?.datasets;
  if (!Array.isArray(named) || named.length === 0) return;
  let registered: Set<string>;
  try {
    const doc = JSON.parse(fs.readFileSync(path.resolve(cwd, s.sim.registry), 'utf8').replace(/^\uFEFF/, '')) as { datasets?: unknown };
    if (!Array.isArray(doc.datasets)) return;
    registered = new Set(doc.datasets.map((d) => (d as { name?: unknown } | null)?.name).filter((n): n is string => typeof n === 'string'));
  } catch {
    return;
  }
  const known = [...registered].join(', ') || '(none)';
  named.forEach((name, i) => {
    if (registered.has(name)) return;
    const guess = registered.size > 0 ? ` (did you mean ${JSON.stringify(closest(name, [...registered]))}?)` : '';
    problems.add(`sim.datasets: no dataset named ${JSON.stringify(name)} is registered in ${s.sim.registry}${guess}; registered: ${known}`, { pointer: `/sim/datasets/${i}` });
  });
}

function checkCrossFields(s: SettingsDefaults, c: ConfigFile, problems: Problems): void {
  const where = (...pointers: string[]): Where => ({ pointer: pointers.find((p) => has(c, p)) ?? pointers[0] });
  if (s.sim.passRate.warn < s.sim.passRate.fail) {
    problems.add(
      `sim.passRate.warn (${s.sim.passRate.warn}) must be >= sim.passRate.fail (${s.sim.passRate.fail})`,
      where('/sim/passRate/warn', '/sim/passRate/fail'),
    );
  }
  if (s.replay.thresholds.pass < s.replay.thresholds.warn) {
    problems.add(
      `replay.thresholds.pass (${s.replay.thresholds.pass}) must be >= replay.thresholds.warn (${s.replay.thresholds.warn})`,
      where('/replay/thresholds/pass', '/replay/thresholds/warn'),
    );
  }
  if (s.replay.drift.warnRate > s.replay.drift.failRate) {
    problems.add(
      `replay.drift.warnRate (${s.replay.drift.warnRate}) must be <= replay.drift.failRate (${s.replay.drift.failRate})`,
      where('/replay/drift/warnRate', '/replay/drift/failRate'),
    );
  }
  const durations: [string, string][] = [['/load/duration', s.load.duration]];
  s.load.stages.forEach((st, i) => durations.push([`/load/stages/${i}/duration`, st.duration]));
  for (const [pointer, text] of durations) {
    try {
      parseDuration(text);
    } catch (err) {
      problems.add(`${subjectInFile(pointer, c)}: ${(err as Error).message}`, { pointer });
    }
  }
  if (s.load.stages.length === 0 && safeDuration(s.load.duration) === 0) {
    problems.add(`load.duration must be longer than 0 (no requests would be sent)`, where('/load/duration'));
  } else if (durations.every(([, text]) => safeDuration(text) !== undefined)) {
    // The arrival plan itself (a ramp whose targets are all 0 sends nothing): now, with its file and line,
    // rather than as a bare error from the load stage after SIM has run.
    try {
      scheduleFromSettings(s.load);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      problems.add(err.message, where(err.pointer ?? '/load'));
    }
  }
  // k6 threshold syntax and metric names, checked now rather than after SIM has run.
  for (const p of thresholdProblems(s.load.thresholds, s.load.generator)) problems.add(p.message, { pointer: p.pointer });
}

function safeDuration(text: string): number | undefined {
  try {
    return parseDuration(text);
  } catch {
    return undefined;
  }
}

/**
 * An engine map entry replaces the target and profile, except what was given explicitly as a flag.
 * Returns where the final engine target came from, for messages about it.
 */
function resolveEngineVersion(s: SettingsDefaults, c: ConfigFile, flags: SettingsFlags, problems: Problems): Where {
  const own: Where =
    flags.engine !== undefined
      ? { flag: '--engine' }
      : { pointer: typeof c.engine === 'object' && c.engine !== null && c.engine.target !== undefined ? '/engine/target' : '/engine' };
  const version = s.engineVersion;
  if (version === null) return own;
  const entry = Object.hasOwn(s.engines, version) ? s.engines[version] : undefined;
  if (!entry) {
    const known = Object.keys(s.engines).sort();
    const list = known.length > 0 ? `known versions: ${known.map((k) => JSON.stringify(k)).join(', ')}` : 'the config has no `engines` map';
    const subject = flags.engineVersion !== undefined ? 'flag --engine-version' : 'engineVersion';
    problems.add(
      `${subject}: unknown engine version ${JSON.stringify(version)} (${list})`,
      flags.engineVersion !== undefined ? { flag: '--engine-version' } : { pointer: has(c, '/engineVersion') ? '/engineVersion' : '' },
    );
    return own;
  }
  if (flags.engine === undefined) s.engine.target = entry.target;
  if (flags.profile === undefined) s.engine.profile = entry.profile;
  return flags.engine !== undefined ? own : { pointer: segmentsToPointer(['engines', version, 'target']) };
}

/** The schema checks a spec's form; the adapter's own parser catches the rest (bad URL, shell syntax in cmd:). */
function checkEngineSpecs(s: SettingsDefaults, engineFrom: Where, problems: Problems): void {
  const fromMap = 'pointer' in engineFrom && engineFrom.pointer.startsWith('/engines/');
  const targets: [string, Where, string][] = fromMap
    ? [] // the map entry is checked below, once
    : [[s.engine.target, engineFrom, 'flag' in engineFrom ? 'flag --engine' : 'engine']];
  for (const [version, e] of Object.entries(s.engines)) {
    targets.push([e.target, { pointer: segmentsToPointer(['engines', version, 'target']) }, `engines[${JSON.stringify(version)}]`]);
  }
  for (const [target, where, subject] of targets) {
    try {
      parseEngineSpec(target);
    } catch (err) {
      problems.add(`${subject}: ${errorMessage(err)}`, where);
    }
  }
}

/**
 * k6 sends HTTP requests only: with a reference or cmd: engine the load stage could not run, and
 * finding that out after SIM has run wastes the job. Only when the load stage is asked for.
 */
function checkK6Engine(s: SettingsDefaults, problems: Problems): void {
  if (s.load.generator !== 'k6' || !s.stages.includes('load')) return;
  let problem: string | null;
  try {
    problem = k6EngineProblem(parseEngineSpec(s.engine.target).kind);
  } catch {
    return; // reported by checkEngineSpecs
  }
  if (problem) problems.add(problem, { pointer: '/load/generator' });
}

/** The `custom` profile reads its pointers from pipeline.custom; a confidence pointer needs its declared scale. */
function checkCustomProfile(s: SettingsDefaults, c: ConfigFile, problems: Problems): void {
  const custom = s.pipeline.custom;
  const users: string[] = [];
  if (s.engine.profile === 'custom') users.push('engine.profile');
  if (s.pipeline.profile === 'custom') users.push('pipeline.profile');
  for (const [version, e] of Object.entries(s.engines)) if (e.profile === 'custom') users.push(`engines[${JSON.stringify(version)}].profile`);
  if (custom === null && users.length > 0) {
    const pointer = has(c, '/pipeline/profile') ? '/pipeline/profile' : has(c, '/engine/profile') ? '/engine/profile' : has(c, '/pipeline') ? '/pipeline' : '';
    problems.add(
      `${users[0]} is "custom" but pipeline.custom is not set: give the JSON Pointers of the answer (at least "answer", e.g. { "answer": "/result/text" })`,
      { pointer },
    );
  }
  if (custom && custom.confidence !== undefined && custom.confidenceScale === undefined) {
    problems.add(
      'pipeline.custom.confidence needs pipeline.custom.confidenceScale (100 for a 0-100 score, 1 for 0..1): the scale is declared, never guessed',
      { pointer: '/pipeline/custom/confidence' },
    );
  }
}

function parseShard(text: string, problems: Problems): { index: number; total: number } | null {
  const m = /^([0-9]{1,9})\/([0-9]{1,9})$/.exec(text.trim());
  const index = m ? Number(m[1]) : NaN;
  const total = m ? Number(m[2]) : NaN;
  if (!m || index < 1 || total < 1 || index > total) {
    problems.add(`flag --shard: expected i/n with 1 <= i <= n (like "2/4"), got ${JSON.stringify(text)}`, {
      flag: '--shard',
    });
    return null;
  }
  return { index, total };
}

// ---------------------------------------------------------------------------------------------------
// Flags

interface FlagSpec {
  key: keyof SettingsFlags;
  flag: string;
  /** Schema node that validates this flag's value. */
  schemaAt: string;
  coerce: 'string' | 'number' | 'list' | 'boolean';
  apply(s: SettingsDefaults, value: unknown): void;
}

const prop = (...keys: string[]) => keys.map((k) => `/properties/${k}`).join('');
const knob = (k: keyof ReferenceKnobs): Pick<FlagSpec, 'schemaAt' | 'apply'> => ({
  schemaAt: prop('reference', k),
  apply: (s, v) => ((s.reference as unknown as Record<string, unknown>)[k] = v),
});

const FLAGS: FlagSpec[] = [
  { key: 'engine', flag: '--engine', schemaAt: prop('engine', 'target'), coerce: 'string', apply: (s, v) => (s.engine.target = v as string) },
  { key: 'runId', flag: '--run-id', schemaAt: prop('runId'), coerce: 'string', apply: () => {} },
  { key: 'out', flag: '--out', schemaAt: prop('out'), coerce: 'string', apply: (s, v) => (s.out = v as string) },
  { key: 'baseline', flag: '--baseline', schemaAt: prop('baseline'), coerce: 'string', apply: (s, v) => (s.baseline = v as string | null) },
  { key: 'stages', flag: '--stages', schemaAt: prop('stages'), coerce: 'list', apply: (s, v) => (s.stages = v as StageName[]) },
  { key: 'failOn', flag: '--fail-on', schemaAt: prop('failOn'), coerce: 'string', apply: (s, v) => (s.failOn = v as FailOn) },
  { key: 'engineVersion', flag: '--engine-version', schemaAt: prop('engineVersion'), coerce: 'string', apply: (s, v) => (s.engineVersion = v as string) },
  { key: 'concurrency', flag: '--concurrency', schemaAt: prop('sim', 'concurrency'), coerce: 'number', apply: (s, v) => (s.sim.concurrency = v as number) },
  {
    key: 'timeoutMs',
    flag: '--timeout-ms',
    schemaAt: prop('engine', 'timeoutMs'),
    coerce: 'number',
    apply: (s, v) => {
      s.engine.timeoutMs = v as number;
      s.sim.timeoutMs = v as number;
    },
  },
  { key: 'profile', flag: '--profile', schemaAt: prop('engine', 'profile'), coerce: 'string', apply: (s, v) => (s.engine.profile = v as ProfileName) },
  { key: 'replayRounds', flag: '--replay-rounds', schemaAt: prop('replay', 'rounds'), coerce: 'number', apply: (s, v) => (s.replay.rounds = v as number) },
  { key: 'freshProcess', flag: '--replay-fresh-process', schemaAt: prop('replay', 'freshProcess'), coerce: 'boolean', apply: (s, v) => (s.replay.freshProcess = v as boolean) },
  { key: 'generation', flag: '--generation', coerce: 'string', ...knob('generation') },
  { key: 'latencyMs', flag: '--latency-ms', coerce: 'number', ...knob('latencyMs') },
  { key: 'errorRate', flag: '--error-rate', coerce: 'number', ...knob('errorRate') },
  { key: 'nondeterminism', flag: '--nondeterminism', coerce: 'number', ...knob('nondeterminism') },
  { key: 'crashAfter', flag: '--crash-after', coerce: 'number', ...knob('crashAfter') },
  { key: 'stallMs', flag: '--stall-ms', coerce: 'number', ...knob('stallMs') },
  { key: 'seed', flag: '--seed', coerce: 'number', ...knob('seed') },
];

/** Every given flag, coerced and validated; problems go to `problems`. (`config` and `shard` are handled apart.) */
function readFlags(flags: SettingsFlags, problems: Problems): { spec: FlagSpec; value: unknown }[] {
  const out: { spec: FlagSpec; value: unknown }[] = [];
  for (const spec of FLAGS) {
    const raw = flags[spec.key];
    if (raw === undefined) continue;
    const value = coerceFlag(raw, spec.coerce);
    const validate = validatorAt(spec.schemaAt);
    if (!validate(value)) {
      for (const e of primaryErrors(validate.errors)) {
        const d = describeAjvError(e, value, (p) => subjectForFlag(spec.flag, p));
        if (d) problems.add(d.message, { flag: spec.flag });
      }
      continue;
    }
    out.push({ spec, value });
  }
  return out;
}

function coerceFlag(raw: unknown, how: FlagSpec['coerce']): unknown {
  if (how === 'number' && typeof raw === 'string' && /^\s*-?[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?\s*$/.test(raw)) {
    const n = Number(raw);
    // "1e999" stays text, so the schema reports it instead of letting Infinity through.
    return Number.isFinite(n) ? n : raw;
  }
  // Action inputs are text: "true"/"false" are the booleans they spell (anything else fails the schema).
  if (how === 'boolean' && typeof raw === 'string' && /^\s*(true|false)\s*$/i.test(raw)) return raw.trim().toLowerCase() === 'true';
  if (how === 'list' && typeof raw === 'string') {
    return raw
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x !== '');
  }
  return raw;
}

// ---------------------------------------------------------------------------------------------------
// ajv errors -> messages

/** `sim.concurrency`, `load.stages[0].duration`, `load.thresholds["http_req_duration{status:200}"]`. */
function subjectInFile(pointer: string, root: unknown): string {
  const segs = rawSegments(pointer);
  if (segs.length === 0) return 'the config';
  let text = '';
  let node: unknown = root;
  for (const seg of segs) {
    if (Array.isArray(node)) text += `[${seg}]`;
    else if (/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg)) text += text === '' ? seg : `.${seg}`;
    else text += `[${JSON.stringify(seg)}]`;
    node = node && typeof node === 'object' ? (node as Record<string, unknown>)[seg] : undefined;
  }
  return text;
}

function subjectForFlag(flag: string, pointer: string): string {
  const segs = rawSegments(pointer);
  if (segs.length === 0) return `flag ${flag}`;
  const where = segs.map((s) => (/^[0-9]+$/.test(s) ? `item ${Number(s) + 1}` : s)).join(' ');
  return `flag ${flag}: ${where}`;
}

function rawSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function has(root: unknown, pointer: string): boolean {
  let node: unknown = root;
  for (const seg of rawSegments(pointer)) {
    if (!node || typeof node !== 'object' || !Object.hasOwn(node, seg)) return false;
    node = (node as Record<string, unknown>)[seg];
  }
  return true;
}

function show(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 56)}..."` : s;
}

function suggestion(word: string, candidates: string[]): string {
  if (candidates.length === 0) return '';
  const best = closest(word, candidates);
  // Case slips ("TimeoutMs") count as close whatever their length; for short words ("4" vs "3") two
  // edits are a different word, not a typo.
  const d = Math.min(distance(word, best), distance(word.toLowerCase(), best.toLowerCase()));
  return d <= 2 && d < Math.max(word.length, best.length) / 2 ? ` (did you mean "${best}"?)` : '';
}

/** A value of the wrong type also fails its enum; saying both is noise. */
function primaryErrors(errors: ErrorObject[] | null | undefined): ErrorObject[] {
  const list = errors ?? [];
  const wrongType = new Set(list.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  return list.filter((e) => e.keyword === 'type' || !wrongType.has(e.instancePath));
}

/**
 * YAML reads `generation: 3` and `engineVersion: 3` as numbers. Only where the same digits would be
 * right as text (an allowed enum value, a version name) is "quote it" the fix worth suggesting.
 */
function quoteHint(data: unknown, pointer: string, parent: Record<string, unknown>): string {
  if (typeof data !== 'number') return '';
  const asText = String(data);
  const fits = (Array.isArray(parent.enum) && parent.enum.includes(asText)) || pointer === '/engineVersion';
  return fits ? ` (quote it: "${asText}")` : '';
}

/** The pattern of every engine spec in the schema (the config's engine, its target, the engine map's targets, --engine). */
const ENGINE_SPEC_PATTERN = schema.properties.engine.pattern;
/** The pattern of engine.proxy: a value it refuses is quoted without credentials. */
const PROXY_PATTERN = (schema.properties.engine.properties as unknown as Record<string, { pattern?: string }>).proxy.pattern;

function describeAjvError(
  e: ErrorObject,
  root: unknown,
  subjectOf: (pointer: string) => string,
): { pointer: string; message: string } | null {
  // The nested error of a failed `propertyNames`; the `propertyNames` error itself says it better.
  if (e.propertyName !== undefined) return null;
  const pointer = e.instancePath;
  const subject = subjectOf(pointer);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type': {
      const types = Array.isArray(p.type) ? p.type : String(p.type).split(',');
      return { pointer, message: `${subject} must be ${types.join(' or ')}, got ${show(e.data)}${quoteHint(e.data, pointer, parent)}` };
    }
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const known = Object.keys((parent.properties as object | undefined) ?? {});
      const inWhat = pointer === '' ? 'at the top level' : `in ${subject}`;
      return {
        pointer: pointer + segmentsToPointer([key]),
        message: `unknown key ${JSON.stringify(key)} ${inWhat}${suggestion(key, known)}`,
      };
    }
    case 'required':
      return { pointer, message: `${subject} is missing required key ${JSON.stringify(p.missingProperty)}` };
    case 'enum': {
      const allowed = (p.allowedValues as unknown[]).map((x) => JSON.stringify(x));
      const allowedText = (p.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggestion(e.data, allowedText) : quoteHint(e.data, pointer, parent);
      return { pointer, message: `${subject} must be one of ${allowed.join(', ')}, got ${show(e.data)}${hint}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { pointer, message: `${subject} must be ${p.comparison} ${p.limit}, got ${show(e.data)}` };
    case 'minLength':
      return {
        pointer,
        message: p.limit === 1 ? `${subject} must not be empty` : `${subject} must be at least ${p.limit} characters`,
      };
    case 'pattern': {
      const expected = typeof parent['x-expected'] === 'string' ? parent['x-expected'] : `text matching ${p.pattern}`;
      // An engine spec that is no accepted form is quoted without the credentials it may carry.
      // So is a proxy URL (engine.proxy): its user:password is a secret.
      const data =
        parent.pattern === ENGINE_SPEC_PATTERN && typeof e.data === 'string'
          ? redactTarget(e.data)
          : parent.pattern === PROXY_PATTERN && typeof e.data === 'string'
            ? withoutCredentials(e.data)
            : e.data;
      return { pointer, message: `${subject} must be ${expected}, got ${show(data)}` };
    }
    case 'minItems':
      return { pointer, message: `${subject} must list at least ${p.limit} item${p.limit === 1 ? '' : 's'}` };
    case 'uniqueItems': {
      const dup = Array.isArray(e.data) ? e.data[Number(p.j)] : undefined;
      return { pointer, message: `${subject} lists ${show(dup)} more than once` };
    }
    case 'propertyNames': {
      const key = String(p.propertyName);
      const names = e.schema as Record<string, unknown>;
      const expected = typeof names['x-expected'] === 'string' ? names['x-expected'] : 'a valid key';
      return {
        pointer: pointer + segmentsToPointer([key]),
        message: `key ${JSON.stringify(key)} in ${subject} must be ${expected}`,
      };
    }
    default:
      return { pointer, message: `${subject} ${e.message ?? 'is invalid'}` };
  }
}

/** Every flag settings understand, for the CLI's usage text. */
export const SETTINGS_FLAG_NAMES: readonly string[] = [...FLAGS.map((f) => f.flag), '--config', '--shard'];
