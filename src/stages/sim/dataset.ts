import path from 'node:path';
import datasetSchema from '../../../schemas/dataset.schema.json' with { type: 'json' };
import { InputError } from '../../util/errors.js';
import { JsonTextError, parseJsonSource, type JsonSource } from '../../util/json-source.js';
import { withCaseOf } from './case-at-offset.js';
import { compileAssertion, rememberCompiled, type CompiledAssertion } from './assertions.js';
import { displayPath, loadRegistry, type PathCaseMismatch, type RegistryEntry } from './registry.js';
import { readTextFile } from '../../util/text-file.js';
import { checkFormat, compileFormat } from './schema-check.js';
import { exactReviver } from '../../util/decimal.js';
import { findNodeAtLocation, parseTree, type Node } from 'jsonc-parser';
import { inexactNumbers, type NumberPlace, inexactMessage, type InexactNumber } from './inexact-numbers.js';
import type { Assertion, Dataset, SimCase } from './types.js';
import type { Settings } from '../../settings/types.js';
import { canonicalJson, sha256Hex } from '../../replay/canonical.js';

let validateDataset: ReturnType<typeof compileFormat> | undefined;

/** The file as written; the JSON Schema has already checked every type here. */
interface RawCase {
  id: string;
  input: Record<string, unknown>;
  expected?: Record<string, unknown>;
  assert?: Assertion[];
  tags?: string[];
  repeat?: number;
  ignorePaths?: string[];
}
interface RawDataset {
  name: string;
  description?: string;
  seed?: number | null;
  defaults?: { assert?: Assertion[]; ignorePaths?: string[]; repeat?: number };
  cases: RawCase[];
}

/**
 * Load one registered dataset: strict JSON, the dataset schema, then per case: unique id, assertions
 * compiled (unknown types, bad regexes and bad schemas are caught here, not mid-run), defaults applied.
 * Every error names the file, the line and the case id.
 */
export function loadDataset(
  entry: Pick<RegistryEntry, 'name' | 'path'> & Partial<Pick<RegistryEntry, 'tags' | 'registryFile' | 'line'>>,
  opts: { cwd: string; registryDir: string },
): Dataset {
  const abs = path.resolve(opts.registryDir, entry.path);
  const file = displayPath(opts.cwd, abs);
  const text = readTextFile(abs, file, `dataset "${entry.name}"`);
  const src = parseDatasetText(text, file);
  const raw = src.value as RawDataset;
  const caseIdAt = (pointer: string): string | undefined => {
    const m = /^\/cases\/(\d+)(\/|$)/.exec(pointer);
    // Runs before the shape is known to be valid, so nothing here may assume it.
    const list = (raw as { cases?: unknown } | null)?.cases;
    const item = m && Array.isArray(list) ? (list[Number(m[1])] as { id?: unknown } | null | undefined) : undefined;
    const id = item?.id;
    return typeof id === 'string' ? id : undefined;
  };
  validateDataset ??= compileFormat(datasetSchema);
  checkFormat(validateDataset, src, 'dataset', caseIdAt);

  if (raw.name !== entry.name) {
    const reg = entry.registryFile ? ` (${entry.registryFile}${entry.line ? `:${entry.line}` : ''})` : '';
    throw new InputError(`dataset name "${raw.name}" differs from its registry name "${entry.name}"${reg}`, {
      file,
      line: src.lineOf('/name'),
      pointer: '/name',
    });
  }

  // A file with a number a double cannot hold is read again with such numbers as written: equals and
  // range compare them exactly (util/decimal.ts). Other files (nearly all) cost one scan.
  let inexact = inexactNumbers(text);
  const exactRaw = inexact.count > 0 ? exactDataset(text) : undefined;
  if (exactRaw) inexact = inexactNumbers(text, numberPlaces(text));
  const exactAt = (list: Assertion[] | undefined, j: number): Assertion | undefined => list?.[j];
  const defaults = raw.defaults ?? {};
  // Defaults are compiled once and shared by every case (compiled assertions are immutable).
  const defaultAsserts = defaults.assert ?? [];
  const defaultCompiled = defaultAsserts.map((a, j) =>
    compileAssertion(a, { file, pointer: `/defaults/assert/${j}`, lineOf: src.lineOf, exact: exactAt(exactRaw?.defaults?.assert, j) }),
  );
  const defaultIgnore = Object.freeze(defaults.ignorePaths ?? []) as string[];
  const defaultRepeat = defaults.repeat ?? 1;

  const firstIndex = new Map<string, number>();
  const cases: SimCase[] = new Array(raw.cases.length);
  for (let i = 0; i < raw.cases.length; i++) {
    const rc = raw.cases[i];
    const first = firstIndex.get(rc.id);
    if (first !== undefined) {
      throw new InputError(`duplicate case id "${rc.id}" (first at line ${src.lineOf(`/cases/${first}/id`)})`, {
        file,
        line: src.lineOf(`/cases/${i}/id`),
        pointer: `/cases/${i}/id`,
        caseId: rc.id,
      });
    }
    firstIndex.set(rc.id, i);

    const own = rc.assert ?? [];
    // Built at their exact length: an array grown by push from empty keeps room for 17 (100k cases).
    const ownCompiled = own.map((a, j) =>
      compileAssertion(a, { file, caseId: rc.id, pointer: `/cases/${i}/assert/${j}`, lineOf: src.lineOf, exact: exactAt(exactRaw?.cases?.[i]?.assert, j) }),
    );
    const compiled: CompiledAssertion[] = defaultCompiled.length ? defaultCompiled.concat(ownCompiled) : ownCompiled;
    const c: SimCase = {
      id: rc.id,
      dataset: raw.name,
      input: rc.input,
      ...(rc.expected !== undefined ? { expected: rc.expected } : {}),
      assert: defaultAsserts.length ? [...defaultAsserts, ...own] : own,
      tags: rc.tags ?? NO_STRINGS,
      repeat: rc.repeat ?? defaultRepeat,
      ignorePaths: mergeUnique(defaultIgnore, rc.ignorePaths),
      location: { file, line: src.lineOfItem('/cases', i) },
    };
    rememberCompiled(c, compiled);
    cases[i] = c;
  }

  return {
    name: raw.name,
    description: raw.description ?? '',
    file,
    seed: raw.seed ?? null,
    tags: entry.tags ?? [],
    cases,
    inexact,
  };
}

