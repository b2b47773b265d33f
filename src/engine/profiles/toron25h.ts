import type { AnswerView, Profile, T1View, T2View, T3View } from './types.js';
import { at, bool, countOf, countProblem, describe, finiteNumber, isRecord, nonEmpty, normalise, tierList, tierPathProblem } from './read.js';

/**
 * toron-2.5h (RyuzenToronV25HPlus) and its stability patch, as the real answers in
 * reference/toron-samples show them:
 * - answer `/final_answer`; confidence `/confidence_score` on a 0-100 scale (58.0 / 68.0; the patch:
 *   ints 82 / 77);
 * - tier 1 `/state_snapshot/T1_RAW[{model, hypothesis, contradictions[], ...}]` (the hypothesis is the
 *   model's output); tier 2 `/state_snapshot/T2_AUDIT_REPORT{models, critiques, ...}`; the evidence tier
 *   `/state_snapshot/REALITY_PACKET{verified_facts, source_clusters, ...}` plus `/sources_used`;
 * - Opus: `/opus_used`, and the Opus review in `/state_snapshot/JUDICIAL_RESULT` (`{}` without it).
 *
 * 2.5h writes one fixed tier path string that always names JUDICIAL (the stage runs, Opus or not), so
 * its path cannot tell whether Opus ran: only the judicial result can. The patch writes a list that
 * gains "T4" exactly when Opus ran (its EXECUTION_PLAN.tier_path is the plan, not what ran: ignored).
 *
 * Contradictions: 2.5h counts the distinct texts its tier-1 models report; the patch reports the
 * number itself in `/contradictions`.
 */

const SNAP = '/state_snapshot';
const T1 = `${SNAP}/T1_RAW`;
const T2 = `${SNAP}/T2_AUDIT_REPORT`;
const T3 = `${SNAP}/REALITY_PACKET`;
const JUDICIAL = `${SNAP}/JUDICIAL_RESULT`;

function t1Of(body: unknown): T1View | null {
  const raw = at(body, T1);
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) return { pointer: T1, outputs: [], responders: null, malformed: `${T1} is ${describe(raw)}, not a list` };
  return {
    pointer: T1,
    outputs: raw.map((e) => (isRecord(e) ? { model: e.model, output: e.hypothesis } : { model: undefined, output: undefined })),
    responders: null,
  };
}

function t2Of(body: unknown): T2View | null {
  const raw = at(body, T2);
  if (raw === undefined || raw === null || (isRecord(raw) && Object.keys(raw).length === 0)) return null;
  if (!isRecord(raw)) return { pointer: T2, models: [], malformed: `${T2} is ${describe(raw)}, not an object` };
  const models = raw.models;
  // The audit is the work of its models (DeepSeek, Kimi): an audit naming none is one nobody ran.
  let modelsProblem: string | undefined;
  if (!Array.isArray(models) || models.length === 0) modelsProblem = `the T2 audit ${T2} names no auditing model (models is ${describe(models)})`;
  else {
    const bad = models.findIndex((m) => typeof m !== 'string' || m.trim() === '');
    if (bad >= 0) modelsProblem = `the T2 audit ${T2} has an auditing model that is no name (models/${bad} is ${describe(models[bad])})`;
  }
  return { pointer: T2, models: Array.isArray(models) ? models : [], ...(modelsProblem ? { modelsProblem } : {}) };
}

/**
 * The evidence tier is the REALITY_PACKET; the top-level `sources_used` adds to its sources but does
 * not stand in for it (a list of layer names says nothing about evidence the tier no longer holds).
 */
function t3Of(body: unknown): T3View | null {
  const packet = at(body, T3);
  if (packet === undefined || packet === null) return null;
  if (!isRecord(packet)) return { pointer: T3, items: 0, sources: 0, malformed: `${T3} is ${describe(packet)}, not an object` };
  return {
    pointer: T3,
    items: countOf(packet.verified_facts),
    sources: Math.max(countOf(packet.source_clusters), countOf(at(body, '/sources_used'))),
  };
}

/**
 * Distinct contradiction texts over the tier-1 outputs; null when tier 1 is not a list. An entry's
 * list that is there but no list (a number, a text) is a problem, never "none": counting it as 0
 * would pass an answer whose model reported 7. Absent or null is none (the engine writes [] then).
 */
function t1Contradictions(body: unknown): { count: number | null; problem?: string } {
  const raw = at(body, T1);
  if (!Array.isArray(raw)) return { count: null };
  const seen = new Set<string>();
  for (let i = 0; i < raw.length; i++) {
    const e = raw[i];
    const list = isRecord(e) ? e.contradictions : undefined;
    if (Array.isArray(list)) list.forEach((c, j) => seen.add(typeof c === 'string' ? c : keyOf(c, `${i}/${j}`)));
    else if (list !== undefined && list !== null) {
      return { count: null, problem: `the tier-1 contradictions ${T1}/${i}/contradictions is ${describe(list)}, not a list` };
    }
  }
  return { count: seen.size };
}


