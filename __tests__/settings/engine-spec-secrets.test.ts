import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveSettings } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';

/**
 * An engine spec that does not fit the accepted forms (a typo in the scheme, a space) is quoted by
 * the error, which the CLI prints and the action makes an annotation of: the credentials it carries
 * (user:password@, ?api_key=) must not be quoted with it, as they are not in any other message.
 */
const SECRETS = ['PassW0rdSecret99', 'QUERYSECRET12345'];
const BAD = ['htp://alice:PassW0rdSecret99@engine.example/run?api_key=QUERYSECRET12345', 'https//alice:PassW0rdSecret99@engine.example/run?api_key=QUERYSECRET12345'];

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as Error).message;
  }
  throw new Error('expected an InputError');
}

describe('an engine spec refused by the settings schema', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-spec-secrets-'));
  it.each(BAD)('is quoted without its credentials: flag, config engine, config target, engine map (%s)', (spec) => {
    fs.writeFileSync(path.join(cwd, 'a.json'), JSON.stringify({ engine: spec }));
    fs.writeFileSync(path.join(cwd, 'b.json'), JSON.stringify({ engine: { target: spec } }));
    fs.writeFileSync(path.join(cwd, 'c.json'), JSON.stringify({ engines: { v1: { target: spec, profile: 'auto' } }, engineVersion: 'v1' }));
    const messages = [
      messageOf(() => resolveSettings({ cwd, flags: { engine: spec }, env: {} })),
      messageOf(() => resolveSettings({ cwd, configPath: 'a.json', flags: {}, env: {} })),
      messageOf(() => resolveSettings({ cwd, configPath: 'b.json', flags: {}, env: {} })),
      messageOf(() => resolveSettings({ cwd, configPath: 'c.json', flags: {}, env: {} })),
    ];
    for (const m of messages) {
      expect(m).toMatch(/engine/);
      expect(m).toContain('engine.example');
      for (const s of SECRETS) expect(m).not.toContain(s);
    }
  });
});
