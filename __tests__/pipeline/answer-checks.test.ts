import { describe, expect, it } from 'vitest';
import { PROFILES, customProfile, type Profile } from '../../src/engine/profiles/index.js';
import { checkAnswer } from '../../src/stages/pipeline/answer-checks.js';
import type { AnswerCheckResult, Thresholds } from '../../src/stages/pipeline/types.js';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { clone, samples, type SampleLine } from './helpers.js';

const T: Thresholds = { ...DEFAULTS.pipeline };

function run(p: Profile, body: unknown, declared = { contradictions: false }, expectedEscalation: boolean | null = null): AnswerCheckResult[] {
  return checkAnswer(p.view(body), p, T, declared, expectedEscalation);
}
const failures = (rs: AnswerCheckResult[]) => rs.filter((r) => r.status === 'fail');
const byCase = (lines: SampleLine[], c: string) => clone(lines.find((l) => l.case === c)!.response) as any;

const SETS: [string, Profile, () => SampleLine[]][] = [
  ['toron-2.5h (real)', PROFILES['toron-2.5h'], samples['2.5h']],
  ['toron-2.5h-stability (real)', PROFILES['toron-2.5h-stability'], samples.stability],
  ['toron-3 /query (reference)', PROFILES['toron-3'], samples.t3query],
  ['toron-3 full (reference)', PROFILES['toron-3'], samples.t3full],
];

describe('every answer passes through its profile with no failure', () => {
  for (const [label, profile, lines] of SETS) {
    it(label, () => {
      const all = lines();
      expect(all.length).toBeGreaterThanOrEqual(9);
      for (const l of all) {
        const rs = run(profile, l.response);
        expect(failures(rs), `${label} ${l.case}`).toEqual([]);
        expect(rs.filter((r) => r.status === 'ok').length, l.case).toBeGreaterThanOrEqual(profile.name === 'toron-3' ? 6 : 8);
      }
    });
  }

  it('marks what toron-3 does not expose as not applicable', () => {
    const rs = run(PROFILES['toron-3'], samples.t3query()[0].response);
    expect(rs.filter((r) => r.status === 'na').map((r) => r.name).sort()).toEqual(['contradiction-density', 'expected-escalation', 't2-audit']);
  });
});

/** Exactly one failing check, the expected one, with a message naming the problem. */
function expectOnly(rs: AnswerCheckResult[], name: string, message: RegExp): void {
  const f = failures(rs);
  expect(f.map((r) => r.name)).toEqual([name]);
  expect((f[0] as { message: string }).message).toMatch(message);
}

