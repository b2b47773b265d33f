import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { runPipeline } from '../../src/runner/runner.js';
import type { RunEvent } from '../../src/runner/events.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import type { ReplaySettings } from '../../src/settings/types.js';
import type { ReplayCaseResult } from '../../src/stages/replay/replay.js';
import { answeredVerdict, isScored, replayReason, replayTotals, stageVerdict } from '../../src/stages/replay/report.js';
import { replayFindings } from '../../src/stages/replay/stage.js';
import { readJson } from '../helpers/cli.js';
import { cmd, dataset, project, run } from './helpers.js';

const SCRIPTED = path.join(import.meta.dirname, 'fixtures/scripted-engine.mjs');
const RULES = { rounds: 3, ignorePaths: [], freshProcess: false, thresholds: { pass: 90, warn: 70 }, drift: { warnRate: 0, failRate: 0.05 } } as unknown as ReplaySettings;

function kase(id: string, o: Partial<ReplayCaseResult> = {}): ReplayCaseResult {
  return {
    id,
    dataset: 'd',
    agreed: true,
    rawAgreed: true,
    uniqueOutputs: 1,
    modalAgreement: 1,
    stable: true,
    rounds: 3,
    errors: [],
    firstDivergence: null,
    diffs: [],
    diffCount: 0,
    ...o,
  };
}
const err = (round: number) => ({ round, kind: 'process_exit', message: 'the engine exited (code 75)' });

describe('replay: an engine error is no answer (pure)', () => {
  it('no scored case: no determinism figure; FAIL for engine errors (engine behaviour), ERROR when cancelled; no nondeterminism finding', () => {
    for (const cases of [[], [kase('a', { scored: false, agreed: false, rawAgreed: false, stable: false, errors: [err(1), err(2), err(3)] })]]) {
      const t = replayTotals(cases, RULES.thresholds);
      expect(t).toMatchObject({ replayed: 0, determinismScore: null, determinismVerdict: null, tarCanonical: null, tarRaw: null, unscored: cases.length });
      expect(stageVerdict(t.determinismVerdict, null, false)).toBe('FAIL');
      expect(stageVerdict(t.determinismVerdict, 'PASS', false)).toBe('FAIL');
      expect(stageVerdict(t.determinismVerdict, null, true)).toBe('ERROR');
      expect(replayFindings(t, cases, null, [], '', RULES).map((f) => f.type)).not.toContain('replay-nondeterministic');
    }
  });

  it('cases left out for engine errors are held to the SIM pass-rate lines: an engine that died late does not PASS on the few it answered', () => {
    const lines = { warn: 1, fail: 0.95 };
    expect(answeredVerdict({ replayed: 40, unscored: 0 }, lines)).toBeNull();
    expect(answeredVerdict({ replayed: 99, unscored: 1 }, lines)).toBe('WARN');
    expect(answeredVerdict({ replayed: 14, unscored: 72 }, lines)).toBe('FAIL');
    expect(answeredVerdict({ replayed: 19, unscored: 1 }, { warn: 0.9, fail: 0.5 })).toBe('PASS');
    // Determinism 100 on the 14 answered cases, 72 left out: FAIL, not PASS.
    expect(stageVerdict('PASS', null, false, answeredVerdict({ replayed: 14, unscored: 72 }, lines))).toBe('FAIL');
    expect(stageVerdict('PASS', 'WARN', false, 'PASS')).toBe('WARN');
  });

  it('the reason: cancelled first; all engine errors say there are no usable answers', () => {
    const none = replayTotals([], RULES.thresholds);
    const cancelled = replayReason(none, null, { rounds: 3, roundsDone: 0, cancelled: true, notReplayed: 0, baseline: '' });
    expect(cancelled).toMatch(/^cancelled: 0 of 3 replay round\(s\) done, no case scored/);
    expect(cancelled).not.toMatch(/determinism \d/);
    const errored = replayTotals([kase('a', { scored: false, agreed: false, errors: [err(1)] })], RULES.thresholds);
    expect(replayReason(errored, null, { rounds: 3, roundsDone: 3, cancelled: false, notReplayed: 0, baseline: '' })).toMatch(/^no usable replay answers \(engine errors\)/);
    const partial = replayTotals([kase('a'), kase('b')], RULES.thresholds);
    expect(replayReason(partial, null, { rounds: 3, roundsDone: 2, cancelled: true, notReplayed: 0, baseline: '' })).toMatch(/^cancelled: 2 of 3 replay round\(s\) done, partial: determinism 100 /);
  });

  it('unscored cases leave TAR@N\'s denominator; a case whose answers differed counts whatever else errored', () => {
    const cases = [
      kase('ok'),
      kase('errored', { scored: false, agreed: false, rawAgreed: false, stable: false, errors: [err(2)] }),
      kase('differs-and-errored', { agreed: false, rawAgreed: false, stable: false, uniqueOutputs: 2, modalAgreement: 0.5, errors: [err(1)], firstDivergence: { pointer: '/a', round: 2 } }),
    ];
    const t = replayTotals(cases, RULES.thresholds);
    expect(t).toMatchObject({ replayed: 2, agreed: 1, unscored: 1, determinismScore: 50, determinismVerdict: 'FAIL', replayErrors: 2 });
    const f = replayFindings(t, cases, null, [], '', RULES);
    const nd = f.find((x) => x.type === 'replay-nondeterministic')!;
    expect(nd.message).toMatch(/1 of 2 case\(s\) answered differently/);
    expect(nd.caseId).toBe('differs-and-errored');
    const ee = f.find((x) => x.type === 'replay-engine-errors')!;
    expect(ee.message).toMatch(/1 case\(s\) left out of the determinism score \(d\/errored\)/);
  });

  it('a reported case read back without `scored` (merge) is judged by its fields', () => {
    expect(isScored({ errors: [], firstDivergence: null })).toBe(true);
    expect(isScored({ errors: [err(1)], firstDivergence: null })).toBe(false);
    expect(isScored({ errors: [err(1)], firstDivergence: { pointer: '/x', round: 2 } })).toBe(true);
  });
});

