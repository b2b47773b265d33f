import { describe, expect, it } from 'vitest';
import { answerPointer } from '../../src/engine/answer-path.js';
import { PROFILES, customProfile, detectProfile, profileFor, volatilePathsFor } from '../../src/engine/profiles/index.js';
import { canonicalJson } from '../../src/replay/canonical.js';
import { compileIgnorePaths } from '../../src/replay/ignore-paths.js';
import { clone, samples } from '../pipeline/helpers.js';
import { casePins, declaredFor } from '../../src/stages/pipeline/declared.js';

const byCase = (lines: ReturnType<typeof samples['2.5h']>, c: string) => lines.find((l) => l.case === c)!.response;

describe('detectProfile: the shape picks the generation', () => {
  it('recognises every real answer and every reference toron-3 answer, in both forms', () => {
    for (const l of samples['2.5h']()) expect(detectProfile(l.response), l.case).toBe('toron-2.5h');
    for (const l of samples.stability()) expect(detectProfile(l.response), l.case).toBe('toron-2.5h-stability');
    for (const l of [...samples.t3query(), ...samples.t3full()]) expect(detectProfile(l.response), l.case).toBe('toron-3');
  });

  it('takes a broken toron-3 answer (metrics, no consensus) for toron-3, and nothing else for Toron', () => {
    const t3 = clone(samples.t3query()[0].response);
    delete t3.consensus;
    expect(detectProfile(t3)).toBe('toron-3');
    expect(detectProfile({ final_answer: 'x', lucky: true })).toBeNull();
    expect(detectProfile({ echo: 'hi' })).toBeNull();
    for (const v of [null, 'text', 42, [], [{ final_answer: 'x' }]]) expect(detectProfile(v)).toBeNull();
  });
});

describe('toron-2.5h profile (the real answers)', () => {
  const lines = samples['2.5h']();
  const p = PROFILES['toron-2.5h'];

  it('maps an answer without Opus', () => {
    const v = p.view(byCase(lines, 'short'));
    expect(v).toMatchObject({
      profile: 'toron-2.5h',
      shapeProblems: [],
      answerPointer: '/final_answer',
      confidence: 0.58,
      confidenceRaw: 58,
      confidenceScale: 100,
      opusEscalated: false,
      judicial: false,
      tierPathHasT4: null, // the 2.5h path always names JUDICIAL: it cannot say whether Opus ran
      contradictions: 0,
      engineLatencyMs: null,
    });
    expect(typeof v.answer).toBe('string');
    expect(v.tierPath).toEqual(['T1', 'T1_SUMMARY', 'CDG', 'T2', 'MMRE', 'SYNTH', 'JUDICIAL', 'RWL', 'CONSENSUS', 'ALOE']);
    expect(v.t1?.outputs).toHaveLength(8);
    expect(v.t1?.outputs?.[0]).toEqual({ model: 'Claude-Sonnet-4.5', output: 'Claude-Sonnet-4.5 hypothesis on: Hi' });
    expect(v.t2?.models).toEqual(['DeepSeek R1 (Light)', 'Kimi K2 (Light)']);
    expect(v.t3).toMatchObject({ items: 4, sources: 4 });
  });

  it('maps an Opus answer ("not" in the prompt): 68 on 0-100, a judicial result', () => {
    const v = p.view(byCase(lines, 'contains_not'));
    expect(v).toMatchObject({ confidence: 0.68, opusEscalated: true, judicial: true });
  });

  it('counts distinct contradiction texts over the tier-1 outputs', () => {
    const b = clone(byCase(lines, 'short')) as any;
    b.state_snapshot.T1_RAW[0].contradictions = ['a', 'b'];
    b.state_snapshot.T1_RAW[3].contradictions = ['b', 'c'];
    expect(p.view(b).contradictions).toBe(3);
    delete b.state_snapshot.T1_RAW;
    expect(p.view(b).contradictions).toBeNull();
    expect(p.view(b).t1).toBeNull();
  });

  it('says what is wrong with an answer it cannot read', () => {
    expect(p.view('nope').shapeProblems).toEqual(['the answer is a string ("nope"), not a JSON object']);
    expect(p.view({ final_answer: 3 }).shapeProblems).toEqual(['/final_answer is number 3, not text', '/state_snapshot is absent, not an object']);
    const b = clone(byCase(lines, 'short')) as any;
    b.state_snapshot.T1_RAW = 'eight models';
    expect(p.view(b).t1?.malformed).toBe('/state_snapshot/T1_RAW is a string ("eight models"), not a list');
  });
});

