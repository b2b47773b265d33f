import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import registrySchema from '../../../schemas/registry.schema.json' with { type: 'json' };
import { InputError } from '../../util/errors.js';
import { parseJsonSource, type JsonSource } from '../../util/json-source.js';
import { readTextFile } from '../../util/text-file.js';
import { checkFormat, compileFormat } from './schema-check.js';

/** One registered dataset (DESIGN §3.4), with where it was registered for later messages. */
export interface RegistryEntry {
  name: string;
  /**
   * As written in the registry, relative to the registry's folder; spelled as on disk when the file
   * was found under another letter case (a case-insensitive file system: see pathCase).
   */
  path: string;
  enabled: boolean;
  tags: string[];
  /** The dataset file as printed: relative to cwd, forward slashes. */
  file: string;
  /** The registry file as printed, and the line of this entry in it. */
  registryFile: string;
  line: number;
}

export interface Registry {
  /** The registry file as printed (relative to cwd). */
  file: string;
  /** Absolute folder of the registry; dataset paths resolve against it. */
  dir: string;
  datasets: RegistryEntry[];
  warnings: string[];
  /** Dataset-like files beside the registry that it does not list (as printed), so they never run. */
  unregistered: string[];
  /** Registered paths found only because the file system ignores letter case (macOS, Windows runners). */
  pathCase: PathCaseMismatch[];
}

/** A registered path whose letter case differs from the file's name on disk. */
export interface PathCaseMismatch {
  dataset: string;
  /** The path as the registry writes it, and as it is on disk (relative to the registry's folder). */
  written: string;
  onDisk: string;
  /** The registry file as printed, and the line of the entry's path. */
  registryFile: string;
  line: number;
}

/** What to say about a registered path that differs from the file on disk only in letter case. */
export function pathCaseMessage(m: PathCaseMismatch): string {
  return (
    `dataset "${m.dataset}" is registered as "${m.written}" but the file on disk is "${m.onDisk}": ` +
    'found only because this file system ignores letter case (macOS, Windows); on a Linux runner the file is missing ' +
    `and the run is an ERROR. Write the path in ${m.registryFile} as it is on disk`
  );
}

/**
 * The spelling on disk of `written`, a path relative to `dir`, found segment by segment in its parent
 * folder's listing (`list(absDir)`, null when it cannot be read): a segment's exact name if the listing
 * has it, else the one entry that differs only in letter case. `.` and `..` are kept as they are.
 * Returns the path with `/` and whether some segment's case differs, or null when a segment is in
 * no case there. Pure over the listings: the lookup a case-insensitive file system makes silently.
 */
export function spellingOnDisk(written: string, dir: string, list: (absDir: string) => readonly string[] | null): { path: string; differs: boolean } | null {
  const out: string[] = [];
  let differs = false;
  let cur = dir;
  for (const seg of written.split(/[\\/]+/)) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      out.push(seg);
      cur = path.dirname(cur);
      continue;
    }
    const names = list(cur);
    if (names === null) return null;
    let found: string | undefined = names.includes(seg) ? seg : undefined;
    if (found === undefined) {
      const lower = seg.toLowerCase();
      found = names.filter((n) => n.toLowerCase() === lower).sort()[0];
      if (found === undefined) return null;
      differs = true;
    }
    out.push(found);
    cur = path.join(cur, found);
  }
  return { path: out.join('/'), differs };
}

function listing(absDir: string): string[] | null {
  try {
    return readdirSync(absDir);
  } catch {
    return null;
  }
}

/** What to say about a dataset file the registry does not list. */
export function unregisteredMessage(file: string, registry: string): string {
  return `${file} is not registered in ${registry}, so it never runs`;
}

let validateRegistry: ReturnType<typeof compileFormat> | undefined;

/** A path as it is printed in messages and reports: relative to cwd, with forward slashes. */
export function displayPath(cwd: string, abs: string): string {
  const rel = path.relative(cwd, abs) || '.';
  return rel.split(path.sep).join('/');
}

