import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { Store } from '../../src/store/store.js';
import { ROOT, readJson, reportDir, runCli } from '../helpers/cli.js';
import { makeMixedProject } from './project.js';

/**
 * The key property of sharding: a run split into 3 shards and merged has the verdict and per-case
 * results of the same run unsharded (same run id, same cases). Real CLI processes, a real engine
 * process per leg (tests/merge/mixed-engine.ts), real files.
 */
const RUN = 'shardtest-1';
const STAGES = ['--stages', 'sim,replay,pipeline'];
let project: string;
const out = (name: string) => path.join(project, name);
const rep = (name: string, runId = RUN) => reportDir(project, runId, name);
const cli = (args: string[]) => runCli(args, { cwd: project, timeoutMs: 120_000 });

beforeAll(async () => {
  project = makeMixedProject();
  const legs = await Promise.all([
    cli(['run', '--run-id', RUN, ...STAGES, '--out', 'full']),
    ...[1, 2, 3].map((i) => cli(['run', '--run-id', RUN, ...STAGES, '--shard', `${i}/3`, '--out', `s${i}`])),
  ]);
  for (const l of legs) expect(l.code, l.stderr + l.stdout).toBe(1); // FAIL: the project has failing cases
  const merged = await cli(['merge', 's1', 's2', 's3', '--out', 'merged']);
  expect(merged.code, merged.stderr + merged.stdout).toBe(1);
}, 180_000);

const simCases = (r: any) =>
  r.stages.sim.cases.map((c: any) => ({ id: c.id, dataset: c.dataset, status: c.status, passed: c.passed, passes: c.passes, repeats: c.repeats, failures: c.failures, index: c.index }));
const replayCases = (r: any) =>
  r.stages.replay.cases.map((c: any) => ({ id: c.id, dataset: c.dataset, agreed: c.agreed, rawAgreed: c.rawAgreed, uniqueOutputs: c.uniqueOutputs, modalAgreement: c.modalAgreement, firstDivergence: c.firstDivergence }));
// Latency checks judge measured times, which no two runs share; every other check must agree.
const checks = (r: any) =>
  r.stages.pipeline.checks.filter((c: any) => !c.name.startsWith('latency')).map((c: any) => ({ name: c.name, ok: c.ok, severity: c.severity, checked: c.checked, failed: c.failed, cases: c.cases }));
const findingKeys = (r: any) =>
  r.warroom.filter((f: any) => !f.type.startsWith('pipeline-latency')).map((f: any) => `${f.type} ${f.severity} ${f.caseId ?? '-'}`).sort();
/** Snapshot case lines without the measured latency. */
const snapshotCases = (file: string) =>
  fs.readFileSync(file, 'utf8').split('\n').slice(1).filter((l) => l.startsWith('{')).map((l) => {
    const { latencyMs: _l, ...rest } = JSON.parse(l.replace(/,$/, ''));
    return rest;
  });

