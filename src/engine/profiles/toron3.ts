import type { AnswerView, Profile, T1View, T3View } from './types.js';
import { at, bool, describe, finiteNumber, isRecord, normalise } from './read.js';

/**
 * toron-3 (ToronEngineV31Enhanced), in either of its answer forms (DESIGN §3.5):
 * - `query` (its HTTP /query): `consensus{output, model, confidence, agreement "a/b", evidence_strength,
 *   arbitration_source, arbitration_model, ...}`, `metrics{latency_ms, providers_called, providers_failed, ...}`;
 * - `full` (the engine's result): `consensus{representative_output, representative_model, avg_confidence,
 *   ...}`, `metrics{total_latency_ms, tier2_invoked, tier4_arbitration_invoked, tier4_arbitration_model, ...}`.
 *
 * Confidence is on a 0..1 scale in both. toron-3 exposes no per-model tier-1 outputs and no tier-2
 * audit: its tier-1 view is the number of responders (`providers_called`: the answers that came back,
 * as the real engine counts them) and the
 * representative output with its model; the tier-2 check does not apply. Evidence is reported as a
 * grade (`evidence_strength`). It reports no contradiction count (the contradiction check does not apply).
 *
 * Tier 4 (Opus arbitration, or the tier-2 failsafe when Opus times out) runs when agreement is below
 * 0.7: `arbitration_source` is then "opus_primary" or "tier2_failsafe" and an `arbitration_model` is
 * named (and, in the full form, `tier4_arbitration_invoked` is true); otherwise "consensus_only", null.
 */

type Form = 'query' | 'full';

/** The form, from the consensus's own member names, else (a consensus-less part) from the metrics'. */
function formOf(consensus: unknown, metrics: unknown): Form {
  if (isRecord(consensus)) {
    if ('representative_output' in consensus || 'avg_confidence' in consensus) return 'full';
    if ('output' in consensus || 'confidence' in consensus) return 'query';
  }
  return isRecord(metrics) && ('tier4_arbitration_invoked' in metrics || 'total_latency_ms' in metrics) ? 'full' : 'query';
}

/** Below this share of agreeing responders toron-3 arbitrates (tier 4: Opus, or the tier-2 failsafe). */
const ARBITRATE_BELOW = 0.7;

/**
 * The agreement share: the query form's "a/b", the full form's agreement_count over total_responses;
 * or why it cannot be read (then the arbitration rule cannot be judged, and tier-consistency says so).
 */
function agreementOf(c: Record<string, unknown>, form: Form): { agreement: AnswerView['agreement']; problem?: string } {
  const judged = (n: number, total: number, pointer: string) => {
    const text = `${n}/${total}`;
    if (total <= 0) return { agreement: null, problem: `the agreement ${pointer} is ${text}: no responses` };
    if (n > total) return { agreement: null, problem: `the agreement ${pointer} is ${text}: more agreeing than answering` };
    return { agreement: { share: n / total, text, pointer, arbitrateBelow: ARBITRATE_BELOW } };
  };
  if (form === 'query') {
    const at = '/consensus/agreement';
    if (c.agreement === undefined) return { agreement: null, problem: `the agreement ${at} is missing` };
    const m = typeof c.agreement === 'string' ? /^\s*(\d{1,9})\s*\/\s*(\d{1,9})\s*$/.exec(c.agreement) : null;
    if (!m) return { agreement: null, problem: `the agreement ${at} is ${describe(c.agreement)}, not "a/b"` };
    return judged(Number(m[1]), Number(m[2]), at);
  }
  for (const key of ['agreement_count', 'total_responses'] as const) {
    if (c[key] === undefined) return { agreement: null, problem: `the agreement /consensus/${key} is missing` };
    if (finiteNumber(c[key]) === null) return { agreement: null, problem: `the agreement /consensus/${key} is ${describe(c[key])}, not a number` };
  }
  return judged(c.agreement_count as number, c.total_responses as number, '/consensus/agreement_count');
}

const FIELDS: Record<Form, { answer: string; model: string; confidence: string; latency: string }> = {
  query: { answer: 'output', model: 'model', confidence: 'confidence', latency: 'latency_ms' },
  full: { answer: 'representative_output', model: 'representative_model', confidence: 'avg_confidence', latency: 'total_latency_ms' },
};

const ESCALATED = new Set(['opus_primary', 'tier2_failsafe']);

function escalatedBy(source: unknown): boolean | null {
  if (typeof source !== 'string') return null;
  if (ESCALATED.has(source)) return true;
  if (source === 'consensus_only') return false;
  return null;
}

