import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startReferenceServer } from '../../src/engine/reference/server.js';
import type { Report } from '../../src/report/types.js';
import { validateReport } from '../../src/report/schema.js';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings, type SettingsFlags } from '../../src/settings/resolve.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import type { Settings } from '../../src/settings/types.js';
import type { CheckReport } from '../../src/stages/pipeline/types.js';
import { CHECK_NAMES } from '../../src/stages/pipeline/types.js';
import type { Finding } from '../../src/warroom/finding.js';
import { ROOT, makeProject } from '../helpers/cli.js';
import { FIXTURES, cannedEngine, clone, samples, type SampleLine } from './helpers.js';

/**
 * The pipeline stage through the real runner (stages sim,pipeline), against real engines: the
 * reference engine in its three generations, and HTTP engines on 127.0.0.1 serving the real Toron
 * answers (and mutated copies of them).
 */

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface PipelineReport {
  verdict: string;
  reason: string;
  checks: CheckReport[];
  profile: { used: string | null; forms?: Record<string, number> };
  escalations: { escalated: number; declared: number; undeclaredCases: number };
  contradictions: { meanPerAnswer: number | null; measured: number; overLimitDeclared: number };
  latency: { p95: number | null; outliers: number };
  answers: { checked: number };
}

/**
 * Latencies here are client-side, measured in a test process that also runs the engine and other test
 * files: a loaded machine stalls whole batches of requests for 50-150 ms. Tests that are not about
 * latency lift the outlier margin so such stalls are not reported; the latency test sets its own.
 */
const QUIET_OUTLIERS_MS = 10_000;

async function run(cwd: string, flags: SettingsFlags, tweak: (s: Settings) => Settings = (s) => s) {
  const out = makeProject({});
  dirs.push(out);
  const resolved = resolveSettings({ cwd, flags: { out, runId: 'pl', stages: 'sim,pipeline', ...flags }, env: process.env });
  const quiet = resolved.configFile === null || resolved.pipeline.latencyOutlierMinMs === DEFAULTS.pipeline.latencyOutlierMinMs;
  // A loaded CI machine stalls whole batches of requests: tests about answers keep latency checks out of it.
  const settings = tweak(
    quiet ? { ...resolved, pipeline: { ...resolved.pipeline, latencyOutlierMinMs: QUIET_OUTLIERS_MS, latencyP95Ms: Math.max(resolved.pipeline.latencyP95Ms, QUIET_OUTLIERS_MS) } } : resolved,
  );
  const outcome = await runPipeline(settings);
  expect(outcome.error).toBeNull();
  const report = outcome.report as Report;
  expect(validateReport(report)).toEqual({ ok: true });
  return { outcome, report, pipeline: report.stages.pipeline as unknown as PipelineReport, findings: report.warroom as Finding[] };
}

const pipelineFindings = (f: Finding[]) => f.filter((x) => x.subsystem === 'pipeline');
const check = (p: PipelineReport, name: string) => p.checks.find((c) => c.name === name)!;

