import fs from 'node:fs';
import { compareEngines } from '../compare/compare.js';
import type { MetricDelta } from '../compare/types.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { errorMessage } from '../util/errors.js';
import { redactTarget } from '../engine/spec.js';
import type { ActionContext } from './action-context.js';
import { errorOutcome, fromRun, type ActionOutcome } from './outcome.js';
import type { Prepared } from './prepare.js';

/**
 * `mode: compare`, the staging gate: the `engine` input (the candidate) against `baseline` (an engine,
 * an engine-map version, a snapshot, or the snapshot `baseline: auto` found). The candidate's run is
 * published like any run; promote and the deltas come from the comparison. Never throws.
 */
export async function compareGate(ctx: ActionContext, p: Prepared): Promise<ActionOutcome> {
  const inputs = p.inputs!;
  const settings = p.settings!;
  const baseline = p.baseline.kind === 'auto-found' ? p.baseline.snapshot : inputs.baseline.kind === 'path' ? inputs.baseline.path : null;
  if (!inputs.engine || !baseline) return errorOutcome('mode: compare needs engine (the candidate) and baseline');
  // Specs carry credentials (user:password@, ?api_key=, --api-key=): named as every other line names them.
  ctx.log.group(`toron-testops compare ${redactTarget(inputs.engine)} against ${redactTarget(baseline)}`);
  try {
    const r = await compareEngines({
      settings,
      candidate: inputs.engine,
      baseline,
      env: ctx.env,
      signal: ctx.cancel.signal,
      sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
    });
    const o = fromRun(r.candidate, ctx.cancel.signal.aborted);
    let markdown: string | null = null;
    try {
      markdown = fs.readFileSync(r.paths.markdown, 'utf8');
    } catch {
      // the summary falls back to the candidate's
    }
    const m = r.comparison.metrics;
    const delta = (d: MetricDelta | undefined) => (d && typeof d.delta === 'number' && Number.isFinite(d.delta) ? d.delta : null);
    const verdict = r.error ? 'ERROR' : r.verdict;
    return {
      ...o,
      verdict,
      exitCode: r.exitCode,
      reason: r.error ? `ERROR (not a test verdict): ${r.error}` : r.comparison.reason,
      error: verdict === 'ERROR' ? (r.error ?? o.error ?? r.comparison.reason) : null,
      findings: [...o.findings, ...r.comparison.findings],
      comparison: {
        promote: r.promote,
        passRateDelta: delta(m.passRate),
        p95DeltaMs: delta(m.p95Ms),
        determinismDelta: delta(m.determinismScore),
        path: fs.existsSync(r.paths.json) ? r.paths.json : null,
        markdown,
      },
    };
  } catch (err) {
    return errorOutcome(`mode: compare: ${errorMessage(err)}`);
  } finally {
    ctx.log.endGroup();
  }
}
