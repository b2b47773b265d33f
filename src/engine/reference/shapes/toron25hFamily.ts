import type { Random } from '../../../util/seed.js';
import { pyHead, type PromptFacts } from '../prompt.js';
import { shuffled } from './common.js';

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
/**
 * The evidence tier's layers: always these four. The real engines plan them as a constant; URLs in the
 * prompt do not add layers or change trust (they are only quoted, like any text, in the facts).
 */
export const MMRE_LAYERS = [1, 2, 4, 9];
export const ANSWER_PREFIX =
  'Here is a clear, empathetic explanation grounded in the verified facts while preserving every objective element: ';
export const ANSWER_SUFFIX = ' (Tone: calm, inclusive, safety-checked.)';
export const GOVERNANCE = 'Applied tone, safety, and consent refinements.';
/** Above this many words of the cleaned prompt a plan is "high" complexity (and 2.5h escalates). */
export const LONG_PROMPT_WORDS = 120;
/** Cleaned prompts shorter than this (characters) are "general" domain, longer "specialized". */
export const GENERAL_DOMAIN_CHARS = 240;
/** Cleaned prompts shorter than this (characters) have "medium" evidence scarcity, longer "low". */
export const SCARCE_EVIDENCE_CHARS = 80;
const LOGIC_CHAIN = ['Parse prompt', 'Generate reasoning', 'Deliver hypothesis'];
const IMPLICIT_ASSUMPTIONS = ['Citations may be required', 'User intent requires clarity'];
const TRUST = 0.85;
const DISSENT = 0.15;
// The engines' own arithmetic, kept as such: 0.4 + 0.05 * 4 is 0.6000000000000001 in both languages.
const EVIDENCE_DENSITY = Math.min(1, 0.4 + 0.05 * MMRE_LAYERS.length);

/**
 * Everything about a prompt that does not depend on the request seed, computed once per prompt: load
 * tests and SIM repeats send the same prompts many times, and the SIM benchmark runs this per case.
 * Read-only: answers copy arrays out of it, never hand out its own.
 */
interface FamilyKit {
  tokens: number;
  hypotheses: string[];
  facts: string[];
}

// The kit of the prompt being answered (asked for several times per answer). Not a WeakMap keyed by
// the facts: V8's young-generation collector keeps a WeakMap's values alive, so with all-new prompts
// every kit reached the old generation (heap sampling of a 100k-case SIM run: 190 MB promoted).
let lastFacts: PromptFacts | null = null;
let lastKit: FamilyKit | null = null;
const CLAIM_NODES = T1_MODELS.map((_, i) => `claim_${i + 1}`);
const SOURCES = MMRE_LAYERS.map((l) => `layer_${l}`);

function kitOf(f: PromptFacts): FamilyKit {
  if (f === lastFacts && lastKit) return lastKit;
  const fact = pyHead(f.clean, 100);
  const head = pyHead(f.clean, 120);
  const kit: FamilyKit = {
    tokens: Math.max(24, Math.floor(f.cleanChars / 4)),
    hypotheses: T1_MODELS.map((m) => `${m} hypothesis on: ${head}`),
    facts: MMRE_LAYERS.map((l) => `Fact from layer ${l}: ${fact}`),
  };
  lastFacts = f;
  lastKit = kit;
  return kit;
}

/** Opus by the 2.5h plan: a long cleaned prompt, or the letters "not" in it (any case). */
export function plansOpus(f: PromptFacts): boolean {
  return f.cleanWords > LONG_PROMPT_WORDS || f.hasNot;
}

export function tokensFor(f: PromptFacts): number {
  return kitOf(f).tokens;
}

export function executionPlan(f: PromptFacts, useOpus: boolean): Record<string, unknown> {
  const long = f.cleanWords > LONG_PROMPT_WORDS;
  return {
    domain: f.cleanChars < GENERAL_DOMAIN_CHARS ? 'general' : 'specialized',
    complexity: long ? 'high' : 'medium',
    contradiction_likelihood: f.hasNot ? 'elevated' : 'baseline',
    emotional_volatility: 'low',
    evidence_scarcity: f.cleanChars < SCARCE_EVIDENCE_CHARS ? 'medium' : 'low',
    latency_target_ms: long ? 3200 : 2000,
    use_opus: useOpus,
    tier1_models: T1_MODELS.slice(),
    mmre_layers: MMRE_LAYERS.slice(),
    synthesis_depth: long ? 'deep' : 'standard',
  };
}

export function t1Raw(f: PromptFacts, latencyMs: number): Record<string, unknown>[] {
  const kit = kitOf(f);
  const tokens = kit.tokens;
  return T1_MODELS.map((model, i) => ({
    model,
    hypothesis: kit.hypotheses[i],
    logic_chain: LOGIC_CHAIN.slice(),
    // The real engines' tier 1 never reports a contradiction (see the top of toron25h.ts).
    contradictions: [],
    missing_premises: [],
    latency_ms: latencyMs,
    tokens_used: tokens,
  }));
}

/** The shared conclusions in the engine's set order: seeded here, a hash-seed order in the real one. */
export function sharedConclusions(f: PromptFacts, rnd: Random): string[] {
  return shuffled(kitOf(f).hypotheses, rnd);
}

export function t1Summary(shared: string[], stability: boolean): Record<string, unknown> {
  return {
    shared_conclusions: shared.slice(),
    divergent_branches: [],
    missing_premises: [],
    contradiction_map: stability ? { count: 0 } : {},
    implicit_assumptions: IMPLICIT_ASSUMPTIONS.slice(),
  };
}

export function cdgStructure(): Record<string, unknown> {
  const edges = [];
  for (let i = 1; i < CLAIM_NODES.length; i++) edges.push({ from: CLAIM_NODES[i - 1], to: CLAIM_NODES[i], weight: 0.8 });
  return {
    nodes: CLAIM_NODES.slice(),
    edges,
    cycles: false,
    paradoxes: [],
    missing_parents: [],
    invalid_chains: [],
  };
}

export function realityPacket(f: PromptFacts): Record<string, unknown> {
  const clusters: Record<string, string[]> = {};
  const trust: Record<string, number> = {};
  for (const l of MMRE_LAYERS) {
    clusters[`layer_${l}`] = [`source_${l}_a`, `source_${l}_b`];
    trust[`layer_${l}`] = TRUST;
  }
  return {
    verified_facts: kitOf(f).facts.slice(),
    source_clusters: clusters,
    trust_scores: trust,
    conflicts_detected: [],
    evidence_density: EVIDENCE_DENSITY,
    escalation_required: false,
  };
}

export function sourcesUsed(): string[] {
  return SOURCES.slice();
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

export function rwlResult(witness: string): Record<string, unknown> {
  return {
    model: witness,
    challenge: 'Challenge issued: validate logic chains and biases.',
    dissent_score: DISSENT,
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
