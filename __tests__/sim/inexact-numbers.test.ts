import { describe, expect, it } from 'vitest';
import { inexactNumbers, inexactMessage } from '../../src/stages/sim/inexact-numbers.js';
import { loadSuite } from '../../src/stages/sim/dataset.js';
import { makeProject } from '../helpers/cli.js';

describe('integers a JSON number cannot hold', () => {
  it('are found with line, column and what they read as; strings, safe integers, 2^53 itself and short decimals are left alone', () => {
    const text = [
      '{ "a": 9007199254740993,',
      '  "b": "9007199254740993 in a string \\" 12345678901234567890",',
      '  "c": [9007199254740991, -9007199254740993, 9007199254740992],',
      '  "d": 1.5e300, "e": 12345678901234567.5, "f": 0.123456789012345 }',
    ].join('\n');
    expect(JSON.parse(text)).toBeTruthy();
    const r = inexactNumbers(text);
    expect(r.count).toBe(3);
    expect(r.found).toEqual([
      { line: 1, column: 8, literal: '9007199254740993', readAs: '9007199254740992' },
      { line: 3, column: 27, literal: '-9007199254740993', readAs: '-9007199254740992' },
      { line: 4, column: 22, literal: '12345678901234567.5', readAs: '12345678901234568' },
    ]);
    expect(inexactMessage(r.found[0])).toBe(
      'the integer 9007199254740993 is beyond 2^53: equals and range compare their own values as written, but elsewhere it is read, and sent to the engine in an input, as 9007199254740992. Write it as a string to keep every digit',
    );
    expect(inexactMessage(r.found[2])).toMatch(/^the number 12345678901234567\.5 has more significant digits than a double holds: .* as 12345678901234568\./);
  });

  it('literals past the range of a double: overflow (sent as null) and underflow to 0', () => {
    const r = inexactNumbers('{"a": 1e400, "b": -2.5E+308, "c": 1e-400, "d": 0e999, "e": 1.7e308, "f": 0.0}');
    expect(r.found.map((x) => [x.literal, x.readAs])).toEqual([
      ['1e400', 'Infinity'],
      ['-2.5E+308', '-Infinity'],
      ['1e-400', '0'],
    ]);
    expect(inexactMessage(r.found[0])).toBe(
      'the number 1e400 is beyond the range of a JSON number (a double): equals and range compare their own values as written, but elsewhere it is read, and sent to the engine in an input, as Infinity (sent as null: JSON has no Infinity). Write it as a string to keep it',
    );
    expect(inexactMessage(r.found[2])).toMatch(/as 0\. Write it as a string/);
  });

  it('lists 20 and counts them all', () => {
    const text = JSON.stringify(Array.from({ length: 25 }, (_, i) => `X${i}`)).replace(/"X\d+"/g, '99999999999999999');
    const r = inexactNumbers(text);
    expect(r.count).toBe(25);
    expect(r.found).toHaveLength(20);
  });

  it('a dataset holding one is a suite warning with file, line and column', () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'ids', path: 'ids.json' }] },
      'sim/ids.json': '{\n  "name": "ids",\n  "cases": [\n    { "id": "c", "input": { "prompt": "p", "user": 12345678901234567891 },\n      "assert": [{ "type": "contains", "value": "x" }] }\n  ]\n}\n',
    });
    const s = loadSuite('sim/sim_dataset.json', { cwd: dir });
    expect(s.warnings).toEqual([
      "sim/ids.json:4:52: the integer 12345678901234567891 is beyond 2^53: equals and range compare their own values as written, but this one is in a case's input: it is sent to the engine as 12345678901234567168. Write it as a string to keep every digit",
    ]);
    expect(s.inexact).toEqual([{ dataset: 'ids', file: 'sim/ids.json', count: 1, found: [expect.objectContaining({ line: 4, column: 52, where: 'input' })] }]);
  });
});
