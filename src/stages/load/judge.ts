import { answerPointer } from '../../engine/answer-path.js';
import type { LoadRequest } from '../../load/transport.js';
import type { ProfileName } from '../../settings/types.js';
import { compileCaseChecks } from '../sim/check.js';
import type { SimCase } from '../sim/types.js';
import type { QualityCase } from './types.js';

/**
 * Quality under load: each answer checked against its case's assertions (the answer field as the
 * profile reads it), tallied per case with its first failure. The load stage and bench:load use this
 * one judge, so the bench measures what a run does.
 */
export function answerJudge(cases: readonly SimCase[], profile: ProfileName): {
  judge: (req: LoadRequest, body: unknown, latencyMs: number) => boolean;
  perCase: Map<number, QualityCase>;
} {
  const compiled = compileCaseChecks(cases);
  const perCase = new Map<number, QualityCase>();
  const judge = (req: LoadRequest, body: unknown, latencyMs: number): boolean => {
    const r = compiled.check(req.case, body, latencyMs, answerPointer(body, profile));
    const passed = r.failures.length === 0;
    let q = perCase.get(req.caseIndex);
    if (!q) {
      q = { id: req.case.id, dataset: req.case.dataset, checked: 0, failed: 0, location: req.case.location };
      perCase.set(req.caseIndex, q);
    }
    q.checked++;
    if (!passed) {
      q.failed++;
      if (!q.firstFailure) {
        const f = r.failures[0];
        q.firstFailure = `${f.assertion}: ${f.message}`;
      }
    }
    return passed;
  };
  return { judge, perCase };
}
