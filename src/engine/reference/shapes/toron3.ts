/**
 * toron-3 (ToronEngineV31Enhanced: tiers 1-8, evidence gatekeeper, Opus arbitration) as the reference
 * engine answers it, in one of two forms (ShapeOptions.toron3Form, default "query"):
 *
 * - "query", as its HTTP `/query` answers:
 *   `{ consensus: { output, model, confidence, calibrated_confidence, source_weighted_confidence,
 *      agreement: "a/b", quality, grade, evidence_strength, arbitration_source, arbitration_model,
 *      uncertainty_flags[] },
 *      metrics: { request_id, latency_ms, providers_called, providers_failed, cache_hit, tier_retries,
 *      tier_timeouts, degradation_level, tier4_failsafe_triggered } }`
 * - "full", the engine's (consensus, metrics) result:
 *   `{ consensus: { representative_output, representative_model, agreement_count, total_responses,
 *      avg_confidence, consensus_quality, semantic_diversity, fingerprint, contributing_models[],
 *      timestamp, output_grade, uncertainty_flags[], source_weighted_confidence, calibrated_confidence,
 *      evidence_strength, arbitration_source, arbitration_model, gatekeeper_passed, gatekeeper_issues[],
 *      tier4_repair_invoked },
 *      metrics: { request_id, prompt_hash, total_latency_ms, provider_latencies{model: ms},
 *      cache_hits, cache_misses, providers_called, providers_failed, consensus_quality, timestamp,
 *      tier_timeouts, tier_retries, degradation_level, output_grade, tier4_arbitration_invoked,
 *      tier4_arbitration_model, tier2_invoked, tier4_failsafe_triggered, gatekeeper_validation_ms,
 *      tier4_repair_invoked, tier4_repair_latency_ms } }`
 *   (query `output`/`model`/`confidence`/`agreement`/`quality`/`grade`/`latency_ms` are the full
 *   form's `representative_output`/`representative_model`/`avg_confidence`/
 *   `agreement_count/total_responses`/`consensus_quality`/`output_grade`/`total_latency_ms`.)
 *
 * Rules a dataset can rely on ("words", "clean", "contradictions" N as in ../prompt.ts; keyword tests
 * are lower-case SUBSTRING tests, as in the real engine, so "know" contains "now"):
 * - An empty prompt (or one over 50000 characters) is refused: HTTP 500
 *   "Query failed: Invalid prompt length: <n>".
 * - Volatile, per call: `request_id` (12 hex) and both `timestamp`s (epoch seconds) change on every
 *   call (they come from the engine's call counter and knob seed); everything else is a function of
 *   the prompt and the request seed. Ignore `/metrics/request_id`, `/metrics/timestamp` and
 *   `/consensus/timestamp` when comparing replays.
 * - Tier 1: 9 models (Grok-4.1, Claude-Sonnet-4.5, ChatGPT-5.2, Gemini-3, Mistral-Large 3,
 *   Cohere-Command R+, Meta-Llama-4 Maverick, Qwen 3, Perplexity-Sonar). Over 400 words one of them
 *   (seeded) times out: providers_failed 1, tier_timeouts 1, tier_retries 2, degradation "degraded";
 *   otherwise 0 / 0 / 0 / "none".
 * - Dissent: 3 tier-1 models per contradiction (seeded which; at most all but one) disagree.
 * - Tier 2 (DeepSeek-R1, Kimi-K2-Thinking; `tier2_invoked`): when the prompt contains at least 2 of
 *   "calculate, solve, prove, analyze, compare, evaluate, step by step, reasoning, logic, mathematical,
 *   equation, algorithm, optimize, derive, explain why, how does", or tier-1 agreement < 0.6
 *   (i.e. N >= 2).
 * - Tier 3 sources (first that applies; domain = the one of medical / legal / financial with the most
 *   keyword hits, ties in that order, keywords as in the real engine's gatekeeper):
 *   medical -> PubMed-API, CDC-API, WHO-API, ClinicalTrials-API; legal -> Government-Data-API,
 *   EU-Legislation-API, Britannica-API; financial -> SEC-EDGAR, FinancialTimes-API,
 *   Government-Data-API; code words (code, python, javascript, typescript, function, program, compile,
 *   bug) -> StackOverflow-API, MDN-Web-Docs, GitHub-Code-Search; real-time context (trending, now,
 *   today, current, latest, breaking, recent, update) -> NewsAPI, GDELT, Google-Search; else
 *   Wikipedia-API, Britannica-API, Google-Search. Prompts under 3 words get only the first source. Each
 *   distinct URL in the prompt (at most 3) adds "Cited-Source-<i>". Two or more sources = verified.
 * - Agreement = (all responses - dissenters) / all responses over tiers 1+2+3. Below 0.7 -> Opus
 *   arbitration (tier 4): `tier4_arbitration_invoked`, arbitration_source "opus_primary",
 *   arbitration_model "Claude-Opus-4.5". Over 300 words Opus times out and the tier-2 failsafe answers:
 *   "tier2_failsafe", "DeepSeek-R1 (failsafe)", `tier4_failsafe_triggered`, one more timeout and 2 more
 *   retries. Without arbitration: "consensus_only", null. The arbiter joins the majority.
 *   In practice: arbitration happens exactly when N >= 2.
 * - agreement "a/b" / agreement_count, total_responses: a = b - dissenters, b = tier-1 answers + tier 2
 *   (0 or 2) + tier-3 sources + arbiter (0 or 1). quality: ratio >= 0.9 "high", >= 0.7 "medium",
 *   >= 0.5 "low", else "critical" (N = 0 -> high, N = 1 -> medium, N >= 2 -> low or critical).
 *   grade: "A+" (ratio 1, high, verified), "A" (>= 0.89, high), "B+" (>= 0.78, verified), "B" (>= 0.67),
 *   "C" (>= 0.44), "D" (>= 0.33), else "F". semantic_diversity = 1 - ratio.
 * - Confidence (all 0..1, 4 decimals): each tier-1 model 0.80-0.95 (seeded) minus 0.05 per
 *   contradiction (at most 4), dissenters 0.45-0.65; tier 2 0.85-0.95 minus the same; sources their
 *   reliability; Opus 0.92, failsafe 0.88. `confidence`/avg_confidence = mean over the majority;
 *   calibrated = avg x (0.6 + 0.4 x ratio); source_weighted = reliability-weighted mean over all
 *   responses.
 * - Gatekeeper (tier 3.5): when one domain has >= 2 keyword hits. Then the model is
 *   "Evidence-Gatekeeper", the output ends with that domain's disclaimer ("... is not medical advice
 *   ..."), and with N > 0 `gatekeeper_passed` is false, `gatekeeper_issues` is
 *   ["validation_warning: contradiction"] and the flags hold "Evidence validation issues: 1".
 * - uncertainty_flags, in this order: "Evidence validation issues: <k>" (gatekeeper failed),
 *   "Low model agreement" (final ratio < 0.7, i.e. N >= 2), "Limited external verification" (fewer
 *   than 2 sources).
 * - evidence_strength: "strong" (>= 9 distinct responders, ratio >= 0.8, >= 3 sources), "moderate"
 *   (>= 6, >= 0.6, >= 2), else "weak".
 * - output: "Consensus answer: <clean[:240]>", plus " Caution: the question makes N conflicting
 *   claim(s)." when N > 0, plus the gatekeeper disclaimer. The model is the most confident majority
 *   tier-1 model (seeded) unless the gatekeeper ran.
 * - Latency (seeded): tier-1 models 350-1800 ms each, tier 2 1500-4000, Opus 2000-5000; the total is
 *   the slowest tier-1 answer (5000 with a timeout) + tier 2 + sources 80-240 + gatekeeper 300-900 +
 *   arbitration + synthesis 10-60, with a fraction. `provider_latencies` has every answering tier-1/2
 *   model and the arbiter. providers_called = b (the real engine counts sources as providers).
 *   cache_hit false.
 */
