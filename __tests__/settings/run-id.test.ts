import { describe, expect, it } from 'vitest';
import { isValidRunId, newRunId, RUN_ID_PATTERN } from '../../src/settings/run-id.js';
import schema from '../../schemas/settings.schema.json' with { type: 'json' };

describe('run ids', () => {
  it('generates YYYYMMDDTHHMMSSZ-xxxxxx in UTC', () => {
    const id = newRunId(new Date('2024-05-01T02:03:04.567Z'));
    expect(id).toMatch(/^20240501T020304Z-[0-9a-f]{6}$/);
    expect(isValidRunId(id)).toBe(true);
  });

  it('keeps two runs of the same second apart', () => {
    const now = new Date('2024-05-01T02:03:04Z');
    const ids = new Set(Array.from({ length: 20 }, () => newRunId(now)));
    expect(ids.size).toBeGreaterThan(1);
  });

  it.each(['nightly-42', 'a', 'A.b_c-1', '20240501T020304Z-abcdef', 'x'.repeat(128)])('accepts %j', (id) => {
    expect(isValidRunId(id)).toBe(true);
  });

  it.each(['CONSOLE', 'nul-2', 'com10', 'a.b', 'x'.repeat(127) + '_'])('accepts %j (not a device name, no trailing dot)', (id) => {
    expect(isValidRunId(id)).toBe(true);
  });

  it.each(['', '../x', '..', '.hidden', 'a/b', 'a\\b', 'has space', ' lead', '-dash', 'x'.repeat(129), 'é', 'a.', 'nightly..', 'CON', 'nul', 'Aux.1', 'com1', 'LPT9.log'])(
    'rejects %j',
    (id) => {
      expect(isValidRunId(id)).toBe(false);
    },
  );

  it('is the same rule the schema applies', () => {
    expect(schema.properties.runId.pattern).toBe(RUN_ID_PATTERN.source);
  });
});
