import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeSettings, mergeShards, rulesWithDefaults } from '../../src/merge/merge.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { shardRules } from '../../src/shard/block.js';
import type { Settings } from '../../src/settings/types.js';
import { makeProject, readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/**
 * merge reads no config: the legs carry their rules (report.json `shard.rules`), read whole. A leg of an
 * older toron-testops (the @v2 tag floats: the merge job may be newer than its legs) has no value for a
 * setting added since, which then was undefined in the merged judge. What a leg lacks now comes from
 * this version's defaults, and the merged run's log names each such setting.
 */
const current = () => shardRules({ ...structuredClone(DEFAULTS), cwd: '/w', configFile: null, runId: 'r', shard: { index: 1, total: 1 } } as Settings);

describe('rules of a leg that lack settings added since', () => {
  it('are filled from the defaults at the depth the config merges, naming each, and keep what the leg has', () => {
    const rules = current() as any;
    rules.replay = { rounds: 5, ignorePaths: ['/x'], ignoreVolatile: true, thresholds: { pass: 80 } }; // no freshProcess, drift, thresholds.warn
    delete rules.pipeline.minT1Models;
    delete rules.pipeline.latencyOutlierK;
    rules.load = { ...rules.load, thresholds: { http_req_duration: ['p(95)<900'] } };
    delete rules.load.maxSchedulerLagMs;
    const { rules: filled, defaulted } = rulesWithDefaults(rules);
    expect(defaulted).toEqual(['replay.freshProcess', 'replay.thresholds.warn', 'replay.drift', 'pipeline.minT1Models', 'pipeline.latencyOutlierK', 'load.maxSchedulerLagMs']);
    expect(filled.replay).toEqual({ ...DEFAULTS.replay, rounds: 5, ignorePaths: ['/x'], thresholds: { pass: 80, warn: DEFAULTS.replay.thresholds.warn } });
    expect(filled.pipeline).toEqual(DEFAULTS.pipeline);
    // Load thresholds replace the defaults wholesale (as in a config): a listed set is the whole set.
    expect(filled.load.thresholds).toEqual({ http_req_duration: ['p(95)<900'] });
    expect(filled.load.maxSchedulerLagMs).toBe(DEFAULTS.load.maxSchedulerLagMs);

    const s = mergeSettings('/w', 'out', 'r', filled, undefined);
    expect(s.replay.drift).toEqual(DEFAULTS.replay.drift);
    expect(s.replay.freshProcess).toBe(false);
    expect(s.pipeline.minT1Models).toBe(DEFAULTS.pipeline.minT1Models);
  });

  it('of this version are taken as they are, nothing named', () => {
    const rules = current();
    expect(rulesWithDefaults(rules)).toEqual({ rules, defaulted: [] });
  });

  it('are filled in a merge, which says which ones in its log and judges as with the leg as written', async () => {
    const legs = project({ d: dataset('d', 10, { defaults: { assert: [{ type: 'contains', value: 'a' }] } }) });
    const leg = await run(legs, { engine: 'reference', runId: 'older-leg', stages: 'sim,replay,pipeline', shard: '1/1', out: 's1' });
    expect(leg.verdict).not.toBe('ERROR');
    const here = makeProject({});
    const asWritten = await mergeShards([path.join(legs, 's1')], { cwd: here, out: 'as-written' });

    const dir = path.join(legs, 's1/reports/older-leg');
    const report = readJson(path.join(dir, 'report.json'));
    delete report.shard.rules.replay.drift;
    delete report.shard.rules.pipeline.latencyOutlierK;
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report));
    const summary = readJson(path.join(dir, 'pipeline_summary.json'));
    delete summary.shardData.options.thresholds.latencyOutlierK;
    fs.writeFileSync(path.join(dir, 'pipeline_summary.json'), JSON.stringify(summary));

    const older = await mergeShards([path.join(legs, 's1')], { cwd: here, out: 'older' });
    expect(older.verdict).toBe(asWritten.verdict);
    const log = fs.readFileSync(older.paths.runLog, 'utf8');
    expect(log).toMatch(/the legs' settings lack replay\.drift, pipeline\.latencyOutlierK \(they were run by an older toron-testops, which had no such setting\): this version's defaults are used for them/);
    const checks = (p: string) => readJson(p).stages.pipeline.checks.map((c: any) => ({ name: c.name, ok: c.ok, detail: c.name.startsWith('latency') ? null : c.detail }));
    expect(checks(older.paths.report)).toEqual(checks(asWritten.paths.report));
    // Judged with the default k (10 latencies: enough for a median and MAD), not with an undefined one.
    expect(readJson(older.paths.report).stages.pipeline.checks.find((c: any) => c.name === 'latency-outliers').detail).toMatch(
      new RegExp(`max\\(${DEFAULTS.pipeline.latencyOutlierK} x MAD`),
    );
  });
});
