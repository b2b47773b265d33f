/**
 * The pipeline stage's checks in one line, counted as its reason counts them: checks turned off
 * (`level: off`) or that did not apply (`applicable: false`: the shape does not expose what they look
 * at) are named apart, never counted as passed.
 */
export function pipelineChecksLine(checks: readonly Record<string, unknown>[]): string {
  const judged = checks.filter((c) => c.level !== 'off' && c.applicable !== false);
  const ok = judged.filter((c) => c.ok === true).length;
  const aside = checks.length - judged.length;
  return `${ok}/${judged.length} checks ok${aside ? ` (${aside} off or not applicable)` : ''}`;
}
