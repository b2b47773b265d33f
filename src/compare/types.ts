import type { Sink } from '../runner/events.js';
import type { RunOutcome } from '../runner/runner.js';
import type { Verdict } from '../runner/verdict.js';
import type { CompareRuleLevel, CompareRuleName, Settings } from '../settings/types.js';
import type { Finding, SourceLocation } from '../warroom/finding.js';

/**
 * The staging gate (DESIGN §3.1 `compare`, issue 10 point 2): a candidate engine against a baseline
 * engine or snapshot. These types are the contract the CLI and the action read; keep them stable.
 */

// ---------------------------------------------------------------------------------------------------
// Rules (config `compare: { rules: { ... } }`)

export type { CompareRule, CompareRuleLevel, CompareRuleName, CompareSettings } from '../settings/types.js';

export type RuleStatus = 'ok' | 'broken' | 'not-available' | 'off';

export interface RuleResult {
  name: CompareRuleName;
  level: CompareRuleLevel;
  max: number;
  /** p95Increase only: the least increase in ms that counts. */
  minMs?: number;
  unit: string;
  /** The measured value; null when either side lacks the data ("not available", never invented). */
  value: number | null;
  status: RuleStatus;
  message: string;
}

// ---------------------------------------------------------------------------------------------------
// Per-case comparison

/** The answer: same canonical form as the baseline's, or not; new / removed cases exist on one side only. */
/**
 * `noise`: the candidate's replay found the case unstable (its answers to one request differ), or, asked
 * with other seeds than the baseline (a snapshot of another run), answered the baseline's own requests
 * (its probes) unstably: whether the answer changed is unknown.
 */
export type CaseStatus = 'unchanged' | 'changed' | 'new' | 'removed' | 'noise';
/** SIM pass/fail across the two sides; `unknown` when a side has no pass data (a bare snapshot). */
export type PassChange = 'regressed' | 'fixed' | 'passing' | 'failing' | 'unknown';

/** One side of a case, as the comparison reads it (pure data: testable without an engine). */
export interface CaseSide {
  dataset: string;
  id: string;
  /** Canonical input (a case whose prompt was edited is a new case, not a changed one). */
  inputKey: string;
  /** The request seed; answers of two sides compare directly only when they were asked with the same seed. */
  seed: number | null;
  /** Where the profile found the answer text (for picking its similarity out of a drift diff). */
  answerPointer?: string;
  /** The canonical answer (ignorePaths removed); undefined for an engine error. */
  answer?: unknown;
  /** Set when the engine answered this case with an error. */
  error?: string;
  /** Paths left out of this side's answer (each side's config + dataset ignorePaths). */
  ignorePaths: string[];
  /** The answer text as this side's profile reads it; null when the profile finds none. */
  answerText: string | null;
  /** SIM verdict of the case; null when not known (a snapshot without its report). */
  passed: boolean | null;
  latencyMs: number | null;
  location?: SourceLocation;
}

export interface CaseComparison {
  dataset: string;
  id: string;
  status: CaseStatus;
  pass: { baseline: boolean | null; candidate: boolean | null; change: PassChange };
  /** Normalized Levenshtein similarity of the answer texts (1 = same text); null when not computable. */
  similarity: number | null;
  latencyMs: { baseline: number | null; candidate: number | null };
  /** First differing field of the canonical answers (JSON Pointer), for changed answers. */
  firstDifference?: string;
  /**
   * How the answer status was decided: `snapshots` (both sides asked with the same seed, answers
   * compared directly) or `replay-drift` (other seeds: the candidate's replay asked the baseline's own
   * requests, DESIGN §4.2; or the candidate's replay found the case unstable: noise).
   */
  basis?: 'snapshots' | 'replay-drift' | 'snapshots-other-seeds';
  errors?: { baseline?: string; candidate?: string };
  location?: SourceLocation;
}

export interface CaseCounts {
  unchanged: number;
  changed: number;
  new: number;
  removed: number;
  noise: number;
  regressed: number;
  fixed: number;
  /** Cases on both sides with the same input. */
  compared: number;
}

// ---------------------------------------------------------------------------------------------------
// Metrics

/** A number on both sides and its delta; nulls where a side has no data. */
export interface MetricDelta {
  baseline: number | null;
  candidate: number | null;
  /** candidate - baseline. */
  delta: number | null;
  /** 100 x delta / baseline; null when not computable (no data, or a baseline of 0). */
  deltaPct: number | null;
}

export interface CompareMetrics {
  /** SIM pass rate, in percent (0-100). */
  passRate: MetricDelta;
  /** Load http_req_duration p(95), ms. */
  p95Ms: MetricDelta;
  /** Load http_req_failed rate, in percent (0-100). */
  errorRate: MetricDelta;
  /** Replay determinism score (0-100). */
  determinismScore: MetricDelta;
}

// ---------------------------------------------------------------------------------------------------
// comparison.json

export interface CompareSide {
  /** As given (a spec, a version key or a file), redacted for printing. */
  spec: string;
  /** The engine-map version key, when the spec was one. */
  version: string | null;
  kind: 'engine' | 'snapshot';
  engine: { kind: string; target: string; version: string | null; profile: string } | null;
  runId: string | null;
  verdict: Verdict | null;
  /** Relative to the comparison folder. */
  reportDir: string | null;
  /** Relative to the comparison folder (`bundle.zip!snapshot.json` for a snapshot inside a bundle). */
  snapshot: string | null;
  error: string | null;
}

export interface Comparison {
  schemaVersion: 1;
  kind: 'toron-testops.comparison';
  runId: string;
  createdAt: string;
  candidate: CompareSide;
  baseline: CompareSide;
  /** The comparison's own verdict (its rules); ERROR when either side could not be read. */
  comparisonVerdict: Verdict;
  /** worst(candidate run verdict, comparison verdict). */
  verdict: Verdict;
  promote: boolean;
  reason: string;
  /** What a side could not give, and why (a snapshot without its report, a run without a snapshot). */
  notes: string[];
  metrics: CompareMetrics;
  counts: CaseCounts;
  rules: RuleResult[];
  cases: CaseComparison[];
  /** The comparison's own findings (the candidate run's are in its report). */
  findings: Finding[];
}

// ---------------------------------------------------------------------------------------------------
// The entry point

export interface CompareOptions {
  /** Resolved for the candidate (config, flags); the candidate and baseline engines are picked from the specs below. */
  settings: Settings;
  /** Engine SPEC or a version key of settings.engines. */
  candidate: string;
  /** Engine SPEC, version key, or a snapshot file / report folder / bundle.zip. */
  baseline: string;
  sinks?: Sink[];
  signal?: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

export interface CompareOutcome {
  verdict: Verdict;
  exitCode: number;
  promote: boolean;
  comparison: Comparison;
  candidate: RunOutcome;
  /** The baseline engine's run; null for a snapshot baseline. */
  baseline: RunOutcome | null;
  /** Absolute paths. */
  paths: { dir: string; json: string; markdown: string };
  error: string | null;
}

/** The candidate replay's drift verdict on one case (report.json `stages.replay.drift.cases[]`). */
export interface DriftInfo {
  status: 'unchanged' | 'changed' | 'new' | 'removed' | 'noise';
  diff?: { pointer: string; similarity?: number | null }[];
}