describe('replay: engine errors in a real run', () => {
  it('errors in replays are not answers: counted and named apart, out of TAR@N; real differences still count', async () => {
    // c0: no answer in replay round 1 (the other two agree): unscored. c1: an error and a different
    // answer: scored, not agreeing. c2: a different answer: not agreeing. c3..c5 agree.
    const script = { c0: { 2: 'error' }, c1: { 2: 'error', 3: 'other' }, c2: { 3: 'other' } };
    const out = await run(project({ d: dataset('d', 6) }, { sim: { concurrency: 2 } }), { engine: cmd(SCRIPTED, JSON.stringify(script)), runId: 'ee1', stages: 'sim,replay' });
    const r = out.replay;
    expect(r).toMatchObject({ verdict: 'FAIL', replayed: 5, agreed: 3, unscored: 1, determinismScore: 60, replayErrors: 2 });
    expect(r.cases.map((c: { id: string }) => c.id)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(r.unscoredCases).toEqual([expect.objectContaining({ id: 'c0', dataset: 'd', rounds: 3, answered: 2, errors: [expect.objectContaining({ round: 1, kind: 'engine_error' })] })]);
    const c1 = r.cases.find((c: { id: string }) => c.id === 'c1');
    expect(c1).toMatchObject({ agreed: false, uniqueOutputs: 2, firstDivergence: { pointer: '/final_answer', round: 2 } });
    expect(r.reason).toMatch(/1 case\(s\) left out: engine errors/);
    const nd = out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-nondeterministic');
    expect(nd.message).toMatch(/2 of 5 case\(s\) answered differently/);
    const ee = out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-engine-errors');
    expect(ee.message).toMatch(/left out of the determinism score \(d\/c0\)/);
    expect(validateReport(out.reportJson)).toEqual({ ok: true });
    const summary = JSON.parse(fs.readFileSync(out.paths.replaySummary, 'utf8'));
    expect(summary.unscoredCases.map((c: { id: string }) => c.id)).toEqual(['c0']);
  });

  it('an engine process that dies during the replay: one CRITICAL engine-died, as SIM and load raise; the replay verdict as before', async () => {
    const out = await run(project({ d: dataset('d', 6) }), { engine: cmd(SCRIPTED, JSON.stringify({ c2: { 2: 'exit' } })), runId: 'ee3', stages: 'sim,replay' });
    expect(out.reportJson.stages.sim.verdict).toBe('PASS');
    const died = out.reportJson.warroom.filter((f: { type: string }) => f.type === 'engine-died');
    expect(died).toEqual([expect.objectContaining({ severity: 'CRITICAL', subsystem: 'engine', caseId: 'c2' })]);
    expect(died[0].message).toMatch(/^engine process exited during replay \(round 1\); \d+ replay answer\(s\) failed with it: /);
    expect(out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-engine-errors')).toBeDefined();
    const r = out.replay;
    expect(r.verdict).toBe(stageVerdict(r.determinismVerdict, null, false, answeredVerdict(r, { warn: 1, fail: 0.95 })));
    expect(validateReport(out.reportJson)).toEqual({ ok: true });
  });

  it('an engine process that died in SIM: its replay answers fail with that one death, raised once (by SIM), not again as a replay death', async () => {
    const out = await run(project({ d: dataset('d', 6) }, { sim: { concurrency: 1 } }), { engine: cmd(SCRIPTED, JSON.stringify({ c2: { 1: 'exit' } })), runId: 'ee4', stages: 'sim,replay' });
    expect(out.reportJson.stages.sim.engineErrors).toMatchObject({ process_exit: expect.any(Number) });
    const died = out.reportJson.warroom.filter((f: { type: string }) => f.type === 'engine-died');
    expect(died).toEqual([expect.objectContaining({ severity: 'CRITICAL', caseId: 'c2' })]);
    expect(died[0].message).not.toMatch(/during replay/);
    expect(fs.readFileSync(out.paths.runLog, 'utf8')).toMatch(/failed with the engine process that exited earlier in this run/);
  });

  it('an engine that cannot restart (--replay-fresh-process): FAIL "no usable replay answers", no determinism score, no CRITICAL but engine-died', async () => {
    const lock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'toron-lock-')), 'engine.lock');
    const out = await run(project({ d: dataset('d', 8) }), { engine: cmd(SCRIPTED, '{}', lock), runId: 'ee2', stages: 'sim,replay', freshProcess: true });
    const r = out.replay;
    expect(out.reportJson.stages.sim.verdict).toBe('PASS');
    expect(r.verdict).toBe('FAIL');
    expect(r.reason).toMatch(/^no usable replay answers \(engine errors\)/);
    expect(r.determinismScore).toBeNull();
    expect(r).toMatchObject({ replayed: 0, unscored: 8, cases: [] });
    expect(r.replayErrors).toBe(24);
    expect(out.reportJson.warroom.filter((f: { type: string }) => f.type === 'replay-nondeterministic')).toEqual([]);
    // The only CRITICAL is the engine's death (as SIM would say it): none for determinism, which was not measured.
    expect(out.reportJson.warroom.filter((f: { severity: string }) => f.severity === 'CRITICAL').map((f: { type: string }) => f.type)).toEqual(['engine-died']);
    expect(out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-engine-errors').message).toMatch(/process_exit 24.*8 case\(s\) left out.*no usable replay answers/);
    expect(readJson(out.paths.result).metrics.determinismScore).toBeNull();
    expect(validateReport(out.reportJson)).toEqual({ ok: true });
  });
});

