/**
 * toron-2.5h (RyuzenToronV25HPlus, commit 727a7c79) as the reference engine answers it.
 *
 * Shape (key order as the real engine): `final_answer, confidence_score, sources_used, models_used,
 * tier_path, opus_used, random_witness, governance_adjustments, meta_surveillance_flags, state_snapshot`;
 * `state_snapshot`: `CLEAN_PROMPT, EXECUTION_PLAN, T1_RAW, T1_SUMMARY, CDG_STRUCTURE, T2_AUDIT_REPORT,
 * REALITY_PACKET, JUDICIAL_RESULT, RWL_RESULT, CONFIDENCE_SCORE, ALOE_POLICY, MSL_FLAGS`.
 *
 * Rules a dataset can rely on (words = whitespace-separated words of the raw prompt; "clean" and
 * "contradictions" as defined in ../prompt.ts):
 * - Opus (`/opus_used`, `/state_snapshot/EXECUTION_PLAN/use_opus`): words > 120 OR the prompt contains
 *   the letters "not" in any case anywhere ("another", "Note", "nothing" all count). Then
 *   `models_used` ends with "Opus" and `JUDICIAL_RESULT` is the Opus review
 *   `{opus_result{result: "Opus processed: <clean[:256]>", latency_ms, tokens_used},
 *   opus_reasoning_chain[2], heavy_audit{models, findings}, revision_applied: false}`; else `{}`.
 * - `tier_path` is always the string "T1->T1_SUMMARY->CDG->T2->MMRE->SYNTH->JUDICIAL->RWL->CONSENSUS->ALOE".
 * - `confidence_score` (= `CONFIDENCE_SCORE`, a number 0-100): 68 with Opus, 58 without, minus 5 per
 *   contradiction (at most 4 count): 58, 53, 48, 43, 38 / 68, 63, 58, 53, 48.
 * - `final_answer` = "Here is a clear, empathetic explanation grounded in the verified facts while
 *   preserving every objective element: " + the shared conclusions and the verified facts joined by
 *   spaces (trimmed) + " (Tone: calm, inclusive, safety-checked.)". Every hypothesis quotes clean[:120]
 *   and every base fact clean[:100], so words of the prompt appear in the answer (minus "." characters).
 * - Contradictions (count N): each appears in the `contradictions[]` of 3 to 6 of the 8 `T1_RAW`
 *   entries (which ones is seeded); `T1_SUMMARY.contradiction_map` maps each text to its models and
 *   `divergent_branches` lists those models; `CDG_STRUCTURE.paradoxes` lists the texts;
 *   `T2_AUDIT_REPORT.cdg_valid` is false and a third critique names N; `MSL_FLAGS` and
 *   `meta_surveillance_flags` are ["contradictions_detected"]; `EXECUTION_PLAN.contradiction_likelihood`
 *   is "elevated" (also with "not" in the prompt, as in the real engine); `RWL_RESULT.dissent_score` is
 *   0.15 + 0.1 * N. With N = 0 all of these are empty / true / [] / "baseline" / 0.15.
 * - Evidence (`REALITY_PACKET`, `sources_used`): layers 1, 2, 4, 9 always, plus layers 3, 5, 6, 7 for
 *   the first 1-4 distinct URLs in the prompt (fact "Fact from layer N: <url>", cluster [url], trust
 *   0.95 for .gov/.edu hosts, 0.8 other https, 0.6 http). `evidence_density` = min(1, 0.2 + 0.1 x layers)
 *   (0.6000000000000001 with 4, 0.7 with 5, ..., 1 from 8). Numeric conflicts are listed in `conflicts_detected` and make
 *   `escalation_required` true. `sources_used` = ["layer_1", ...] for the same layers.
 * - Prompts over 120 words: EXECUTION_PLAN domain "specialized", complexity "high",
 *   latency_target_ms 3200, synthesis_depth "deep" (else general / medium / 2000 / standard);
 *   evidence_scarcity "low" above 12 words or with a URL, else "medium".
 * - `T1_RAW[*].latency_ms` is 420, `tokens_used` max(24, floor(len(clean) / 4)) (as the real engine).
 * - Seeded by the request seed: the order of `T1_SUMMARY.shared_conclusions` (and so of the final
 *   answer), which T1 models report each contradiction, and `random_witness` (= `RWL_RESULT.model`) -
 *   unless the request carries a numeric `now`: then the witness is models[floor(now) mod 8], as the
 *   real engine's clock-based choice.
 */
