import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/merge/merge.js';
import { validateReport } from '../../src/report/schema.js';
import { inShard } from '../../src/shard/slice.js';
import { readJson } from '../helpers/cli.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from '../replay/helpers.js';

const statuses = (drift: { cases: { dataset: string; id: string; status: string }[] }) =>
  Object.fromEntries(drift.cases.map((c) => [`${c.dataset}/${c.id}`, c.status]));
const counts = (d: Record<string, unknown>) => ({ unchanged: d.unchanged, changed: d.changed, new: d.new, removed: d.removed, noise: d.noise, verdict: d.verdict });

describe('the merged replay and drift: what an unsharded run reports, from legs merge can trust', () => {
  it("a leg whose slice is empty and a leg whose answers are all engine errors still report their slice's removed cases", async () => {
    // The baseline had c0..c7; the suite now has c0 and c1. Over 3 shards: c0 in 1, none in 2, c1 in 3.
    const shard = (id: string) => [1, 2, 3].find((i) => inShard({ dataset: 'd', id }, { index: i, total: 3 }));
    expect([shard('c0'), shard('c1')]).toEqual([1, 3]);
    const base = project({ d: dataset('d', 8) });
    await run(base, { engine: cmd(DRIFT_ENGINE), runId: 'B', stages: 'sim' });
    const dir = project({ d: dataset('d', 2) });
    const baseline = `${base}/.toron-testops/snapshots/B.json`;
    // This build cannot answer c0 at all: shard 1 has no answer to replay.
    const engine = cmd(DRIFT_ENGINE, '--error', 'question 0');
    const full = await run(dir, { engine, runId: 'N', stages: 'sim,replay', baseline, out: 'full' });
    for (const i of [1, 2, 3]) await run(dir, { engine, runId: 'N', stages: 'sim,replay', baseline, shard: `${i}/3`, out: `s${i}` });
    const legs = [1, 2, 3].map((i) => readJson(`${dir}/s${i}/reports/N/report.json`).stages.replay);
    expect(legs.map((r) => r.verdict)).toEqual(['SKIPPED', 'SKIPPED', 'PASS']);
    expect(legs[1].reason).toBe('shard 2/3 holds no case: nothing to replay');
    for (const i of [1, 2, 3]) expect(validateReport(readJson(`${dir}/s${i}/reports/N/report.json`))).toEqual({ ok: true });

    const merged = await mergeShards(['s1', 's2', 's3'], { cwd: dir, out: 'merged' });
    const m = readJson(merged.paths.report).stages.replay.drift;
    const f = full.replay.drift;
    expect(statuses(f)).toEqual({
      'd/c0': 'noise', // no answer in this run
      'd/c1': 'unchanged',
      ...Object.fromEntries([2, 3, 4, 5, 6, 7].map((i) => [`d/c${i}`, 'removed'])),
    });
    expect(statuses(m)).toEqual(statuses(f));
    // In the same order: the run's cases in suite order, then the removed ones in the baseline's (not leg by leg).
    const ids = (d: { cases: { id: string }[] }) => d.cases.map((c) => c.id);
    expect(ids(f)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7']);
    expect(ids(m)).toEqual(ids(f));
    expect(ids(readJson(merged.paths.replaySummary).drift)).toEqual(ids(f));
    expect(counts(m)).toEqual(counts(f));
    expect(readJson(merged.paths.replaySummary).drift.removed).toBe(6);
    expect(validateReport(readJson(merged.paths.report))).toEqual({ ok: true });
  }, 60_000);

  it("a leg's replay_summary.json that disagrees with its report.json is refused, naming where, not merged into the score", async () => {
    const dir = project({ d: dataset('d', 12) });
    for (const i of [1, 2]) await run(dir, { engine: 'reference', runId: 'R', stages: 'sim,replay', shard: `${i}/2`, out: `s${i}` });
    const ok = await mergeShards(['s1', 's2'], { cwd: dir, out: 'ok' });
    expect(readJson(ok.paths.report).stages.replay).toMatchObject({ replayed: 12, determinismScore: 100 });
    const file = `${dir}/s1/reports/R/replay_summary.json`;
    const intact = fs.readFileSync(file, 'utf8');
    const damage = (edit: (summary: any) => void) => {
      const summary = JSON.parse(intact);
      edit(summary);
      fs.writeFileSync(file, JSON.stringify(summary));
    };
    // Cut short: its cases would silently leave the merged score.
    damage((summary) => summary.cases.pop());
    const cut = await mergeShards(['s1', 's2'], { cwd: dir, out: 'cut' });
    expect(cut.verdict).toBe('ERROR');
    expect(cut.error).toMatch(/^s1\/reports\/R: replay_summary\.json does not agree with report\.json at \/cases \(\d+ entries, the report has \d+\)/);
    // Edited: a case that disagreed now "agrees".
    damage((summary) => (summary.cases[0].modalAgreement = 0.25));
    const edited = await mergeShards(['s1', 's2'], { cwd: dir, out: 'edited' });
    expect(edited.verdict).toBe('ERROR');
    expect(edited.error).toMatch(/replay_summary\.json does not agree with report\.json at \/cases\/0\/modalAgreement/);
  }, 60_000);

  it('a leg whose drift was not measured (rate null) does not count as 0% drift; with no leg measuring it, the merged rate is null too', async () => {
    // c0 lands in shard 1 of 3, c1 in shard 3 (see above). c0 is unstable now (noise), c1 drifted.
    const dir = project({ d: dataset('d', 2) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'B', stages: 'sim', out: 'old' });
    const baseline = 'old/snapshots/B.json';
    const engine = cmd(DRIFT_ENGINE, '--flaky', 'question 0', '--alter', 'question 1');
    const full = await run(dir, { engine, runId: 'B', stages: 'sim,replay', baseline, out: 'full' });
    expect(full.replay.drift).toMatchObject({ rate: 1, changed: 1, noise: 1, verdict: 'FAIL' });
    for (const i of [1, 3]) await run(dir, { engine, runId: 'B', stages: 'sim,replay', baseline, shard: `${i}/3`, out: `s${i}` });
    const legs = [1, 3].map((i) => readJson(`${dir}/s${i}/reports/B/report.json`).stages.replay.drift);
    expect(legs.map((d) => d.rate)).toEqual([null, 1]);
    const merged = await mergeShards(['s1', 's3'], { cwd: dir, out: 'merged' });
    const m = readJson(merged.paths.report);
    expect(m.stages.replay.drift).toMatchObject({ rate: 1, changed: 1, noise: 1, verdict: 'FAIL' });
    expect(readJson(merged.paths.replaySummary).drift.rate).toBe(1);
    expect(validateReport(m)).toEqual({ ok: true });

    // A baseline sharing no case: no leg measures drift, nor does the merged run.
    const other = project({ d: dataset('d', 2, { extra: (i) => ({ id: `renamed-${i}` }) }) });
    fs.cpSync(`${dir}/old/snapshots`, `${other}/base`, { recursive: true });
    for (const i of [1, 2]) await run(other, { engine: cmd(DRIFT_ENGINE), runId: 'N', stages: 'sim,replay', baseline: 'base/B.json', shard: `${i}/2`, out: `t${i}` });
    const none = await mergeShards(['t1', 't2'], { cwd: other, out: 'merged' });
    const n = readJson(none.paths.report);
    expect(n.stages.replay.drift).toMatchObject({ rate: null, new: 2, removed: 2, verdict: 'WARN' });
    expect(n.stages.replay.reason).toContain('drift not measured');
    expect(n.warroom.map((w: { type: string }) => w.type)).toContain('replay-drift-unmeasured');
    expect(readJson(none.paths.replaySummary).drift.rate).toBeNull();
    expect(validateReport(n)).toEqual({ ok: true });
  }, 60_000);
});
