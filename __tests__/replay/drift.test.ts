import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBaseline } from '../../src/baseline/load.js';
import { listZip, readZipFile } from '../../src/github/zip.js';
import { validateReport } from '../../src/report/schema.js';
import { readJson } from '../helpers/cli.js';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { createReplayStage } from '../../src/stages/replay/stage.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

const N = 30;

describe('drift against a baseline', () => {
  it('a baseline from an earlier run in which exactly one case changed: exactly that case drifted; an unstable one is noise', async () => {
    const dir = project({ d: dataset('d', N) });
    const base = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'base', stages: 'sim,replay' });
    expect(base.replay.determinismScore).toBe(100);

    // A new build: "question 3" answers differently (stably), "question 5" differently on every call.
    const engine = cmd(DRIFT_ENGINE, '--alter', 'question 3', '--flaky', 'question 5');
    const now = await run(dir, { engine, runId: 'now', stages: 'sim,replay', baseline: '.toron-testops/reports/base' });
    const drift = now.replay.drift;
    expect(drift).toMatchObject({
      baseline: '.toron-testops/reports/base',
      baselineRunId: 'base',
      snapshot: '.toron-testops/snapshots/base.json',
      changed: 1,
      unchanged: N - 2,
      noise: 1,
      new: 0,
      removed: 0,
      verdict: 'WARN',
      thresholds: { warnRate: 0, failRate: 0.05 },
    });
    expect(drift.rate).toBeCloseTo(1 / (N - 1), 4);
    // Another run id gave every case another seed; the engine's answer depends on it (`draw`), so the
    // baseline's own requests were asked again (probes) to compare like with like.
    expect(drift.probed).toBe(N);
    const changed = drift.cases.filter((c: { status: string }) => c.status === 'changed');
    expect(changed).toHaveLength(1);
    expect(changed[0]).toMatchObject({ id: 'c3', dataset: 'd', location: { file: 'sim/d.json' } });
    expect(changed[0].diff).toEqual([
      {
        pointer: '/final_answer',
        kind: 'changed',
        baseline: 'The answer to "question 3" is forty-two.',
        current: 'The answer to "question 3" is forty-three.',
        charIndex: 37, // "forty-t|wo" vs "forty-t|hree"
        similarity: 0.9048, // 1 - 4 edits / 42 characters
      },
    ]);
    expect(drift.cases.find((c: { id: string }) => c.id === 'c5')).toMatchObject({ status: 'noise', note: 'answers differ between replays' });
    expect(drift.cases).toHaveLength(N);

    // The determinism of this run: only the flaky case disagrees.
    expect(now.replay.agreed).toBe(N - 1);
    expect(now.replay.determinismVerdict).toBe('PASS');
    expect(now.replay.verdict).toBe('WARN');
    expect(now.verdict).toBe('WARN');
    expect(now.exitCode).toBe(0);

    // WAR ROOM: one event per drifted case, with its diff, and the drift verdict.
    const events = now.reportJson.warroom.filter((f: { type: string }) => f.type.startsWith('replay-drift'));
    expect(events.map((f: { type: string; severity: string; caseId?: string }) => [f.type, f.severity, f.caseId])).toEqual([
      ['replay-drift-case', 'MEDIUM', 'c3'],
      ['replay-drift', 'HIGH', undefined],
    ]);
    expect(events[0].message).toBe(
      'd/c3 drifted since baseline run base: /final_answer: "The answer to \\"question 3\\" is forty-two." -> "The answer to \\"question 3\\" is forty-three." (similarity 0.9048)',
    );
    expect(events[0].location.file).toBe('sim/d.json');
    expect(events[0].remediation).toMatch(/baseline/);
    expect(events[1].message).toMatch(/^1 stable case\(s\) answer differently than baseline run base: drift 3\.45% \(above warnRate 0%\); 1 unstable case\(s\) not counted \(noise\)/);

    expect(validateReport(now.reportJson)).toEqual({ ok: true });
    // replay_summary.json carries the same drift.
    expect(readJson(now.paths.replaySummary).drift).toMatchObject({ changed: 1, noise: 1, verdict: 'WARN' });
  });

  it('FAIL above replay.drift.failRate, and the baseline can be the snapshot file or the report.json', async () => {
    const dir = project({ d: dataset('d', 10) }, { replay: { drift: { failRate: 0.05 } } });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'b', stages: 'sim' }); // SIM alone writes the snapshot
    const engine = cmd(DRIFT_ENGINE, '--alter', 'question 1');
    for (const baseline of ['.toron-testops/snapshots/b.json', '.toron-testops/reports/b/report.json']) {
      const now = await run(dir, { engine, stages: 'sim,replay', baseline });
      expect(now.replay.drift).toMatchObject({ changed: 1, unchanged: 9, verdict: 'FAIL', baselineRunId: 'b' }); // 10% > 5%
      expect(now.replay.verdict).toBe('FAIL');
      expect(now.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-drift')).toMatchObject({ severity: 'CRITICAL' });
      expect(now.exitCode).toBe(1);
    }
  });

  it('the reference engine against its own earlier run (another run id): nothing drifted, though every seed differs', async () => {
    const dir = project({ d: dataset('d', 20) });
    await run(dir, { engine: 'reference', runId: 'r1', stages: 'sim' });
    const now = await run(dir, { engine: 'reference', runId: 'r2', stages: 'sim,replay', baseline: '.toron-testops/snapshots/r1.json' });
    expect(now.replay.drift).toMatchObject({ unchanged: 20, changed: 0, noise: 0, probed: 20, verdict: 'PASS', rate: 0 });
    // Compared naively, the two snapshots differ almost everywhere (seeded answers).
    const hashes = (id: string) => readJson(path.join(dir, `.toron-testops/snapshots/${id}.json`)).cases.map((c: { hash: string }) => c.hash);
    const [a, b] = [hashes('r1'), hashes('r2')];
    expect(a.filter((h: string, i: number) => h !== b[i]).length).toBeGreaterThan(15);
  });

  it('the same run id needs no probe; an ignore list that grew since the baseline is not drift; new and removed cases are listed', async () => {
    const dir = project({ d: dataset('d', 6) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    // Same run id (same seeds), `draw` now ignored by the config, one case renamed (c5 -> c9).
    const ds = dataset('d', 6);
    ds.cases[5].id = 'c9';
    const dir2 = project({ d: ds }, { replay: { ignorePaths: ['/draw'] } });
    fs.cpSync(path.join(dir, 'old'), path.join(dir2, 'old'), { recursive: true });
    const now = await run(dir2, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(now.replay.drift).toMatchObject({ unchanged: 5, changed: 0, new: 1, removed: 1, probed: 0, verdict: 'PASS' });
    const byId = Object.fromEntries(now.replay.drift.cases.map((c: { id: string; status: string }) => [c.id, c.status]));
    expect(byId).toMatchObject({ c0: 'unchanged', c9: 'new', c5: 'removed' });
  });

  it('a baseline sharing no case with the run (another suite, or every case renamed) is WARN with a finding, never a silent drift of 0%', async () => {
    const dir = project({ d: dataset('d', 4) });
    await run(dir, { engine: 'reference', runId: 'old', stages: 'sim' });
    // The same prompts under new ids: no case id with the same input in both runs.
    const renamed = dataset('d', 4, { extra: (i) => ({ id: `renamed-${i}` }) });
    const dir2 = project({ d: renamed });
    fs.cpSync(path.join(dir, '.toron-testops/snapshots'), path.join(dir2, 'base'), { recursive: true });
    const now = await run(dir2, { engine: 'reference', runId: 'new', stages: 'sim,replay', baseline: 'base/old.json' });
    expect(now.replay.drift).toMatchObject({ unchanged: 0, changed: 0, noise: 0, new: 4, removed: 4, verdict: 'WARN' });
    expect(now.replay.verdict).toBe('WARN');
    expect(now.verdict).toBe('WARN');
    expect(now.replay.reason).toContain('drift not measured: no case in common with base/old.json (4 new, 4 removed)');
    const f = now.reportJson.warroom.find((w: { type?: string; message: string }) => /drift was not measured/.test(w.message));
    expect(f).toMatchObject({ severity: 'HIGH', subsystem: 'replay' });
    expect(f.remediation).toMatch(/shares no case/);
    // One case in common is enough to measure drift: back to PASS.
    const one = dataset('d', 4, { extra: (i) => (i === 0 ? {} : { id: `renamed-${i}` }) });
    const dir3 = project({ d: one });
    fs.cpSync(path.join(dir, '.toron-testops/snapshots'), path.join(dir3, 'base'), { recursive: true });
    const some = await run(dir3, { engine: 'reference', runId: 'new', stages: 'sim,replay', baseline: 'base/old.json' });
    expect(some.replay.drift).toMatchObject({ unchanged: 1, new: 3, removed: 3, verdict: 'PASS' });
  });

  it('an ignored array item is left out once: drift and replay diffs compare the answers given, not what a second removal leaves', async () => {
    // models_used[0] is ignored; the stored answers hold [b, c]. Leaving out item 0 again would compare [c].
    const config = { replay: { ignorePaths: ['/models_used/0'] } };
    const dir = project({ d: dataset('d', 3) }, config);
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    // The new build changed the second model (a, x, c): a change in what is compared.
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--models', 'a,x,c', '--flaky', 'question 2'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(now.replay.drift).toMatchObject({ changed: 2, unchanged: 0, noise: 1, probed: 0 });
    const c0 = now.replay.drift.cases.find((c: { id: string }) => c.id === 'c0');
    // The pointer names the item as sent (models_used[1]; the compared forms hold [b, c] and [x, c]).
    expect(c0.diff).toEqual([{ pointer: '/models_used/1', kind: 'changed', baseline: 'b', current: 'x', charIndex: 0, similarity: 0 }]);
    // The unstable case's replays differ from its snapshot in the answer text only.
    const c2 = now.replay.cases.find((c: { id: string }) => c.id === 'c2');
    expect(c2.diffs.map((d: { pointer: string }) => d.pointer)).toEqual(['/final_answer']);
    // An ignored item that changed is not drift.
    const again = await run(dir, { engine: cmd(DRIFT_ENGINE, '--models', 'z,b,c'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json', out: 'again' });
    expect(again.replay.drift).toMatchObject({ changed: 0, unchanged: 3 });
  });

  it('noise says why: replays that differ from each other, or replays that agree but not with the SIM answer', async () => {
    const dir = project({ d: dataset('d', 3) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--flaky', 'question 1', '--first', 'question 2'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    const notes = Object.fromEntries(now.replay.drift.cases.map((c: { id: string; status: string; note?: string }) => [c.id, [c.status, c.note]]));
    expect(notes).toEqual({
      c0: ['unchanged', undefined],
      c1: ['noise', 'answers differ between replays'],
      c2: ['noise', "its replays agree with each other but not with this run's SIM answer"],
    });
  });

  it('a case this run found unstable is noise against a baseline of another run id too, however alike its probes came out', async () => {
    const dir = project({ d: dataset('d', 3) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'base', stages: 'sim', out: 'old' });
    // "question 2": only the first call (this run's SIM answer) differs; its replays and the probes of
    // the baseline's request all answer as the baseline did.
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--first', 'question 2'), runId: 'now', stages: 'sim,replay', baseline: 'old/snapshots/base.json' });
    expect(now.replay.drift).toMatchObject({ probed: 3, unchanged: 2, changed: 0, noise: 1, rate: 0, verdict: 'PASS' });
    expect(now.replay.drift.cases.find((c: { id: string }) => c.id === 'c2')).toMatchObject({
      status: 'noise',
      note: "its replays agree with each other but not with this run's SIM answer",
    });
    expect(now.replay.agreed).toBe(2);
    expect(now.reportJson.warroom.filter((f: { type: string }) => f.type.startsWith('replay-drift'))).toEqual([]);
  });

  it('a bundle.zip is a baseline too (its snapshot.json)', async () => {
    const dir = project({ d: dataset('d', 8) });
    const base = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'zipped', stages: 'sim' });
    const bundle = path.join(base.paths.reportDir, 'bundle.zip');
    expect(fs.existsSync(bundle)).toBe(true);
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 2'), stages: 'sim,replay', baseline: '.toron-testops/reports/zipped/bundle.zip' });
    expect(now.replay.drift).toMatchObject({
      baseline: '.toron-testops/reports/zipped/bundle.zip',
      snapshot: '.toron-testops/reports/zipped/bundle.zip!snapshot.json',
      baselineRunId: 'zipped',
      changed: 1,
      unchanged: 7,
    });
    // The temporary copy is gone once the stage is done.
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith(`toron-testops-baseline-${process.pid}-`))).toEqual([]);
  });

  it('a baseline outside the working directory, given as an absolute path, leaves no path of the machine in any file of the run', async () => {
    // CI hands over a baseline downloaded to the runner's temp folder: /home/runner/work/_temp/...
    const elsewhere = project({ d: dataset('d', 4) });
    await run(elsewhere, { engine: cmd(DRIFT_ENGINE), runId: 'old', stages: 'sim' });
    const dir = project({ d: dataset('d', 4) });
    for (const given of ['.toron-testops/snapshots/old.json', '.toron-testops/reports/old/bundle.zip', '.toron-testops/reports/old']) {
      const abs = path.join(elsewhere, given);
      const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 1'), runId: 'now', stages: 'sim,replay', baseline: abs });
      expect(now.replay.drift).toMatchObject({ changed: 1, unchanged: 3, baselineRunId: 'old' });
      const shown = path.relative(dir, abs);
      expect(now.replay.drift.baseline).toBe(shown);
      expect(now.replay.drift.snapshot.startsWith(path.relative(dir, elsewhere))).toBe(true);
      const files = fs.readdirSync(now.paths.reportDir).filter((f) => f !== 'bundle.zip' && f !== 'bundle.zip.sha256');
      const texts = files.map((f) => [f, fs.readFileSync(path.join(now.paths.reportDir, f), 'utf8')] as const);
      const bundle = fs.readFileSync(path.join(now.paths.reportDir, 'bundle.zip'));
      for (const name of listZip(bundle).map((e) => e.name)) texts.push([`bundle.zip!${name}`, readZipFile(bundle, name)!.toString('utf8')]);
      for (const [f, text] of texts) expect(text.includes(elsewhere), `${f} names ${elsewhere}`).toBe(false);
      expect(fs.readFileSync(now.paths.summaryMd, 'utf8')).toContain(shown);
    }
  });

  it("a baseline that is the run's own snapshot or lies in its report folder is refused before anything is written, and kept", async () => {
    const dir = project({ d: dataset('d', 4) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim' });
    const snapshot = path.join(dir, '.toron-testops/snapshots/same.json');
    const before = fs.readFileSync(snapshot);
    const reportDir = path.join(dir, '.toron-testops/reports/same');
    const files = fs.readdirSync(reportDir).sort();
    // A build that changed one answer: compared with itself (SIM rewrote the snapshot first) it would pass.
    for (const baseline of ['.toron-testops/snapshots/same.json', '.toron-testops/reports/same', '.toron-testops/reports/same/bundle.zip']) {
      const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 1'), runId: 'same', stages: 'sim,replay', baseline });
      expect(now.verdict).toBe('ERROR');
      expect(now.exitCode).toBe(2);
      expect(now.error).toMatch(new RegExp(`^--baseline ${baseline.replace(/\./g, '\\.')} is (this run's own snapshot|in this run's own report folder) \\(run id same\\): the run would overwrite it`));
      expect(fs.readFileSync(snapshot).equals(before)).toBe(true);
      expect(fs.readdirSync(reportDir).sort()).toEqual(files);
    }
    // Another run id may take it.
    const other = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 1'), runId: 'next', stages: 'sim,replay', baseline: '.toron-testops/snapshots/same.json' });
    expect(other.replay.drift).toMatchObject({ changed: 1, unchanged: 3 });
  });

  it('a snapshot whose stored answer was edited under its old hash is refused (file, line, case), as a replayed snapshot and as a baseline', async () => {
    const dir = project({ d: dataset('d', 3) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'orig', stages: 'sim' });
    // Someone "approves" another answer for c1 by editing the snapshot; the hash still is the old answer's.
    const file = path.join(dir, '.toron-testops/snapshots/orig.json');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"id":"c1"'));
    lines[at] = lines[at].replace('is forty-two.', 'is forty-three.');
    fs.writeFileSync(path.join(dir, 'edited.json'), lines.join('\n'));
    // The engine still answers forty-two: compared by hash it would agree and be "unchanged".
    const message = new RegExp(`^edited\\.json:${at + 1} at /cases/1/answer case "c1": the stored answer \\(dataset d\\) does not match its hash`);
    const asBaseline = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'orig2', stages: 'sim,replay', baseline: 'edited.json' });
    expect(asBaseline.verdict).toBe('ERROR');
    expect(asBaseline.reportJson.error.message).toMatch(message);
    const settings = resolveSettings({ cwd: dir, flags: { engine: cmd(DRIFT_ENGINE), runId: 'staged', stages: 'replay' }, env: process.env });
    const staged = await runPipeline(settings, { env: process.env, stages: { replay: createReplayStage({ snapshotFile: 'edited.json' }) } });
    expect(staged.verdict).toBe('ERROR');
    expect(staged.report!.error!.message).toMatch(message);
    // The file as written is read as before.
    const intact = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'orig3', stages: 'sim,replay', baseline: '.toron-testops/snapshots/orig.json' });
    expect(intact.replay.drift).toMatchObject({ unchanged: 3, changed: 0 });
  });

  it('bad baselines are clear errors (ERROR, not a verdict)', async () => {
    const dir = project({ d: dataset('d', 2) });
    const missing = await run(dir, { engine: 'reference', stages: 'sim,replay', baseline: 'nope/snapshot.json' });
    expect(missing.verdict).toBe('ERROR');
    expect(missing.exitCode).toBe(2);
    expect(missing.reportJson.error.message).toMatch(/^nope\/snapshot\.json: baseline not found/);
    // Found out before the suite runs: SIM never started, and the report says so.
    expect(missing.reportJson.stages.sim.verdict).not.toBe('PASS');
    expect(missing.reportJson.stages.sim.total ?? 0).toBe(0);
    const auto = await run(dir, { engine: 'reference', stages: 'sim,replay', baseline: 'auto', runId: 'auto-cli' });
    expect(auto.reportJson.error.message).toMatch(/^auto: baseline not found .*`auto` is the action's baseline input/);
    expect(auto.reportJson.stages.sim.total ?? 0).toBe(0);
    // Without the replay stage nothing reads the baseline: the run goes on, and says it is unused.
    const unused = await run(dir, { engine: 'reference', stages: 'sim', baseline: 'nope/snapshot.json', runId: 'unused' });
    expect(unused.verdict).toBe('PASS');
    expect(fs.readFileSync(path.join(unused.paths.reportDir, 'run.log'), 'utf8')).toMatch(
      /WARN  \[runner\] --baseline nope\/snapshot\.json is not used: only the replay stage reads a baseline, and this run's stages are sim/,
    );

    fs.writeFileSync(path.join(dir, 'bundle.zip'), 'PK');
    expect(() => loadBaseline('bundle.zip', dir)).toThrow(/^bundle\.zip: cannot read the bundle: /);
    await run(dir, { engine: 'reference', runId: 'nosnap', stages: 'replay' }); // no SIM, no snapshot in its bundle
    expect(() => loadBaseline('.toron-testops/reports/nosnap/bundle.zip', dir)).toThrow(/bundle\.zip: this bundle has no snapshot\.json/);
    fs.mkdirSync(path.join(dir, 'empty'));
    expect(() => loadBaseline('empty', dir)).toThrow(/^empty: this folder has neither report\.json nor snapshot\.json/);
    // A report folder copied alone: its snapshot is not beside it.
    const r = await run(dir, { engine: 'reference', runId: 'x', stages: 'sim' });
    fs.cpSync(r.paths.reportDir, path.join(dir, 'copied'), { recursive: true });
    expect(() => loadBaseline('copied', dir)).toThrow(/names its snapshot \.\.\/\.\.\/snapshots\/x\.json, which is not there/);
    // ... unless snapshot.json sits beside it (an unpacked bundle).
    fs.copyFileSync(path.join(dir, '.toron-testops/snapshots/x.json'), path.join(dir, 'copied/snapshot.json'));
    const b = loadBaseline('copied', dir);
    expect(b).toMatchObject({ label: 'copied', snapshotFile: 'copied/snapshot.json' });
    expect(b.snapshot.header.runId).toBe('x');
    b.snapshot.close();
  });
});