import { createHash } from 'node:crypto';
import type { Random } from '../../../util/seed.js';
import { promptFacts, type PromptFacts } from '../prompt.js';
import { ShapeRejection, pickIndices, round, type ShapeOptions } from './common.js';

export const T1_MODELS_3 = [
  'Grok-4.1',
  'Claude-Sonnet-4.5',
  'ChatGPT-5.2',
  'Gemini-3',
  'Mistral-Large 3',
  'Cohere-Command R+',
  'Meta-Llama-4 Maverick',
  'Qwen 3',
  'Perplexity-Sonar',
] as const;
export const T2_MODELS_3 = ['DeepSeek-R1', 'Kimi-K2-Thinking'] as const;
export const OPUS_MODEL_3 = 'Claude-Opus-4.5';
export const FAILSAFE_MODEL_3 = 'DeepSeek-R1 (failsafe)';
export const ANSWER_LEAD_3 = 'Consensus answer: ';
const MAX_PROMPT_CHARS = 50_000;
const MAX_CITED = 3;
const TIER_TIMEOUT_MS = 5000;
/** The engine's notion of "now" for request 0: 2026-01-01T00:00:00Z. */
const EPOCH_BASE_S = 1_767_225_600;

const WEIGHTS: Record<string, number> = {
  'Britannica-API': 1.0,
  'WHO-API': 0.96,
  'CDC-API': 0.95,
  'Wikipedia-API': 0.85,
  'Google-Search': 0.75,
  'PubMed-API': 0.94,
  'ClinicalTrials-API': 0.92,
  'StackOverflow-API': 0.82,
  'MDN-Web-Docs': 0.9,
  'Government-Data-API': 0.91,
  'EU-Legislation-API': 0.93,
  NewsAPI: 0.78,
  GDELT: 0.83,
  'FinancialTimes-API': 0.87,
  'SEC-EDGAR': 0.97,
  'GitHub-Code-Search': 0.79,
  'Kimi-K2-Thinking': 0.9,
  'DeepSeek-R1': 0.88,
  'Grok-4.1': 0.86,
  'Claude-Sonnet-4.5': 0.85,
  'ChatGPT-5.2': 0.83,
  'Gemini-3': 0.82,
  'Mistral-Large 3': 0.8,
  'Cohere-Command R+': 0.8,
  'Meta-Llama-4 Maverick': 0.78,
  'Qwen 3': 0.75,
  'Perplexity-Sonar': 0.85,
  'Claude-Opus-4.5': 0.92,
};
const DEFAULT_WEIGHT = 0.7;

