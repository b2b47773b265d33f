import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Node as YamlNode } from 'yaml';
import { InputError, errorMessage } from '../util/errors.js';
import { parseJsonSource, pointerToSegments, segmentsToPointer } from '../util/json-source.js';
import { readTextFile } from '../util/text-file.js';
import { getAtPointer } from '../util/json-pointer.js';

/** A loaded config file: its path as printed (relative to cwd), its value, and where each value sits. */
export interface ConfigSource {
  file: string;
  value: unknown;
  /** 1-based line of the value at a JSON Pointer (its key's line), or of its nearest existing ancestor. */
  lineOf(pointer: string): number;
}

/** Looked for in cwd, in this order, when no config path is given. */
export const CONFIG_FILE_NAMES = ['testops.config.json', 'testops.config.yaml', 'testops.config.yml'];

/** The first default config file present in cwd, as an absolute path; null when there is none. */
export function findConfigFile(cwd: string): string | null {
  for (const name of CONFIG_FILE_NAMES) {
    const p = path.resolve(cwd, name);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}

/** Path as printed in messages and reports: relative to cwd, with '/' on every OS. */
export function displayPath(absPath: string, cwd: string): string {
  const rel = path.relative(path.resolve(cwd), absPath);
  return (rel === '' ? path.basename(absPath) : rel).split(path.sep).join('/');
}

/** Read and parse a .json, .yaml or .yml config file; `configPath` may be relative to cwd. */
export function loadConfigFile(configPath: string, cwd: string): ConfigSource {
  const abs = path.resolve(cwd, configPath);
  const file = displayPath(abs, cwd);
  const ext = path.extname(abs).toLowerCase();
  if (ext !== '.json' && ext !== '.yaml' && ext !== '.yml') {
    throw new InputError(`config file must end in .json, .yaml or .yml`, { file });
  }
  const text = readTextFile(abs, file, 'config file');
  const source = ext === '.json' ? parseJsonSource(text, file) : parseYamlSource(text, file);
  rejectNonFinite(source.value, [], source);
  return source;
}

/** YAML with the same contract as parseJsonSource: syntax errors carry file:line:column. */
export function parseYamlSource(text: string, file: string): ConfigSource {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: Math.max(1, p.line), column: Math.max(1, p.col) };
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    const at = lineAt(e.pos[0]);
    // The library's own words advise its API (parseAllDocuments): the user needs the rule instead.
    const first = e.code === 'MULTIPLE_DOCS' ? 'a config file holds one YAML document; a second one starts here (---)' : e.message.split('\n')[0];
    throw new InputError(`invalid YAML (${e.code}: ${first})`, { file, ...at });
  }
  let value: unknown;
  try {
    // The alias cap keeps a "billion laughs" document from exhausting memory.
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // An alias with no anchor before it fails only here: point at the alias, not at line 1.
    let at: { line: number; column?: number } = { line: 1 };
    visit(doc, {
      Alias(_key, node) {
        if (node.resolve(doc) !== undefined || !node.range) return undefined;
        at = lineAt(node.range[0]);
        return visit.BREAK;
      },
    });
    throw new InputError(`invalid YAML (${errorMessage(err)})`, { file, ...at });
  }
  // An empty document (or one with only comments) sets nothing.
  if (value === null || value === undefined) value = {};

  const lineOf = (pointer: string): number => {
    let node: unknown = doc.contents;
    let line = node && (node as YamlNode).range ? lineAt((node as YamlNode).range![0]).line : 1;
    for (const seg of pointerToSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find((it) => isPair(it) && keyText(it.key) === String(seg));
        if (!pair) break;
        const keyNode = pair.key as YamlNode | null;
        if (keyNode?.range) line = lineAt(keyNode.range[0]).line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === 'number') {
        node = node.items[seg];
        if (!node) break;
        const r = (node as YamlNode).range;
        if (r) line = lineAt(r[0]).line;
      } else {
        break;
      }
    }
    return line;
  };

  return { file, value, lineOf };
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/** YAML spells .inf and .nan, JSON overflows 1e999 to Infinity; no setting means either. */
function rejectNonFinite(v: unknown, segs: (string | number)[], src: ConfigSource): void {
  if (typeof v === 'number' && !Number.isFinite(v)) {
    const pointer = segmentsToPointer(segs);
    throw new InputError(`${v} is not a finite number`, { file: src.file, line: src.lineOf(pointer), pointer });
  }
  if (Array.isArray(v)) v.forEach((x, i) => rejectNonFinite(x, [...segs, i], src));
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) rejectNonFinite(x, [...segs, k], src);
  }
}

/**
 * An input error found after the settings were resolved (an engine header's \${VAR} expanded as the
 * engine starts) that names a config pointer but no file: the same error, placed at the config file's
 * line, as errors found while resolving are. Unchanged when there is no config file or the pointer is
 * not in it (a value from the defaults), or the file cannot be read again.
 */
export function inConfigFile(err: InputError, configFile: string | null, cwd: string): InputError {
  if (err.file !== undefined || err.pointer === undefined || configFile === null) return err;
  try {
    const src = loadConfigFile(configFile, cwd);
    if (!getAtPointer(src.value, err.pointer).found) return err;
    return new InputError(err.message, { file: src.file, line: src.lineOf(err.pointer), pointer: err.pointer });
  } catch {
    return err;
  }
}