const EXACT_TYPES = new Set(['equals', 'not-equals', 'range', 'not-range']);

/**
 * Where each number of a dataset is used, for the warning about those a double changes: a value of
 * equals or range is compared as written (util/decimal.ts), one in a case's input is sent to the engine.
 */
function numberPlaces(text: string): NumberPlace {
  const spans: { start: number; end: number; kind: 'exact' | 'input' }[] = [];
  const tree = parseTree(text, [], { disallowComments: true, allowTrailingComma: false });
  const span = (node: Node | undefined, kind: 'exact' | 'input') => {
    if (node) spans.push({ start: node.offset, end: node.offset + node.length, kind });
  };
  const asserts = (list: Node | undefined) => {
    for (const a of list?.type === 'array' ? (list.children ?? []) : []) {
      const type = findNodeAtLocation(a, ['type'])?.value;
      if (typeof type !== 'string' || !EXACT_TYPES.has(type)) continue;
      for (const field of ['value', 'min', 'max']) span(findNodeAtLocation(a, [field]), 'exact');
    }
  };
  if (tree) {
    asserts(findNodeAtLocation(tree, ['defaults', 'assert']));
    const cases = findNodeAtLocation(tree, ['cases']);
    for (const c of cases?.type === 'array' ? (cases.children ?? []) : []) {
      span(findNodeAtLocation(c, ['input']), 'input');
      asserts(findNodeAtLocation(c, ['assert']));
    }
  }
  spans.sort((x, y) => x.start - y.start);
  return (offset) => {
    let lo = 0;
    let hi = spans.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const s = spans[mid];
      if (offset < s.start) hi = mid - 1;
      else if (offset >= s.end) lo = mid + 1;
      else return s.kind;
    }
    return 'other';
  };
}

/** The dataset (already checked as strict JSON) with every number a double cannot hold kept as written. */
function exactDataset(text: string): Partial<RawDataset> | undefined {
  try {
    return JSON.parse(text, exactReviver as (k: string, v: unknown) => unknown) as Partial<RawDataset>;
  } catch {
    return undefined;
  }
}

/**
 * Shared by every case that has nothing of its own, frozen so that no reader can change one case through
 * another: 100k cases would otherwise hold 200k empty or copied arrays for the whole run.
 */
const NO_STRINGS = Object.freeze([]) as unknown as string[];