describe('toron-2.5h-stability profile (the real answers)', () => {
  const lines = samples.stability();
  const p = PROFILES['toron-2.5h-stability'];

  it('reads T4 from the tier_path list, its own contradiction count and latency', () => {
    const long = p.view(byCase(lines, 'long_over_120_words'));
    expect(long).toMatchObject({ confidence: 0.77, opusEscalated: true, judicial: true, tierPathHasT4: true, contradictions: 0, engineLatencyMs: 314 });
    const short = p.view(byCase(lines, 'short'));
    expect(short).toMatchObject({ confidence: 0.82, opusEscalated: false, judicial: false, tierPathHasT4: false, engineLatencyMs: 321 });
    expect(short.tierPath).toEqual(['T1', 'T2', 'T3']);
  });

  it('ignores the execution plan: "not" plans T4 there, but Opus did not run and tier_path has no T4', () => {
    const b = byCase(lines, 'contains_not') as any;
    expect(b.state_snapshot.EXECUTION_PLAN.tier_path).toContain('T4');
    expect(p.view(b)).toMatchObject({ opusEscalated: false, judicial: false, tierPathHasT4: false });
  });
});

describe('toron-3 profile (both answer forms)', () => {
  const p = PROFILES['toron-3'];

  it('maps the /query form: 0..1 confidence, responders, arbitration as tier 4', () => {
    const q = samples.t3query();
    const plain = p.view(byCase(q, 'plain'));
    expect(plain).toMatchObject({
      form: 'query',
      shapeProblems: [],
      answerPointer: '/consensus/output',
      confidenceScale: 1,
      confidence: 0.8763,
      opusEscalated: false,
      judicial: false,
      // The /query form has no tier-4 flag: its T4 would only repeat the arbiter it names (judicial).
      tierPathHasT4: null,
      contradictions: null,
      t2: null,
    });
    expect(plain.t1).toMatchObject({ outputs: null, responders: 12 });
    expect(plain.t3).toMatchObject({ summary: 'strong' });
    expect(p.view(byCase(q, 'two_contradictions_opus'))).toMatchObject({ opusEscalated: true, judicial: true, tierPathHasT4: null, tierPath: ['T1', 'T3', 'T4'] });
    expect(p.view(byCase(q, 'long_failsafe'))).toMatchObject({ opusEscalated: true, judicial: true });
    // providers_called counts the answers that came back; the failed ones are counted apart, not again.
    expect(p.view(byCase(q, 'very_long_t1_timeout')).t1?.responders).toBe(11);
  });

  it('maps the full form: representative output, avg confidence, tier flags from metrics', () => {
    const f = samples.t3full();
    const opus = p.view(byCase(f, 'two_contradictions_opus'));
    expect(opus).toMatchObject({ form: 'full', answerPointer: '/consensus/representative_output', confidence: 0.8205, opusEscalated: true, tierPathHasT4: true });
    expect(opus.tierPath).toEqual(['T1', 'T2', 'T3', 'T4']);
    expect(typeof opus.engineLatencyMs).toBe('number');
    expect(p.view(byCase(f, 'plain')).tierPath).toEqual(['T1', 'T3']);
  });

  it('reports a missing consensus as a shape problem', () => {
    const b = clone(samples.t3query()[0].response);
    delete b.consensus;
    expect(p.view(b).shapeProblems).toEqual(['/consensus is absent, not an object']);
  });
});

describe('custom profile (JSON Pointers from config)', () => {
  const p = customProfile({
    answer: '/result/text',
    confidence: '/result/score',
    confidenceScale: 100,
    t1: '/tiers/first',
    t1Model: '/name',
    t1Output: '/said',
    tierPath: '/route',
    opusEscalated: '/escalated',
    judicial: '/review',
    contradictions: '/conflicts',
  });
  const body = {
    result: { text: 'yes', score: 91 },
    tiers: { first: [{ name: 'a', said: 'x' }, { name: 'b', said: 'y' }] },
    route: 'T1->T2->T4',
    escalated: true,
    review: { by: 'opus' },
    conflicts: ['c1', 'c2'],
  };

  it('maps what is configured, with the declared scale, and exposes only that', () => {
    expect(p.view(body)).toMatchObject({
      answer: 'yes',
      confidence: 0.91,
      opusEscalated: true,
      judicial: true,
      tierPathHasT4: true,
      contradictions: 2,
      t2: null,
      t3: null,
    });
    expect(p.view(body).t1?.outputs).toEqual([{ model: 'a', output: 'x' }, { model: 'b', output: 'y' }]);
    expect(p.exposes).toEqual({ t1: 'outputs', t2Audit: false, t3Evidence: false, tierConsistency: true, opusEscalated: true, contradictions: true, confidence: true });
    // A dataset's pins are read through the same mapping: a pinned review shows the escalation, a pinned score does not.
    const pinned = (path: string, value: unknown) => {
      const c = { id: 'c', dataset: 'd', input: { prompt: 'p' }, tags: [], repeat: 1, ignorePaths: [], location: { file: 'd.json', line: 1 }, assert: [{ type: 'equals', path, value }] };
      return declaredFor(c, casePins(c), p, body, p.view(body));
    };
    expect(pinned('/review', { by: 'opus' })).toEqual({ escalation: true, contradictions: false });
    expect(pinned('/conflicts', ['c1', 'c2'])).toEqual({ escalation: false, contradictions: true });
    expect(pinned('/result/score', 91)).toEqual({ escalation: false, contradictions: false });
    expect(p.view({}).shapeProblems).toEqual(['/result/text is absent']);
  });

  it('is cached per pointer map by profileFor, and absent without pointers', () => {
    const ptrs = { answer: '/a' };
    expect(profileFor('custom', {}, ptrs)).toBe(profileFor('custom', {}, ptrs));
    expect(profileFor('custom', {}, null)).toBeNull();
    expect(profileFor('auto', { echo: 1 })).toBeNull();
    expect(profileFor('toron-3', {})?.name).toBe('toron-3');
  });
});