describe('the reference engine, three generations: no false alarm', () => {
  it('toron-2.5h on the bundled datasets: PASS, with the escalations they declare and no contradiction', async () => {
    const { report, pipeline, findings } = await run(ROOT, { engine: 'reference' });
    expect(pipelineFindings(findings)).toEqual([]);
    expect(report.verdict).toBe('PASS');
    expect(pipeline.verdict).toBe('PASS');
    expect(pipeline.checks.map((c) => c.name)).toEqual([...CHECK_NAMES]);
    expect(pipeline.checks.every((c) => c.ok)).toBe(true);
    expect(pipeline.profile.used).toBe('toron-2.5h');
    // Not vacuous: the datasets escalate on purpose, and declare it.
    expect(pipeline.escalations.escalated).toBeGreaterThan(10);
    expect(pipeline.escalations.declared).toBe(pipeline.escalations.escalated);
    // The real engine reports no contradiction, whatever the prompt (its reference neither): measured, zero.
    expect(pipeline.contradictions.measured).toBeGreaterThan(80);
    expect(pipeline.contradictions.meanPerAnswer).toBe(0);
    expect(pipeline.contradictions.overLimitDeclared).toBe(0);
  });

  it('toron-2.5h-stability on its fixture dataset: PASS', async () => {
    const { pipeline, findings, report } = await run(ROOT, { engine: 'reference', generation: '2.5h-stability' }, (s) => ({
      ...s,
      sim: { ...s.sim, registry: path.join(FIXTURES, 'datasets/stability/sim_dataset.json') },
    }));
    expect(report.stages.sim.verdict).toBe('PASS');
    expect(pipelineFindings(findings)).toEqual([]);
    expect(pipeline).toMatchObject({ verdict: 'PASS', profile: { used: 'toron-2.5h-stability' } });
    expect(pipeline.escalations).toMatchObject({ undeclaredCases: 1 }); // counted, within the limit of 3
    expect(pipeline.contradictions).toMatchObject({ meanPerAnswer: 0, overLimitDeclared: 0 });
  });

  it('toron-3 (/query form) on the bundled toron3-consensus dataset: PASS', async () => {
    const { pipeline, findings, report } = await run(ROOT, { engine: 'reference', generation: '3' }, (s) => ({ ...s, sim: { ...s.sim, datasets: ['toron3-consensus'] } }));
    expect(report.stages.sim.verdict).toBe('PASS');
    expect(pipelineFindings(findings)).toEqual([]);
    expect(pipeline).toMatchObject({ verdict: 'PASS', profile: { used: 'toron-3', forms: { query: 10 } } });
    expect(check(pipeline, 't2-audit')).toMatchObject({ ok: true, applicable: false });
  });

  it('toron-3 (full form, over HTTP) on its fixture dataset: PASS', async () => {
    const server = await startReferenceServer({ ...DEFAULTS.reference, generation: '3' }, { port: 0, toron3Form: 'full' });
    try {
      const { pipeline, findings, report } = await run(ROOT, { engine: `${server.url}/run` }, (s) => ({
        ...s,
        sim: { ...s.sim, registry: path.join(FIXTURES, 'datasets/toron3/sim_dataset.json') },
      }));
      expect(report.stages.sim.verdict).toBe('PASS');
      expect(pipelineFindings(findings)).toEqual([]);
      expect(pipeline).toMatchObject({ verdict: 'PASS', profile: { used: 'toron-3', forms: { full: 12 } } });
      expect(pipeline.escalations).toMatchObject({ escalated: 3, declared: 3 });
    } finally {
      await server.close();
    }
  });
});

/** A project whose dataset asks for each sample by number, pinning its /opus_used (2.5h family). */
function samplesProject(lines: SampleLine[], opts: { pin?: boolean; config?: Record<string, unknown>; expected?: (l: SampleLine) => unknown } = {}) {
  const cases = lines.map((l) => {
    const r = l.response as any;
    const assert: unknown[] = [];
    // toron-3 samples escalate twice: within the limit, undeclared (so a body without consensus still passes SIM).
    if (opts.pin !== false && 'opus_used' in r) assert.push({ type: 'equals', path: '/opus_used', value: r.opus_used });
    assert.push({ type: 'range', path: 'opus_used' in r ? '/confidence_score' : '/metrics/providers_called', min: 0 });
    const expected = opts.expected?.(l);
    // The canned engine answers by sample number; a dataset needs a non-empty prompt.
    return { id: `s${l.seq}-${l.case}`, input: { prompt: l.request.prompt || '(empty)', sample: l.seq }, assert, ...(expected ? { expected } : {}) };
  });
  const dir = makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'samples', path: 'samples.json', enabled: true, tags: [] }] },
    'sim/samples.json': { name: 'samples', description: 'recorded answers', seed: 1, cases },
    'testops.config.json': opts.config ?? {},
  });
  dirs.push(dir);
  return dir;
}

async function serveAndRun(lines: SampleLine[], bodies: unknown[], opts: Parameters<typeof samplesProject>[1] = {}, engineOpts = {}) {
  const engine = await cannedEngine(bodies, engineOpts);
  try {
    return await run(samplesProject(lines, opts), { engine: engine.url, concurrency: 4 });
  } finally {
    await engine.close();
  }
}