function mergeUnique(a: string[], b: string[] | undefined): string[] {
  if (!b || b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

export interface Suite {
  datasets: Dataset[];
  cases: SimCase[];
  warnings: string[];
  /** Per dataset, the selected cases that can never fail SIM: no assertions and no expected behaviour. */
  unasserted: { dataset: string; cases: SimCase[] }[];
  /** Per dataset, numbers its text holds that a JSON number cannot (first 20, and how many). */
  inexact: { dataset: string; file: string; found: InexactNumber[]; count: number }[];
  /** The registry's unregistered dataset files, and the registry file (both as printed). */
  unregistered: { files: string[]; registry: string };
  /** Registered paths that differ from the file on disk only in letter case (found on macOS and Windows, missing on Linux). */
  pathCase: PathCaseMismatch[];
}

/** A case SIM passes whenever the engine answers: nothing asserted, nothing declared for the pipeline checker. */
export function isUnasserted(c: SimCase): boolean {
  return c.assert.length === 0 && (c.expected === undefined || Object.keys(c.expected).length === 0);
}

/** What to say about a dataset's unasserted cases: the first few by id and line, and how many in all. */
export function unassertedMessage(dataset: string, cases: SimCase[]): string {
  const shown = cases.slice(0, 5).map((c) => `"${c.id}" (line ${c.location.line})`).join(', ');
  const more = cases.length > 5 ? ` and ${cases.length - 5} more` : '';
  return (
    `${cases.length} case(s) of dataset "${dataset}" assert nothing and declare no expected behaviour, ` +
    `so SIM passes them whenever the engine answers: ${shown}${more}`
  );
}

/**
 * sha256 of what a suite asks and checks: each case's dataset, id, input, assertions, expected block,
 * repeat and ignorePaths, in suite order. Shards of one run must share it: the same count of cases
 * with an edited prompt or assertion is another suite.
 */
export function suiteFingerprint(cases: readonly SimCase[]): string {
  return sha256Hex(canonicalJson(cases.map((c) => [c.dataset, c.id, c.input, c.assert, c.expected ?? null, c.repeat, c.ignorePaths])));
}

/** The suite a run's settings select (SIM runs it; load draws its requests from it). */
export function suiteOf(settings: Pick<Settings, 'cwd' | 'sim'>): Suite {
  return loadSuite(settings.sim.registry, { cwd: settings.cwd, datasets: settings.sim.datasets, tags: settings.sim.tags });
}

/**
 * The registry plus the selected datasets, filtered by tags. `datasets` selects by name and may name a
 * disabled dataset (an explicit choice wins); without it every enabled dataset loads. A case matches
 * `tags` when it or its dataset's registry entry carries one of them.
 */
export function loadSuite(
  registryPath: string,
  opts: { cwd: string; datasets?: string[]; tags?: string[]; isFile?: (abs: string) => boolean },
): Suite {
  const registry = loadRegistry(registryPath, { cwd: opts.cwd, isFile: opts.isFile });
  const warnings = [...registry.warnings];

  let selected: RegistryEntry[];
  if (opts.datasets && opts.datasets.length > 0) {
    const byName = new Map(registry.datasets.map((d) => [d.name, d]));
    selected = [];
    for (const name of new Set(opts.datasets)) {
      const d = byName.get(name);
      if (!d) {
        const known = registry.datasets.map((x) => x.name).join(', ') || '(none)';
        throw new InputError(`no dataset named "${name}" is registered (registered: ${known})`, { file: registry.file });
      }
      selected.push(d);
    }
  } else {
    selected = registry.datasets.filter((d) => d.enabled);
  }

  const wanted = opts.tags && opts.tags.length > 0 ? new Set(opts.tags) : null;
  const datasets: Dataset[] = [];
  const cases: SimCase[] = [];
  const seenIds = new Map<string, string>();
  const unasserted: Suite['unasserted'] = [];
  const inexact: Suite['inexact'] = [];
  for (const entry of selected) {
    const ds = loadDataset(entry, { cwd: opts.cwd, registryDir: registry.dir });
    if (ds.cases.length === 0) warnings.push(`${ds.file}: dataset "${ds.name}" has no cases`);
    const datasetMatches = wanted !== null && ds.tags.some((t) => wanted.has(t));
    const kept = wanted === null || datasetMatches ? ds.cases : ds.cases.filter((c) => c.tags.some((t) => wanted.has(t)));
    for (const c of kept) {
      // Seeds and snapshots key on the case id, so an id shared across datasets is worth a warning.
      const other = seenIds.get(c.id);
      if (other !== undefined && other !== ds.name) {
        warnings.push(`${c.location.file}:${c.location.line}: case id "${c.id}" is also used in dataset "${other}"`);
      } else seenIds.set(c.id, ds.name);
      cases.push(c);
    }
    datasets.push(kept === ds.cases ? ds : { ...ds, cases: kept });
    if (ds.inexact && ds.inexact.count > 0) {
      inexact.push({ dataset: ds.name, file: ds.file, ...ds.inexact });
      for (const x of ds.inexact.found) warnings.push(`${ds.file}:${x.line}:${x.column}: ${inexactMessage(x)}`);
      if (ds.inexact.count > ds.inexact.found.length) warnings.push(`${ds.file}: ${ds.inexact.count - ds.inexact.found.length} more such number(s)`);
    }
    const idle = kept.filter(isUnasserted);
    if (idle.length > 0) {
      unasserted.push({ dataset: ds.name, cases: idle });
      warnings.push(`${idle[0].location.file}:${idle[0].location.line}: ${unassertedMessage(ds.name, idle)}`);
    }
  }
  if (wanted !== null && cases.length === 0) {
    warnings.push(`no case matches the tags ${[...wanted].join(', ')}`);
  }
  return { datasets, cases, warnings, unasserted, inexact, unregistered: { files: registry.unregistered, registry: registry.file }, pathCase: registry.pathCase };
}

/** The dataset's JSON; a syntax error or a member named twice also names the case it is in. */
function parseDatasetText(text: string, file: string): JsonSource {
  try {
    return parseJsonSource(text, file);
  } catch (err) {
    throw err instanceof JsonTextError ? withCaseOf(err, text) : err;
  }
}
