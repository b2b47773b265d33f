import { mkdtempSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/stages/sim/dataset.js';
import { loadRegistry, spellingOnDisk } from '../../src/stages/sim/registry.js';
import { CATALOGUE } from '../../src/warroom/catalogue.js';
import { InputError } from '../../src/util/errors.js';

/**
 * A registry path that differs from the file on disk only in letter case: macOS and Windows runners
 * (case-insensitive file systems) find the file, Linux does not. This machine is Linux, so the
 * lookup of a case-insensitive file system is made here by `caseInsensitiveIsFile`, written apart
 * from the code under test: every segment matched to its folder's entries ignoring case.
 */
function caseInsensitiveIsFile(abs: string): boolean {
  const { root } = path.parse(abs);
  let cur = root;
  for (const seg of abs.slice(root.length).split(path.sep).filter(Boolean)) {
    let names: string[];
    try {
      names = readdirSync(cur);
    } catch {
      return false;
    }
    const hit = names.find((n) => n.toLowerCase() === seg.toLowerCase());
    if (!hit) return false;
    cur = path.join(cur, hit);
  }
  try {
    return statSync(cur).isFile();
  } catch {
    return false;
  }
}

function project(files: Record<string, unknown>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'sim-case-'));
  for (const [name, v] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), typeof v === 'string' ? v : JSON.stringify(v, null, 2));
  }
  return dir;
}

const DATASET = { name: 'gate', cases: [{ id: 'c1', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] }] };

describe('spellingOnDisk (pure, over directory listings)', () => {
  const tree: Record<string, string[]> = { '/r': ['Nested', 'gate.json', 'other.json'], '/r/Nested': ['Esc.json'], '/': ['r', 'up.json'] };
  const list = (d: string) => tree[d] ?? null;
  it('the exact name when the listing has it; no difference', () => {
    expect(spellingOnDisk('gate.json', '/r', list)).toEqual({ path: 'gate.json', differs: false });
    expect(spellingOnDisk('./Nested/Esc.json', '/r', list)).toEqual({ path: 'Nested/Esc.json', differs: false });
  });
  it('the entry that differs only in case, in any segment, and says so', () => {
    expect(spellingOnDisk('Gate.json', '/r', list)).toEqual({ path: 'gate.json', differs: true });
    expect(spellingOnDisk('nested/esc.JSON', '/r', list)).toEqual({ path: 'Nested/Esc.json', differs: true });
    expect(spellingOnDisk('../UP.json', '/r', list)).toEqual({ path: '../up.json', differs: true });
  });
  it('null when a segment is there in no case, or its folder cannot be listed', () => {
    expect(spellingOnDisk('gone.json', '/r', list)).toBeNull();
    expect(spellingOnDisk('Nested/x/y.json', '/r', list)).toBeNull();
  });
});

describe('a registry path that differs from the file on disk only in letter case', () => {
  const files = {
    'sim/sim_dataset.json': '{\n  "datasets": [\n    { "name": "gate", "path": "Gate.json" }\n  ]\n}\n',
    'sim/gate.json': DATASET,
  };

  it('on a case-insensitive file system: a warning naming the registry line and both spellings, the name on disk for locations, not unregistered', () => {
    const cwd = project(files);
    const r = loadRegistry('sim/sim_dataset.json', { cwd, isFile: caseInsensitiveIsFile });
    expect(r.datasets).toEqual([expect.objectContaining({ name: 'gate', path: 'gate.json', file: 'sim/gate.json' })]);
    expect(r.unregistered).toEqual([]);
    expect(r.pathCase).toEqual([{ dataset: 'gate', written: 'Gate.json', onDisk: 'gate.json', registryFile: 'sim/sim_dataset.json', line: 3 }]);
    expect(r.warnings).toEqual([
      expect.stringMatching(/^sim\/sim_dataset\.json:3: dataset "gate" is registered as "Gate\.json" but the file on disk is "gate\.json": .*on a Linux runner the file is missing/),
    ]);

    const suite = loadSuite('sim/sim_dataset.json', { cwd, isFile: caseInsensitiveIsFile });
    expect(suite.cases.map((c) => c.location.file)).toEqual(['sim/gate.json']);
    expect(suite.unregistered.files).toEqual([]);
    expect(suite.pathCase).toHaveLength(1);
    expect(suite.warnings.some((w) => w.includes('"Gate.json"'))).toBe(true);
    expect(CATALOGUE['sim-dataset-path-case'].severity).toBe('MEDIUM');
  });

  it('on Linux (this file system) the file is simply missing, as before', () => {
    const cwd = project(files);
    let err: unknown;
    try {
      loadRegistry('sim/sim_dataset.json', { cwd });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(/dataset "gate" is registered but its file sim\/Gate\.json is missing/);
  });

  it('a path written as on disk: no warning', () => {
    const cwd = project({ ...files, 'sim/sim_dataset.json': { datasets: [{ name: 'gate', path: './gate.json' }] } });
    const r = loadRegistry('sim/sim_dataset.json', { cwd, isFile: caseInsensitiveIsFile });
    expect(r.pathCase).toEqual([]);
    expect(r.warnings).toEqual([]);
  });
});
