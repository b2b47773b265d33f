/**
 * toron-2.5h (RyuzenToronV25HPlus, commit 727a7c79) as the reference engine answers it.
 *
 * Shape (key order as the real engine): `final_answer, confidence_score, sources_used, models_used,
 * tier_path, opus_used, random_witness, governance_adjustments, meta_surveillance_flags, state_snapshot`;
 * `state_snapshot`: `CLEAN_PROMPT, EXECUTION_PLAN, T1_RAW, T1_SUMMARY, CDG_STRUCTURE, T2_AUDIT_REPORT,
 * REALITY_PACKET, JUDICIAL_RESULT, RWL_RESULT, CONFIDENCE_SCORE, ALOE_POLICY, MSL_FLAGS`.
 *
 * The real engine is a deterministic pipeline whose tiers mostly restate the prompt: this engine answers
 * what it answers, field for field, for any prompt (checked against its code and the samples in
 * /work/shared/reference/toron-samples). In particular it never detects a contradiction, its evidence tier
 * is the same four layers whatever the prompt cites, and its confidence depends on Opus alone.
 *
 * Rules a dataset can rely on ("clean" as defined in ../prompt.ts; words = words of clean):
 * - Opus (`/opus_used`, `/state_snapshot/EXECUTION_PLAN/use_opus`): words > 120 OR the prompt contains
 *   the letters "not" in any case anywhere ("another", "Note", "nothing" all count). Then
 *   `models_used` ends with "Opus" and `JUDICIAL_RESULT` is the Opus review
 *   `{opus_result{result: "Opus processed: <clean[:256]>" ("harmful" written "[redacted]"), latency_ms, tokens_used},
 *   opus_reasoning_chain[2], heavy_audit{models, findings}, revision_applied: false}`; else `{}`.
 * - `tier_path` is always the string "T1->T1_SUMMARY->CDG->T2->MMRE->SYNTH->JUDICIAL->RWL->CONSENSUS->ALOE".
 * - `confidence_score` (= `CONFIDENCE_SCORE`): 68 with Opus, 58 without, whatever else the prompt holds.
 * - `final_answer` = "Here is a clear, empathetic explanation grounded in the verified facts while
 *   preserving every objective element: " + the shared conclusions and the verified facts joined by
 *   spaces (trimmed) + " (Tone: calm, inclusive, safety-checked.)". Every hypothesis quotes clean[:120]
 *   and every fact clean[:100], so words of the prompt appear in the answer (minus "." characters).
 * - Contradictions: none, ever. `T1_RAW[*].contradictions`, `T1_SUMMARY.divergent_branches`,
 *   `CDG_STRUCTURE.paradoxes`, `REALITY_PACKET.conflicts_detected`, `MSL_FLAGS` and
 *   `meta_surveillance_flags` are [], `T1_SUMMARY.contradiction_map` is {}, `cdg_valid` true, the two
 *   T2 critiques fixed, `RWL_RESULT.dissent_score` 0.15.
 * - Evidence (`REALITY_PACKET`, `sources_used`): layers 1, 2, 4, 9 (`sources_used` ["layer_1", "layer_2",
 *   "layer_4", "layer_9"]), facts "Fact from layer N: <clean[:100]>", clusters ["source_N_a",
 *   "source_N_b"], trust 0.85, `evidence_density` 0.6000000000000001, `escalation_required` false. URLs
 *   in the prompt change none of this.
 * - `EXECUTION_PLAN`: `domain` "general" when clean is under 240 characters, else "specialized";
 *   `complexity` "high" above 120 words (then latency_target_ms 3200, synthesis_depth "deep"), else
 *   "medium" / 2000 / "standard"; `evidence_scarcity` "medium" when clean is under 80 characters, else
 *   "low"; `contradiction_likelihood` "elevated" with "not" in the prompt, else "baseline".
 * - `T1_RAW[*].latency_ms` is 420, `tokens_used` max(24, floor(len(clean) / 4)) (as the real engine).
 * - Seeded by the request seed: the order of `T1_SUMMARY.shared_conclusions` (and so of the final
 *   answer) and `random_witness` (= `RWL_RESULT.model`) - unless the request carries a numeric `now`:
 *   then the witness is models[int(now) mod 8] (Python's int and mod), as the real engine's clock-based
 *   choice; a `now` of 0 counts as none, as there.
 */
import type { Random } from '../../../util/seed.js';
import { promptFacts, pyHead } from '../prompt.js';
import type { ShapeOptions } from './common.js';
import {
  GOVERNANCE,
  OPUS_MODEL,
  T1_MODELS,
  aloePolicy,
  cdgStructure,
  executionPlan,
  finalAnswer,
  heavyAudit,
  plansOpus,
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
  return plansOpus(promptFacts(prompt));
}

export function toron25h(prompt: string, rnd: Random, opts: ShapeOptions = {}): Record<string, unknown> {
  const f = promptFacts(prompt);
  const useOpus = plansOpus(f);
  // The engine's `int(now) % 8`: truncation toward zero, then Python's non-negative modulo. A `now` of 0
  // is falsy there, so the engine reads its clock instead: seeded here.
  const witnessAt =
    typeof opts.now === 'number' && Number.isFinite(opts.now) && opts.now !== 0
      ? ((Math.trunc(opts.now) % T1_MODELS.length) + T1_MODELS.length) % T1_MODELS.length
      : rnd.int(0, T1_MODELS.length - 1);
  const witness = T1_MODELS[witnessAt];
  const shared = sharedConclusions(f, rnd);
  const confidence = useOpus ? 68 : 58;
  const judicial = useOpus
    ? {
        opus_result: {
          // The engine's model layer blanks the word "harmful" out of every model's text.
          result: `Opus processed: ${pyHead(f.clean, 256)}`.replaceAll('harmful', '[redacted]').trim(),
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
    sources_used: sourcesUsed(),
    models_used: models,
    tier_path: TIER_PATH_25H,
    opus_used: useOpus,
    random_witness: witness,
    governance_adjustments: GOVERNANCE,
    meta_surveillance_flags: [],
    state_snapshot: {
      CLEAN_PROMPT: f.clean,
      EXECUTION_PLAN: executionPlan(f, useOpus),
      T1_RAW: t1Raw(f, T1_LATENCY_MS),
      T1_SUMMARY: t1Summary(shared, false),
      CDG_STRUCTURE: cdgStructure(),
      T2_AUDIT_REPORT: {
        models: ['DeepSeek R1 (Light)', 'Kimi K2 (Light)'],
        critiques: [
          'DeepSeek R1 (Light) notes potential gaps in evidence density.',
          'Kimi K2 (Light) suggests clarifying assumptions in shared conclusions.',
        ],
        cdg_valid: true,
        missing_steps: [],
      },
      REALITY_PACKET: realityPacket(f),
      JUDICIAL_RESULT: judicial,
      RWL_RESULT: rwlResult(witness),
      CONFIDENCE_SCORE: confidence,
      ALOE_POLICY: aloePolicy(f),
      MSL_FLAGS: [],
    },
  };
}