const FORMAL = ['research', 'study', 'academic', 'medical', 'legal', 'clinical', 'patient', 'regulation', 'compliance'];
const REAL_TIME = ['trending', 'now', 'today', 'current', 'latest', 'breaking', 'recent', 'update'];
const GROK_MULTIPLIER: Record<string, number> = { formal: 0.85, 'real-time': 1.1, casual: 1.0 };
const DOMAINS: [Domain, string[]][] = [
  ['medical', ['health', 'disease', 'symptom', 'treatment', 'diagnosis', 'medicine', 'doctor', 'patient', 'clinical', 'medical', 'drug', 'medication', 'therapy', 'surgery', 'vaccine']],
  ['legal', ['law', 'legal', 'court', 'attorney', 'lawyer', 'regulation', 'statute', 'contract', 'jurisdiction', 'lawsuit', 'litigation', 'rights', 'liability', 'compliance', 'legislation']],
  ['financial', ['invest', 'stock', 'finance', 'trading', 'money', 'loan', 'mortgage', 'credit', 'bank', 'portfolio', 'fund', 'bond', 'market', 'dividend', 'interest', 'tax', 'insurance']],
];
const CODE_WORDS = ['code', 'python', 'javascript', 'typescript', 'function', 'program', 'compile', 'bug'];
const REASONING = ['calculate', 'solve', 'prove', 'analyze', 'compare', 'evaluate', 'step by step', 'reasoning', 'logic', 'mathematical', 'equation', 'algorithm', 'optimize', 'derive', 'explain why', 'how does'];
const SOURCES: Record<string, string[]> = {
  medical: ['PubMed-API', 'CDC-API', 'WHO-API', 'ClinicalTrials-API'],
  legal: ['Government-Data-API', 'EU-Legislation-API', 'Britannica-API'],
  financial: ['SEC-EDGAR', 'FinancialTimes-API', 'Government-Data-API'],
  code: ['StackOverflow-API', 'MDN-Web-Docs', 'GitHub-Code-Search'],
  'real-time': ['NewsAPI', 'GDELT', 'Google-Search'],
  general: ['Wikipedia-API', 'Britannica-API', 'Google-Search'],
};
const DISCLAIMERS: Record<Domain, string> = {
  medical:
    'Medical Disclaimer: This information is for educational purposes only and is not medical advice. Always consult a qualified healthcare provider for diagnosis and treatment.',
  legal:
    'Legal Disclaimer: This information is for general educational purposes only and is not legal advice. Consult a licensed attorney for advice specific to your jurisdiction and situation.',
  financial:
    'Financial Disclaimer: This information is for educational purposes only and is not financial advice. Past performance does not guarantee future results. Consult a qualified financial advisor before making investment decisions.',
};