describe('the real answers over HTTP, unchanged and mutated', () => {
  const h25 = samples['2.5h']();
  const stab = samples.stability();
  const t3 = samples.t3query();
  const bodiesOf = (lines: SampleLine[]) => lines.map((l) => clone(l.response));

  it('every real answer passes through its profile: no finding at all', async () => {
    for (const lines of [h25, stab, t3]) {
      const { report, pipeline, findings } = await serveAndRun(lines, bodiesOf(lines));
      expect(findings).toEqual([]);
      expect(report.verdict).toBe('PASS');
      expect(pipeline.answers.checked).toBe(lines.length);
    }
  });

  const MUTATIONS: { name: string; lines: SampleLine[]; at: string; mutate(b: any): void; type: string; message: RegExp }[] = [
    { name: 'T1 removed', lines: h25, at: 'legal', mutate: (b) => delete b.state_snapshot.T1_RAW, type: 'pipeline-t1-present', message: /tier 1 is missing/ },
    { name: 'confidence 140 on a 0-100 scale', lines: h25, at: 'financial', mutate: (b) => (b.confidence_score = 140), type: 'pipeline-confidence-range', message: /confidence 140 on the declared 0-100 scale is 1\.4/ },
    {
      name: 'Opus used but no judicial result',
      lines: h25,
      at: 'contains_not',
      mutate: (b) => (b.state_snapshot.JUDICIAL_RESULT = {}),
      type: 'pipeline-tier-consistency',
      message: /Opus was used but there is no judicial \(tier-4\) result/,
    },
    {
      name: 'tier_path without T4 while Opus was used (stability)',
      lines: stab,
      at: 'medical_legal_long',
      mutate: (b) => (b.tier_path = ['T1', 'T2', 'T3']),
      type: 'pipeline-tier-consistency',
      message: /Opus was used but the tier path has no T4/,
    },
    { name: '7 contradictions (stability)', lines: stab, at: 'political', mutate: (b) => (b.contradictions = 7), type: 'pipeline-contradiction-density', message: /7 contradictions in one answer/ },
    {
      name: 'a contradiction count as text (stability)',
      lines: stab,
      at: 'political',
      mutate: (b) => (b.contradictions = '0'),
      type: 'pipeline-contradiction-density',
      message: /the contradiction count \/contradictions is a string \("0"\), not a number/,
    },
    { name: 'no contradiction count (stability)', lines: stab, at: 'legal', mutate: (b) => delete b.contradictions, type: 'pipeline-contradiction-density', message: /the contradiction count \/contradictions is missing/ },
    {
      name: '7 contradictions (2.5h)',
      lines: h25,
      at: 'multi_claim',
      mutate: (b) => (b.state_snapshot.T1_RAW[1].contradictions = ['a', 'b', 'c', 'd', 'e', 'f', 'g']),
      type: 'pipeline-contradiction-density',
      message: /7 contradictions in one answer/,
    },
    { name: 'a toron-3 answer without consensus', lines: t3, at: 'cited_url', mutate: (b) => delete b.consensus, type: 'pipeline-answer-shape', message: /not a toron-3 answer: \/consensus is absent/ },
  ];

  for (const m of MUTATIONS) {
    it(`${m.name}: exactly one finding, ${m.type}, at the case's dataset line`, async () => {
      const bodies = bodiesOf(m.lines);
      const target = m.lines.find((l) => l.case === m.at)!;
      m.mutate(bodies[target.seq]);
      const { report, pipeline, findings } = await serveAndRun(m.lines, bodies);
      expect(findings.map((f) => f.type)).toEqual([m.type]);
      const f = findings[0];
      expect(f).toMatchObject({ severity: 'HIGH', subsystem: 'pipeline', caseId: `s${target.seq}-${target.case}`, location: { file: 'sim/samples.json' } });
      expect(f.location!.line).toBeGreaterThan(1);
      expect(f.message).toMatch(m.message);
      expect(f.remediation.length).toBeGreaterThan(40);
      expect(pipeline.verdict).toBe('FAIL');
      expect(report.verdict).toBe('FAIL');
      expect(pipeline.checks.filter((c) => !c.ok).map((c) => `pipeline-${c.name}`)).toEqual([m.type]);
    });
  }

  it('answers that switch shape mid-run: one WARN finding, each answer checked as its own shape', async () => {
    const lines = [...h25.slice(0, 6), ...t3.slice(0, 2).map((l, i) => ({ ...l, seq: 6 + i }))];
    const bodies = lines.map((l) => clone(l.response));
    const { pipeline, findings } = await serveAndRun(lines, bodies, { config: { sim: { concurrency: 1 } } });
    expect(findings.map((f) => [f.type, f.severity])).toEqual([['pipeline-profile-shape', 'MEDIUM']]);
    expect(findings[0].message).toMatch(/2 answer\(s\) switched shape mid-run \(2 as toron-3; first: samples\/s6-plain\)/);
    expect(pipeline.verdict).toBe('WARN');
    expect(pipeline.profile.used).toBe('toron-2.5h');
  });

  it('an answer of no known shape fails answer-shape whether it comes before or after the first known one (the verdict does not depend on arrival order)', async () => {
    const good = h25.filter((l) => !(l.response as any).opus_used).slice(0, 5);
    const broken = { seq: 0, case: 'overloaded', request: { prompt: 'p' }, response: { error: 'overloaded' } } as SampleLine;
    for (const lines of [
      [broken, ...good],
      [...good, broken],
    ]) {
      const numbered = lines.map((l, i) => ({ ...l, seq: i }));
      const { pipeline, findings } = await serveAndRun(numbered, numbered.map((l) => clone(l.response)), { config: { sim: { concurrency: 1 } } });
      const id = `s${numbered.findIndex((l) => l.case === 'overloaded')}-overloaded`;
      const mine = pipelineFindings(findings);
      expect(mine.map((f) => [f.type, f.severity, f.caseId])).toEqual([['pipeline-answer-shape', 'HIGH', id]]);
      expect(mine[0].message).toMatch(/not a toron-2\.5h answer: \/final_answer is absent, not text/);
      expect(pipeline.verdict).toBe('FAIL');
      expect(pipeline.answers.checked).toBe(6);
      expect(check(pipeline, 'profile-shape')).toMatchObject({ ok: true });
      expect(check(pipeline, 'profile-shape').detail).toMatch(/; 1 answer\(s\) had no known shape \(checked as toron-2\.5h\)$/);
    }
  });
});

