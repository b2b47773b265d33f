import { worstVerdict, type Verdict } from '../runner/verdict.js';
import type { CompareRuleName, CompareSettings } from '../settings/types.js';
import type { CaseCounts, CompareMetrics, RuleResult } from './types.js';

/**
 * The comparison's rules as data (like Lighthouse CI assertions): each reads one number from the
 * comparison, is broken above its `max`, and its level (error/warn/off) says what breaking it costs.
 * A number a side cannot give is "not available": the rule is neither passed nor broken.
 */
export interface RuleInput {
  metrics: CompareMetrics;
  counts: CaseCounts;
  /** At least one compared case has pass data on both sides. */
  passData: boolean;
}

interface RuleDef {
  unit: string;
  /** What is measured, for messages ("load p95 latency increase"). */
  what: string;
  value(i: RuleInput): number | null;
  /** Why the value is not available, when it is not. */
  missing: string;
}

const neg = (x: number | null) => (x === null ? null : round2(-x));
const round2 = (x: number) => Math.round(x * 100) / 100;

export const COMPARE_RULES: Record<CompareRuleName, RuleDef> = {
  regressions: {
    unit: 'cases',
    what: 'cases that passed on the baseline and fail on the candidate',
    value: (i) => (i.passData ? i.counts.regressed : null),
    missing: 'the baseline has no per-case pass/fail data (a snapshot without its report)',
  },
  passRateDrop: {
    unit: 'points',
    what: 'SIM pass rate drop',
    value: (i) => neg(i.metrics.passRate.delta),
    missing: 'a side has no SIM pass rate',
  },
  p95Increase: {
    unit: '%',
    what: 'load p95 latency increase',
    value: (i) => i.metrics.p95Ms.deltaPct,
    missing: 'a side has no load p95 (load did not run, or the baseline p95 is 0)',
  },
  errorRateIncrease: {
    unit: 'points',
    what: 'load error rate increase',
    value: (i) => i.metrics.errorRate.delta,
    missing: 'a side has no load error rate (load did not run)',
  },
  determinismDrop: {
    unit: 'points',
    what: 'determinism score drop',
    value: (i) => neg(i.metrics.determinismScore.delta),
    missing: 'a side has no determinism score (replay did not run, or the baseline is a snapshot without its report)',
  },
  changedAnswers: {
    unit: '%',
    // Over the stable cases, as replay's drift rate: an unstable case (noise) neither changed nor stayed.
    what: 'share of stable compared cases whose answer changed',
    value: (i) => (i.counts.unchanged + i.counts.changed > 0 ? round2((100 * i.counts.changed) / (i.counts.unchanged + i.counts.changed)) : null),
    missing: 'no stable case is on both sides',
  },
  removedCases: {
    unit: 'cases',
    what: 'baseline cases missing from the candidate run',
    value: (i) => i.counts.removed,
    missing: '',
  },
};

export const RULE_ORDER = Object.keys(COMPARE_RULES) as CompareRuleName[];

export function evaluateRules(input: RuleInput, settings: CompareSettings): RuleResult[] {
  return RULE_ORDER.map((name) => {
    const def = COMPARE_RULES[name];
    const { level, max } = settings.rules[name];
    const base = { name, level, max, unit: def.unit };
    if (level === 'off') return { ...base, value: null, status: 'off', message: `${def.what}: rule off` };
    const value = def.value(input);
    if (value === null) return { ...base, value, status: 'not-available', message: `${def.what}: not available (${def.missing})` };
    const shown = `${value}${def.unit === '%' ? '%' : ` ${def.unit}`}`;
    if (name === 'p95Increase') {
      // A percentage of a few ms is noise: the increase must also be at least minMs.
      const minMs = settings.rules[name].minMs ?? 0;
      const ms = input.metrics.p95Ms.delta ?? 0;
      const broken = value > max && ms >= minMs;
      const why = value > max && !broken ? `above max ${max} but only +${ms} ms, under minMs ${minMs}` : `${broken ? 'above' : 'within'} max ${max}`;
      return { ...base, minMs, value, status: broken ? 'broken' : 'ok', message: `${def.what}: ${shown}, +${ms} ms (${why}, level ${level})` };
    }
    const broken = value > max;
    return {
      ...base,
      value,
      status: broken ? 'broken' : 'ok',
      message: `${def.what}: ${shown} (${broken ? 'above' : 'within'} max ${max}, level ${level})`,
    };
  });
}

/** The comparison's own verdict: the worst level of its broken rules (error FAIL, warn WARN). */
export function rulesVerdict(rules: readonly RuleResult[]): Verdict {
  return worstVerdict(rules.filter((r) => r.status === 'broken').map((r) => (r.level === 'error' ? 'FAIL' : 'WARN')));
}

/**
 * promote (issue 10): true only when the candidate's verdict combined with the comparison's is PASS
 * or WARN and no CRITICAL finding was raised, by the candidate run or by the comparison.
 */
export function promoteDecision(verdict: Verdict, criticalFindings: number): boolean {
  return (verdict === 'PASS' || verdict === 'WARN') && criticalFindings === 0;
}

/** The overall verdict: a side that could not be read makes it ERROR; otherwise the worst of both. */
export function combinedVerdict(candidate: Verdict, comparison: Verdict): Verdict {
  return worstVerdict([candidate, comparison]);
}
