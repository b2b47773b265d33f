/**
 * toron-2.5h-stability (the "stability patch", commit 5f69c530) as the reference engine answers it.
 *
 * Shape (key order as the real engine): the 2.5h keys `final_answer, confidence_score, sources_used,
 * models_used, tier_path, opus_used, random_witness, governance_adjustments, meta_surveillance_flags`,
 * then `latency_ms` (int), `contradictions` (int), `snapshot`, `state_snapshot`.
 * - `snapshot` (lower-case keys): `t1_raw, t1_summary, cdg_structure, t2_audit_report, reality_packet,
 *   judicial_result, rwl_result, confidence_score, aloe_policy, meta_flags`.
 * - `state_snapshot`: the 2.5h members (`CLEAN_PROMPT ... MSL_FLAGS`) plus `LATENCY_MS`,
 *   `CONTRADICTIONS` and `NORMALIZED_SNAPSHOT` (equal to `snapshot`); its `EXECUTION_PLAN` also carries
 *   `latency_ms`, `tier_path` (the plan: T4 included when words > 120 OR the letters "not" appear,
 *   as the real patch plans it, even though it then escalates by length only) and a `snapshot` whose
 *   ten members are all `{}`; `T2_AUDIT_REPORT` and
 *   `REALITY_PACKET` carry a `latency_ms`.
 *
 * Rules a dataset can rely on (see ../prompt.ts for clean; words = words of clean):
 * - Opus only when words > 120 (a "not" in the prompt does NOT escalate here, unlike 2.5h; it still
 *   makes `EXECUTION_PLAN.contradiction_likelihood` "elevated"). With Opus: `tier_path` is
 *   ["T1","T2","T3","T4"] (else ["T1","T2","T3"]), `models_used` ends with "Opus", the judicial result
 *   is the Opus review with `opus_result.result` "OpusResolution:<1000-9999, seeded>", and the flags
 *   are ["opus_escalation"].
 * - `confidence_score` (= `CONFIDENCE_SCORE` = `snapshot.confidence_score`, an integer): 77 with Opus,
 *   82 without, whatever else the prompt holds.
 * - Contradictions: none, ever, as in 2.5h: `contradictions` (= `CONTRADICTIONS` =
 *   `t1_summary.contradiction_map.count`) is 0, the lists are empty, `cdg_valid` is true, the critiques
 *   are "R1: structural integrity acceptable" and "K2: no major logical gaps".
 * - Flags: `meta_surveillance_flags` and `MSL_FLAGS` are ["opus_escalation"] or []; `snapshot.meta_flags`
 *   is the same list, or `{}` when it is empty (as the real engine writes it).
 * - `final_answer`, evidence (`reality_packet`, `sources_used`), the execution plan and tokens: as
 *   toron-2.5h (see toron25h.ts).
 * - Seeded by the request seed: `latency_ms` (300-340; every T1 entry, the reality packet and the plan
 *   carry the same value), the T2 audit's `latency_ms` (300-340), `random_witness` (= rwl model; the
 *   request's `now` is ignored, as in the real patch), the order of the shared conclusions and the Opus
 *   resolution number.
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

const SNAPSHOT_KEYS = [
  't1_raw',
  't1_summary',
  'cdg_structure',
  't2_audit_report',
  'reality_packet',
  'judicial_result',
  'rwl_result',
  'confidence_score',
  'aloe_policy',
  'meta_flags',
] as const;

export function usesOpusStability(prompt: string): boolean {
  return promptFacts(prompt).cleanWords > LONG_PROMPT_WORDS;
}

export function toron25hStability(
  prompt: string,
  rnd: Random,
  _opts: ShapeOptions = {},
): Record<string, unknown> {
  const f = promptFacts(prompt);
  const useOpus = f.cleanWords > LONG_PROMPT_WORDS;
  const latency = rnd.int(300, 340);
  const t2Latency = rnd.int(300, 340);
  const witness = T1_MODELS[rnd.int(0, T1_MODELS.length - 1)];
  const shared = sharedConclusions(f, rnd);
  const confidence = useOpus ? 77 : 82;
  const tierPath = useOpus ? ['T1', 'T2', 'T3', 'T4'] : ['T1', 'T2', 'T3'];
  const flags: string[] = useOpus ? ['opus_escalation'] : [];

  const opusNumber = useOpus ? rnd.int(1000, 9999) : 0;

  // Consumers may edit an answer in place (dropping ignored paths, say); a parsed HTTP answer never
  // shares objects between its members, so neither does this one: each copy is built afresh.
  const members = () => ({
    raw: t1Raw(f, latency),
    summary: t1Summary(shared, true),
    cdg: cdgStructure(),
    t2: {
      models: ['DeepSeek R1 (Light)', 'Kimi K2 (Light)'],
      critiques: ['R1: structural integrity acceptable', 'K2: no major logical gaps'],
      cdg_valid: true,
      missing_steps: [],
      latency_ms: t2Latency,
    },
    packet: { ...realityPacket(f), latency_ms: latency },
    judicial: useOpus
      ? {
          opus_result: { result: `OpusResolution:${opusNumber}`, latency_ms: latency, tokens_used: tokensFor(f) },
          opus_reasoning_chain: ['Opus evaluated synthesis', 'Stress-tested assumptions'],
          heavy_audit: heavyAudit(),
          revision_applied: false,
        }
      : {},
    rwl: rwlResult(witness),
    aloe: aloePolicy(f),
  });
  const snapshotOf = () => {
    const m = members();
    return {
      t1_raw: m.raw,
      t1_summary: m.summary,
      cdg_structure: m.cdg,
      t2_audit_report: m.t2,
      reality_packet: m.packet,
      judicial_result: m.judicial,
      rwl_result: m.rwl,
      confidence_score: confidence,
      aloe_policy: m.aloe,
      // The real patch writes an empty flag list as {} in its snapshot only.
      meta_flags: flags.length > 0 ? flags.slice() : {},
    };
  };
  const top = members();
  const emptySnapshot: Record<string, unknown> = {};
  for (const k of SNAPSHOT_KEYS) emptySnapshot[k] = {};
  const models: string[] = T1_MODELS.slice();
  if (useOpus) models.push(OPUS_MODEL);

  return {
    final_answer: finalAnswer(f, shared),
    confidence_score: confidence,
    sources_used: sourcesUsed(),
    models_used: models,
    tier_path: tierPath,
    opus_used: useOpus,
    random_witness: witness,
    governance_adjustments: GOVERNANCE,
    meta_surveillance_flags: flags,
    latency_ms: latency,
    contradictions: 0,
    snapshot: snapshotOf(),
    state_snapshot: {
      CLEAN_PROMPT: f.clean,
      EXECUTION_PLAN: {
        ...executionPlan(f, useOpus),
        latency_ms: latency,
        // The patch plans T4 by the old 2.5h rule ("not" included) but escalates by length only.
        tier_path: plansOpus(f) ? ['T1', 'T2', 'T3', 'T4'] : ['T1', 'T2', 'T3'],
        snapshot: emptySnapshot,
      },
      T1_RAW: top.raw,
      T1_SUMMARY: top.summary,
      CDG_STRUCTURE: top.cdg,
      T2_AUDIT_REPORT: top.t2,
      REALITY_PACKET: top.packet,
      JUDICIAL_RESULT: top.judicial,
      RWL_RESULT: top.rwl,
      CONFIDENCE_SCORE: confidence,
      ALOE_POLICY: top.aloe,
      MSL_FLAGS: flags.slice(),
      LATENCY_MS: latency,
      CONTRADICTIONS: 0,
      NORMALIZED_SNAPSHOT: snapshotOf(),
    },
  };
}