describe('sharded run + merge = unsharded run', () => {
  it('has the same verdict, per-case SIM results, replay agreement and pipeline checks', () => {
    const full = readJson(path.join(rep('full'), 'report.json'));
    const merged = readJson(path.join(rep('merged'), 'report.json'));
    expect(validateReport(merged)).toEqual({ ok: true });
    expect(merged.runId).toBe(RUN);
    expect(merged.verdict).toBe('FAIL');
    expect(merged.verdict).toBe(full.verdict);
    for (const s of ['sim', 'replay', 'pipeline']) expect(merged.stages[s].verdict, s).toBe(full.stages[s].verdict);
    // A mix, not a trivial PASS: failing, flaky, errored cases and replay disagreement.
    // (with this run id's seeds: 3 failing cases, 6 flaky ones, the erroring cases among them)
    expect(full.stages.sim).toMatchObject({ failed: 3, flaky: 6 });
    expect(full.stages.replay.determinismScore).toBeLessThan(100);

    expect(simCases(merged)).toEqual(simCases(full));
    for (const k of ['total', 'passed', 'failed', 'errored', 'flaky', 'passRate', 'reason', 'datasets']) expect(merged.stages.sim[k], k).toEqual(full.stages.sim[k]);
    expect(replayCases(merged)).toEqual(replayCases(full));
    for (const k of ['determinismScore', 'tarCanonical', 'tarRaw', 'replayed', 'agreed', 'notReplayed', 'uniqueOutputs', 'modalAgreement', 'unscored', 'replayErrors']) expect(merged.stages.replay[k], k).toEqual(full.stages.replay[k]);
    // A case whose replays all failed is left out of the score, in the shard and in the union alike.
    expect(full.stages.replay.unscoredCases.map((c: any) => c.id)).toEqual(['err-replay']);
    expect(merged.stages.replay.unscoredCases).toEqual(full.stages.replay.unscoredCases);
    expect(checks(merged)).toEqual(checks(full));
    expect(findingKeys(merged)).toEqual(findingKeys(full));
    expect(snapshotCases(path.join(out('merged'), 'snapshots', `${RUN}.json`))).toEqual(snapshotCases(path.join(out('full'), 'snapshots', `${RUN}.json`)));
  });

  it('puts every case in exactly one shard, and judges run-level budgets again on the union', () => {
    const shards = [1, 2, 3].map((i) => readJson(path.join(rep(`s${i}`), 'report.json')));
    const full = readJson(path.join(rep('full'), 'report.json'));
    const keys = shards.flatMap((s) => s.stages.sim.cases.map((c: any) => `${c.dataset}/${c.id}`));
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(full.stages.sim.cases.map((c: any) => `${c.dataset}/${c.id}`).sort());
    for (const [i, s] of shards.entries()) {
      expect(s.shard).toMatchObject({ index: i + 1, total: 3 });
      expect(s.shard.fingerprint).toBe(shards[0].shard.fingerprint);
      expect(s.stages.sim.shard).toEqual({ index: i + 1, total: 3, cases: s.stages.sim.cases.length, suiteCases: full.stages.sim.total, suite: expect.stringMatching(/^[0-9a-f]{64}$/) });
    }
    // Five undeclared Opus escalations in the run (limit 3), spread over the shards: the merged
    // checker fails the budget on all of them, whatever each shard saw.
    const merged = readJson(path.join(rep('merged'), 'report.json'));
    const opus = (r: any) => r.stages.pipeline.checks.find((c: any) => c.name === 'opus-escalations');
    expect(opus(merged)).toMatchObject({ ok: false, failed: 5 });
    expect(shards.reduce((n, s) => n + opus(s).failed, 0)).toBe(5);
    // Run-level findings are judged once, not concatenated per shard.
    expect(merged.warroom.filter((f: any) => f.type === 'replay-nondeterministic')).toHaveLength(1);
    expect(merged.merged).toMatchObject({ total: 3, missing: [], shards: [{ index: 1 }, { index: 2 }, { index: 3 }] });
  });

  it('writes every file of a run, a bundle with its sha256, and records the run in the store', () => {
    const dir = rep('merged');
    for (const f of ['report.json', 'report.html', 'summary.md', 'result.json', 'run.log', 'warroom.log', 'sim_summary.json', 'replay_summary.json', 'pipeline_summary.json', 'bundle.zip', 'bundle.zip.sha256']) {
      expect(fs.existsSync(path.join(dir, f)), f).toBe(true);
    }
    const result = readJson(path.join(dir, 'result.json'));
    expect(result).toMatchObject({ verdict: 'FAIL', exitCode: 1 });
    expect(fs.readFileSync(path.join(dir, 'bundle.zip.sha256'), 'utf8')).toContain(result.bundle.sha256);
    expect(result.bundle.entries).toContain('snapshot.json');
    expect(fs.readFileSync(path.join(dir, 'run.log'), 'utf8')).toMatch(/merging run shardtest-1: 3 input\(s\), 3 shard report\(s\) found/);
    const store = Store.open(path.join(out('merged'), 'testops.db')).store;
    try {
      const run = store.getRun(RUN)!;
      expect(run).toMatchObject({ status: 'FAIL', verdict: 'FAIL' });
      expect(run.snapshots).toHaveLength(1);
      expect(run.events.length).toBe(readJson(path.join(dir, 'report.json')).warroom.length);
    } finally {
      store.close();
    }
  });

  it('merges bundles and download-artifact folders (one folder per artifact holding bundle.zip)', async () => {
    for (const i of [1, 2, 3]) {
      const d = out(`downloads/toron-testops-shard-${i}-of-3`);
      fs.mkdirSync(d, { recursive: true });
      fs.copyFileSync(path.join(rep(`s${i}`), 'bundle.zip'), path.join(d, 'bundle.zip'));
    }
    const fromFolders = await cli(['merge', 'downloads', '--out', 'm-dl']);
    expect(fromFolders.code, fromFolders.stdout + fromFolders.stderr).toBe(1);
    const fromBundles = await cli(['merge', ...[1, 2, 3].map((i) => `s${i}/reports/${RUN}/bundle.zip`), '--out', 'm-zip']);
    expect(fromBundles.code, fromBundles.stdout + fromBundles.stderr).toBe(1);
    const full = readJson(path.join(rep('full'), 'report.json'));
    for (const o of ['m-dl', 'm-zip']) {
      const r = readJson(path.join(rep(o), 'report.json'));
      expect(simCases(r)).toEqual(simCases(full));
      expect(replayCases(r)).toEqual(replayCases(full));
      expect(r.verdict).toBe(full.verdict);
    }
    expect(readJson(path.join(rep('m-dl'), 'report.json')).merged.shards.map((s: any) => s.source)).toEqual(
      [1, 2, 3].map((i) => `downloads/toron-testops-shard-${i}-of-3/bundle.zip`),
    );
  }, 60_000);
});

