import { describe, expect, it } from 'vitest';
import { portableTarget, settingsHash } from '../../src/snapshot/portable.js';
import { resolveSettings } from '../../src/settings/resolve.js';

describe('portableTarget: the engine target a snapshot header keeps', () => {
  it('leaves out the credentials of a cmd: engine and makes its paths relative', () => {
    const target = portableTarget('cmd:python3 /work/team/engine.py --api-key s3cr3t-A --token=s3cr3t-B --model big', '/work/team');
    expect(target).not.toMatch(/s3cr3t/);
    expect(target).not.toContain('/work/team');
    expect(target).toContain('engine.py');
    expect(target).toContain('--model big');
    expect(target).toContain('--api-key');
    expect(target).toContain('[redacted]');
  });

  it('so the settings hash does not change with a rotated credential', () => {
    const hash = (key: string) => settingsHash(resolveSettings({ cwd: '/work/team', flags: { engine: `cmd:python3 engine.py --api-key ${key}` }, env: {} }));
    expect(hash('old-key')).toBe(hash('new-key'));
    expect(hash('old-key')).not.toBe(settingsHash(resolveSettings({ cwd: '/work/team', flags: { engine: 'cmd:python3 other.py --api-key old-key' }, env: {} })));
  });

  it('engine.body values are in the hash (what the engine is asked), but not a member named like a credential', () => {
    const withBody = (body: Record<string, unknown>) => {
      const s = resolveSettings({ cwd: '/work/team', flags: { engine: 'reference' }, env: {} });
      return settingsHash({ ...s, engine: { ...s.engine, body } });
    };
    expect(withBody({ extra: 'A' })).not.toBe(withBody({ extra: 'B' }));
    expect(withBody({ temperature: 0 })).not.toBe(withBody({ temperature: 0.7 }));
    expect(withBody({ api_key: 'old', temperature: 0 })).toBe(withBody({ api_key: 'new', temperature: 0 }));
  });
});
