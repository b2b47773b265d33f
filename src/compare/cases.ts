import { canonicalJson } from '../replay/canonical.js';
import { firstDivergence } from '../replay/divergence.js';
import { compileIgnorePaths, unionPaths } from '../replay/ignore-paths.js';
import { leaveOutMore } from '../replay/leave-out-more.js';
import { textSimilarity } from '../replay/similarity.js';
import type { CaseComparison, CaseCounts, CaseSide, CaseStatus, DriftInfo, PassChange } from './types.js';

/**
 * Per-case comparison of a candidate with its baseline (pure). Answers are compared in canonical
 * form with the union of both sides' ignorePaths: a field one side ignored (a clock, a request id)
 * must not count as a change just because the other side kept it.
 */

/** The key of a case across sides (and of the drift map). */
export const caseKey = (c: { dataset: string; id: string }) => `${c.dataset}\u0000${c.id}`;
const keyOf = caseKey;

export function passChange(baseline: boolean | null, candidate: boolean | null): PassChange {
  if (baseline === null || candidate === null) return 'unknown';
  if (baseline && !candidate) return 'regressed';
  if (!baseline && candidate) return 'fixed';
  return baseline ? 'passing' : 'failing';
}

/** What a side answered, comparable across sides: the canonical answer, or the engine error's kind. */
function outcomeKey(side: CaseSide, answer: unknown): string {
  if (side.error !== undefined || side.answer === undefined) return `error:${side.error ?? 'no answer'}`;
  return `answer:${canonicalJson(answer)}`;
}

export function compareCase(baseline: CaseSide | undefined, candidate: CaseSide | undefined, drift?: DriftInfo): CaseComparison {
  const any = (candidate ?? baseline)!;
  const location = candidate?.location ?? baseline?.location;
  const base = {
    dataset: any.dataset,
    id: any.id,
    latencyMs: { baseline: baseline?.latencyMs ?? null, candidate: candidate?.latencyMs ?? null },
    ...(location ? { location } : {}),
  };
  const errors = {
    ...(baseline?.error !== undefined ? { baseline: baseline.error } : {}),
    ...(candidate?.error !== undefined ? { candidate: candidate.error } : {}),
  };
  const withErrors = Object.keys(errors).length ? { errors } : {};
  if (!candidate || !baseline || candidate.inputKey !== baseline.inputKey) {
    // A case whose input was edited is another question: new, never "changed" or "regressed".
    const status: CaseStatus = !candidate ? 'removed' : 'new';
    return {
      ...base,
      status,
      pass: { baseline: status === 'removed' ? (baseline?.passed ?? null) : null, candidate: candidate?.passed ?? null, change: 'unknown' },
      similarity: null,
      ...withErrors,
    };
  }
  const pass = { baseline: baseline.passed, candidate: candidate.passed, change: passChange(baseline.passed, candidate.passed) };
  const sameSeed = baseline.seed === null || candidate.seed === null || baseline.seed === candidate.seed;
  // Same seeds: the snapshots decide, unless the candidate's replay found the case unstable; then
  // whether its answer changed is unknown (DESIGN §4.2: noise, reported apart).
  if (sameSeed && drift?.status === 'noise') return { ...base, status: 'noise', pass, similarity: null, basis: 'replay-drift', ...withErrors };
  if (!sameSeed && drift && drift.status !== 'new' && drift.status !== 'removed') {
    // Other seeds: a seeded engine answers them differently, which is not a change. The candidate's
    // replay asked the baseline's own requests (its probes); its drift verdict is the fair one.
    const at = drift.diff?.find((d) => d.pointer === candidate.answerPointer);
    return {
      ...base,
      status: drift.status,
      pass,
      similarity: drift.status === 'unchanged' ? 1 : (at?.similarity ?? null),
      ...(drift.status === 'changed' && drift.diff?.[0] ? { firstDifference: drift.diff[0].pointer } : {}),
      basis: 'replay-drift',
      ...withErrors,
    };
  }
  // Each side's answer is stored with its own ignorePaths left out; the union names members of the
  // answers as sent, so it is applied by their index as sent (leaveOutMore), not to the stored lists
  // as they are (an item after a left-out one has moved up).
  const union = unionPaths(baseline.ignorePaths, candidate.ignorePaths);
  const unionTree = compileIgnorePaths(union);
  const under = (side: CaseSide) => (side.answer === undefined ? undefined : leaveOutMore(side.answer, compileIgnorePaths(side.ignorePaths), unionTree));
  const [bAnswer, cAnswer] = [under(baseline), under(candidate)];
  const same = outcomeKey(baseline, bAnswer) === outcomeKey(candidate, cAnswer);
  const similarity = baseline.answerText !== null && candidate.answerText !== null ? textSimilarity(baseline.answerText, candidate.answerText) : null;
  let firstDifference: string | undefined;
  if (!same && baseline.answer !== undefined && candidate.answer !== undefined && !baseline.error && !candidate.error) {
    // Pointer into the answers as sent: both compared forms have `union` left out.
    const d = firstDivergence(bAnswer, cAnswer, unionTree);
    if (d) firstDifference = d.pointer;
  }
  return {
    ...base,
    status: same ? 'unchanged' : 'changed',
    pass,
    similarity,
    ...(firstDifference !== undefined ? { firstDifference } : {}),
    basis: sameSeed ? 'snapshots' : 'snapshots-other-seeds',
    ...withErrors,
  };
}

/** Every case of either side, in the candidate's order, then the baseline's removed cases in theirs. */
export function compareCases(baseline: readonly CaseSide[], candidate: readonly CaseSide[], drift?: ReadonlyMap<string, DriftInfo>): CaseComparison[] {
  const byKey = new Map(baseline.map((b) => [keyOf(b), b]));
  const seen = new Set<string>();
  const out: CaseComparison[] = [];
  for (const c of candidate) {
    const k = keyOf(c);
    if (seen.has(k)) continue; // a snapshot holds one answer per case; duplicates would double count
    seen.add(k);
    out.push(compareCase(byKey.get(k), c, drift?.get(k)));
  }
  for (const b of baseline) {
    const k = keyOf(b);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(compareCase(b, undefined));
  }
  return out;
}

export function countCases(cases: readonly CaseComparison[]): CaseCounts {
  const c: CaseCounts = { unchanged: 0, changed: 0, new: 0, removed: 0, noise: 0, regressed: 0, fixed: 0, compared: 0 };
  for (const x of cases) {
    c[x.status]++;
    if (x.status === 'unchanged' || x.status === 'changed' || x.status === 'noise') c.compared++;
    if (x.pass.change === 'regressed') c.regressed++;
    if (x.pass.change === 'fixed') c.fixed++;
  }
  return c;
}

/** True when at least one compared case has pass data on both sides (else "regressions" is not available). */
export function hasPassData(cases: readonly CaseComparison[]): boolean {
  return cases.some((c) => c.status !== 'new' && c.status !== 'removed' && c.pass.change !== 'unknown');
}
