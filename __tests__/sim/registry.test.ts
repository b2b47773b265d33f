import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadRegistry } from '../../src/stages/sim/registry.js';
import { InputError } from '../../src/util/errors.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fx = '__tests__/fixtures/sim';

function loadError(registry: string, cwd = root): InputError {
  try {
    loadRegistry(registry, { cwd });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

function tmpRegistry(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-registry-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

describe('loadRegistry', () => {
  it('loads entries with defaults, printed paths relative to cwd, and lines', () => {
    const r = loadRegistry(`${fx}/good/sim_dataset.json`, { cwd: root });
    expect(r.file).toBe(`${fx}/good/sim_dataset.json`);
    expect(r.warnings).toEqual([]); // editor.schema.json sits beside the datasets and is not one
    expect(r.datasets).toEqual([
      { name: 'basics', path: 'basics.json', enabled: true, tags: ['smoke'], file: `${fx}/good/basics.json`, registryFile: r.file, line: 3 },
      { name: 'escalation', path: 'nested/escalation.json', enabled: true, tags: ['opus'], file: `${fx}/good/nested/escalation.json`, registryFile: r.file, line: 4 },
      { name: 'slow', path: 'slow.json', enabled: false, tags: [], file: `${fx}/good/slow.json`, registryFile: r.file, line: 5 },
    ]);
  });

  it('accepts an absolute registry path and prints it relative to cwd', () => {
    const r = loadRegistry(path.join(root, fx, 'good', 'sim_dataset.json'), { cwd: path.join(root, fx) });
    expect(r.file).toBe('good/sim_dataset.json');
    expect(r.datasets[1].file).toBe('good/nested/escalation.json');
  });

  it('a missing registry file is an error naming it', () => {
    const e = loadError(`${fx}/nowhere/sim_dataset.json`);
    expect(e.message).toBe(`${fx}/nowhere/sim_dataset.json: SIM dataset registry not found`);
  });

  it('a registered file that is missing names the registry file, line, entry and missing path', () => {
    const e = loadError(`${fx}/bad/missing-file/sim_dataset.json`);
    expect(e.message).toBe(
      `${fx}/bad/missing-file/sim_dataset.json:4 at /datasets/1/path: dataset "gone" is registered but its file ${fx}/bad/missing-file/sub/gone.json is missing`,
    );
    expect(e).toMatchObject({ file: `${fx}/bad/missing-file/sim_dataset.json`, line: 4, pointer: '/datasets/1/path' });
  });

  it('an unregistered *.json beside the registry is a warning, not an error', () => {
    const r = loadRegistry(`${fx}/bad/unregistered/sim_dataset.json`, { cwd: root });
    expect(r.datasets.map((d) => d.name)).toEqual(['listed']);
    expect(r.warnings).toEqual([
      `${fx}/bad/unregistered/forgotten.json is not registered in ${fx}/bad/unregistered/sim_dataset.json, so it never runs`,
    ]);
  });

  it('duplicate dataset names are an error at the second, naming the first line', () => {
    const e = loadError(`${fx}/bad/duplicate-names/sim_dataset.json`);
    expect(e.message).toBe(
      `${fx}/bad/duplicate-names/sim_dataset.json:5 at /datasets/2/name: duplicate dataset name "twin" (first registered at line 3)`,
    );
  });

  it('a JSON syntax error gives file:line:column', () => {
    const dir = tmpRegistry({ 'sim/sim_dataset.json': '{\n  "datasets": [\n    { "name": "a", "path": "a.json" },\n  ]\n}\n' });
    const e = loadError('sim/sim_dataset.json', dir);
    expect(e.message).toMatch(/^sim\/sim_dataset\.json:4:3: invalid JSON/);
  });

  it('shape errors name the field and its line', () => {
    const dir = tmpRegistry({
      'sim/sim_dataset.json': '{\n  "datasets": [\n    { "name": "a", "path": "a.json",\n      "enabeld": false }\n  ]\n}\n',
      'sim/a.json': '{ "name": "a", "cases": [] }',
    });
    expect(loadError('sim/sim_dataset.json', dir).message).toBe(
      'sim/sim_dataset.json:4 at /datasets/0/enabeld: unknown field "enabeld" (allowed: name, path, enabled, tags, description)',
    );
    const dir2 = tmpRegistry({ 'sim/sim_dataset.json': '{ "datasets": [ { "name": 7, "path": "a.json" } ] }' });
    expect(loadError('sim/sim_dataset.json', dir2).message).toBe(
      'sim/sim_dataset.json:1 at /datasets/0/name: "name" must be string, got a number (7)',
    );
    const dir3 = tmpRegistry({ 'sim/sim_dataset.json': '{ "sets": [] }' });
    expect(loadError('sim/sim_dataset.json', dir3).message).toBe(
      'sim/sim_dataset.json:1 at /datasets: missing required field "datasets"',
    );
  });

  it('a registered path that is a folder is named as such', () => {
    const dir = tmpRegistry({ 'sim/sim_dataset.json': '{ "datasets": [ { "name": "a", "path": "sub" } ] }', 'sim/sub/x.txt': '' });
    expect(loadError('sim/sim_dataset.json', dir).message).toBe(
      'sim/sim_dataset.json:1 at /datasets/0/path: dataset "a" is registered but its file sim/sub is not a regular file (a directory or a device)',
    );
  });

  it('a BOM is dropped; bytes that are not UTF-8 are an error at their line and column', () => {
    const ok = tmpRegistry({ 'sim/sim_dataset.json': '\uFEFF{ "datasets": [ { "name": "a", "path": "a.json" } ] }', 'sim/a.json': '{}' });
    expect(loadRegistry('sim/sim_dataset.json', { cwd: ok }).datasets.map((d) => d.name)).toEqual(['a']);
    const bad = tmpRegistry({ 'sim/a.json': '{}' });
    // Latin-1 "é" (0xE9) on line 2, where UTF-8 wants a multi-byte sequence.
    writeFileSync(path.join(bad, 'sim/sim_dataset.json'), Buffer.concat([Buffer.from('{ "datasets": [\n  { "name": "caf'), Buffer.from([0xe9]), Buffer.from('", "path": "a.json" } ] }')]));
    expect(loadError('sim/sim_dataset.json', bad).message).toBe(
      'sim/sim_dataset.json:2:17: SIM dataset registry is not valid UTF-8 (byte 0xE9 at byte offset 32); save it as UTF-8',
    );
  });
});