function isFile(abs: string): boolean {
  try {
    return statSync(abs).isFile();
  } catch {
    return false;
  }
}

interface RawEntry {
  name: string;
  path: string;
  enabled?: boolean;
  tags?: string[];
}

/**
 * Load and check `sim/sim_dataset.json` (or wherever the config points). Errors (bad JSON, bad shape,
 * duplicate names, a registered file that is missing) are InputErrors with the registry's file and
 * line; a `*.json` file beside the registry that nobody registered is a warning, since it would
 * silently never run. `*.schema.json` files are not datasets and are left alone.
 */
export function loadRegistry(
  registryPath: string,
  opts: {
    cwd: string;
    /** How a dataset file is found (default: the file system's own lookup; tests: a case-insensitive one). */
    isFile?: (abs: string) => boolean;
  },
): Registry {
  const fileAt = opts.isFile ?? isFile;
  const abs = path.resolve(opts.cwd, registryPath);
  const file = displayPath(opts.cwd, abs);
  const dir = path.dirname(abs);
  const src: JsonSource = parseJsonSource(readTextFile(abs, file, 'SIM dataset registry'), file);
  validateRegistry ??= compileFormat(registrySchema);
  checkFormat(validateRegistry, src, 'registry');

  const raw = (src.value as { datasets: RawEntry[] }).datasets;
  const firstByName = new Map<string, number>();
  const datasets: RegistryEntry[] = [];
  const registered = new Set<string>();
  const pathCase: PathCaseMismatch[] = [];
  raw.forEach((r, i) => {
    const first = firstByName.get(r.name);
    if (first !== undefined) {
      throw new InputError(
        `duplicate dataset name "${r.name}" (first registered at line ${src.lineOf(`/datasets/${first}/name`)})`,
        { file, line: src.lineOf(`/datasets/${i}/name`), pointer: `/datasets/${i}/name` },
      );
    }
    firstByName.set(r.name, i);
    let datasetAbs = path.resolve(dir, r.path);
    let datasetFile = displayPath(opts.cwd, datasetAbs);
    let entryPath = r.path;
    if (!fileAt(datasetAbs)) {
      const what = existsSync(datasetAbs) ? 'is not a regular file (a directory or a device)' : 'is missing';
      throw new InputError(`dataset "${r.name}" is registered but its file ${datasetFile} ${what}`, {
        file,
        line: src.lineOf(`/datasets/${i}/path`),
        pointer: `/datasets/${i}/path`,
      });
    }
    // Found, but on a case-insensitive file system the name on disk may differ in case: locations and
    // the unregistered check use the name on disk, and the registry line is reported (Linux fails).
    const onDisk = path.isAbsolute(r.path) ? null : spellingOnDisk(r.path, dir, listing);
    if (onDisk?.differs) {
      pathCase.push({ dataset: r.name, written: r.path, onDisk: onDisk.path, registryFile: file, line: src.lineOf(`/datasets/${i}/path`) });
      entryPath = onDisk.path;
      datasetAbs = path.resolve(dir, onDisk.path);
      datasetFile = displayPath(opts.cwd, datasetAbs);
    }
    registered.add(datasetAbs);
    datasets.push({
      name: r.name,
      path: entryPath,
      enabled: r.enabled ?? true,
      tags: r.tags ?? [],
      file: datasetFile,
      registryFile: file,
      line: src.lineOf(`/datasets/${i}`),
    });
  });

  const warnings: string[] = pathCase.map((m) => `${m.registryFile}:${m.line}: ${pathCaseMessage(m)}`);
  const unregistered: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name.endsWith('.schema.json')) continue;
    const candidate = path.join(dir, name);
    if (candidate === abs || registered.has(candidate) || !isFile(candidate)) continue;
    unregistered.push(displayPath(opts.cwd, candidate));
    warnings.push(unregisteredMessage(displayPath(opts.cwd, candidate), file));
  }
  return { file, dir, datasets, warnings, unregistered, pathCase };
}
