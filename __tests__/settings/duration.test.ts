import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration } from '../../src/settings/duration.js';
import { InputError } from '../../src/util/errors.js';
import schema from '../../schemas/settings.schema.json' with { type: 'json' };

describe('parseDuration', () => {
  it.each([
    ['500ms', 500],
    ['10s', 10_000],
    ['1m', 60_000],
    ['1h', 3_600_000],
    ['1m30s', 90_000],
    ['1h2m3s4ms', 3_723_004],
    ['1.5s', 1500],
    ['0s', 0],
    ['2m0.5s', 120_500],
  ])('%s -> %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('requires a unit and says so', () => {
    expect(() => parseDuration('10')).toThrow(InputError);
    expect(() => parseDuration('10')).toThrow(/a unit is required/);
  });

  it.each(['', 's', '10 s', '-1s', '1d', '10sec', ' 10s', '1.s', '1m30', 'ms'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/invalid duration/);
  });

  it('rejects durations too long to count in milliseconds', () => {
    expect(() => parseDuration('9999999999999999h')).toThrow(/too long/);
  });

  it('is the same rule the schema applies', () => {
    const load = schema.properties.load.properties;
    expect(load.duration.pattern).toBe(DURATION_PATTERN);
    expect(load.stages.items.properties.duration.pattern).toBe(DURATION_PATTERN);
  });
});