describe('answers that are hard to read', () => {
  it('a deeply nested contradiction or confidence, or a 1 MB confidence text: each judged (never a checker crash that leaves the answer half-counted), with short messages', async () => {
    const lines = samples['2.5h']()
      .filter((l) => !(l.response as any).opus_used)
      .slice(0, 4)
      .map((l, i) => ({ ...l, seq: i }));
    const deep = '['.repeat(100_000) + ']'.repeat(100_000);
    const withText = (i: number, mutate: (b: any) => void) => {
      const b = clone(lines[i].response) as any;
      mutate(b);
      return JSON.stringify(b).replace('"@@DEEP@@"', deep);
    };
    const raw = {
      0: withText(0, (b) => (b.state_snapshot.T1_RAW[0].contradictions = ['@@DEEP@@'])),
      1: withText(1, (b) => (b.confidence_score = '@@DEEP@@')),
      2: withText(2, (b) => (b.confidence_score = 'x'.repeat(1_000_000))),
    };
    const engine = await cannedEngine(
      lines.map((l) => clone(l.response)),
      { raw },
    );
    try {
      const { pipeline, findings } = await run(samplesProject(lines, { pin: false }), { engine: engine.url, concurrency: 1 });
      const mine = pipelineFindings(findings);
      expect(mine.map((f) => [f.type, f.caseId])).toEqual([
        ['pipeline-confidence-range', 's1-question'],
        ['pipeline-confidence-range', 's2-medical'],
      ]);
      expect(mine[0].message).toMatch(/the confidence \/confidence_score is a list of 1, not a number$/);
      expect(mine[1].message).toMatch(/the confidence \/confidence_score is a string \("x{37}\.\.\."\), not a number$/);
      expect(pipeline.answers.checked).toBe(4);
      expect(pipeline.contradictions.measured).toBe(4);
      expect(pipeline.contradictions.meanPerAnswer).toBe(0.25); // the deep one is one contradiction
      expect(check(pipeline, 'answer-shape')).toMatchObject({ ok: true, checked: 4 });
    } finally {
      await engine.close();
    }
  });
});

