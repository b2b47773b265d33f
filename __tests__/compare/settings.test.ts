import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/settings/resolve.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { makeProject } from '../helpers/cli.js';

describe('settings: compare.rules', () => {
  it('defaults: any regression fails, p95 +20% (and +25 ms) warns, a determinism drop of 10 points warns', () => {
    const s = resolveSettings({ cwd: makeProject({}), flags: {}, env: {} });
    expect(s.compare.rules.regressions).toEqual({ level: 'error', max: 0 });
    expect(s.compare.rules.p95Increase).toEqual({ level: 'warn', max: 20, minMs: 25 });
    expect(s.compare.rules.determinismDrop).toEqual({ level: 'warn', max: 10 });
    expect(s.compare).toEqual(DEFAULTS.compare);
  });

  it('merges per rule and per field from the config file', () => {
    const dir = makeProject({ 'testops.config.json': { compare: { rules: { p95Increase: { max: 10 }, changedAnswers: { level: 'warn' } } } } });
    const s = resolveSettings({ cwd: dir, flags: {}, env: {} });
    expect(s.compare.rules.p95Increase).toEqual({ level: 'warn', max: 10, minMs: 25 });
    expect(s.compare.rules.changedAnswers).toEqual({ level: 'warn', max: 0 });
    expect(s.compare.rules.regressions).toEqual({ level: 'error', max: 0 });
    // The frozen defaults are not touched by a merge.
    expect(DEFAULTS.compare.rules.p95Increase.max).toBe(20);
  });

  it('refuses an unknown rule or level with the file, line and a suggestion', () => {
    const text = '{\n  "compare": {\n    "rules": {\n      "regresions": { "level": "error" },\n      "p95Increase": { "level": "fail" }\n    }\n  }\n}\n';
    const dir = makeProject({ 'testops.config.json': text });
    let message = '';
    try {
      resolveSettings({ cwd: dir, flags: {}, env: {} });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('testops.config.json:4');
    expect(message).toContain('unknown key "regresions" in compare.rules (did you mean "regressions"?)');
    expect(message).toMatch(/compare\.rules\.p95Increase\.level must be one of "error", "warn", "off", got "fail"/);
  });
});
