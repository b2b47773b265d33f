import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderReportHtml } from '../../src/report/html.js';
import { buildHtmlView } from '../../src/report/view-model.js';
import { validateReport } from '../../src/report/schema.js';
import { driftRate, driftUnmeasured } from '../../src/replay/drift.js';
import type { DriftCase } from '../../src/stages/replay/replay.js';
import { driftTotals } from '../../src/stages/replay/report.js';
import { readJson } from '../helpers/cli.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

/**
 * Drift that could not be measured (no stable case both runs have) has no rate: `null`, never 0, which
 * a CI consumer reads as "no drift". A measured drift keeps its number, 0 included.
 */
const T = { warnRate: 0, failRate: 0.05 };
const cases = (...statuses: DriftCase['status'][]): DriftCase[] => statuses.map((status, i) => ({ id: `c${i}`, dataset: 'd', status }));

describe('unmeasured drift has a null rate', () => {
  it('driftRate / driftTotals: null with no compared case (no case in common, all noise), a number otherwise', () => {
    expect(driftRate({ unchanged: 0, changed: 0, new: 3, removed: 2, noise: 0 })).toBeNull();
    expect(driftRate({ unchanged: 0, changed: 0, new: 1, removed: 0, noise: 2 })).toBeNull();
    expect(driftRate({ unchanged: 3, changed: 0, new: 0, removed: 0, noise: 0 })).toBe(0);
    expect(driftRate({ unchanged: 3, changed: 1, new: 0, removed: 0, noise: 5 })).toBe(0.25);
    expect(driftUnmeasured({ unchanged: 0, changed: 0, new: 1, removed: 0, noise: 2 })).toBe('all-noise');

    expect(driftTotals(cases('new', 'new', 'removed'), T)).toMatchObject({ rate: null, unmeasured: 'no-case-in-common', verdict: 'WARN' });
    expect(driftTotals(cases('noise', 'noise', 'new'), T)).toMatchObject({ rate: null, unmeasured: 'all-noise', verdict: 'WARN' });
    expect(driftTotals(cases('unchanged', 'noise'), T)).toMatchObject({ rate: 0, unmeasured: null, verdict: 'PASS' });
    expect(driftTotals(cases('unchanged', 'changed'), T)).toMatchObject({ rate: 0.5, unmeasured: null, verdict: 'FAIL' });
  });

  it('a baseline sharing no case: null in report.json, replay_summary.json, the schema; summary.md and report.html say "not measured"', async () => {
    const dir = project({ d: dataset('d', 3) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'old', stages: 'sim', out: 'old' });
    const dir2 = project({ d: dataset('d', 3, { extra: (i) => ({ id: `renamed-${i}` }) }) });
    fs.cpSync(path.join(dir, 'old/snapshots'), path.join(dir2, 'base'), { recursive: true });
    const now = await run(dir2, { engine: cmd(DRIFT_ENGINE), runId: 'new', stages: 'sim,replay', baseline: 'base/old.json' });
    expect(now.replay.drift).toMatchObject({ rate: null, new: 3, removed: 3, verdict: 'WARN' });
    expect(readJson(now.paths.replaySummary).drift.rate).toBeNull();
    expect(validateReport(now.reportJson)).toEqual({ ok: true });
    expect(now.reportJson.warroom.map((w: { type: string }) => w.type)).toContain('replay-drift-unmeasured');
    const md = fs.readFileSync(now.paths.summaryMd, 'utf8');
    expect(md).toMatch(/\| replay \|.*drift not measured/);
    expect(fs.readFileSync(now.paths.html, 'utf8')).toContain('drift not measured');
  });

  it('every case in common unstable (noise): null, WARN with replay-drift-unmeasured; one stable case measures it again', async () => {
    const dir = project({ d: dataset('d', 1) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--flaky', 'question 0'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(now.replay.drift).toMatchObject({ rate: null, noise: 1, unchanged: 0, changed: 0, verdict: 'WARN' });
    expect(now.replay.reason).toContain('drift not measured: every case in common with old/snapshots/same.json is unstable (1 noise');
    const f = now.reportJson.warroom.find((w: { type: string }) => w.type === 'replay-drift-unmeasured');
    expect(f).toMatchObject({ severity: 'HIGH', subsystem: 'replay' });
    expect(f.message).toMatch(/unstable \(noise\)/);
    expect(readJson(now.paths.replaySummary).drift.rate).toBeNull();
    expect(fs.readFileSync(now.paths.summaryMd, 'utf8')).toMatch(/\| replay \|.*drift not measured/);
    const html = renderReportHtml(now.reportJson);
    expect(html).toContain('drift not measured: every case in common with the baseline is unstable');
    expect(html).not.toContain('drift rate');
    expect(buildHtmlView(now.reportJson).replay!.drift).toMatchObject({ unmeasured: true, rate: null });
    expect(validateReport(now.reportJson)).toEqual({ ok: true });

    const two = project({ d: dataset('d', 2) });
    await run(two, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    const some = await run(two, { engine: cmd(DRIFT_ENGINE, '--flaky', 'question 0'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(some.replay.drift).toMatchObject({ rate: 0, noise: 1, unchanged: 1 });
    expect(fs.readFileSync(some.paths.summaryMd, 'utf8')).toMatch(/\| replay \|.*drift 0\.00%/);
  });
});