describe('run-level budgets and levels', () => {
  const h25 = samples['2.5h']();
  const bodies = () => h25.map((l) => clone(l.response));

  it('5 undeclared Opus escalations: FAIL, one finding per case at its line; declared by expected: PASS', async () => {
    const undeclared = await serveAndRun(h25, bodies(), { pin: false });
    const esc = undeclared.findings.filter((f) => f.type === 'pipeline-opus-escalations');
    expect(esc).toHaveLength(5);
    expect(esc.map((f) => f.caseId).sort()).toEqual(h25.filter((l) => (l.response as any).opus_used).map((l) => `s${l.seq}-${l.case}`).sort());
    expect(esc.every((f) => f.location?.file === 'sim/samples.json')).toBe(true);
    // 5 of 20 is also over the 20% rate ceiling.
    expect(undeclared.findings.map((f) => f.type).filter((t) => t !== 'pipeline-opus-escalations')).toEqual(['pipeline-escalation-rate']);
    expect(undeclared.pipeline.verdict).toBe('FAIL');

    const declared = await serveAndRun(h25, bodies(), { pin: false, expected: (l) => ((l.response as any).opus_used ? { opus_used: true } : undefined) });
    expect(declared.findings).toEqual([]);
    expect(declared.pipeline.escalations).toMatchObject({ escalated: 5, declared: 5, undeclaredCases: 0 });
  });

  it("an escalation the expected block names is held to it: a trigger that stopped firing, a non-trigger that fired, each a HIGH finding at its case's line", async () => {
    const escalates = (l: SampleLine) => (l.response as any).opus_used === true;
    // Every case claims the opposite of what its answer does.
    const wrong = await serveAndRun(h25, bodies(), { pin: false, expected: (l) => ({ opus_used: !escalates(l) }) });
    const found = wrong.findings.filter((f) => f.type === 'pipeline-expected-escalation');
    // Ten findings naming their cases, then one saying how many more.
    expect(found).toHaveLength(11);
    expect(found.slice(0, 10).every((f) => f.severity === 'HIGH' && f.location?.file === 'sim/samples.json')).toBe(true);
    expect(found[10].message).toMatch(new RegExp(`${h25.length - 10} more case`));
    expect(check(wrong.pipeline, 'expected-escalation')).toMatchObject({ ok: false, checked: h25.length, failed: h25.length });
    expect(wrong.pipeline.verdict).toBe('FAIL');
    const calm = h25.find((l) => !escalates(l))!;
    expect(wrong.findings.find((f) => f.caseId === `s${calm.seq}-${calm.case}` && f.type === 'pipeline-expected-escalation')?.message).toMatch(
      /expects an Opus escalation, but the answer did not escalate \(\/opus_used is false\)/,
    );

    const right = await serveAndRun(h25, bodies(), { pin: false, expected: (l) => ({ opus_used: escalates(l) }) });
    expect(right.findings).toEqual([]);
    expect(check(right.pipeline, 'expected-escalation')).toMatchObject({ ok: true, checked: h25.length, failed: 0 });
    // Cases that say nothing are not judged.
    const silent = await serveAndRun(h25, bodies(), { pin: true });
    expect(check(silent.pipeline, 'expected-escalation')).toMatchObject({ ok: true, applicable: false, checked: 0 });
    expect(check(silent.pipeline, 'expected-escalation').detail).toMatch(/^not applicable: no case's expected block says whether it escalates/);
  });

  it('levels from config: warn makes it WARN (MEDIUM findings), off silences the check', async () => {
    const warn = await serveAndRun(h25, bodies(), { pin: false, config: { pipeline: { levels: { 'opus-escalations': 'warn', 'escalation-rate': 'off' } } } });
    expect(warn.pipeline.verdict).toBe('WARN');
    expect(new Set(warn.findings.map((f) => `${f.type} ${f.severity}`))).toEqual(new Set(['pipeline-opus-escalations MEDIUM']));
    expect(check(warn.pipeline, 'escalation-rate')).toMatchObject({ ok: true, level: 'off', severity: 'OFF' });
    const thresholds = await serveAndRun(h25, bodies(), { pin: false, config: { pipeline: { maxOpusEscalations: 5, maxEscalationRate: 0.25 } } });
    expect(thresholds.findings).toEqual([]);
  });

  it('a slow answer: p95 over the limit WARNs, the single outlier is a LOW event naming its case', async () => {
    const lines = h25.slice(0, 12);
    const slow = lines[4];
    const engine = await cannedEngine(lines.map((l) => clone(l.response)), { delays: { [slow.seq]: 1500 } });
    try {
      // A margin well above a loaded machine's stalls, well below the slow answer.
      const dir = samplesProject(lines, { config: { pipeline: { latencyP95Ms: 200, latencyOutlierMinMs: 1000 } } });
      const { pipeline, findings } = await run(dir, { engine: engine.url });
      expect(findings.map((f) => `${f.type} ${f.severity}`).sort()).toEqual(['pipeline-latency-outliers LOW', 'pipeline-latency-p95 MEDIUM']);
      const outlier = findings.find((f) => f.type === 'pipeline-latency-outliers')!;
      expect(outlier).toMatchObject({ caseId: `s${slow.seq}-${slow.case}`, location: { file: 'sim/samples.json' } });
      expect(pipeline.verdict).toBe('WARN');
      expect(pipeline.latency.outliers).toBe(1);
      expect(pipeline.latency.p95).toBeGreaterThanOrEqual(1500);
    } finally {
      await engine.close();
    }
  });
});

describe('custom profile (JSON Pointers from config)', () => {
  const custom = {
    answer: '/out/text',
    confidence: '/out/p',
    confidenceScale: 1,
    t1: '/votes',
    t1Model: '/who',
    t1Output: '/said',
    opusEscalated: '/escalated',
    judicial: '/review',
    contradictions: '/conflicts',
  };
  const body = (i: number, over: Record<string, unknown> = {}) => ({
    out: { text: `answer ${i}`, p: 0.9 },
    votes: [{ who: 'a', said: 'x' }, { who: 'b', said: 'y' }, { who: 'c', said: 'z' }],
    escalated: false,
    review: null,
    conflicts: [],
    ...over,
  });

  it('checks what is mapped, and fails what the mapping shows broken', async () => {
    const bodies = Array.from({ length: 5 }, (_, i) => body(i));
    bodies[2] = body(2, { escalated: true }); // escalated without a review
    const lines = bodies.map((b, i) => ({ seq: i, case: `c${i}`, request: { prompt: `q${i}` }, response: b as Record<string, unknown> }));
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'custom', path: 'custom.json', enabled: true, tags: [] }] },
      'sim/custom.json': { name: 'custom', description: 'custom shape', seed: 1, cases: lines.map((l) => ({ id: l.case, input: { prompt: l.request.prompt, sample: l.seq }, assert: [{ type: 'starts-with', value: 'answer' }] })) },
      'testops.config.json': { engine: { target: 'reference', profile: 'custom' }, pipeline: { custom } },
    });
    dirs.push(dir);
    const engine = await cannedEngine(bodies);
    try {
      const { pipeline, findings, report } = await run(dir, { engine: engine.url });
      expect(report.stages.sim.verdict).toBe('PASS'); // SIM read the answer at /out/text
      expect(findings.map((f) => f.type)).toEqual(['pipeline-tier-consistency']);
      expect(findings[0]).toMatchObject({ caseId: 'c2' });
      expect(pipeline.profile.used).toBe('custom');
      expect(check(pipeline, 't2-audit')).toMatchObject({ ok: true, applicable: false });
    } finally {
      await engine.close();
    }
  });
});

