import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findConfigFile, loadConfigFile } from '../../src/settings/load.js';
import { InputError } from '../../src/util/errors.js';

const FIX = path.resolve(import.meta.dirname, '../fixtures/settings');
const tmp = mkdtempSync(path.join(tmpdir(), 'settings-load-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function caught(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('loadConfigFile', () => {
  it('loads JSON with lines of values', () => {
    const src = loadConfigFile('override.json', FIX);
    expect(src.file).toBe('override.json');
    expect((src.value as { sim: { concurrency: number } }).sim.concurrency).toBe(4);
    expect(src.lineOf('/sim/concurrency')).toBe(5);
    expect(src.lineOf('/replay/ignorePaths/0')).toBe(14);
  });

  it('loads YAML with lines of values, through maps and sequences', () => {
    const src = loadConfigFile('override.yaml', FIX);
    expect(src.file).toBe('override.yaml');
    expect(src.value).toMatchObject({
      engine: { target: 'cmd:python3 engine.py --stdio', headers: { Authorization: 'Bearer ${TORON_TOKEN}' } },
      sim: { concurrency: 16, datasets: ['opus-escalation'] },
      reference: { generation: '3', seed: 7 },
    });
    expect(src.lineOf('/engine/headers/Authorization')).toBe(6);
    expect(src.lineOf('/sim/concurrency')).toBe(8);
    expect(src.lineOf('/sim/datasets/0')).toBe(10);
    expect(src.lineOf('/pipeline/latencyP95Ms')).toBe(16);
    // Absent: the nearest ancestor that exists.
    expect(src.lineOf('/sim/datasets/9')).toBe(9);
    expect(src.lineOf('/pipeline/nope/deeper')).toBe(14);
  });

  it('names a missing file by its path relative to cwd', () => {
    const e = caught(() => loadConfigFile('nope/testops.config.json', FIX));
    expect(e.file).toBe('nope/testops.config.json');
    expect(e.message).toBe('nope/testops.config.json: config file not found');
  });

  it('gives JSON syntax errors as file:line:column', () => {
    const e = caught(() => loadConfigFile('bad-syntax.json', FIX));
    expect([e.file, e.line, e.column]).toEqual(['bad-syntax.json', 4, 3]);
    expect(e.message).toMatch(/^bad-syntax\.json:4:3: invalid JSON/);
  });

  it('gives YAML syntax errors as file:line:column', () => {
    const e = caught(() => loadConfigFile('bad-syntax.yaml', FIX));
    expect(e.file).toBe('bad-syntax.yaml');
    // The unclosed flow sequence opened on line 3 is detected where the next key starts.
    expect(e.line).toBe(4);
    expect(e.column).toBe(1);
    expect(e.message).toMatch(/^bad-syntax\.yaml:4:1: invalid YAML \(BAD_INDENT/);
  });

  it('rejects duplicate YAML keys with their line', () => {
    writeFileSync(path.join(tmp, 'dup.yml'), 'sim:\n  concurrency: 1\n  concurrency: 2\n');
    const e = caught(() => loadConfigFile('dup.yml', tmp));
    expect(e.line).toBe(3);
    expect(e.message).toMatch(/DUPLICATE_KEY/);
  });

  it('rejects .inf and .nan in YAML', () => {
    writeFileSync(path.join(tmp, 'inf.yaml'), 'load:\n  rate: .inf\n');
    const e = caught(() => loadConfigFile(path.join(tmp, 'inf.yaml'), tmp));
    expect([e.file, e.line, e.pointer]).toEqual(['inf.yaml', 2, '/load/rate']);
  });

  it('caps YAML alias expansion', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 8; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      lines.push(`${cur}: &${cur} [${Array(10).fill('*' + prev).join(', ')}]`);
    }
    writeFileSync(path.join(tmp, 'bomb.yaml'), lines.join('\n') + '\n');
    const e = caught(() => loadConfigFile('bomb.yaml', tmp));
    expect(e.message).toMatch(/^bomb\.yaml:1: invalid YAML/);
  });

  it('names the line of an alias with no anchor, and says a config holds one YAML document', () => {
    writeFileSync(path.join(tmp, 'alias.yaml'), 'sim:\n  concurrency: *nope\n');
    const a = caught(() => loadConfigFile('alias.yaml', tmp));
    expect([a.line, a.column]).toEqual([2, 16]);
    expect(a.message).toMatch(/^alias\.yaml:2:16: invalid YAML \(Unresolved alias .*nope\)/);
    writeFileSync(path.join(tmp, 'two.yaml'), 'out: a\n---\nout: b\n');
    const m = caught(() => loadConfigFile('two.yaml', tmp));
    expect(m.line).toBe(2);
    expect(m.message).toContain('a config file holds one YAML document');
    expect(m.message).not.toMatch(/parseAllDocuments/);
  });

  it('reads an empty YAML document as no settings', () => {
    writeFileSync(path.join(tmp, 'empty.yaml'), '# nothing yet\n');
    expect(loadConfigFile('empty.yaml', tmp).value).toEqual({});
  });

  it('drops a UTF-8 BOM in JSON', () => {
    writeFileSync(path.join(tmp, 'bom.json'), '\uFEFF{ "out": "x" }');
    expect(loadConfigFile('bom.json', tmp).value).toEqual({ out: 'x' });
  });

  it('refuses other extensions', () => {
    writeFileSync(path.join(tmp, 'c.toml'), 'out = "x"\n');
    expect(() => loadConfigFile('c.toml', tmp)).toThrow(/c\.toml: config file must end in \.json, \.yaml or \.yml/);
  });

  it('says when the path is a directory', () => {
    mkdirSync(path.join(tmp, 'dir.json'));
    expect(() => loadConfigFile('dir.json', tmp)).toThrow(/^dir\.json: config file is a directory/);
  });

  it('refuses a member named twice (JSON would keep only the last), naming its line and pointer', () => {
    writeFileSync(path.join(tmp, 'dup.json'), '{\n  "sim": { "concurrency": 2 },\n  "out": "x",\n  "sim": { "concurrency": 9 }\n}');
    expect(() => loadConfigFile('dup.json', tmp)).toThrow(/^dup\.json:4:3 at \/sim: member "sim" appears twice in one object/);
  });
});

describe('findConfigFile', () => {
  it('finds testops.config.yaml', () => {
    expect(findConfigFile(path.join(FIX, 'discover-yaml'))).toBe(path.join(FIX, 'discover-yaml/testops.config.yaml'));
  });
  it('prefers .json over .yaml', () => {
    expect(findConfigFile(path.join(FIX, 'discover-both'))).toBe(path.join(FIX, 'discover-both/testops.config.json'));
  });
  it('returns null when there is none', () => {
    expect(findConfigFile(path.join(FIX, 'empty-dir'))).toBeNull();
  });
});