/** A non-text contradiction's identity: its JSON, or (nested too deeply to write) its place. */
function keyOf(c: unknown, place: string): string {
  try {
    return JSON.stringify(c) ?? String(c);
  } catch {
    return `\u0000unwritable ${place}`;
  }
}

function shapeProblems(body: unknown): string[] {
  if (!isRecord(body)) return [`the answer is ${describe(body)}, not a JSON object`];
  const out: string[] = [];
  if (typeof body.final_answer !== 'string') out.push(`/final_answer is ${describe(body.final_answer)}, not text`);
  else if (body.final_answer.trim() === '') out.push('/final_answer is empty text');
  if (!isRecord(body.state_snapshot)) out.push(`${SNAP} is ${describe(body.state_snapshot)}, not an object`);
  return out;
}

function baseView(body: unknown, profile: AnswerView['profile']): AnswerView {
  const confidenceRaw = at(body, '/confidence_score');
  const contradictions = t1Contradictions(body);
  const pathProblem = tierPathProblem('/tier_path', at(body, '/tier_path'), true);
  return {
    profile,
    shapeProblems: shapeProblems(body),
    answerPointer: '/final_answer',
    answer: at(body, '/final_answer'),
    confidence: normalise(confidenceRaw, 100),
    confidenceRaw,
    confidencePointer: '/confidence_score',
    confidenceScale: 100,
    t1: t1Of(body),
    t2: t2Of(body),
    t3: t3Of(body),
    tierPath: tierList(at(body, '/tier_path')),
    ...(pathProblem ? { tierPathProblem: pathProblem } : {}),
    opusEscalated: bool(at(body, '/opus_used')),
    judicial: nonEmpty(at(body, JUDICIAL)),
    tierPathHasT4: null,
    contradictions: contradictions.count,
    ...(contradictions.problem ? { contradictionsProblem: contradictions.problem } : {}),
    engineLatencyMs: null,
  };
}

/** The witness is drawn by the clock (and named again as the RWL model). */
const VOLATILE_25H = ['/random_witness', `${SNAP}/RWL_RESULT/model`];

/**
 * The patch also draws its latencies at random on each call (its `stable_latency` jitter), wherever it
 * writes them (top level, the tiers, the plan, both snapshot copies), and the Opus review's
 * `OpusResolution:<n>` and latency.
 */
const VOLATILE_STABILITY = [
  ...VOLATILE_25H,
  '/latency_ms',
  `${SNAP}/LATENCY_MS`,
  ...['/snapshot', `${SNAP}/NORMALIZED_SNAPSHOT`].flatMap((at) => [
    `${at}/rwl_result/model`,
    `${at}/t1_raw/*/latency_ms`,
    `${at}/t2_audit_report/latency_ms`,
    `${at}/reality_packet/latency_ms`,
    `${at}/judicial_result/opus_result/result`,
    `${at}/judicial_result/opus_result/latency_ms`,
  ]),
  `${SNAP}/EXECUTION_PLAN/latency_ms`,
  `${T1}/*/latency_ms`,
  `${T2}/latency_ms`,
  `${T3}/latency_ms`,
  `${JUDICIAL}/opus_result/result`,
  `${JUDICIAL}/opus_result/latency_ms`,
];

const ALL_EXPOSED: Profile['exposes'] = { t1: 'outputs', t2Audit: true, t3Evidence: true, tierConsistency: true, opusEscalated: true, contradictions: true, confidence: true };

const WHERE_25H: Profile['where'] = {
  t1: T1,
  t2: T2,
  t3: T3,
  tierPath: '/tier_path',
  opusEscalated: '/opus_used',
  judicial: JUDICIAL,
  contradictions: `${T1}/*/contradictions`,
};

export const toron25hProfile: Profile = {
  name: 'toron-2.5h',
  confidenceScale: 100,
  exposes: ALL_EXPOSED,
  where: WHERE_25H,
  volatilePaths: VOLATILE_25H,
  answerPointer: () => '/final_answer',
  view: (body) => baseView(body, 'toron-2.5h'),
};

export const toron25hStabilityProfile: Profile = {
  name: 'toron-2.5h-stability',
  confidenceScale: 100,
  exposes: ALL_EXPOSED,
  where: { ...WHERE_25H, contradictions: '/contradictions' },
  volatilePaths: VOLATILE_STABILITY,
  answerPointer: () => '/final_answer',
  view(body) {
    const v = baseView(body, 'toron-2.5h-stability');
    const path = v.tierPath;
    v.tierPathHasT4 = path ? path.includes('T4') : null;
    // The patch reports its count as an int: one missing, not a number or not a count (-3, 2.5) is a
    // broken answer, not a generation without the figure.
    const reported = at(body, '/contradictions');
    const problem = countProblem('/contradictions', reported);
    delete v.contradictionsProblem; // the patch's own count is what is judged, not its tier-1 lists
    if (problem === null) v.contradictions = reported as number;
    else {
      v.contradictions = null;
      v.contradictionsProblem = problem;
    }
    v.engineLatencyMs = finiteNumber(at(body, '/latency_ms'));
    return v;
  },
};