type Domain = 'medical' | 'legal' | 'financial';

interface Responder {
  model: string;
  confidence: number;
  agrees: boolean;
}

function countHits(lower: string, words: readonly string[]): number {
  let n = 0;
  for (const w of words) if (lower.includes(w)) n++;
  return n;
}

function contextOf(lower: string): string {
  if (countHits(lower, FORMAL) > 0) return 'formal';
  if (countHits(lower, REAL_TIME) > 0) return 'real-time';
  return 'casual';
}

function domainOf(lower: string): { domain: Domain | null; hits: number } {
  let best: Domain | null = null;
  let hits = 0;
  for (const [d, words] of DOMAINS) {
    const n = countHits(lower, words);
    if (n > hits) {
      best = d;
      hits = n;
    }
  }
  return { domain: best, hits };
}

function trustOf(url: string): number {
  try {
    if (/\.(gov|edu)$/i.test(new URL(url).hostname)) return 0.95;
  } catch {
    return 0.6;
  }
  return url.toLowerCase().startsWith('https:') ? 0.8 : 0.6;
}

function sourcesFor(f: PromptFacts, context: string, domain: Domain | null): Responder[] {
  let names: string[];
  if (domain) names = SOURCES[domain];
  else if (countHits(f.lower, CODE_WORDS) > 0) names = SOURCES.code;
  else if (context === 'real-time') names = SOURCES['real-time'];
  else names = SOURCES.general;
  if (f.words < 3) names = names.slice(0, 1);
  const out: Responder[] = names.map((model) => ({ model, confidence: WEIGHTS[model] ?? DEFAULT_WEIGHT, agrees: true }));
  f.urls.slice(0, MAX_CITED).forEach((url, i) => out.push({ model: `Cited-Source-${i + 1}`, confidence: trustOf(url), agrees: true }));
  return out;
}

function weightOf(model: string, context: string): number {
  const w = WEIGHTS[model] ?? DEFAULT_WEIGHT;
  return model === 'Grok-4.1' ? Math.min(1, w * (GROK_MULTIPLIER[context] ?? 1)) : w;
}

function gradeOf(ratio: number, quality: string, verified: boolean): string {
  if (ratio === 1 && quality === 'high' && verified) return 'A+';
  if (ratio >= 0.89 && quality === 'high') return 'A';
  if (ratio >= 0.78 && verified) return 'B+';
  if (ratio >= 0.67) return 'B';
  if (ratio >= 0.44) return 'C';
  if (ratio >= 0.33) return 'D';
  return 'F';
}

function qualityOf(ratio: number): string {
  if (ratio >= 0.9) return 'high';
  if (ratio >= 0.7) return 'medium';
  if (ratio >= 0.5) return 'low';
  return 'critical';
}

