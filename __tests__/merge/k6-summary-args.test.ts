import { describe, expect, it } from 'vitest';
import { splitArgs } from '../../src/cli/merge-command.js';

describe('merge --k6-summary arguments', () => {
  it('takes the file after the flag whatever its name, more .json files after it, the rest as shard inputs', () => {
    expect(splitArgs(['--k6-summary', 'k6.out', 'shards/'])).toEqual({ k6: ['k6.out'], rest: ['shards/'] });
    expect(splitArgs(['--k6-summary', 'a.json', 'b.json', 'leg1/', '--out', 'x'])).toEqual({ k6: ['a.json', 'b.json'], rest: ['leg1/', '--out', 'x'] });
    expect(splitArgs(['--k6-summary=summary.txt', 'leg/', '--k6-summary', 'c.json'])).toEqual({ k6: ['summary.txt', 'c.json'], rest: ['leg/'] });
    expect(() => splitArgs(['leg/', '--k6-summary'])).toThrow(/--k6-summary needs a k6 summary file/);
    expect(() => splitArgs(['--k6-summary', '--out', 'x'])).toThrow(/--k6-summary needs a k6 summary file/);
  });
});