describe('replay: cancelled in its first round', () => {
  it('no completed round: no determinism figure and no determinism finding; the stage says it was cancelled', async () => {
    const dir = project({ d: dataset('d', 20) }, { sim: { concurrency: 2 } });
    const settings = resolveSettings({ cwd: dir, flags: { engine: 'reference', latencyMs: 60, runId: 'rc1', stages: 'sim,replay' }, env: process.env });
    const ac = new AbortController();
    // One round takes 20 x 60 ms / 2 = 600 ms at least: 150 ms in, it is in its first round.
    const sink = { name: 'cancel', handle: (e: RunEvent) => void (e.type === 'subsystem' && e.stage === 'replay' && e.state === 'started' && setTimeout(() => ac.abort(new Error('test')), 150)) };
    const outcome = await runPipeline(settings, { env: process.env, signal: ac.signal, sinks: [sink] });
    const report = readJson(outcome.paths.report);
    const r = report.stages.replay;
    expect(report).toMatchObject({ verdict: 'ERROR', cancelled: true });
    expect(r.verdict).toBe('ERROR');
    expect(r.reason).toMatch(/^cancelled: 0 of 3 replay round\(s\) done, no case scored/);
    expect(r.determinismScore).toBeNull();
    expect(report.warroom.map((f: { type: string }) => f.type)).not.toContain('replay-nondeterministic');
    expect(report.warroom.map((f: { type: string }) => f.type)).toContain('run-cancelled');
    expect(validateReport(report)).toEqual({ ok: true });
  });
});