describe('answerPointer (SIM assertions without a path)', () => {
  it('follows the profile, the shape under auto, and the custom pointer', () => {
    const t3q = samples.t3query()[0].response;
    const t3f = samples.t3full()[0].response;
    expect(answerPointer(samples['2.5h']()[0].response, 'auto')).toBe('/final_answer');
    expect(answerPointer(t3q, 'auto')).toBe('/consensus/output');
    expect(answerPointer(t3f, 'auto')).toBe('/consensus/representative_output');
    expect(answerPointer(t3f, 'toron-3')).toBe('/consensus/representative_output');
    expect(answerPointer({}, 'toron-3')).toBe('/consensus/output');
    expect(answerPointer({}, 'toron-2.5h')).toBe('/final_answer');
    expect(answerPointer({ x: 1 }, 'custom', { answer: '/x' })).toBe('/x');
  });

  it('keeps the obvious answer field of shapes no profile knows, and the whole body otherwise', () => {
    expect(answerPointer({ final_answer: 'toy', lucky: true }, 'auto')).toBe('/final_answer');
    expect(answerPointer({ consensus: 'flat' }, 'auto')).toBe('');
    expect(answerPointer('plain text', 'auto')).toBe('');
    expect(answerPointer({ final_answer: 'toy' }, 'custom')).toBe('/final_answer');
  });
});

describe('volatilePaths: the members each generation changes on every call', () => {
  /** Every member a pointer with `*` segments reaches in a body. */
  const reach = (body: unknown, pointer: string): { parent: any; key: string | number }[] => {
    let at: { parent: any; key: string | number }[] = [{ parent: { root: body }, key: 'root' }];
    for (const seg of pointer.slice(1).split('/')) {
      const next: { parent: any; key: string | number }[] = [];
      for (const { parent, key } of at) {
        const v = parent[key];
        if (v === null || typeof v !== 'object') continue;
        const keys = seg === '*' ? Object.keys(v) : Object.hasOwn(v, seg) ? [seg] : [];
        for (const k of keys) next.push({ parent: v, key: Array.isArray(v) ? Number(k) : k });
      }
      at = next;
    }
    return at;
  };

  it.each([
    ['toron-2.5h', () => samples['2.5h']()],
    ['toron-2.5h-stability', () => samples.stability()],
    ['toron-3', () => [...samples.t3query(), ...samples.t3full()]],
  ] as const)('%s: each path reaches a member of the real answers, and answers differing only there canonicalise alike', (name, lines) => {
    const paths = PROFILES[name].volatilePaths;
    const all = lines().map((l) => l.response);
    for (const p of paths) expect(all.some((b) => reach(b, p).length > 0), p).toBe(true);
    const tree = compileIgnorePaths([...paths]);
    for (const body of all) {
      const other = clone(body);
      for (const p of paths) for (const { parent, key } of reach(other, p)) parent[key] = typeof parent[key] === 'number' ? parent[key] + 17 : `changed ${String(parent[key])}`;
      expect(canonicalJson(other, tree)).toBe(canonicalJson(body, tree));
      expect(canonicalJson(other)).not.toBe(canonicalJson(body));
    }
    expect(volatilePathsFor('auto', all[0])).toBe(paths);
    expect(volatilePathsFor(name, {})).toBe(paths);
    expect(volatilePathsFor('custom', all[0])).toEqual([]);
    expect(volatilePathsFor('auto', { echo: 1 })).toEqual([]);
  });
});
