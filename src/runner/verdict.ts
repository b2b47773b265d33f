export type Verdict = 'PASS' | 'WARN' | 'FAIL' | 'ERROR';
export type StageVerdict = Verdict | 'SKIPPED';

const RANK: Record<StageVerdict, number> = { SKIPPED: 0, PASS: 1, WARN: 2, FAIL: 3, ERROR: 4 };

/** The worst of several verdicts; SKIPPED stages do not count. An empty list is PASS. */
export function worstVerdict(verdicts: StageVerdict[]): Verdict {
  let worst: StageVerdict = 'PASS';
  for (const v of verdicts) if (RANK[v] > RANK[worst]) worst = v;
  return worst === 'SKIPPED' ? 'PASS' : worst;
}

export type FailOn = 'fail' | 'warn' | 'never';

/** DESIGN §3.1: 0 PASS or WARN (1 on WARN with fail-on warn), 1 FAIL, 2 ERROR. */
export function exitCodeFor(verdict: Verdict, failOn: FailOn): number {
  if (verdict === 'ERROR') return 2;
  if (failOn === 'never') return 0;
  if (verdict === 'FAIL') return 1;
  if (verdict === 'WARN' && failOn === 'warn') return 1;
  return 0;
}
