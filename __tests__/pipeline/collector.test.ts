import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { PipelineCollector } from '../../src/stages/pipeline/collector.js';
import { exportPipelineData, importPipelineData, mergePipelineData } from '../../src/stages/pipeline/data.js';
import { judgePipeline } from '../../src/stages/pipeline/stage.js';
import type { SimCase } from '../../src/stages/sim/types.js';
import { clone, samples } from './helpers.js';

/** The collector fed real answers (and broken ones) as SIM would, in a chosen arrival order. */

const thresholds = { ...DEFAULTS.pipeline };
const settings = { pipeline: DEFAULTS.pipeline, engine: { ...DEFAULTS.engine, profile: 'auto' as const } };

function simCase(i: number): SimCase {
  return { id: `c${i}`, dataset: 'd', input: { prompt: `p${i}` }, assert: [], tags: [], repeat: 1, ignorePaths: [], location: { file: 'sim/d.json', line: 3 + i } };
}

function feed(c: PipelineCollector, answers: [number, unknown, number?][]): PipelineCollector {
  for (const [i, body, latencyMs = 10] of answers) {
    c.observe({ case: simCase(i), caseIndex: i, repeat: 0, seed: 1, passed: true, result: { ok: true, body, raw: JSON.stringify(body), latencyMs } });
  }
  return c;
}

const collector = () => new PipelineCollector({ profile: 'auto', custom: null, thresholds });
const good = samples['2.5h']()
  .filter((l) => !(l.response as any).opus_used)
  .slice(0, 4)
  .map((l) => clone(l.response));
const broken = { error: 'overloaded' };

function verdictOf(d: Parameters<typeof judgePipeline>[0]) {
  const { result, findings } = judgePipeline(d, { runId: 'r', settings });
  return { verdict: result.verdict, findings: findings.map((f) => `${f.type} ${f.severity} ${f.caseId ?? '-'}`) };
}

describe('answers of no known shape before the first known one', () => {
  it('are checked as the generation the first known answer picks: the same verdict in any arrival order', () => {
    const first = feed(collector(), [[0, broken], [1, good[0]], [2, good[1]]]);
    const last = feed(collector(), [[1, good[0]], [2, good[1]], [0, broken]]);
    for (const c of [first, last]) {
      expect(c.checked).toBe(3);
      expect(c.unrecognisedUnchecked).toBe(0);
      expect(c.unrecognisedAfterPick).toBe(1);
      expect(c.tallies.get('answer-shape')).toMatchObject({ checked: 3, failed: 1 });
      expect(verdictOf(c)).toEqual({ verdict: 'FAIL', findings: ['pipeline-answer-shape HIGH c0'] });
    }
    expect(first.tallies.get('answer-shape')!.failures[0].message).toBe(last.tallies.get('answer-shape')!.failures[0].message);
    expect(first.tallies.get('answer-shape')!.failures[0].message).toMatch(/^not a toron-2\.5h answer: \/final_answer is absent, not text; \/state_snapshot is absent/);
  });

  it('a shard that saw only such answers hands them to merge, which checks them as the run pick: as an unsharded run', () => {
    const whole = feed(collector(), [[0, broken], [1, good[0]], [2, good[1]], [3, broken]]);
    const shardA = feed(collector(), [[0, broken], [3, broken]]);
    const shardB = feed(collector(), [[1, good[0]], [2, good[1]]]);
    expect(shardA.picked).toBeNull();
    const merged = mergePipelineData([shardA, shardB].map((s) => importPipelineData(JSON.parse(JSON.stringify(exportPipelineData(s))))));
    for (const d of [whole, merged]) {
      expect(d.checked).toBe(4);
      expect(d.tallies.get('answer-shape')).toMatchObject({ checked: 4, failed: 2 });
      expect([...d.tallies.get('answer-shape')!.failedCases]).toEqual([0, 3]);
      expect(verdictOf(d)).toEqual({ verdict: 'FAIL', findings: ['pipeline-answer-shape HIGH c0', 'pipeline-answer-shape HIGH c3'] });
    }
  });

  it('a run with no known shape at all keeps them unchecked (the stage is skipped, as before)', () => {
    const c = feed(collector(), [[0, broken], [1, { final_answer: 'toy' }]]);
    expect(c).toMatchObject({ checked: 0, unrecognisedUnchecked: 2, picked: null });
  });
});

describe('the confidence summary of the report', () => {
  it('covers the confidences on their scale: one far off it (failing confidence-range) does not turn max and mean into null', () => {
    const bodies = samples.stability().slice(0, 4).map((l) => clone(l.response) as any);
    bodies[1].confidence_score = 1e308;
    bodies[3].confidence_score = -5;
    const c = feed(collector(), bodies.map((b, i) => [i, b] as [number, unknown]));
    const { result } = judgePipeline(c, { runId: 'r', settings });
    const report = result.report as { confidence: unknown };
    expect(report.confidence).toEqual({ min: 0.77, max: 0.82, mean: 0.795, floor: 0 });
    expect(JSON.parse(JSON.stringify(report.confidence))).toEqual(report.confidence);
  });
});

