import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';
import { makeProject } from '../helpers/cli.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function resolveWith(config: unknown, flags: Record<string, string> = {}) {
  const dir = makeProject({ 'testops.config.json': config });
  dirs.push(dir);
  return resolveSettings({ cwd: dir, flags, env: {} });
}

function errorOf(config: unknown, flags: Record<string, string> = {}): InputError {
  try {
    resolveWith(config, flags);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('pipeline settings', () => {
  it('has thresholds, levels and the custom map, with defaults', () => {
    expect(resolveWith({}).pipeline).toEqual({
      profile: 'auto',
      maxOpusEscalations: 3,
      maxContradictions: 5,
      minConfidence: 0,
      latencyP95Ms: 450,
      maxEscalationRate: 0.2,
      escalationRateMinAnswers: 20,
      minT1Models: 3,
      latencyOutlierK: 5,
      latencyOutlierMinMs: 250,
      levels: {},
      custom: null,
    });
  });

  it('reads levels and a custom profile from config', () => {
    const s = resolveWith({
      engine: { target: 'reference', profile: 'custom' },
      pipeline: { levels: { 'latency-p95': 'error', 'profile-shape': 'off' }, custom: { answer: '/out', confidence: '/p', confidenceScale: 100 }, minT1Models: 5 },
    });
    expect(s.pipeline).toMatchObject({ levels: { 'latency-p95': 'error', 'profile-shape': 'off' }, custom: { answer: '/out', confidenceScale: 100 }, minT1Models: 5 });
    expect(s.engine.profile).toBe('custom');
  });

  it('refuses the custom profile without pointers, wherever it is chosen', () => {
    const e = errorOf({ pipeline: { profile: 'custom' } });
    expect(e.message).toMatch(/^testops\.config\.json:\d+ at \/pipeline\/profile: pipeline\.profile is "custom" but pipeline\.custom is not set/);
    expect(errorOf({}, { profile: 'custom' }).message).toMatch(/engine\.profile is "custom" but pipeline\.custom is not set/);
    expect(errorOf({ engines: { x: { target: 'reference', profile: 'custom' } } }).message).toMatch(/engines\["x"\]\.profile is "custom"/);
  });

  it('refuses a confidence pointer without its declared scale', () => {
    expect(errorOf({ pipeline: { custom: { answer: '/a', confidence: '/c' } } }).message).toMatch(
      /at \/pipeline\/custom\/confidence: pipeline\.custom\.confidence needs pipeline\.custom\.confidenceScale \(100 for a 0-100 score, 1 for 0\.\.1\)/,
    );
  });

  it('names unknown checks, bad levels, bad pointers and impossible thresholds', () => {
    expect(errorOf({ pipeline: { levels: { 't1-presnt': 'warn' } } }).message).toMatch(/key "t1-presnt" in pipeline\.levels must be a pipeline check name \(answer-shape, t1-present/);
    expect(errorOf({ pipeline: { levels: { 't1-present': 'fatal' } } }).message).toMatch(/pipeline\.levels\["t1-present"\] must be one of "error", "warn", "info", "off", got "fatal"/);
    expect(errorOf({ pipeline: { custom: { answer: 'final_answer' } } }).message).toMatch(/pipeline\.custom\.answer must be a JSON Pointer such as "\/result\/text", got "final_answer"/);
    expect(errorOf({ pipeline: { custom: { answer: '/a', confidence: '/c', confidenceScale: 10 } } }).message).toMatch(/confidenceScale must be one of 1, 100, got 10/);
    expect(errorOf({ pipeline: { maxContradictions: 0 } }).message).toMatch(/pipeline\.maxContradictions must be >= 1, got 0/);
    expect(errorOf({ pipeline: { maxEscalationRate: 1.5 } }).message).toMatch(/pipeline\.maxEscalationRate must be <= 1, got 1\.5/);
  });
});
