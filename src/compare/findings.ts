import { randomUUID } from 'node:crypto';
import type { CompareRuleName } from '../settings/types.js';
import { catalogueEntry } from '../warroom/catalogue.js';
import { SEVERITY_SCORE, type Finding, type Severity, type SourceLocation } from '../warroom/finding.js';
import type { CaseComparison, RuleResult } from './types.js';

/** WAR ROOM findings of a comparison: one per broken rule, one per regressed case, one per unreadable side. */

export const RULE_FINDING_TYPE: Record<CompareRuleName, string> = {
  regressions: 'compare-regressions',
  passRateDrop: 'compare-pass-rate-drop',
  p95Increase: 'compare-p95-increase',
  errorRateIncrease: 'compare-error-rate-increase',
  determinismDrop: 'compare-determinism-drop',
  changedAnswers: 'compare-answers-changed',
  removedCases: 'compare-cases-removed',
};

/** Per-case regression findings beyond this many are left to the rule's finding and comparison.md. */
export const CASE_FINDINGS_MAX = 50;

export interface NewCompareFinding {
  type: string;
  severity: Severity;
  message: string;
  caseId?: string;
  location?: SourceLocation;
}

export function makeFinding(runId: string, f: NewCompareFinding, now: Date = new Date()): Finding {
  return {
    id: randomUUID(),
    runId,
    type: f.type,
    severity: f.severity,
    score: SEVERITY_SCORE[f.severity],
    subsystem: 'compare',
    message: f.message,
    remediation: catalogueEntry(f.type).remediation,
    ...(f.caseId !== undefined ? { caseId: f.caseId } : {}),
    ...(f.location ? { location: f.location } : {}),
    timestamp: now.toISOString(),
  };
}

/** error-level rules are HIGH (they fail the gate), warn-level MEDIUM. */
export function ruleFindings(rules: readonly RuleResult[], cases: readonly CaseComparison[]): NewCompareFinding[] {
  const out: NewCompareFinding[] = [];
  for (const r of rules) {
    if (r.status !== 'broken') continue;
    out.push({ type: RULE_FINDING_TYPE[r.name], severity: r.level === 'error' ? 'HIGH' : 'MEDIUM', message: r.message });
    if (r.name === 'regressions') {
      for (const c of cases.filter((x) => x.pass.change === 'regressed').slice(0, CASE_FINDINGS_MAX)) {
        out.push({
          type: 'compare-case-regressed',
          severity: r.level === 'error' ? 'HIGH' : 'MEDIUM',
          message: `${c.dataset}/${c.id} passed on the baseline and fails on the candidate${c.errors?.candidate ? ` (engine error: ${c.errors.candidate})` : ''}`,
          caseId: c.id,
          ...(c.location ? { location: c.location } : {}),
        });
      }
    }
  }
  return out;
}
