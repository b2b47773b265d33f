import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeJsonAtomic, writeJsonPieces } from '../../src/util/fs.js';

function pieces(value: unknown, indent: string): string {
  let out = '';
  writeJsonPieces(value, indent, (s) => (out += s));
  return out;
}

class Point {
  x = 1;
  y = 'a\nb';
}

describe('writeJsonAtomic / writeJsonPieces', () => {
  // Values where JSON.stringify has rules of its own, nested deeper than the walked levels too.
  const odd = {
    n: [1, -0, NaN, Infinity, 1e21, 0.1],
    s: 'line\nbreak "quoted" \u2028 \ud800',
    left: { u: undefined, f: () => 1, sym: Symbol('x'), kept: null },
    items: [undefined, () => 1, Symbol('y'), , 'hole before me'], // eslint-disable-line no-sparse-arrays
    // Long enough to be written item by item: the same rules for odd items.
    longItems: [undefined, () => 1, Symbol('y'), , new Date(0), { toJSON: (key: string) => `key=${key}` }, { toJSON: () => undefined }, ...Array.from({ length: 300 }, (_, i) => [i, { s: 'a\nb' }])], // eslint-disable-line no-sparse-arrays
    dates: [new Date(0), { toJSON: (key: string) => `key=${key}` }, { toJSON: () => undefined }],
    member: { toJSON: () => undefined },
    boxed: [new Number(3), new String('s'), new Boolean(false)],
    nul: Object.assign(Object.create(null), { b: 1, a: [] }),
    cls: new Point(),
    empty: [{}, [], { a: {} }],
    deep: { a: { b: { c: { d: { e: { f: [1, { g: 'h\ni' }] } } } } } },
    big: Array.from({ length: 3000 }, (_, i) => ({ id: `c${i}`, wilson: [0, 1], failures: [], location: { file: 'f.json', line: i } })),
  };

  it('writes exactly what JSON.stringify writes, compact and indented', () => {
    for (const indent of ['', '  ']) {
      expect(pieces(odd, indent)).toBe(JSON.stringify(odd, null, indent));
      for (const v of [undefined, null, 1, 'x', [], {}, [undefined], new Date(5), () => 1]) {
        expect(pieces(v, indent)).toBe(String(JSON.stringify(v, null, indent)));
      }
    }
  });

  it('a file of several write buffers: multi-byte text across their edges and a piece larger than one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-fs-'));
    try {
      const file = path.join(dir, 'big.json');
      const value = {
        cases: Array.from({ length: 40_000 }, (_, i) => ({ id: `c${i}`, text: i % 3 ? 'plain text' : 'snow ☃ and 😀 emoji', n: i })),
        huge: 'é'.repeat(1_500_000),
      };
      writeJsonAtomic(file, value, { compact: true });
      expect(fs.readFileSync(file).equals(Buffer.from(JSON.stringify(value) + '\n'))).toBe(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two files sharing a long array (sim_summary.json, report.json): each exactly JSON.stringify, the items serialised once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-fs-'));
    try {
      let reads = 0;
      // Each item counts the reads of one member: JSON.stringify of the item reads it once.
      const cases = Array.from({ length: 300 }, (_, i) => ({
        id: `c${i}`,
        get status() {
          reads++;
          return i % 7 ? 'passed' : 'failed';
        },
      }));
      const summary = { runId: 'r', cases, warnings: [] };
      const report = { schemaVersion: 1, stages: { sim: { verdict: 'PASS', cases } }, odd: odd.longItems };
      const itemTexts = new Map<object, string>();
      writeJsonAtomic(path.join(dir, 's.json'), summary, { compact: true, itemTexts });
      expect(reads).toBe(300);
      writeJsonAtomic(path.join(dir, 'r.json'), report, { compact: true, itemTexts });
      expect(reads).toBe(300);
      expect(fs.readFileSync(path.join(dir, 's.json'), 'utf8')).toBe(JSON.stringify(summary) + '\n');
      expect(fs.readFileSync(path.join(dir, 'r.json'), 'utf8')).toBe(JSON.stringify(report) + '\n');
      // Indented text depends on the depth: no cache there.
      writeJsonAtomic(path.join(dir, 'i.json'), report, { itemTexts });
      expect(reads).toBeGreaterThanOrEqual(600);
      expect(fs.readFileSync(path.join(dir, 'i.json'), 'utf8')).toBe(JSON.stringify(report, null, 2) + '\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the file atomically with a final newline, and leaves nothing behind when the value is not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-fs-'));
    try {
      const file = path.join(dir, 'sub', 'r.json');
      writeJsonAtomic(file, odd);
      expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(odd, null, 2) + '\n');
      writeJsonAtomic(file, odd, { compact: true });
      expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(odd) + '\n');

      const cyclic: Record<string, unknown> = { a: 1 };
      cyclic.self = { back: cyclic };
      expect(() => writeJsonAtomic(file, { cases: [cyclic] })).toThrow(TypeError);
      expect(() => writeJsonAtomic(file, { n: 1n })).toThrow(TypeError);
      expect(fs.readdirSync(path.dirname(file))).toEqual(['r.json']);
      expect(fs.readFileSync(file, 'utf8')).toBe(JSON.stringify(odd) + '\n'); // the old file stays whole
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
