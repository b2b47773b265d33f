import type { Random } from '../../../util/seed.js';
import type { PromptFacts } from '../prompt.js';
import { pickIndices, shuffled } from './common.js';

/**
 * The parts that toron-2.5h and its stability patch share (their `state_snapshot` members), built the
 * way the real engines build them (see /work/shared/reference/toron-samples): texts quote the cleaned
 * prompt, tier-1 hypotheses are "<model> hypothesis on: <clean[:120]>", facts are
 * "Fact from layer N: <clean[:100]>", tokens are max(24, floor(len(clean) / 4)).
 */

export const T1_MODELS = [
  'Claude-Sonnet-4.5',
  'GPT-5.1',
  'Mistral-Large',
  'Gemini-Pro',
  'Qwen 72B',
  'Llama 3.1 70B',
  'Grok',
  'Perplexity Sonar',
] as const;

export const OPUS_MODEL = 'Opus';
export const BASE_LAYERS = [1, 2, 4, 9];
/** Layers added, in this order, one per URL cited in the prompt. */
export const URL_LAYERS = [3, 5, 6, 7];
export const ANSWER_PREFIX =
  'Here is a clear, empathetic explanation grounded in the verified facts while preserving every objective element: ';
export const ANSWER_SUFFIX = ' (Tone: calm, inclusive, safety-checked.)';
export const GOVERNANCE = 'Applied tone, safety, and consent refinements.';
export const LONG_PROMPT_WORDS = 120;
/** Confidence points lost per contradiction, for at most CONFIDENCE_PENALTY_CAP contradictions. */
export const CONFIDENCE_PENALTY = 5;
export const CONFIDENCE_PENALTY_CAP = 4;
const LOGIC_CHAIN = ['Parse prompt', 'Generate reasoning', 'Deliver hypothesis'];
const IMPLICIT_ASSUMPTIONS = ['Citations may be required', 'User intent requires clarity'];

/**
 * Everything about a prompt that does not depend on the request seed, computed once per prompt: load
 * tests and SIM repeats send the same prompts many times, and the SIM benchmark runs this per case.
 * Read-only: answers copy arrays out of it, never hand out its own.
 */
interface FamilyKit {
  tokens: number;
  layers: number[];
  sources: string[];
  hypotheses: string[];
  facts: string[];
  clusterKeys: string[];
  clusterValues: string[][];
  trust: number[];
}

// The kit of the prompt being answered (asked for several times per answer). Not a WeakMap keyed by
// the facts: V8's young-generation collector keeps a WeakMap's values alive, so with all-new prompts
// every kit reached the old generation (heap sampling of a 100k-case SIM run: 190 MB promoted).
let lastFacts: PromptFacts | null = null;
let lastKit: FamilyKit | null = null;
const CLAIM_NODES = T1_MODELS.map((_, i) => `claim_${i + 1}`);

function kitOf(f: PromptFacts): FamilyKit {
  if (f === lastFacts && lastKit) return lastKit;
  const layers = [...BASE_LAYERS, ...URL_LAYERS.slice(0, f.urls.length)].sort((a, b) => a - b);
  const fact = f.clean.slice(0, 100);
  const facts: string[] = [];
  const clusterKeys: string[] = [];
  const clusterValues: string[][] = [];
  const trust: number[] = [];
  for (const layer of layers) {
    const urlAt = URL_LAYERS.indexOf(layer);
    clusterKeys.push(`layer_${layer}`);
    if (urlAt < 0) {
      facts.push(`Fact from layer ${layer}: ${fact}`);
      clusterValues.push([`source_${layer}_a`, `source_${layer}_b`]);
      trust.push(0.85);
    } else {
      const url = f.urls[urlAt];
      facts.push(`Fact from layer ${layer}: ${url}`);
      clusterValues.push([url]);
      trust.push(trustOf(url));
    }
  }
  const head = f.clean.slice(0, 120);
  const kit: FamilyKit = {
    tokens: Math.max(24, Math.floor(f.clean.length / 4)),
    layers,
    sources: clusterKeys.slice(),
    hypotheses: T1_MODELS.map((m) => `${m} hypothesis on: ${head}`),
    facts,
    clusterKeys,
    clusterValues,
    trust,
  };
  lastFacts = f;
  lastKit = kit;
  return kit;
}

export function tokensFor(f: PromptFacts): number {
  return kitOf(f).tokens;
}

export function confidencePenalty(f: PromptFacts): number {
  return CONFIDENCE_PENALTY * Math.min(f.contradictions.length, CONFIDENCE_PENALTY_CAP);
}

export function executionPlan(f: PromptFacts, useOpus: boolean): Record<string, unknown> {
  const long = f.words > LONG_PROMPT_WORDS;
  return {
    domain: long ? 'specialized' : 'general',
    complexity: long ? 'high' : 'medium',
    contradiction_likelihood: f.hasNot || f.contradictions.length > 0 ? 'elevated' : 'baseline',
    emotional_volatility: 'low',
    evidence_scarcity: f.words > 12 || f.urls.length > 0 ? 'low' : 'medium',
    latency_target_ms: long ? 3200 : 2000,
    use_opus: useOpus,
    tier1_models: T1_MODELS.slice(),
    mmre_layers: kitOf(f).layers.slice(),
    synthesis_depth: long ? 'deep' : 'standard',
  };
}

