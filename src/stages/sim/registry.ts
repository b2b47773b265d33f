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
  /** As written in the registry: relative to the registry's folder. */
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
export function loadRegistry(registryPath: string, opts: { cwd: string }): Registry {
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
  raw.forEach((r, i) => {
    const first = firstByName.get(r.name);
    if (first !== undefined) {
      throw new InputError(
        `duplicate dataset name "${r.name}" (first registered at line ${src.lineOf(`/datasets/${first}/name`)})`,
        { file, line: src.lineOf(`/datasets/${i}/name`), pointer: `/datasets/${i}/name` },
      );
    }
    firstByName.set(r.name, i);
    const datasetAbs = path.resolve(dir, r.path);
    const datasetFile = displayPath(opts.cwd, datasetAbs);
    if (!isFile(datasetAbs)) {
      const what = existsSync(datasetAbs) ? 'is not a regular file (a directory or a device)' : 'is missing';
      throw new InputError(`dataset "${r.name}" is registered but its file ${datasetFile} ${what}`, {
        file,
        line: src.lineOf(`/datasets/${i}/path`),
        pointer: `/datasets/${i}/path`,
      });
    }
    registered.add(datasetAbs);
    datasets.push({
      name: r.name,
      path: r.path,
      enabled: r.enabled ?? true,
      tags: r.tags ?? [],
      file: datasetFile,
      registryFile: file,
      line: src.lineOf(`/datasets/${i}`),
    });
  });

  const warnings: string[] = [];
  const unregistered: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json') || name.endsWith('.schema.json')) continue;
    const candidate = path.join(dir, name);
    if (candidate === abs || registered.has(candidate) || !isFile(candidate)) continue;
    unregistered.push(displayPath(opts.cwd, candidate));
    warnings.push(unregisteredMessage(displayPath(opts.cwd, candidate), file));
  }
  return { file, dir, datasets, warnings, unregistered };
}
