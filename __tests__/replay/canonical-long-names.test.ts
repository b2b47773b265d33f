import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/replay/canonical.js';

// The canonical walk (taken for answers with a member named like an array index, "0", or __proto__)
// remembered the quoted form of up to 20,000 member names for the life of the process, whatever
// their length. An engine that keys a map by the prompt gives each case a name as long as its prompt:
// 20,000 cases with 5 KB prompts kept 218 MB alive to the end of the run (50 KB prompts: 2 GB).

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('canonical form of answers whose member names are long texts', () => {
  it('does not keep the names alive after the answers are gone', () => {
    const filler = 'lorem ipsum dolor sit amet '.repeat(200);
    const texts: string[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20_000; i++) {
      const body = JSON.parse(`{"final_answer":"ok","trace":{"0":1,${JSON.stringify(`question ${i} ${filler}`)}:${i}}}`);
      const text = canonicalJson(body);
      if (i % 5000 === 0) texts.push(text);
    }
    gc();
    const retainedMb = (process.memoryUsage().heapUsed - before) / 1e6;
    expect(retainedMb).toBeLessThan(40);
    // Same text as before: index-like names first... in code-unit order, the long name after "0".
    expect(texts[0]).toBe(`{"final_answer":"ok","trace":{"0":1,${JSON.stringify(`question 0 ${filler}`)}:0}}`);
  });
});