import type { Random } from '../../../util/seed.js';
import { promptFacts } from '../prompt.js';
import type { ShapeOptions } from './common.js';
import {
  GOVERNANCE,
  LONG_PROMPT_WORDS,
  OPUS_MODEL,
  T1_MODELS,
  aloePolicy,
  assignContradictions,
  cdgStructure,
  confidencePenalty,
  executionPlan,
  finalAnswer,
  heavyAudit,
  realityPacket,
  rwlResult,
  sharedConclusions,
  sourcesUsed,
  t1Raw,
  t1Summary,
  tokensFor,
} from './toron25hFamily.js';

export const TIER_PATH_25H = 'T1->T1_SUMMARY->CDG->T2->MMRE->SYNTH->JUDICIAL->RWL->CONSENSUS->ALOE';
const T1_LATENCY_MS = 420;

export function usesOpus25h(prompt: string): boolean {
  const f = promptFacts(prompt);
  return f.words > LONG_PROMPT_WORDS || f.hasNot;
}

export function toron25h(prompt: string, rnd: Random, opts: ShapeOptions = {}): Record<string, unknown> {
  const f = promptFacts(prompt);
  const useOpus = f.words > LONG_PROMPT_WORDS || f.hasNot;
  const witnessAt =
    typeof opts.now === 'number' && Number.isFinite(opts.now)
      ? ((Math.floor(opts.now) % T1_MODELS.length) + T1_MODELS.length) % T1_MODELS.length
      : rnd.int(0, T1_MODELS.length - 1);
  const witness = T1_MODELS[witnessAt];
  const shared = sharedConclusions(f, rnd);
  const perModel = assignContradictions(f, rnd);
  const packet = realityPacket(f);
  const confidence = (useOpus ? 68 : 58) - confidencePenalty(f);
  const n = f.contradictions.length;
  const flags = n > 0 ? ['contradictions_detected'] : [];
  const critiques = [
    'DeepSeek R1 (Light) notes potential gaps in evidence density.',
    'Kimi K2 (Light) suggests clarifying assumptions in shared conclusions.',
  ];
  if (n > 0) critiques.push(`DeepSeek R1 (Light) flags ${n} contradiction(s) between tier-1 hypotheses.`);
  const judicial = useOpus
    ? {
        opus_result: {
          result: `Opus processed: ${f.clean.slice(0, 256)}`,
          latency_ms: T1_LATENCY_MS,
          tokens_used: tokensFor(f),
        },
        opus_reasoning_chain: ['Opus evaluated synthesis', 'Stress-tested assumptions'],
        heavy_audit: heavyAudit(),
        revision_applied: false,
      }
    : {};
  const models: string[] = T1_MODELS.slice();
  if (useOpus) models.push(OPUS_MODEL);
  return {
    final_answer: finalAnswer(f, shared),
    confidence_score: confidence,
    sources_used: sourcesUsed(f),
    models_used: models,
    tier_path: TIER_PATH_25H,
    opus_used: useOpus,
    random_witness: witness,
    governance_adjustments: GOVERNANCE,
    meta_surveillance_flags: flags,
    state_snapshot: {
      CLEAN_PROMPT: f.clean,
      EXECUTION_PLAN: executionPlan(f, useOpus),
      T1_RAW: t1Raw(f, T1_LATENCY_MS, perModel),
      T1_SUMMARY: t1Summary(f, shared, perModel, false),
      CDG_STRUCTURE: cdgStructure(f),
      T2_AUDIT_REPORT: {
        models: ['DeepSeek R1 (Light)', 'Kimi K2 (Light)'],
        critiques,
        cdg_valid: n === 0,
        missing_steps: [],
      },
      REALITY_PACKET: packet,
      JUDICIAL_RESULT: judicial,
      RWL_RESULT: rwlResult(witness, f),
      CONFIDENCE_SCORE: confidence,
      ALOE_POLICY: aloePolicy(f),
      MSL_FLAGS: flags.slice(),
    },
  };
}
