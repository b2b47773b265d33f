import { buildResult } from '../report/report-json.js';
import type { Report, RunResult } from '../report/types.js';
import type { RunOutcome } from '../runner/runner.js';
import type { RunPaths } from '../runner/paths.js';
import type { Verdict } from '../runner/verdict.js';
import type { Finding } from '../warroom/finding.js';
import type { PublishSource } from './publish-source.js';

/** What the publish steps and the exit status need to know about the run, whether or not it ran. */
export interface ActionOutcome {
  verdict: Verdict;
  reason: string;
  exitCode: number;
  runId: string | null;
  report: Report | null;
  result: RunResult | null;
  paths: RunPaths | null;
  findings: Finding[];
  cancelled: boolean;
  /** What broke, for ERROR (not a test verdict). */
  error: string | null;
  /** Where the error is, when it is in a file of the repository (a config line). */
  errorLocation: { file: string; line: number } | null;
  /** mode: publish: the run whose report this is, and where it goes. */
  source?: PublishSource;
  /** mode: compare: the comparison's outputs and its Markdown. */
  comparison?: ComparisonOutcome;
  /** mode: publish of a gate run that was cancelled: nothing was judged; posted as such, exit 0. */
  gateCancelled?: CancelledGate;
}

/** The cancelled gate run a `mode: publish` job reports on. */
export interface CancelledGate {
  runId: number;
  runUrl: string;
  /** The run's commit: the check run goes on it. */
  headSha: string;
  /** The check run's key (artifact-name, or the artifact's). */
  key: string;
  /** Its (partial) report artifact, when it left one; attempt: from its event.json. */
  artifact: { id: number; name: string; url: string; attempt: number | null } | null;
  /** Whether that artifact's report.json was read (then the outcome holds it and `source`). */
  reportRead: boolean;
}

/** What mode: compare adds to an outcome. */
export interface ComparisonOutcome {
  promote: boolean;
  passRateDelta: number | null;
  p95DeltaMs: number | null;
  determinismDelta: number | null;
  /** comparison.json (absolute), or null when none was written. */
  path: string | null;
  /** comparison.md's text, for the job summary. */
  markdown: string | null;
}

export function fromRun(o: RunOutcome, cancelled: boolean): ActionOutcome {
  return {
    verdict: o.verdict,
    reason: o.report?.reason ?? (o.error ? `ERROR (not a test verdict): ${o.error}` : o.verdict),
    exitCode: o.exitCode,
    runId: o.runId,
    report: o.report,
    result: o.report ? buildResult(o.report, o.exitCode) : null,
    paths: o.paths,
    findings: o.report?.warroom ?? [],
    cancelled: cancelled || Boolean(o.report?.cancelled),
    error: o.verdict === 'ERROR' ? (o.report?.error?.message ?? o.error ?? 'the run did not finish') : null,
    errorLocation: null,
  };
}

/** ERROR before or around the run: bad inputs, bad config, a runner that never finished. */
export function errorOutcome(message: string, extra: Partial<ActionOutcome> = {}): ActionOutcome {
  return {
    verdict: 'ERROR',
    reason: `ERROR (not a test verdict): ${message}`,
    exitCode: 2,
    runId: null,
    report: null,
    result: null,
    paths: null,
    findings: [],
    cancelled: false,
    error: message,
    errorLocation: null,
    ...extra,
  };
}

/** Release gating: PASS, or WARN without a CRITICAL finding. */
export function promote(o: ActionOutcome): boolean {
  if (o.comparison) return o.comparison.promote && o.verdict !== 'ERROR' && !o.cancelled;
  if (o.verdict !== 'PASS' && o.verdict !== 'WARN') return false;
  if (o.cancelled) return false;
  return !o.findings.some((f) => f.severity === 'CRITICAL');
}