export function toron3(prompt: string, rnd: Random, opts: ShapeOptions = {}): Record<string, unknown> {
  if (prompt.length === 0 || prompt.length > MAX_PROMPT_CHARS) {
    throw new ShapeRejection(`Query failed: Invalid prompt length: ${prompt.length}`, 500);
  }
  const f = promptFacts(prompt);
  const n = f.contradictions.length;
  const penalty = 0.05 * Math.min(n, 4);
  const context = contextOf(f.lower);
  const { domain, hits } = domainOf(f.lower);

  // Tier 1.
  let tierTimeouts = 0;
  let tierRetries = 0;
  const failedAt = f.words > 400 ? rnd.int(0, T1_MODELS_3.length - 1) : -1;
  if (failedAt >= 0) {
    tierTimeouts++;
    tierRetries += 2;
  }
  const t1Names = T1_MODELS_3.filter((_, i) => i !== failedAt);
  const dissent = new Set(pickIndices(t1Names.length, Math.min(t1Names.length - 1, 3 * n), rnd));
  const latencies: Record<string, number> = {};
  const t1: Responder[] = [];
  let t1Slowest = failedAt >= 0 ? TIER_TIMEOUT_MS : 0;
  t1Names.forEach((model, i) => {
    const ms = rnd.int(350, 1800);
    latencies[model] = ms;
    t1Slowest = Math.max(t1Slowest, ms);
    const agrees = !dissent.has(i);
    const confidence = agrees ? 0.8 + 0.15 * rnd.next() - penalty : 0.45 + 0.2 * rnd.next();
    t1.push({ model, confidence: round(Math.max(0, confidence), 4), agrees });
  });

  // Tier 2.
  const t1Agreement = (t1.length - dissent.size) / t1.length;
  const tier2 = countHits(f.lower, REASONING) >= 2 || t1Agreement < 0.6;
  const t2: Responder[] = [];
  let t2Slowest = 0;
  if (tier2) {
    for (const model of T2_MODELS_3) {
      const ms = rnd.int(1500, 4000);
      latencies[model] = ms;
      t2Slowest = Math.max(t2Slowest, ms);
      t2.push({ model, confidence: round(Math.max(0, 0.85 + 0.1 * rnd.next() - penalty), 4), agrees: true });
    }
  }

  // Tier 3 and the gatekeeper.
  const t3 = sourcesFor(f, context, domain);
  const verified = t3.length >= 2;
  const sourcesMs = rnd.int(80, 240);
  const gatekeeper = domain !== null && hits >= 2;
  const gatekeeperMs = gatekeeper ? round(300 + 600 * rnd.next(), 3) : 0;
  const gatekeeperIssues = gatekeeper && n > 0 ? ['validation_warning: contradiction'] : [];

  // Tier 4.
  let pool = [...t1, ...t2, ...t3];
  const preRatio = pool.filter((r) => r.agrees).length / pool.length;
  const arbitration = preRatio < 0.7;
  const failsafe = arbitration && f.words > 300;
  let arbiter: string | null = null;
  let arbitrationMs = 0;
  if (arbitration) {
    arbiter = failsafe ? FAILSAFE_MODEL_3 : OPUS_MODEL_3;
    arbitrationMs = rnd.int(2000, 5000);
    if (failsafe) {
      tierTimeouts++;
      tierRetries += 2;
      arbitrationMs += TIER_TIMEOUT_MS;
    }
    latencies[arbiter] = arbitrationMs;
    pool = [...pool, { model: arbiter, confidence: failsafe ? 0.88 : 0.92, agrees: true }];
  }
  const synthMs = rnd.int(10, 60);
  const totalLatency = round(t1Slowest + t2Slowest + sourcesMs + gatekeeperMs + arbitrationMs + synthMs + rnd.next(), 3);

  // Consensus.
  const majority = pool.filter((r) => r.agrees);
  const agreementCount = majority.length;
  const total = pool.length;
  const ratio = agreementCount / total;
  const quality = qualityOf(ratio);
  const grade = gradeOf(ratio, quality, verified);
  const avg = round(majority.reduce((s, r) => s + r.confidence, 0) / majority.length, 4);
  let wSum = 0;
  let wConf = 0;
  for (const r of pool) {
    const w = weightOf(r.model, context);
    wSum += w;
    wConf += w * r.confidence;
  }
  const sourceWeighted = round(wSum > 0 ? wConf / wSum : 0, 4);
  const calibrated = round(avg * (0.6 + 0.4 * ratio), 4);
  let representative = t1.filter((r) => r.agrees).reduce((a, b) => (b.confidence > a.confidence ? b : a)).model;
  let output = (ANSWER_LEAD_3 + f.clean.slice(0, 240)).trimEnd();
  if (n > 0) output += ` Caution: the question makes ${n} conflicting claim(s).`;
  if (gatekeeper && domain) {
    output += ` ${DISCLAIMERS[domain]}`;
    representative = 'Evidence-Gatekeeper';
  }
  const flags: string[] = [];
  if (gatekeeperIssues.length > 0) flags.push(`Evidence validation issues: ${gatekeeperIssues.length}`);
  if (ratio < 0.7) flags.push('Low model agreement');
  if (!verified) flags.push('Limited external verification');
  const uniqueModels = new Set(pool.map((r) => r.model)).size;
  const evidence =
    uniqueModels >= 9 && ratio >= 0.8 && t3.length >= 3
      ? 'strong'
      : uniqueModels >= 6 && ratio >= 0.6 && t3.length >= 2
        ? 'moderate'
        : 'weak';
  const arbitrationSource = !arbitration ? 'consensus_only' : failsafe ? 'tier2_failsafe' : 'opus_primary';
  const degradation = failedAt >= 0 || failsafe ? 'degraded' : 'none';

  // Volatile per call, like the real engine's clock: the counter and knob seed, never the request seed.
  const callIndex = opts.callIndex ?? 0;
  const knobSeed = opts.knobSeed ?? 0;
  const requestId = createHash('sha256').update(`toron3:${knobSeed}:${callIndex}`).digest('hex').slice(0, 12);
  const started = EPOCH_BASE_S + (Math.abs(knobSeed) % 100_000) + callIndex * 2.5;
  const metricsAt = round(started + totalLatency / 1000, 6);
  const consensusAt = round(metricsAt - synthMs / 1000, 6);

  if ((opts.toron3Form ?? 'query') === 'query') {
    return {
      consensus: {
        output,
        model: representative,
        confidence: avg,
        calibrated_confidence: calibrated,
        source_weighted_confidence: sourceWeighted,
        agreement: `${agreementCount}/${total}`,
        quality,
        grade,
        evidence_strength: evidence,
        arbitration_source: arbitrationSource,
        arbitration_model: arbiter,
        uncertainty_flags: flags,
      },
      metrics: {
        request_id: requestId,
        latency_ms: totalLatency,
        providers_called: total,
        providers_failed: failedAt >= 0 ? 1 : 0,
        cache_hit: false,
        tier_retries: tierRetries,
        tier_timeouts: tierTimeouts,
        degradation_level: degradation,
        tier4_failsafe_triggered: failsafe,
      },
    };
  }
  return {
    consensus: {
      representative_output: output,
      representative_model: representative,
      agreement_count: agreementCount,
      total_responses: total,
      avg_confidence: avg,
      consensus_quality: quality,
      semantic_diversity: round(1 - ratio, 4),
      fingerprint: createHash('sha256').update(output.trim().toLowerCase().split(/\s+/).join(' ')).digest('hex').slice(0, 16),
      contributing_models: majority.map((r) => r.model),
      timestamp: consensusAt,
      output_grade: grade,
      uncertainty_flags: flags,
      source_weighted_confidence: sourceWeighted,
      calibrated_confidence: calibrated,
      evidence_strength: evidence,
      arbitration_source: arbitrationSource,
      arbitration_model: arbiter,
      gatekeeper_passed: gatekeeperIssues.length === 0,
      gatekeeper_issues: gatekeeperIssues,
      tier4_repair_invoked: false,
    },
    metrics: {
      request_id: requestId,
      prompt_hash: f.promptHash,
      total_latency_ms: totalLatency,
      provider_latencies: latencies,
      cache_hits: 0,
      cache_misses: 1,
      providers_called: total,
      providers_failed: failedAt >= 0 ? 1 : 0,
      consensus_quality: quality,
      timestamp: metricsAt,
      tier_timeouts: tierTimeouts,
      tier_retries: tierRetries,
      degradation_level: degradation,
      output_grade: grade,
      tier4_arbitration_invoked: arbitration,
      tier4_arbitration_model: arbiter,
      tier2_invoked: tier2,
      tier4_failsafe_triggered: failsafe,
      gatekeeper_validation_ms: gatekeeperMs,
      tier4_repair_invoked: false,
      tier4_repair_latency_ms: 0,
    },
  };
}