describe('merge refuses what does not make one run, and still writes what it has', () => {
  it('a missing shard: ERROR naming it, the report of the shards given still written', async () => {
    const r = await cli(['merge', 's1', 's3', '--out', 'm-missing']);
    expect(r.code).toBe(2);
    const report = readJson(path.join(rep('m-missing'), 'report.json'));
    expect(report.verdict).toBe('ERROR');
    expect(report.reason).toMatch(/shard\(s\) 2\/3 missing: the merged report holds 2 of 3 shards/);
    expect(report.merged.missing).toEqual([2]);
    const given = [1, 3].reduce((n, i) => n + readJson(path.join(rep(`s${i}`), 'report.json')).stages.sim.total, 0);
    expect(report.stages.sim.total).toBe(given);
    expect(report.warroom.some((f: any) => f.type === 'merge-shard-missing' && f.severity === 'CRITICAL')).toBe(true);
    expect(fs.existsSync(path.join(rep('m-missing'), 'bundle.zip'))).toBe(true);
  }, 60_000);

  it('the same shard twice: once when identical, ERROR naming both when different', async () => {
    const same = await cli(['merge', 's1', `s1/reports/${RUN}/bundle.zip`, 's2', 's3', '--out', 'm-dup']);
    expect(same.code).toBe(1);
    expect(fs.readFileSync(path.join(rep('m-dup'), 'run.log'), 'utf8')).toMatch(/s1\/reports\/shardtest-1\/bundle\.zip repeats s1\/reports\/shardtest-1 \(same report\): taken once/);

    fs.cpSync(out('s2'), out('s2-edited'), { recursive: true });
    const file = path.join(rep('s2-edited'), 'report.json');
    const edited = readJson(file);
    edited.stages.sim.cases[0].passed = !edited.stages.sim.cases[0].passed;
    fs.writeFileSync(file, JSON.stringify(edited));
    const diff = await cli(['merge', 's1', 's2', 's2-edited', 's3', '--out', 'm-dup2']);
    expect(diff.code).toBe(2);
    const report = readJson(path.join(rep('m-dup2'), 'report.json'));
    expect(report.reason).toContain(`shard 2/3 is given twice with different contents (s2/reports/${RUN} and s2-edited/reports/${RUN}); kept s2/reports/${RUN}`);
  }, 60_000);

  it('another run id, shard count or settings fingerprint: ERROR naming the file', async () => {
    const other = await cli(['run', '--run-id', 'other-run', ...STAGES, '--shard', '2/3', '--out', 'o2']);
    expect(other.code).toBe(1);
    fs.cpSync(out('s3'), out('s3-fp'), { recursive: true });
    const file = path.join(rep('s3-fp'), 'report.json');
    const j = readJson(file);
    j.shard.fingerprint = 'f'.repeat(64);
    fs.writeFileSync(file, JSON.stringify(j));
    const r = await cli(['merge', 's1', 'o2', 's3-fp', '--out', 'm-mismatch']);
    expect(r.code).toBe(2);
    const report = readJson(path.join(rep('m-mismatch'), 'report.json'));
    expect(report.runId).toBe(RUN);
    expect(report.reason).toContain(`o2/reports/other-run: shard 2/3 does not belong with s1/reports/${RUN}: run id "other-run" is not "${RUN}"`);
    expect(report.reason).toContain(`s3-fp/reports/${RUN}: shard 3/3 does not belong with s1/reports/${RUN}: settings fingerprint ffffffffffff`);
    expect(report.warroom.filter((f: any) => f.type === 'merge-input-rejected')).toHaveLength(2);
  }, 90_000);

  it('a shard that ended in ERROR makes the merged run ERROR, naming it', async () => {
    fs.cpSync(out('s2'), out('s2-error'), { recursive: true });
    const file = path.join(rep('s2-error'), 'report.json');
    const j = readJson(file);
    j.verdict = 'ERROR';
    j.reason = 'ERROR (not a test verdict): engine unreachable';
    fs.writeFileSync(file, JSON.stringify(j));
    const r = await cli(['merge', 's1', 's2-error', 's3', '--out', 'm-err']);
    expect(r.code).toBe(2);
    const report = readJson(path.join(rep('m-err'), 'report.json'));
    expect(report.reason).toContain(`shard 2/3 (s2-error/reports/${RUN}) ended in ERROR: ERROR (not a test verdict): engine unreachable`);
    expect(report.stages.sim.total).toBe(readJson(path.join(rep('full'), 'report.json')).stages.sim.total);
  }, 60_000);

  it('a hostile bundle is refused, naming the entry; no file lands outside', async () => {
    const { makeZip } = await import('../helpers/zip-writer.js');
    fs.mkdirSync(out('evil'), { recursive: true });
    fs.writeFileSync(out('evil/bundle.zip'), makeZip([{ name: 'report.json', data: '{}' }, { name: '../../escaped.txt', data: 'x' }]));
    const r = await cli(['merge', 's1', 's2', 's3', 'evil', '--out', 'm-evil']);
    expect(r.code).toBe(2);
    const report = readJson(path.join(rep('m-evil'), 'report.json'));
    expect(report.reason).toContain('evil/bundle.zip: refused bundle: entry "../../escaped.txt" is not allowed (".." segment)');
    expect(fs.existsSync(path.join(project, 'escaped.txt'))).toBe(false);
    expect(fs.existsSync(path.join(path.dirname(project), 'escaped.txt'))).toBe(false);
  }, 60_000);
});

