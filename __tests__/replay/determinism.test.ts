import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { cmd, dataset, PROCESS_SEEDED, project, run } from './helpers.js';

/**
 * The score moves for real. The reference engine's --nondeterminism P perturbs each answer with
 * probability P, drawn from its own knob stream (engine.ts), not from the request seed: the snapshot
 * answer (SIM's first attempt) and each of the N replays are perturbed independently. Every
 * perturbation changes the answer (perturb.ts), and two perturbed answers coincide only when the same
 * change is drawn: rotating models_used by the same k (prob. 0.5/(n-1) each, n = 8 models) or the same
 * of 3 word swaps (0.5/3 each). A case agrees when all N+1 answers are unperturbed, or all perturbed
 * alike (0.3^4 x sum p_i^4 = 2e-5 for N = 3: negligible). So
 *   E[TAR@N] = (1 - P)^(N+1):  P = 0.3, N = 3 -> 0.2401;  N = 1 -> 0.49.
 * Over Q independent cases TAR is binomial: sd = sqrt(p(1-p)/Q). With Q = 600 the tests allow 4 sd
 * (a false alarm once in 15 000 seeds): +-6.98 points for N = 3, +-8.16 for N = 1.
 */
const Q = 600;
const band = (p: number, q: number, sds = 4) => {
  const sd = Math.sqrt((p * (1 - p)) / q);
  return [100 * (p - sds * sd), 100 * (p + sds * sd)] as const;
};

