import { describe, expect, it } from 'vitest';
import { shardFingerprint } from '../../src/shard/block.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { makeProject } from '../helpers/cli.js';

/**
 * The shard fingerprint says whether legs make one run. SIM concurrency only says how many attempts are
 * in flight: seeds come from the run id and the case, so a case answers the same at 1 or 64, and legs
 * on runners of different sizes (concurrency set per runner) were refused by merge as 'another config,
 * engine or baseline'. Settings that change answers or verdicts still tell legs apart.
 */
describe('shard fingerprint', () => {
  const cwd = makeProject({ 'sim/sim_dataset.json': { datasets: [] } });
  const fp = (flags: Record<string, unknown>) => shardFingerprint(resolveSettings({ cwd, flags: { engine: 'reference', runId: 'r', shard: '1/2', ...flags }, env: {} }));

  it('is the same whatever the SIM concurrency', () => {
    expect(fp({ concurrency: 1 })).toBe(fp({ concurrency: 64 }));
    expect(fp({ concurrency: 8 })).toBe(fp({}));
  });

  it('differs with what changes answers or verdicts', () => {
    const base = fp({});
    expect(fp({ timeoutMs: 1234 })).not.toBe(base);
    expect(fp({ replayRounds: 5 })).not.toBe(base);
    expect(fp({ generation: '3' })).not.toBe(base);
    expect(fp({ failOn: 'warn' })).not.toBe(base);
  });
});