describe('latency outliers', () => {
  const checkOf = (d: Parameters<typeof judgePipeline>[0], name: string) =>
    (judgePipeline(d, { runId: 'r', settings }).result.report as { checks: { name: string }[] }).checks.find((x) => x.name === name);

  it('too few answers to tell one: not applicable, saying so (not "0 answers above" a threshold the slowest one is above)', () => {
    const c = feed(collector(), good.map((b, i) => [i, b, i === 3 ? 2000 : 10] as [number, unknown, number]));
    expect(checkOf(c, 'latency-outliers')).toEqual({
      name: 'latency-outliers',
      ok: true,
      severity: 'LOW',
      level: 'info',
      applicable: false,
      checked: 4,
      failed: 0,
      detail: 'not judged: 4 SIM latencies, fewer than the 8 a median and MAD need to tell an outlier (slowest 2000 ms, median 10 ms)',
    });
  });

  it('from 8 answers on, the slow one is an outlier', () => {
    const bodies = samples['2.5h']().filter((l) => !(l.response as any).opus_used).slice(0, 8);
    const c = feed(collector(), bodies.map((l, i) => [i, clone(l.response), i === 3 ? 2000 : 10] as [number, unknown, number]));
    expect(checkOf(c, 'latency-outliers')).toMatchObject({ ok: false, checked: 8, failed: 1, cases: ['d/c3'] });
  });
});

describe('latency p95 and timeouts', () => {
  it('a timed-out request counts in the p95 at its timeout (the slowest requests are not left out of the gate)', () => {
    const c = collector();
    const bodies = samples['2.5h']().filter((l) => !(l.response as any).opus_used).slice(0, 8);
    feed(c, bodies.map((l, i) => [i, clone(l.response), 10] as [number, unknown, number]));
    for (const i of [8, 9]) {
      c.observe({ case: simCase(i), caseIndex: i, repeat: 0, seed: 1, passed: false, result: { ok: false, error: { kind: 'timeout', message: 'no answer within 1000 ms' }, latencyMs: 1000 } });
    }
    c.observe({ case: simCase(10), caseIndex: 10, repeat: 0, seed: 1, passed: false, result: { ok: false, error: { kind: 'connection', message: 'refused' }, latencyMs: 1 } });
    const s = { ...settings, pipeline: { ...settings.pipeline, latencyP95Ms: 300 } };
    const { result, findings } = judgePipeline({ ...c, options: { ...c.options, thresholds: { ...thresholds, latencyP95Ms: 300 } } } as any, { runId: 'r', settings: s });
    const report = result.report as { checks: { name: string; ok: boolean; detail: string }[]; latency: Record<string, unknown> };
    const p95 = report.checks.find((x) => x.name === 'latency-p95')!;
    expect(p95.ok).toBe(false);
    expect(p95.detail).toBe('p95 of 10 SIM latencies 1000 ms (p50 10, max 1000; 2 timed out, counted at their timeout); limit 300 ms');
    expect(report.latency).toMatchObject({ count: 10, p95: 1000, timeouts: 2, median: 10, outliers: 0 });
    expect(findings.filter((f) => f.type === 'pipeline-latency-p95').map((f) => f.caseId)).toEqual(['c8']);
    // The timeouts are SIM's errors, not single slow answers: no outlier events for them.
    expect(findings.filter((f) => f.type === 'pipeline-latency-outliers')).toEqual([]);
  });
});

