/**
 * A profile maps one engine answer shape onto the pipeline checker's view (DESIGN §3.5):
 * `{ answer, confidence (0..1), t1, t2, t3, tierPath[], opusEscalated, contradictions, engineLatencyMs }`.
 *
 * The view keeps "absent" (null) apart from "present but wrong" (the fields say what they saw), so a
 * check can tell a missing tier from a malformed one. A profile never guesses: its confidence scale is
 * declared once, and what the generation does not expose is declared in `exposes`.
 */

export type ConcreteProfileName = 'toron-2.5h' | 'toron-2.5h-stability' | 'toron-3' | 'custom';

/** One tier-1 output as the profile found it (values unchecked: the checks judge them). */
export interface T1Output {
  model: unknown;
  output: unknown;
}

export interface T1View {
  /** Where the tier-1 outputs live, for messages. */
  pointer: string;
  /** Per-model outputs; null when the generation reports only how many models answered. */
  outputs: T1Output[] | null;
  /** How many models answered, when the generation reports a count instead of outputs. */
  responders: number | null;
  /** The output the engine chose and its model, when it reports no per-model outputs (toron-3). */
  representative?: T1Output;
  /** Set when the value is there but not the expected kind (a string where a list belongs, say). */
  malformed?: string;
}

export interface T2View {
  pointer: string;
  /** The audit's models (empty when the audit names none). */
  models: unknown[];
  malformed?: string;
  /** Set when the generation's audit must name its auditing models and does not (whole message). */
  modelsProblem?: string;
}

export interface T3View {
  pointer: string;
  /** Evidence items (verified facts). */
  items: number;
  /** Distinct sources (clusters, cited sources). */
  sources: number;
  /** A generation that reports evidence only as a grade (toron-3's `evidence_strength`). */
  summary?: string;
  /** Set when the tier is there but not the expected kind. */
  malformed?: string;
}

export interface AnswerView {
  profile: ConcreteProfileName;
  /** toron-3 answers in two forms: `query` (its HTTP /query) or `full` (the engine's result). */
  form?: string;
  /** Problems that make the answer unreadable as this profile (no `consensus`, not an object, ...). */
  shapeProblems: string[];
  answerPointer: string;
  answer: unknown;
  /** Normalised to 0..1 by the profile's declared scale; null when absent or not a number. */
  confidence: number | null;
  confidenceRaw: unknown;
  confidencePointer: string;
  confidenceScale: 1 | 100;
  t1: T1View | null;
  t2: T2View | null;
  t3: T3View | null;
  /** Tier names in order (a 2.5h "A->B" string is split); null when absent. */
  tierPath: string[] | null;
  /** What is wrong with the engine's own tier path (missing, no list of names, out of order, ...). */
  tierPathProblem?: string;
  /** Whether the engine escalated to Opus / tier 4; null when it does not say. */
  opusEscalated: boolean | null;
  /** Whether an Opus (tier-4, judicial) result is present in the answer. */
  judicial: boolean | null;
  /** Whether the tier path names the escalation tier (T4); null when the path cannot say (2.5h). */
  tierPathHasT4: boolean | null;
  /**
   * Where `tierPathHasT4` comes from when the answer has no tier path of its own (toron-3's full form:
   * `/metrics/tier4_arbitration_invoked`), so messages name that member, not a path the engine never sent.
   */
  t4Pointer?: string;
  /**
   * How the answer says whether it escalated, for messages, when that is not a plain Opus flag
   * (toron-3: `/consensus/arbitration_source "tier2_failsafe"`, an arbitration that is not Opus's).
   */
  escalationSaid?: string;
  /** Contradictions the answer reports; null when not measurable. */
  contradictions: number | null;
  /** Why the generation's own contradiction count is unreadable (missing, or not a number). */
  contradictionsProblem?: string;
  /**
   * The tier-1 agreement where the generation reports one (toron-3: "a/b", or agreement_count over
   * total_responses), with the share below which it must arbitrate (tier 4).
   */
  agreement?: { share: number; text: string; pointer: string; arbitrateBelow: number } | null;
  /** Why a generation that reports its agreement has none readable (missing, not "a/b", 13/12). */
  agreementProblem?: string;
  /** Latency the engine reports for itself (not the client-side latency SIM measures). */
  engineLatencyMs: number | null;
}

/** What a generation exposes, so checks it cannot support are reported as not applicable. */
export interface ProfileExposes {
  /** Tier 1 as per-model outputs, as a responder count plus the representative output, or not at all. */
  t1: 'outputs' | 'responders' | false;
  t2Audit: boolean;
  t3Evidence: boolean;
  tierConsistency: boolean;
  /** Whether each answer says if it escalated to Opus (the flag is there to read). */
  opusEscalated: boolean;
  contradictions: boolean;
  confidence: boolean;
}

export interface ProfileWhere {
  t1: string;
  t2: string;
  t3: string;
  tierPath: string;
  opusEscalated: string;
  judicial: string;
  contradictions: string;
}

export interface Profile {
  readonly name: ConcreteProfileName;
  /** Declared once per profile: 100 for 0-100 engines, 1 for 0..1 engines. */
  readonly confidenceScale: 1 | 100;
  readonly exposes: ProfileExposes;
  /** Where each part lives in this shape, for messages about absent parts. */
  readonly where: ProfileWhere;
  /**
   * Members this generation changes on every call whatever the prompt (a clock, a request id, a
   * measured latency, a random draw): replay ignores them by default (`replay.ignoreVolatile`), or
   * every real engine of the generation would score determinism 0. `*` matches any one segment.
   */
  readonly volatilePaths: readonly string[];
  /** The answer pointer for this body (toron-3 has one per form). */
  answerPointer(body: unknown): string;
  view(body: unknown): AnswerView;
}

/** JSON Pointers of a custom profile (config `pipeline.custom`, see settings/types.ts). */
export type { CustomProfilePointers as CustomPointers } from '../../settings/types.js';