describe('mutated copies raise exactly the expected failure', () => {
  const h25 = samples['2.5h']();
  const stab = samples.stability();
  const p25 = PROFILES['toron-2.5h'];
  const pst = PROFILES['toron-2.5h-stability'];
  const p3 = PROFILES['toron-3'];

  it('T1 removed (2.5h and the stability patch)', () => {
    const a = byCase(h25, 'question');
    delete a.state_snapshot.T1_RAW;
    expectOnly(run(p25, a), 't1-present', /tier 1 is missing \(\/state_snapshot\/T1_RAW absent\)/);
    const b = byCase(stab, 'question');
    delete b.state_snapshot.T1_RAW;
    expectOnly(run(pst, b), 't1-present', /tier 1 is missing/);
  });

  it('T1 malformed or too small', () => {
    const a = byCase(h25, 'question');
    delete a.state_snapshot.T1_RAW[2].hypothesis;
    expectOnly(run(p25, a), 't1-present', /\/state_snapshot\/T1_RAW\/2 has no output/);
    const b = byCase(h25, 'question');
    b.state_snapshot.T1_RAW = b.state_snapshot.T1_RAW.slice(0, 2);
    expectOnly(run(p25, b), 't1-present', /outputs from 2 model\(s\), fewer than 3/);
    const c = byCase(samples.t3query(), 'plain');
    c.metrics.providers_called = 2;
    expectOnly(run(p3, c), 't1-present', /2 responder\(s\), fewer than 3/);
    // The real engine (691df6d6, simulation mode) with 5 of its 9 tier-1 models failing: 4 answered, and
    // providers_called = 6 counts the answers that came back (tiers 1-3), providers_failed = 5 the
    // tier-1 failures. Not "1 responder".
    const d = byCase(samples.t3query(), 'plain');
    d.metrics.providers_called = 6;
    d.metrics.providers_failed = 5;
    expect(run(p3, d).find((x) => x.name === 't1-present')).toMatchObject({ status: 'ok' });
  });

  it('confidence 140 on a 0-100 scale', () => {
    const a = byCase(h25, 'medical');
    a.confidence_score = 140;
    expectOnly(run(p25, a), 'confidence-range', /confidence 140 on the declared 0-100 scale is 1\.4 after normalisation, outside \[0, 1\]/);
    const b = byCase(stab, 'medical');
    b.confidence_score = 140;
    expectOnly(run(pst, b), 'confidence-range', /140/);
  });

  it('a confidence just off its scale, or far off it, is shown as it is, never rounded onto the bound it crosses', () => {
    const a = byCase(stab, 'medical');
    a.confidence_score = -0.0001;
    expectOnly(run(pst, a), 'confidence-range', /confidence -0\.0001 on the declared 0-100 scale is -0\.000001 after normalisation, outside \[0, 1\]/);
    a.confidence_score = 100.00001;
    expectOnly(run(pst, a), 'confidence-range', /is 1\.0000001 after normalisation/);
    a.confidence_score = 1e308;
    expectOnly(run(pst, a), 'confidence-range', /confidence 1e\+308 on the declared 0-100 scale is 1e\+306 after normalisation/);
    a.confidence_score = 59.9996;
    const floor = failures(checkAnswer(pst.view(a), pst, { ...T, minConfidence: 0.6 }, { contradictions: false }, null));
    expect(floor.map((r) => [r.name, (r as { message: string }).message])).toEqual([
      ['confidence-floor', 'confidence 0.599996 (59.9996 on 0-100) is below the floor 0.6'],
    ]);
  });

  it('toron-3 confidence 82 on its 0..1 scale (never re-read as 0-100)', () => {
    const a = byCase(samples.t3query(), 'plain');
    a.consensus.confidence = 82;
    expectOnly(run(p3, a), 'confidence-range', /confidence 82 on the declared 0\.\.1 scale is 82/);
  });

  it('confidence below the configured floor, and confidence that is not a number', () => {
    const a = byCase(h25, 'medical');
    expect(failures(checkAnswer(p25.view(a), p25, { ...T, minConfidence: 0.6 }, { contradictions: false }, null)).map((r) => r.name)).toEqual(['confidence-floor']);
    a.confidence_score = 'high';
    expectOnly(run(p25, a), 'confidence-range', /not a number/);
  });

  it('Opus used but no judicial result', () => {
    const a = byCase(h25, 'long_over_120_words');
    expect(a.opus_used).toBe(true);
    a.state_snapshot.JUDICIAL_RESULT = {};
    expectOnly(run(p25, a), 'tier-consistency', /Opus was used but there is no judicial \(tier-4\) result/);
    // And the other way round: a judicial result without Opus.
    const b = byCase(h25, 'short');
    b.state_snapshot.JUDICIAL_RESULT = byCase(h25, 'contains_not').state_snapshot.JUDICIAL_RESULT;
    expectOnly(run(p25, b), 'tier-consistency', /judicial \(tier-4\) result is present .* but Opus was not used/);
  });

  it('tier_path without T4 while Opus was used (stability)', () => {
    const a = byCase(stab, 'long_over_120_words');
    a.tier_path = ['T1', 'T2', 'T3'];
    expectOnly(run(pst, a), 'tier-consistency', /Opus was used but the tier path has no T4/);
  });

  it('toron-3: an arbiter named while arbitration_source says consensus only', () => {
    const a = byCase(samples.t3full(), 'plain');
    a.consensus.arbitration_model = 'Claude-Opus-4.5';
    expectOnly(run(p3, a), 'tier-consistency', /judicial \(tier-4\) result is present/);
  });

  it('toron-3 messages name the members the answer has (it has no tier path), and one cause is one reason', () => {
    const message = (b: unknown) => (failures(run(p3, b))[0] as { message: string }).message;
    const q = byCase(samples.t3query(), 'plain');
    q.consensus.arbitration_source = 'opus_primary';
    expectOnly(run(p3, q), 'tier-consistency', /./);
    expect(message(q)).toBe('the answer was arbitrated (/consensus/arbitration_source "opus_primary") but there is no judicial (tier-4) result (/consensus/arbitration_model empty)');
    const f = byCase(samples.t3full(), 'plain');
    f.metrics.tier4_arbitration_invoked = true;
    expectOnly(run(p3, f), 'tier-consistency', /./);
    expect(message(f)).toBe('/metrics/tier4_arbitration_invoked is true but the answer was not arbitrated (/consensus/arbitration_source "consensus_only")');
    const g = byCase(samples.t3full(), 'two_contradictions_opus');
    g.metrics.tier4_arbitration_invoked = false;
    expect(message(g)).toBe('the answer was arbitrated (/consensus/arbitration_source "opus_primary") but /metrics/tier4_arbitration_invoked is false');
  });

  it('toron-3: an agreement that is missing or unreadable (so the arbitration rule cannot be judged) fails tier-consistency', () => {
    const message = (b: unknown) => (failures(run(p3, b))[0] as { message: string }).message;
    const q = byCase(samples.t3query(), 'plain');
    for (const [value, text] of [
      [undefined, 'the agreement /consensus/agreement is missing'],
      ['twelve', 'the agreement /consensus/agreement is a string ("twelve"), not "a/b"'],
      [0.9, 'the agreement /consensus/agreement is number 0.9, not "a/b"'],
      ['13/12', 'the agreement /consensus/agreement is 13/12: more agreeing than answering'],
      ['0/0', 'the agreement /consensus/agreement is 0/0: no responses'],
    ] as const) {
      if (value === undefined) delete q.consensus.agreement;
      else q.consensus.agreement = value;
      expectOnly(run(p3, q), 'tier-consistency', /./);
      expect(message(q)).toBe(text);
    }
    const f = byCase(samples.t3full(), 'plain');
    delete f.consensus.agreement_count;
    expect(message(f)).toBe('the agreement /consensus/agreement_count is missing');
    f.consensus.agreement_count = 14;
    expect(message(f)).toBe('the agreement /consensus/agreement_count is 14/12: more agreeing than answering');
    f.consensus.agreement_count = 12;
    f.consensus.total_responses = '12';
    expect(message(f)).toBe('the agreement /consensus/total_responses is a string ("12"), not a number');
  });

  it('toron-3: agreement below 0.7 without arbitration (both forms); at 0.7 or arbitrated it is fine', () => {
    const q = byCase(samples.t3query(), 'plain');
    expect(failures(run(p3, q))).toEqual([]);
    q.consensus.agreement = '3/8';
    expectOnly(run(p3, q), 'tier-consistency', /^agreement 3\/8 \(\/consensus\/agreement\) is below 0\.7, but the answer names no arbitration \(no tier-4 result: not run, or its arbiter failed\)/);
    q.consensus.agreement = '7/10';
    expect(failures(run(p3, q))).toEqual([]);
    const f = byCase(samples.t3full(), 'plain');
    expect(failures(run(p3, f))).toEqual([]);
    f.consensus.agreement_count = 3;
    f.consensus.total_responses = 8;
    expectOnly(run(p3, f), 'tier-consistency', /^agreement 3\/8 \(\/consensus\/agreement_count\) is below 0\.7/);
    // The reference engine's own low-agreement answers are arbitrated: no failure.
    for (const lines of [samples.t3query(), samples.t3full()]) {
      const low = lines.filter((l) => PROFILES['toron-3'].view(l.response).agreement!.share < 0.7);
      expect(low.length).toBeGreaterThan(0);
      for (const l of low) expect(failures(run(p3, l.response)), l.case).toEqual([]);
    }
  });

  it('stability: a contradiction count that is missing or not a number fails (2.5h has none to miss)', () => {
    const a = byCase(stab, 'question');
    a.contradictions = '6';
    expectOnly(run(pst, a), 'contradiction-density', /^the contradiction count \/contradictions is a string \("6"\), not a number/);
    delete a.contradictions;
    expectOnly(run(pst, a), 'contradiction-density', /^the contradiction count \/contradictions is missing/);
    expect(failures(run(p25, byCase(h25, 'question')))).toEqual([]);
  });

  it('a contradiction count that is no count (negative, fractional) or a tier-1 list that is no list fails, never counts as 0', () => {
    const a = byCase(stab, 'question');
    for (const [value, shown] of [
      [-3, 'number -3'],
      [2.5, 'number 2.5'],
    ] as const) {
      a.contradictions = value;
      expectOnly(run(pst, a), 'contradiction-density', new RegExp(`^the contradiction count /contradictions is ${shown}, not a count \\(a whole number, 0 or more\\)$`));
      expect(pst.view(a).contradictions).toBeNull();
    }
    const b = byCase(h25, 'question');
    for (const [value, shown] of [
      [7, 'number 7'],
      ['a; b; c; d; e; f', 'a string ("a; b; c; d; e; f")'],
      [{ a: 1 }, 'an object'],
    ] as const) {
      b.state_snapshot.T1_RAW[2].contradictions = value;
      expectOnly(run(p25, b), 'contradiction-density', new RegExp(`^the tier-1 contradictions /state_snapshot/T1_RAW/2/contradictions is ${shown.replace(/[()]/g, '\\$&')}, not a list$`));
    }
    // Absent (or null) in a tier-1 entry is "none": the real engine always writes a list, a lean one may not.
    delete b.state_snapshot.T1_RAW[2].contradictions;
    expect(failures(run(p25, b))).toEqual([]);
    b.state_snapshot.T1_RAW[2].contradictions = null;
    expect(failures(run(p25, b))).toEqual([]);
    // custom: a mapped count follows the same rule; a list counts its items.
    const pc = customProfile({ answer: '/a', contradictions: '/c' });
    expectOnly(run(pc, { a: 'x', c: -1 }), 'contradiction-density', /^the contradiction count \/c is number -1, not a count/);
    expectOnly(run(pc, { a: 'x', c: 'two' }), 'contradiction-density', /^the contradiction count \/c is a string \("two"\), not a number/);
    expect(pc.view({ a: 'x', c: ['p', 'q'] }).contradictions).toBe(2);
    expect(failures(run(pc, { a: 'x', c: 3 }))).toEqual([]);
  });

  it('7 contradictions (the patch counts them; 2.5h lists them per tier-1 model)', () => {
    const a = byCase(stab, 'question');
    a.contradictions = 7;
    expectOnly(run(pst, a), 'contradiction-density', /^7 contradictions in one answer \(limit: fewer than 5/);
    const b = byCase(h25, 'question');
    const seven = Array.from({ length: 7 }, (_, i) => `claim ${i} conflicts with claim ${i + 1}`);
    b.state_snapshot.T1_RAW[0].contradictions = seven.slice(0, 4);
    b.state_snapshot.T1_RAW[5].contradictions = seven.slice(3);
    expectOnly(run(p25, b), 'contradiction-density', /^7 contradictions/);
    // Four are fine; a case that declares them is fine too.
    b.state_snapshot.T1_RAW[5].contradictions = [];
    expect(failures(run(p25, b))).toEqual([]);
    expect(failures(run(pst, a, { contradictions: true }))).toEqual([]);
  });

  it('a toron-3 answer without consensus (both forms): answer-shape only, nothing cascades', () => {
    for (const lines of [samples.t3query(), samples.t3full()]) {
      const a = byCase(lines, 'two_contradictions_opus');
      delete a.consensus;
      const rs = run(p3, a);
      expect(rs).toEqual([{ name: 'answer-shape', status: 'fail', message: 'not a toron-3 answer: /consensus is absent, not an object' }]);
    }
  });

  it('T2 audit missing while the tier path says T2 ran; evidence tier empty', () => {
    const a = byCase(stab, 'question');
    a.state_snapshot.T2_AUDIT_REPORT = {};
    expectOnly(run(pst, a), 't2-audit', /says T2 ran, but its audit is missing or empty/);
    a.tier_path = ['T1', 'T3']; // T2 did not run: no audit needed
    expect(failures(run(pst, a))).toEqual([]);
    const b = byCase(h25, 'question');
    b.state_snapshot.REALITY_PACKET = { verified_facts: [], source_clusters: {} };
    b.sources_used = [];
    expectOnly(run(p25, b), 't3-evidence', /no items and no sources/);
  });

  it('a tier path that is missing, no list of names, empty, out of order, without T1 or naming a tier twice fails tier-consistency', () => {
    const a = byCase(stab, 'question');
    const cases: [unknown, RegExp][] = [
      [undefined, /^the tier path \/tier_path is missing$/],
      [42, /^the tier path \/tier_path is number 42, not a list of tier names$/],
      [['T1', 'T2', 3], /^the tier path \/tier_path has an item that is no tier name: \/tier_path\/2 is number 3$/],
      [[], /^the tier path \/tier_path is empty$/],
      [['T3', 'T2', 'T1'], /^the tier path runs T2 after T3 \(\["T3","T2","T1"\]\)$/],
      [['T2', 'T3'], /^the tier path has no T1 \(\["T2","T3"\]\)$/],
      [['T1', 'T2', 'T2', 'T3'], /^the tier path names T2 twice \(\["T1","T2","T2","T3"\]\)$/],
    ];
    for (const [path, message] of cases) {
      if (path === undefined) delete a.tier_path;
      else a.tier_path = path;
      expectOnly(run(pst, a), 'tier-consistency', message);
    }
    // T2 may be skipped; the 2.5h string's non-tier stages (T1_SUMMARY, CDG, ...) are not tiers.
    a.tier_path = ['T1', 'T3'];
    expect(failures(run(pst, a))).toEqual([]);
    const b = byCase(h25, 'question');
    expect(failures(run(p25, b))).toEqual([]);
    b.tier_path = b.tier_path.split('->').reverse().join('->');
    expectOnly(run(p25, b), 'tier-consistency', /^the tier path runs T1 after T2 \(\["ALOE",/);
    delete b.tier_path;
    expectOnly(run(p25, b), 'tier-consistency', /^the tier path \/tier_path is missing$/);
  });

  it('a T2 audit that names no auditing model (none ran) fails t2-audit when the tier path says T2 ran', () => {
    for (const [lines, p] of [
      [h25, p25],
      [stab, pst],
    ] as const) {
      const a = byCase(lines, 'question');
      a.state_snapshot.T2_AUDIT_REPORT.models = [];
      expectOnly(run(p, a), 't2-audit', /^the T2 audit \/state_snapshot\/T2_AUDIT_REPORT names no auditing model \(models is a list of 0\)$/);
      delete a.state_snapshot.T2_AUDIT_REPORT.models;
      expectOnly(run(p, a), 't2-audit', /names no auditing model \(models is absent\)/);
      a.state_snapshot.T2_AUDIT_REPORT.models = ['DeepSeek R1 (Light)', ''];
      expectOnly(run(p, a), 't2-audit', /^the T2 audit \/state_snapshot\/T2_AUDIT_REPORT has an auditing model that is no name \(models\/1 is a string \(""\)\)$/);
    }
  });

  it('an empty or blank answer text fails answer-shape in every generation (as a blank tier-1 output fails t1-present)', () => {
    for (const blank of ['', ' \n\t ']) {
      for (const [lines, p] of [
        [h25, p25],
        [stab, pst],
      ] as const) {
        const a = byCase(lines, 'question');
        a.final_answer = blank;
        expect(run(p, a)).toEqual([{ name: 'answer-shape', status: 'fail', message: `not a ${p.name} answer: /final_answer is empty text` }]);
      }
      const q = byCase(samples.t3query(), 'plain');
      q.consensus.output = blank;
      expect(run(p3, q)).toEqual([{ name: 'answer-shape', status: 'fail', message: 'not a toron-3 answer: /consensus/output is empty text' }]);
      const f = byCase(samples.t3full(), 'plain');
      f.consensus.representative_output = blank;
      expect(run(p3, f)).toEqual([{ name: 'answer-shape', status: 'fail', message: 'not a toron-3 answer: /consensus/representative_output is empty text' }]);
    }
  });

  it("an escalation the case's expected block names is checked both ways, in every generation", () => {
    const sets: [Profile, SampleLine[], string, string][] = [
      [p25, h25, 'long_over_120_words', 'short'],
      [pst, stab, 'long_over_120_words', 'short'],
      [p3, samples.t3query(), 'two_contradictions_opus', 'plain'],
    ];
    for (const [p, lines, escalates, calm] of sets) {
      const label = `${p.name} ${escalates}/${calm}`;
      const expectedOf = (rs: AnswerCheckResult[]) => rs.find((r) => r.name === 'expected-escalation');
      expect(failures(run(p, byCase(lines, escalates), undefined, true)), label).toEqual([]);
      expect(failures(run(p, byCase(lines, calm), undefined, false)), label).toEqual([]);
      expect(expectedOf(run(p, byCase(lines, calm), undefined, null)), label).toEqual({ name: 'expected-escalation', status: 'na' });
      expectOnly(run(p, byCase(lines, calm), undefined, true), 'expected-escalation', /^its dataset expects an Opus escalation, but the answer did not escalate \(.+ is false\)$/);
      expectOnly(run(p, byCase(lines, escalates), undefined, false), 'expected-escalation', /^its dataset expects no Opus escalation, but the answer escalated \(.+ is true\)$/);
    }
    // A generation that does not say whether it escalated cannot be held to it.
    const pc = customProfile({ answer: '/a' });
    expect(run(pc, { a: 'x' }, undefined, true).find((r) => r.name === 'expected-escalation')).toEqual({ name: 'expected-escalation', status: 'na' });
    // One that should say, but whose flag is unreadable, fails: the expectation cannot be confirmed.
    const a = byCase(h25, 'long_over_120_words');
    a.opus_used = 'yes';
    const rs = run(p25, a, undefined, true);
    expect(rs.find((r) => r.name === 'expected-escalation')).toMatchObject({ status: 'fail', message: expect.stringMatching(/does not say whether Opus ran/) });
  });

  it('custom: a mapped tier path is judged for its structure even without an Opus flag to compare it with', () => {
    const pc = customProfile({ answer: '/a', tierPath: '/p' });
    expectOnly(run(pc, { a: 'x', p: ['T2', 'T1'] }), 'tier-consistency', /^the tier path runs T1 after T2 \(\["T2","T1"\]\)$/);
    expect(run(pc, { a: 'x', p: ['T1', 'T2'] }).find((r) => r.name === 'tier-consistency')).toEqual({ name: 'tier-consistency', status: 'na' });
    expect(run(pc, { a: 'x' }).find((r) => r.name === 'tier-consistency')).toEqual({ name: 'tier-consistency', status: 'na' });
  });

  it('the evidence tier gone (or no object) fails, whatever the top-level sources_used list says', () => {
    for (const [lines, p] of [
      [h25, p25],
      [stab, pst],
    ] as const) {
      const a = byCase(lines, 'question');
      expect(a.sources_used.length).toBeGreaterThan(0);
      delete a.state_snapshot.REALITY_PACKET;
      expectOnly(run(p, a), 't3-evidence', /^the evidence tier is missing \(\/state_snapshot\/REALITY_PACKET absent\)$/);
      a.state_snapshot.REALITY_PACKET = 'verified';
      expectOnly(run(p, a), 't3-evidence', /^the evidence tier is malformed: \/state_snapshot\/REALITY_PACKET is a string \("verified"\), not an object$/);
    }
  });
});
