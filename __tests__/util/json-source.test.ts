import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, parseJsonSource } from '../../src/util/json-source.js';

const TEXT = `{
  "name": "x",
  "cases": [
    { "id": "a",
      "assert": [ { "type": "contains" } ] },
    {
      "id": "b",
      "input": { "prompt": "p" }
    }
  ]
}`;

describe('parseJsonSource', () => {
  it('gives the line of shallow and deep pointers, and of the nearest ancestor of an absent one', () => {
    const src = parseJsonSource(TEXT, 'd.json');
    expect(src.lineOf('/name')).toBe(2);
    expect(src.lineOf('/cases')).toBe(3);
    expect(src.lineOf('/cases/0')).toBe(4);
    expect(src.lineOf('/cases/1')).toBe(6);
    expect(src.lineOf('/cases/1/id')).toBe(7);
    expect(src.lineOf('/cases/0/assert/0/type')).toBe(5);
    expect(src.lineOf('/cases/1/input/missing')).toBe(8);
    expect(src.lineOf('')).toBe(1);
  });

  it('names file:line:column of a syntax error', () => {
    expect(() => parseJsonSource('{\n  "a": 1,\n  "b": ,\n}', 'bad.json')).toThrow(/bad\.json:3:8/);
    expect(() => parseJsonSource('{\n  "a": 1,\n}', 't.json')).toThrow(/t\.json:3:1/);
    expect(() => parseJsonSource('  ', 'e.json')).toThrow(/e\.json:1:\d+: invalid JSON/);
  });

  it('refuses a member named twice in one object, at the second, with its pointer; same names in other objects are fine', () => {
    const text = '{\n  "cases": [\n    { "id": "a", "assert": [ { "type": "contains", "value": "x" } ],\n      "assert": [] }\n  ]\n}';
    expect(() => parseJsonSource(text, 'd.json')).toThrow('d.json:4:7 at /cases/0/assert: member "assert" appears twice in one object');
    expect(() => parseJsonSource('{ "a": { "x": 1 }, "b": { "x": 1 }, "c": [ { "x": 1 }, { "x": 2 } ] }', 'ok.json')).not.toThrow();
    // Escaped names are names: "a" and "\u0061" are one member.
    expect(() => parseJsonSource('{ "a": 1, "\\u0061": 2 }', 'esc.json')).toThrow(/member "a" appears twice/);
    // Strings that look like members inside values do not count.
    expect(parseJsonSource('{ "v": "\\"k\\": 1, \\"k\\": 2", "w": ["a:", "b"] }', 's.json').value).toEqual({ v: '"k": 1, "k": 2', w: ['a:', 'b'] });
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH before any parser recurses, valid or not', () => {
    const deep = (n: number) => `{\n  "v": ${'['.repeat(n)}${']'.repeat(n)}\n}`;
    expect(parseJsonSource(deep(MAX_JSON_DEPTH - 1), 'ok.json').value).toBeTruthy();
    expect(() => parseJsonSource(deep(MAX_JSON_DEPTH), 'd.json')).toThrow(`d.json:2:${8 + MAX_JSON_DEPTH - 1}: nested deeper than ${MAX_JSON_DEPTH} levels`);
    expect(() => parseJsonSource(`{ "v": ${'['.repeat(50_000)}`, 'cut.json')).toThrow(/cut\.json:1:\d+: nested deeper/);
    expect(() => parseJsonSource('{ "v": "unterminated', 'u.json')).toThrow(/u\.json:1:\d+: invalid JSON/);
  });

  it('counts lines after a lone CR (old Mac files) as after LF and CRLF', () => {
    for (const eol of ['\n', '\r\n', '\r']) {
      const src = parseJsonSource(['{', '  "a": 1,', '  "b": { "c": 2 }', '}'].join(eol), 'e.json');
      expect(src.lineOf('/b'), JSON.stringify(eol)).toBe(3);
      expect(src.lineOf('/b/c'), JSON.stringify(eol)).toBe(3);
    }
  });

  it('indexes every case of a large file in one pass', () => {
    const cases = Array.from({ length: 20000 }, (_, i) => `    { "id": "c${i}", "input": { "prompt": "p" } }`);
    const src = parseJsonSource(`{\n  "cases": [\n${cases.join(',\n')}\n  ]\n}`, 'big.json');
    expect(src.lineOf('/cases/0')).toBe(3);
    expect(src.lineOf('/cases/19999')).toBe(20002);
  });

  it('skips strings that hold quotes, braces and runs of backslashes before their closing quote', () => {
    const tricky = ['ends with \\', 'two \\\\', 'a "quoted" {brace} [bracket]', '\\"', 'x\\\\"y', '', '"'];
    const cases = tricky.map((t, i) => `    { "id": "c${i}", "input": { "prompt": ${JSON.stringify(t)}, "n": [${JSON.stringify(t)}, {}] } }`);
    const src = parseJsonSource(`{\n  "cases": [\n${cases.join(',\n')}\n  ],\n  "after": ${JSON.stringify(tricky)}\n}`, 'tricky.json');
    tricky.forEach((_, i) => expect(src.lineOf(`/cases/${i}`), `case ${i}`).toBe(3 + i));
    tricky.forEach((_, i) => expect(src.lineOfItem('/cases', i), `case ${i}`).toBe(3 + i));
    // Past the end, or not an array: the nearest existing ancestor, as lineOf says.
    expect(src.lineOfItem('/cases', 99)).toBe(src.lineOf('/cases/99'));
    expect(src.lineOfItem('/cases/0', 0)).toBe(src.lineOf('/cases/0/0'));
    expect(src.lineOf('/cases/01')).toBe(src.lineOf('/cases'));
    expect(src.lineOf('/after')).toBe(3 + tricky.length + 1);
    expect(src.lineOf('/after/6')).toBe(3 + tricky.length + 1);
  });

  it('a document that is an array: its items by pointer and by index', () => {
    const src = parseJsonSource('[\n  {"a": 1},\n  [2,\n 3],\n  "x"\n]', 'root.json');
    expect([0, 1, 2].map((i) => src.lineOf(`/${i}`))).toEqual([2, 3, 5]);
    expect([0, 1, 2].map((i) => src.lineOfItem('', i))).toEqual([2, 3, 5]);
    expect(src.lineOf('/1/1')).toBe(4);
    expect(src.lineOf('/0/a')).toBe(2);
  });

  it('gives the same lines for odd member names and layouts as for plain ones', () => {
    const value = { 'a/b': { '~x': 1, 'q"t': [1, { z: 2 }] }, 'é\\n': [[], {}, 'x'], '': 0 };
    for (const text of [JSON.stringify(value), JSON.stringify(value, null, 2), JSON.stringify(value, null, '\t').replace(/\n/g, '\r\n')]) {
      const src = parseJsonSource(text, 'odd.json');
      const lines = text.split(/\r?\n/);
      const lineOfText = (needle: string) => lines.findIndex((l) => l.includes(needle)) + 1;
      expect(src.lineOf('/a~1b')).toBe(lineOfText('"a/b"'));
      expect(src.lineOf('/a~1b/~0x')).toBe(lineOfText('"~x"'));
      expect(src.lineOf('/a~1b/q"t')).toBe(lineOfText('"q\\"t"'));
      expect(src.lineOf('/é\\n/1')).toBe(text.includes('\n') ? lineOfText('{}') : 1);
      expect(src.lineOf('/')).toBe(lineOfText('"": 0') || 1);
      expect(src.lineOf('/a~1b/q"t/1/z')).toBe(lineOfText('"z"')); // deeper than the index: the full tree
    }
  });
});