describe('a profile set by config', () => {
  it('answers that look like another generation are reported (profile-shape warns), not silently read with the weaker profile', () => {
    const c = new PipelineCollector({ profile: 'toron-2.5h', custom: null, thresholds });
    const stab = samples.stability().slice(0, 3).map((l) => clone(l.response));
    const own = samples['2.5h']().slice(0, 2).map((l) => clone(l.response));
    feed(c, [
      [0, own[0]],
      [1, stab[0]],
      [2, own[1]],
      [3, stab[1]],
      [4, stab[2]],
    ]);
    const s = { ...settings, engine: { ...settings.engine, profile: 'toron-2.5h' as const } };
    const { result, findings } = judgePipeline(c, { runId: 'r', settings: s });
    const shape = (result.report as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((x) => x.name === 'profile-shape')!;
    expect(shape).toMatchObject({ ok: false, detail: 'profile set by config: toron-2.5h; 3 answer(s) look like toron-2.5h-stability (first: d/c1), checked as toron-2.5h' });
    expect(findings.map((f) => `${f.type} ${f.severity} ${f.caseId}`)).toEqual(['pipeline-profile-shape MEDIUM c1']);
    expect(result.verdict).toBe('WARN');
  });

  it('answers of its own shape, or of no known shape, raise nothing there', () => {
    const c = new PipelineCollector({ profile: 'toron-2.5h', custom: null, thresholds });
    feed(c, [[0, good[0]], [1, good[1]]]);
    const s = { ...settings, engine: { ...settings.engine, profile: 'toron-2.5h' as const } };
    const shape = (judgePipeline(c, { runId: 'r', settings: s }).result.report as { checks: { name: string; ok: boolean; detail: string }[] }).checks.find((x) => x.name === 'profile-shape')!;
    expect(shape).toMatchObject({ ok: true, detail: 'profile set by config: toron-2.5h' });
  });
});

describe('escalation budgets with nothing to count', () => {
  it('no answer says whether it escalated: opus-escalations is not applicable (not "0 undeclared escalations")', () => {
    const c = collector();
    const bodies = samples.t3query().slice(0, 3).map((l) => clone(l.response) as any);
    for (const b of bodies) b.consensus.arbitration_source = 'committee';
    feed(c, bodies.map((b, i) => [i, b] as [number, unknown]));
    const checks = (judgePipeline(c, { runId: 'r', settings }).result.report as { checks: Record<string, unknown>[] }).checks;
    expect(checks.find((x) => x.name === 'opus-escalations')).toEqual({
      name: 'opus-escalations',
      ok: true,
      severity: 'HIGH',
      level: 'error',
      applicable: false,
      checked: 0,
      failed: 0,
      detail: 'not applicable: none of the 3 answers says whether it escalated',
    });
    expect(checks.find((x) => x.name === 'tier-consistency')).toMatchObject({ ok: false, failed: 3 });
  });
});

describe('remediation hints cover every way each check fails', () => {
  it('names the failures the checks report', async () => {
    const { catalogueEntry } = await import('../../src/warroom/catalogue.js');
    const hint = (t: string) => catalogueEntry(`pipeline-${t}`).remediation;
    expect(hint('answer-shape')).toMatch(/empty/);
    expect(hint('t2-audit')).toMatch(/names no auditing model/);
    expect(hint('t3-evidence')).toMatch(/missing/);
    expect(hint('tier-consistency')).toMatch(/tier path/);
    expect(hint('tier-consistency')).toMatch(/in order/);
    expect(hint('tier-consistency')).toMatch(/agreement/);
    expect(hint('contradiction-density')).toMatch(/whole number/);
  });
});

describe('checks that judged no answer', () => {
  it('say why (no answer was readable), not "0 answer(s) ok"', () => {
    const c = new PipelineCollector({ profile: 'toron-3', custom: null, thresholds });
    feed(c, [[0, good[0]], [1, good[1]]]);
    const s = { ...settings, engine: { ...settings.engine, profile: 'toron-3' as const } };
    const checks = (judgePipeline(c, { runId: 'r', settings: s }).result.report as { checks: Record<string, unknown>[] }).checks;
    expect(checks.find((x) => x.name === 'answer-shape')).toMatchObject({ ok: false, checked: 2, failed: 2 });
    expect(checks.find((x) => x.name === 't1-present')).toMatchObject({
      ok: true,
      applicable: false,
      checked: 0,
      detail: 'not judged: none of the 2 answers could be read as its generation (see answer-shape)',
    });
    const c25 = new PipelineCollector({ profile: 'toron-2.5h', custom: null, thresholds });
    feed(c25, [[0, broken], [1, { final_answer: 'x' }]]);
    const s25 = { ...settings, engine: { ...settings.engine, profile: 'toron-2.5h' as const } };
    const density = (judgePipeline(c25, { runId: 'r', settings: s25 }).result.report as { checks: Record<string, unknown>[] }).checks.find((x) => x.name === 'contradiction-density');
    expect(density).toMatchObject({ applicable: false, detail: 'not judged: none of the 2 answers could be read as its generation (see answer-shape)' });
  });
});

describe('findings beyond the first ten', () => {
  it('the "N more" finding points at pipeline_summary.json, which lists every such case (run-level checks too)', () => {
    const c = collector();
    const opus = samples['2.5h']().find((l) => (l.response as any).opus_used)!;
    feed(c, Array.from({ length: 15 }, (_, i) => [i, clone(opus.response)] as [number, unknown]));
    const { result, findings } = judgePipeline(c, { runId: 'r', settings });
    const esc = findings.filter((f) => f.type === 'pipeline-opus-escalations');
    expect(esc).toHaveLength(11);
    expect(esc[10].message).toBe('opus-escalations: 5 more case(s) with this finding (see pipeline_summary.json)');
    const summary = result.summary as { cases?: Record<string, string[]> };
    expect(summary.cases?.['opus-escalations']).toEqual(Array.from({ length: 15 }, (_, i) => `d/c${i}`));
  });
});