function t1Of(consensus: Record<string, unknown>, metrics: unknown, form: Form): T1View {
  // The real engine counts in providers_called the answers that came back (from every tier), and its
  // tier-1 failures apart in providers_failed: subtracting those again made 4 of 9 tier-1 models
  // answering (called 6, failed 5) read as 1 responder, a false alarm. The count is an upper bound.
  const called = finiteNumber(isRecord(metrics) ? metrics.providers_called : undefined);
  const f = FIELDS[form];
  return {
    pointer: '/metrics/providers_called',
    outputs: null,
    responders: called,
    representative: { model: consensus[f.model], output: consensus[f.answer] },
    ...(called === null ? { malformed: `/metrics/providers_called is ${describe(isRecord(metrics) ? metrics.providers_called : undefined)}` } : {}),
  };
}

function t3Of(consensus: Record<string, unknown>): T3View | null {
  const strength = consensus.evidence_strength;
  if (strength === undefined || strength === null) return null;
  return { pointer: '/consensus/evidence_strength', items: 0, sources: 0, summary: typeof strength === 'string' ? strength : '' };
}

function view(body: unknown): AnswerView {
  const consensus = at(body, '/consensus');
  const metrics = at(body, '/metrics');
  const form = formOf(consensus, metrics);
  const f = FIELDS[form];
  const shapeProblems: string[] = [];
  if (!isRecord(body)) shapeProblems.push(`the answer is ${describe(body)}, not a JSON object`);
  else if (!isRecord(consensus)) shapeProblems.push(`/consensus is ${describe(consensus)}, not an object`);
  else if (typeof consensus[f.answer] !== 'string') shapeProblems.push(`/consensus/${f.answer} is ${describe(consensus[f.answer])}, not text`);
  else if ((consensus[f.answer] as string).trim() === '') shapeProblems.push(`/consensus/${f.answer} is empty text`);
  const c = isRecord(consensus) ? consensus : {};
  const m = isRecord(metrics) ? metrics : {};

  const arbitrationModel = c.arbitration_model;
  const judicial = typeof arbitrationModel === 'string' ? arbitrationModel !== '' : arbitrationModel === null ? false : null;
  // The full form says outright whether tier 4 ran; the /query form only names (or not) the arbiter,
  // which the judicial comparison already checks (its T4 is not a second, independent witness).
  const invoked = form === 'full' ? bool(m.tier4_arbitration_invoked) : null;
  const hasT4 = invoked ?? judicial;
  const tier2 = form === 'full' ? bool(m.tier2_invoked) : null;
  const tierPath = ['T1', ...(tier2 ? ['T2'] : []), 'T3', ...(hasT4 ? ['T4'] : [])];
  const confidenceRaw = c[f.confidence];
  const agreement = agreementOf(c, form);
  return {
    profile: 'toron-3',
    form,
    shapeProblems,
    answerPointer: `/consensus/${f.answer}`,
    answer: c[f.answer],
    confidence: normalise(confidenceRaw, 1),
    confidenceRaw,
    confidencePointer: `/consensus/${f.confidence}`,
    confidenceScale: 1,
    t1: isRecord(consensus) ? t1Of(c, metrics, form) : null,
    t2: null,
    t3: t3Of(c),
    tierPath,
    opusEscalated: escalatedBy(c.arbitration_source),
    judicial,
    tierPathHasT4: invoked,
    ...(invoked !== null ? { t4Pointer: '/metrics/tier4_arbitration_invoked' } : {}),
    ...(escalatedBy(c.arbitration_source) !== null ? { escalationSaid: `/consensus/arbitration_source ${JSON.stringify(c.arbitration_source)}` } : {}),
    contradictions: null,
    agreement: agreement.agreement,
    ...(agreement.problem ? { agreementProblem: agreement.problem } : {}),
    engineLatencyMs: finiteNumber(m[f.latency]),
  };
}

export const toron3Profile: Profile = {
  name: 'toron-3',
  confidenceScale: 1,
  exposes: { t1: 'responders', t2Audit: false, t3Evidence: true, tierConsistency: true, opusEscalated: true, contradictions: false, confidence: true },
  // Request ids and timestamps change on every call; latencies are measured; a cache answers repeats.
  volatilePaths: [
    '/metrics/request_id',
    '/metrics/timestamp',
    '/consensus/timestamp',
    '/metrics/latency_ms',
    '/metrics/total_latency_ms',
    '/metrics/provider_latencies',
    '/metrics/cache_hit',
  ],
  where: {
    t1: '/metrics/providers_called',
    t2: '(not reported by toron-3)',
    t3: '/consensus/evidence_strength',
    tierPath: '/metrics/tier4_arbitration_invoked',
    opusEscalated: '/consensus/arbitration_source',
    judicial: '/consensus/arbitration_model',
    contradictions: '(not reported by toron-3)',
  },
  answerPointer: (body) => `/consensus/${FIELDS[formOf(at(body, '/consensus'), at(body, '/metrics'))].answer}`,
  view,
};
