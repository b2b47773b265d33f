import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { buildK6Script } from '../../src/load/k6-script.js';
import { constantSchedule } from '../../src/load/schedule.js';

/**
 * k6 up to v0.51 ran the generated script in goja, whose lexer ends a string literal at U+2028 and
 * U+2029 as at a line feed ("String not terminated": goja parser/lexer.go scanString, pre-ES2019
 * rules; sobek, its successor in k6, accepts them), while JSON.stringify leaves both raw. A SIM prompt
 * holding one (text pasted from a PDF or a web page) made the whole k6 script a syntax error and the
 * load stage an ERROR there. Data goes into the script escaped, which every k6 reads alike.
 */
describe('the k6 script with U+2028 / U+2029 in a prompt, a case id or a header', () => {
  it('holds neither raw, and still sends the prompt as written', () => {
    const prompt = 'first line\u2028second\u2029third';
    const script = buildK6Script({
      runId: 'ls-1',
      url: 'http://engine.local:8000/run',
      urlEnv: 'TORON_TESTOPS_K6_URL',
      headers: { 'x-note': 'a\u2028b ${TOKEN}' },
      hasUrlCredentials: false,
      seed: 1,
      cases: [{ id: 'id\u2029x', body: JSON.stringify({ prompt }), seeds: [1] }],
      schedule: constantSchedule(10, 1000),
      rate: 10,
      durationMs: 1000,
      maxInFlight: 4,
      timeoutMs: 1000,
      thresholds: {},
    });
    expect(script).not.toMatch(/[\u2028\u2029]/);
    // The cases array, evaluated as JavaScript, still holds the prompt itself.
    const m = /^const CASES = (\[[\s\S]*?\n\]);$/m.exec(script);
    expect(m, script).not.toBeNull();
    const cases = vm.runInNewContext(m![1]) as { id: string; body: string }[];
    expect(JSON.parse(cases[0].body).prompt).toBe(prompt);
  });
});