describe('when there is nothing to check', () => {
  it('answers of no known shape: SKIPPED, saying how to check them, and one MEDIUM finding so the PR hears it', async () => {
    const lines = [0, 1, 2].map((i) => ({ seq: i, case: `t${i}`, request: { prompt: `p${i}` }, response: { final_answer: `toy ${i}` } }));
    const { pipeline, findings } = await serveAndRun(lines as SampleLine[], lines.map((l) => l.response), { pin: false });
    expect(pipeline.verdict).toBe('SKIPPED');
    expect(pipeline.reason).toMatch(/none of the 3 answers has a known Toron shape; set pipeline.profile/);
    const unchecked = findings.filter((f) => f.type === 'pipeline-unchecked');
    expect(unchecked).toHaveLength(1);
    expect(unchecked[0]).toMatchObject({ severity: 'MEDIUM', subsystem: 'pipeline', message: expect.stringMatching(/^pipeline checks did not run: none of the 3 answers/) });
    expect(unchecked[0].remediation).toMatch(/pipeline\.profile/);
  });

  it('pipeline without sim: SKIPPED with the reason, and the run, having checked nothing, is ERROR (never a PASS)', async () => {
    const { pipeline, report } = await run(ROOT, { engine: 'reference', stages: 'pipeline' });
    expect(pipeline).toMatchObject({ verdict: 'SKIPPED', reason: 'the pipeline checker judges the answers SIM gets: add sim to --stages' });
    expect(report.verdict).toBe('ERROR');
    expect(report.reason).toBe('ERROR (not a test verdict): no stage ran, nothing was checked: pipeline: the pipeline checker judges the answers SIM gets: add sim to --stages');
  });
});