/**
 * Which contradictions each tier-1 model reports: every contradiction is seen by 3 to 6 of the 8
 * models (seeded), so per-model lists vary by seed while their union is the prompt's contradictions.
 */
export function assignContradictions(f: PromptFacts, rnd: Random): string[][] {
  const per: string[][] = T1_MODELS.map(() => []);
  for (const c of f.contradictions) {
    for (const i of pickIndices(T1_MODELS.length, rnd.int(3, 6), rnd)) per[i].push(c);
  }
  return per;
}

export function t1Raw(f: PromptFacts, latencyMs: number, perModel: string[][]): Record<string, unknown>[] {
  const kit = kitOf(f);
  const tokens = kit.tokens;
  return T1_MODELS.map((model, i) => ({
    model,
    hypothesis: kit.hypotheses[i],
    logic_chain: LOGIC_CHAIN.slice(),
    contradictions: perModel[i].slice(),
    missing_premises: [],
    latency_ms: latencyMs,
    tokens_used: tokens,
  }));
}

/** The shared conclusions in the engine's set order: seeded here, a hash-seed order in the real one. */
export function sharedConclusions(f: PromptFacts, rnd: Random): string[] {
  return shuffled(kitOf(f).hypotheses, rnd);
}

export function t1Summary(
  f: PromptFacts,
  shared: string[],
  perModel: string[][],
  stability: boolean,
): Record<string, unknown> {
  const divergent = T1_MODELS.filter((_, i) => perModel[i].length > 0);
  let map: Record<string, unknown>;
  if (stability) map = { count: f.contradictions.length };
  else {
    map = {};
    for (const c of f.contradictions) map[c] = T1_MODELS.filter((_, i) => perModel[i].includes(c));
  }
  return {
    shared_conclusions: shared.slice(),
    divergent_branches: divergent,
    missing_premises: [],
    contradiction_map: map,
    implicit_assumptions: IMPLICIT_ASSUMPTIONS.slice(),
  };
}

export function cdgStructure(f: PromptFacts): Record<string, unknown> {
  const edges = [];
  for (let i = 1; i < CLAIM_NODES.length; i++) edges.push({ from: CLAIM_NODES[i - 1], to: CLAIM_NODES[i], weight: 0.8 });
  return {
    nodes: CLAIM_NODES.slice(),
    edges,
    cycles: false,
    paradoxes: f.contradictions.slice(),
    missing_parents: [],
    invalid_chains: [],
  };
}

function trustOf(url: string): number {
  let host = '';
  try {
    host = new URL(url).hostname;
  } catch {
    return 0.6;
  }
  if (/\.(gov|edu)$/i.test(host)) return 0.95;
  return url.toLowerCase().startsWith('https:') ? 0.8 : 0.6;
}

export function realityPacket(f: PromptFacts): Record<string, unknown> {
  const kit = kitOf(f);
  const clusters: Record<string, string[]> = {};
  const trust: Record<string, number> = {};
  for (let i = 0; i < kit.clusterKeys.length; i++) {
    clusters[kit.clusterKeys[i]] = kit.clusterValues[i].slice();
    trust[kit.clusterKeys[i]] = kit.trust[i];
  }
  return {
    verified_facts: kit.facts.slice(),
    source_clusters: clusters,
    trust_scores: trust,
    conflicts_detected: f.numericConflicts.slice(),
    // Written the way the engine's arithmetic rounds (4 layers: 0.6000000000000001), at most 1.
    evidence_density: Math.min(1, 0.2 + 0.1 * kit.facts.length),
    escalation_required: f.numericConflicts.length > 0,
  };
}

export function sourcesUsed(f: PromptFacts): string[] {
  return kitOf(f).sources.slice();
}

export function finalAnswer(f: PromptFacts, shared: string[]): string {
  const body = shared.join(' ') + ' ' + kitOf(f).facts.join(' ');
  return ANSWER_PREFIX + body.trim() + ANSWER_SUFFIX;
}

export function heavyAudit(): Record<string, unknown> {
  return {
    models: ['DeepSeek R1 (Heavy)', 'Kimi K2 (Heavy)'],
    findings: ['No adversarial contradictions detected.'],
  };
}

export function rwlResult(witness: string, f: PromptFacts): Record<string, unknown> {
  return {
    model: witness,
    challenge: 'Challenge issued: validate logic chains and biases.',
    dissent_score: Math.round((0.15 + 0.1 * Math.min(f.contradictions.length, 8)) * 100) / 100,
  };
}

export function aloePolicy(f: PromptFacts): Record<string, unknown> {
  return {
    tone: 'professional',
    detail: 'comprehensive',
    consent_depth: 'standard',
    emotional_safety: 'stable',
    risk_classification: 'medium',
    allowed_transformations: ['summarize', 'analyze', 'classify'],
    disallowed_transformations: ['generate_disallowed_content'],
    prompt_signature: f.signature,
  };
}
