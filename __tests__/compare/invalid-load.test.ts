import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { snapshotMetrics } from '../../src/compare/metrics.js';
import { dataset, project, run } from '../replay/helpers.js';

describe('a run whose load was invalid', () => {
  it('says so in its snapshot header too, so a comparison against the bare snapshot takes no p95 from it', async () => {
    // A lag bound no generator keeps: the load run is invalid (WARN), its p95 holds the lag.
    const dir = project({ d: dataset('d', 3) }, { load: { rate: 20, duration: '1s', maxSchedulerLagMs: 0.0001 } });
    const r = await run(dir, { engine: 'reference', runId: 'lagged', stages: 'sim,load' });
    expect(r.reportJson.stages.load.valid).toBe(false);
    const header = JSON.parse(fs.readFileSync(r.paths.snapshot, 'utf8'));
    expect(header.metrics.load).toMatchObject({ valid: false });
    expect(snapshotMetrics(header.metrics).p95Ms).toBeNull();
  }, 30_000);
});
