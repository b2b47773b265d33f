import { isRecord } from './read.js';
import type { ConcreteProfileName } from './types.js';

/**
 * Which Toron generation an answer looks like, from its shape alone (`auto`). Deliberately strict: an
 * answer that merely has a `final_answer` is not taken for Toron (the checker would only raise noise
 * on it). `custom` is never detected: it exists only when configured.
 *
 * - toron-3: a `consensus` object, or (a broken answer of that generation) `metrics` with a `request_id`;
 * - toron-2.5h-stability: the 2.5h frame with a list `tier_path` or the patch's own top-level members
 *   (`snapshot`, numeric `latency_ms` / `contradictions`);
 * - toron-2.5h: `final_answer` with `state_snapshot` or `tier_path`.
 */
export function detectProfile(body: unknown): Exclude<ConcreteProfileName, 'custom'> | null {
  if (!isRecord(body)) return null;
  const hasFrame = 'final_answer' in body && ('state_snapshot' in body || 'tier_path' in body);
  if (!hasFrame) {
    if (isRecord(body.consensus)) return 'toron-3';
    if (isRecord(body.metrics) && 'request_id' in body.metrics) return 'toron-3';
    return null;
  }
  const stability =
    Array.isArray(body.tier_path) ||
    isRecord(body.snapshot) ||
    typeof body.latency_ms === 'number' ||
    typeof body.contradictions === 'number';
  return stability ? 'toron-2.5h-stability' : 'toron-2.5h';
}