describe('shard legs', () => {
  it('replay drift in a shard only considers baseline cases of its slice, and a merged snapshot is a baseline', async () => {
    const baseline = `merged/snapshots/${RUN}.json`;
    const r = await cli(['run', '--run-id', 'drift-2', ...STAGES, '--shard', '2/3', '--out', 'd2', '--baseline', baseline]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readJson(path.join(rep('d2', 'drift-2'), 'report.json'));
    const drift = report.stages.replay.drift;
    expect(drift.removed).toBe(0);
    expect(drift.cases.map((c: any) => `${c.dataset}/${c.id}`).sort()).toEqual(report.stages.sim.cases.map((c: any) => `${c.dataset}/${c.id}`).sort());
  }, 60_000);

  it('load runs in shard 1 only', async () => {
    const r = await cli(['run', '--run-id', 'load-2', '--stages', 'load', '--shard', '2/3', '--out', 'l2', '--engine', 'reference']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = readJson(path.join(rep('l2', 'load-2'), 'report.json'));
    expect(report.stages.load).toEqual({ verdict: 'SKIPPED', reason: 'load runs in shard 1 of 3' });
  }, 60_000);

  it('merge --k6-summary: the runners\' summaries replace the load stage, percentiles as upper bounds', async () => {
    const ref = path.join(ROOT, '__tests__/fixtures/load/k6');
    const r = await cli(['merge', 's1', 's2', 's3', '--out', 'm-k6', '--k6-summary', `${ref}/handle-summary-fail-errors.json`, `${ref}/handle-summary-pass-compact.json`]);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const report = readJson(path.join(rep('m-k6'), 'report.json'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.stages.load.verdict).toBe('FAIL');
    expect(report.stages.load.metrics.http_reqs.count).toBe(34845);
    expect(report.stages.load.metrics.http_req_duration.upperBound).toEqual(['med', 'p(90)', 'p(95)']);
    expect(report.merged.k6Summaries).toHaveLength(2);
    expect(report.warroom.some((f: any) => f.type === 'load-threshold-failed')).toBe(true);
    const md = fs.readFileSync(path.join(rep('m-k6'), 'summary.md'), 'utf8');
    expect(md).toContain('**p95** ≤ 260.6 ms (upper bound)');
    expect(md).toContain('merged from 3 of 3 shards');
  }, 60_000);
});
