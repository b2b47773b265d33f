import type { Stage, StageResult } from '../runner/stage.js';

export const BASELINE_FINDING = 'baseline-unavailable';

/**
 * `baseline: auto` that found nothing usable makes the run a WARN with the reason, never an ERROR: the
 * replay stage runs as usual (no drift), a finding says why, and a PASS becomes a WARN. Done by
 * wrapping the stage, so the reason lands in report.json, summary.md and the bundle like any other.
 */
export function withBaselineNotice(stage: Stage, reason: string): Stage {
  return {
    name: stage.name,
    ...(stage.observeAnswers ? { observeAnswers: (ctx) => stage.observeAnswers!(ctx) } : {}),
    async run(ctx, prior): Promise<StageResult> {
      ctx.raise({
        type: BASELINE_FINDING,
        severity: 'MEDIUM',
        subsystem: stage.name,
        message: `baseline: auto found no usable baseline, so drift was not measured: ${reason}`,
      });
      const r = await stage.run(ctx, prior);
      if (r.verdict !== 'PASS') return r;
      return { ...r, verdict: 'WARN', reason: [r.reason, `no baseline (${reason})`].filter(Boolean).join('; ') };
    },
  };
}