describe('engine map: the version the engine reports', () => {
  const dataset = {
    'sim/sim_dataset.json': { datasets: [{ name: 'one', path: 'one.json', enabled: true, tags: [] }] },
    'sim/one.json': { name: 'one', description: 'one case', seed: 1, cases: [{ id: 'hi', input: { prompt: 'Hi' }, assert: [{ type: 'contains', value: 'Hi' }] }] },
  };

  it('is recorded in the report; a mismatch with --engine-version is a HIGH event', async () => {
    const dir = makeProject({ ...dataset, 'testops.config.json': { engines: { '3': { target: 'reference', profile: 'toron-3' }, '2.5h': { target: 'reference' } } } });
    dirs.push(dir);
    const bad = await run(dir, { engineVersion: '3', stages: 'sim' });
    expect(bad.report.engine.version).toBe('reference-2.5h/2.0.0');
    expect(bad.findings.filter((f) => f.type === 'engine-version-mismatch')).toEqual([
      expect.objectContaining({ severity: 'HIGH', subsystem: 'engine', message: expect.stringContaining('asked for "3"') }),
    ]);
    const good = await run(dir, { engineVersion: '2.5h', stages: 'sim' });
    expect(good.report.engine.version).toBe('reference-2.5h/2.0.0');
    expect(good.findings.filter((f) => f.type.startsWith('engine-version'))).toEqual([]);
  });

  it('an engine that reports no version leaves the build unverified: MEDIUM', async () => {
    const engine = await cannedEngine([samples['2.5h']()[0].response]);
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'one', path: 'one.json', enabled: true, tags: [] }] },
      'sim/one.json': { name: 'one', description: 'one', seed: 1, cases: [{ id: 'hi', input: { prompt: 'Hi', sample: 0 }, assert: [{ type: 'contains', value: 'Hi' }] }] },
      'testops.config.json': { engines: { '2.5h': { target: engine.url } } },
    });
    dirs.push(dir);
    try {
      const { findings, report } = await run(dir, { engineVersion: '2.5h', stages: 'sim' });
      expect(report.engine.version).toBeNull();
      expect(findings.map((f) => [f.type, f.severity])).toEqual([['engine-version-unknown', 'MEDIUM']]);
    } finally {
      await engine.close();
    }
  });
});