describe('replay determinism against the reference engine', () => {
  it('--nondeterminism 0: score 100, every case one output, no finding', async () => {
    const dir = project({ d: dataset('d', 40) });
    const out = await run(dir, { engine: 'reference', runId: 'nd0', stages: 'sim,replay' });
    expect(out.verdict).toBe('PASS');
    expect(out.replay).toMatchObject({
      verdict: 'PASS',
      mode: 'in-run',
      determinismScore: 100,
      tarCanonical: 1,
      tarRaw: 1,
      rounds: 3,
      roundsDone: 3,
      replayed: 40,
      agreed: 40,
      uniqueOutputs: 1,
      modalAgreement: 1,
      calls: 120,
      drift: null,
    });
    expect(out.replay.cases[0]).toMatchObject({ id: 'c0', agreed: true, uniqueOutputs: 1, modalAgreement: 1, firstDivergence: null, diffs: [] });
    expect(out.reportJson.warroom.filter((f: { subsystem: string }) => f.subsystem === 'replay')).toEqual([]);
    // replay_summary.json, and the determinism score in result.json (the store's headline metric).
    const summary = JSON.parse(fs.readFileSync(out.paths.replaySummary, 'utf8'));
    expect(summary).toMatchObject({ runId: 'nd0', determinismScore: 100, cases: expect.any(Array) });
    expect(summary.cases).toHaveLength(40);
    expect(JSON.parse(fs.readFileSync(out.paths.result, 'utf8')).metrics.determinismScore).toBe(100);
  });

  it('--nondeterminism 0.3, 3 rounds: the score lands in the band (1-P)^4 predicts, and FAIL raises a CRITICAL naming the worst cases', async () => {
    const dir = project({ d: dataset('d', Q) });
    const out = await run(dir, { engine: 'reference', runId: 'nd3', stages: 'sim,replay', nondeterminism: 0.3, seed: 7 });
    const [lo, hi] = band(0.7 ** 4, Q);
    const score = out.replay.determinismScore;
    expect(score, `expected 24.01 +- 6.98, measured ${score}`).toBeGreaterThanOrEqual(lo);
    expect(score).toBeLessThanOrEqual(hi);
    expect(out.replay.verdict).toBe('FAIL');
    expect(out.verdict).toBe('FAIL');
    expect(out.exitCode).toBe(1);
    expect(out.replay.agreed).toBe(Math.round((score / 100) * Q));
    // Perturbed answers differ, so a case that disagrees has 2..4 outputs; first divergences are where perturb.ts changes things.
    const bad = out.replay.cases.filter((c: { agreed: boolean }) => !c.agreed);
    for (const c of bad) {
      expect(c.uniqueOutputs).toBeGreaterThanOrEqual(2);
      expect(c.firstDivergence.pointer).toMatch(/^\/(final_answer|models_used\/\d+)$/);
      expect(c.diffs.length).toBeGreaterThan(0);
    }
    const text = bad.find((c: any) => c.firstDivergence.pointer === '/final_answer');
    expect(text.firstDivergence.charIndex).toBeGreaterThan(0);
    expect(text.diffs[0].similarity).toBeGreaterThan(0.9);
    const critical = out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-nondeterministic');
    expect(critical).toMatchObject({ severity: 'CRITICAL', score: 100, subsystem: 'replay' });
    expect(critical.message).toMatch(/^determinism score [0-9.]+ \(< 70\): \d+ of 600 case\(s\) answered differently across 3 replay\(s\); worst: d\/c\d+ \(4 outputs/);
    expect(critical.location.file).toBe('sim/d.json');
    expect(validateReport(out.reportJson)).toEqual({ ok: true });
    console.log(`determinism, P=0.3, N=3, Q=${Q}: measured ${score}, expected 24.01 (band ${lo.toFixed(2)}..${hi.toFixed(2)})`);
  });

  it('--nondeterminism 0.3, 1 round: (1-P)^2 = 0.49, and thresholds from the config turn it into WARN with a HIGH event', async () => {
    const dir = project({ d: dataset('d', Q) }, { replay: { rounds: 1, thresholds: { pass: 70, warn: 30 } } });
    const out = await run(dir, { engine: 'reference', runId: 'nd1', stages: 'sim,replay', nondeterminism: 0.3, seed: 11 });
    const [lo, hi] = band(0.49, Q);
    expect(out.replay.determinismScore).toBeGreaterThanOrEqual(lo);
    expect(out.replay.determinismScore).toBeLessThanOrEqual(hi);
    expect(out.replay.verdict).toBe('WARN');
    expect(out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-nondeterministic')).toMatchObject({ severity: 'HIGH' });
    console.log(`determinism, P=0.3, N=1, Q=${Q}: measured ${out.replay.determinismScore}, expected 49 (band ${lo.toFixed(2)}..${hi.toFixed(2)})`);
  });

  it('toron-3 request ids vary per call: ignored by default as the generation\'s volatile members; 0 without them (diverging at /metrics/request_id), 100 with them from the dataset or the config', async () => {
    const volatile = ['/metrics/request_id', '/metrics/timestamp', '/consensus/timestamp'];
    const byDefault = await run(project({ t3: dataset('t3', 12) }), { engine: 'reference', generation: '3', runId: 'vd', stages: 'sim,replay' });
    expect(byDefault.replay).toMatchObject({ determinismScore: 100, tarRaw: 0, verdict: 'PASS' });
    const off = { replay: { ignoreVolatile: false } };
    const bare = await run(project({ t3: dataset('t3', 12) }, off), { engine: 'reference', generation: '3', runId: 'v0', stages: 'sim,replay' });
    expect(bare.replay.determinismScore).toBe(0);
    expect(bare.replay.tarRaw).toBe(0);
    expect(bare.replay.cases[0].firstDivergence).toEqual({ pointer: '/metrics/request_id', charIndex: 0, round: 1 });
    expect(bare.replay.cases[0].uniqueOutputs).toBe(4);

    const fromDataset = await run(project({ t3: dataset('t3', 12, { defaults: { ignorePaths: volatile } }) }, off), { engine: 'reference', generation: '3', runId: 'v1', stages: 'sim,replay' });
    expect(fromDataset.replay).toMatchObject({ determinismScore: 100, tarRaw: 0, verdict: 'PASS' }); // raw bytes still differ (TARr is reported, not gated)

    const fromConfig = await run(project({ t3: dataset('t3', 12) }, { replay: { ignorePaths: volatile, ignoreVolatile: false } }), { engine: 'reference', generation: '3', runId: 'v2', stages: 'sim,replay' });
    expect(fromConfig.replay).toMatchObject({ determinismScore: 100, verdict: 'PASS', ignorePaths: volatile });
  });

  it('engine errors: a snapshot case without an answer is not replayed; an error in a replay is no answer (not compared, never a divergence)', async () => {
    const out = await run(project({ d: dataset('d', 40) }), { engine: 'reference', runId: 'errs', stages: 'sim,replay', errorRate: 0.2, seed: 3 });
    const r = out.replay;
    expect(r.notReplayed).toBeGreaterThan(0);
    // Every answered case is either scored (in cases[]) or left out for its engine errors (unscoredCases).
    expect(r.replayed + r.unscored + r.notReplayed).toBe(40);
    expect(r.unscored).toBeGreaterThan(0);
    expect(r.unscoredCases).toHaveLength(r.unscored);
    expect(r.replayErrors).toBeGreaterThan(0);
    const errored = r.unscoredCases[0];
    expect(errored.errors[0]).toMatchObject({ kind: 'engine_error', message: expect.stringMatching(/injected engine error/) });
    // The reference engine's errors do not make its answers differ: no scored case has an error divergence.
    for (const c of r.cases) expect(c.diffs.every((d: { replay?: unknown }) => !String(d.replay ?? '').startsWith('engine error'))).toBe(true);
    expect(r.determinismScore).toBe(100);
    // Agreement is perfect, but a fifth of the cases got no answer in some round: not a PASS.
    expect(r.unscored / (r.replayed + r.unscored)).toBeGreaterThan(0.05);
    expect(r.verdict).toBe('FAIL');
    const event = out.reportJson.warroom.find((f: { type: string }) => f.type === 'replay-engine-errors');
    expect(event).toMatchObject({ severity: 'HIGH' });
    expect(event.message).toMatch(new RegExp(`^${r.replayErrors} replay answer\\(s\\) were engine errors \\(engine_error ${r.replayErrors}\\)`));
    expect(event.message).toMatch(new RegExp(`${r.unscored} case\\(s\\) left out of the determinism score`));
    expect(JSON.parse(fs.readFileSync(out.paths.replaySummary, 'utf8')).notReplayedCases[0].reason).toMatch(/^no answer in the snapshot \(engine_error: /);
  });

  it('a fresh process per round is asked of cmd: engines only; the reference engine says so and answers in one process', async () => {
    const out = await run(project({ d: dataset('d', 5) }), { engine: 'reference', runId: 'fp', stages: 'sim,replay', freshProcess: true });
    expect(out.replay).toMatchObject({ freshProcess: 'not-restartable', determinismScore: 100 });
    expect(fs.readFileSync(out.paths.runLog, 'utf8')).toMatch(/replay\.freshProcess applies to cmd: engines only/);
  });
});

describe('answers that depend on the engine process (cmd: engine)', () => {
  const ignore = { defaults: { ignorePaths: ['/request_id', '/timestamp'] } };

  it('100 with rounds in the same process; below 100 with a fresh process per round, diverging in the process-ordered list', async () => {
    const dir = project({ p: dataset('p', 8, ignore) });
    const same = await run(dir, { engine: cmd(PROCESS_SEEDED), runId: 'same-proc', stages: 'sim,replay' });
    expect(same.replay).toMatchObject({ determinismScore: 100, freshProcess: 'off', verdict: 'PASS' });

    const fresh = await run(dir, { engine: cmd(PROCESS_SEEDED), runId: 'fresh-proc', stages: 'sim,replay', freshProcess: true });
    expect(fresh.replay.freshProcess).toBe('per-round');
    // 8 sources in a per-process order: two processes agree on a prompt once in 8! = 40 320.
    expect(fresh.replay.determinismScore).toBe(0);
    expect(fresh.replay.verdict).toBe('FAIL');
    for (const c of fresh.replay.cases) {
      expect(c.firstDivergence.pointer).toMatch(/^\/sources_used\/\d$/);
      expect(c.firstDivergence.round).toBe(1);
      expect(c.diffs.every((d: { pointer: string }) => d.pointer.startsWith('/sources_used/'))).toBe(true);
    }
    // The volatile fields were left out: without the ignorePaths the request id diverges first.
    const noIgnore = await run(project({ p: dataset('p', 3) }), { engine: cmd(PROCESS_SEEDED), runId: 'volatile', stages: 'sim,replay' });
    expect(noIgnore.replay.determinismScore).toBe(0);
    expect(noIgnore.replay.cases[0].firstDivergence.pointer).toBe('/request_id');
    expect(path.basename(noIgnore.paths.replaySummary)).toBe('replay_summary.json');
  });

  it('--replay-fresh-process reaches the settings from the command line and the config', async () => {
    const { parseRunFlags } = await import('../../src/cli/run-command.js');
    const { resolveSettings } = await import('../../src/settings/resolve.js');
    const dir = project({ p: dataset('p', 1) });
    expect(parseRunFlags(['--replay-fresh-process']).flags.freshProcess).toBe(true);
    expect(parseRunFlags([]).flags.freshProcess).toBeUndefined();
    expect(resolveSettings({ cwd: dir, flags: { freshProcess: true }, env: {} }).replay.freshProcess).toBe(true);
    expect(resolveSettings({ cwd: dir, flags: {}, env: {} }).replay.freshProcess).toBe(false);
    const cfg = project({ p: dataset('p', 1) }, { replay: { freshProcess: true, drift: { failRate: 0.2 } } });
    expect(resolveSettings({ cwd: cfg, flags: {}, env: {} }).replay).toMatchObject({ freshProcess: true, drift: { warnRate: 0, failRate: 0.2 } });
    const bad = project({ p: dataset('p', 1) }, { replay: { drift: { warnRate: 0.5, failRate: 0.1 } } });
    expect(() => resolveSettings({ cwd: bad, flags: {}, env: {} })).toThrow(/replay\.drift\.warnRate \(0\.5\) must be <= replay\.drift\.failRate \(0\.1\)/);
  });
});
