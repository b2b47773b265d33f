import type { PipelineCheckLevel, PipelineSettings } from '../../settings/types.js';
import type { Severity } from '../../warroom/finding.js';

/** Every check of the pipeline checker, in report order. */
export const CHECK_NAMES = [
  'profile-shape',
  'answer-shape',
  't1-present',
  't2-audit',
  't3-evidence',
  'tier-consistency',
  'confidence-range',
  'confidence-floor',
  'contradiction-density',
  'expected-escalation',
  'opus-escalations',
  'escalation-rate',
  'latency-p95',
  'latency-outliers',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

/** Checks judged on each answer; the rest are judged over the run. */
export const ANSWER_CHECKS = [
  'answer-shape',
  't1-present',
  't2-audit',
  't3-evidence',
  'tier-consistency',
  'confidence-range',
  'confidence-floor',
  'contradiction-density',
  'expected-escalation',
] as const satisfies readonly CheckName[];
export type AnswerCheckName = (typeof ANSWER_CHECKS)[number];

export type CheckLevel = PipelineCheckLevel;

/**
 * Default levels. Broken tiers, a confidence off its scale, self-contradiction and runaway escalation
 * keep a build from shipping (error), as does an escalation its dataset expects that did not happen (or
 * one it rules out that did); SIM latency is measured under SIM's own concurrency, not a load
 * model, so it warns; single outliers are LOW events only.
 */
export const DEFAULT_LEVELS: Record<CheckName, CheckLevel> = {
  'profile-shape': 'warn',
  'answer-shape': 'error',
  't1-present': 'error',
  't2-audit': 'error',
  't3-evidence': 'error',
  'tier-consistency': 'error',
  'confidence-range': 'error',
  'confidence-floor': 'error',
  'contradiction-density': 'error',
  'expected-escalation': 'error',
  'opus-escalations': 'error',
  'escalation-rate': 'error',
  'latency-p95': 'warn',
  'latency-outliers': 'info',
};

/** The WAR ROOM severity a failing check raises at each level. */
export const LEVEL_SEVERITY: Record<Exclude<CheckLevel, 'off'>, Severity> = { error: 'HIGH', warn: 'MEDIUM', info: 'LOW' };

export function levelOf(name: CheckName, levels: PipelineSettings['levels']): CheckLevel {
  return levels[name] ?? DEFAULT_LEVELS[name];
}

/** The finding type of a check (key into the WAR ROOM catalogue). */
export function findingType(name: CheckName): string {
  return `pipeline-${name}`;
}

/** Thresholds the checks read (settings.pipeline). */
export type Thresholds = Pick<
  PipelineSettings,
  | 'maxOpusEscalations'
  | 'maxContradictions'
  | 'minConfidence'
  | 'latencyP95Ms'
  | 'maxEscalationRate'
  | 'escalationRateMinAnswers'
  | 'minT1Models'
  | 'latencyOutlierK'
  | 'latencyOutlierMinMs'
>;

/** One check's verdict on one answer: `na` when the profile does not expose what it checks. */
export type AnswerCheckResult = { name: AnswerCheckName; status: 'ok' | 'na' } | { name: AnswerCheckName; status: 'fail'; message: string };

/** A check's line in report.json (DESIGN §3.3: name, ok, severity, detail; more fields welcome). */
export interface CheckReport {
  name: CheckName;
  ok: boolean;
  /** The severity it raises when it fails (at its level); "OFF" when turned off. */
  severity: Severity | 'OFF';
  level: CheckLevel;
  detail: string;
  /** False when nothing could be judged (the generation does not expose it, or no data). */
  applicable?: false;
  /** Answers (or cases, for run checks) it judged, and how many failed. */
  checked?: number;
  failed?: number;
  /** Up to 10 failing cases (dataset/id). */
  cases?: string[];
}
