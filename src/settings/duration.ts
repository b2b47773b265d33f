import { InputError } from '../util/errors.js';

/**
 * k6-style durations ("10s", "1m30s", "500ms", "1.5h"). Units are required, like k6 does for string
 * durations: a bare "10" is ambiguous (seconds? milliseconds?), so it is an error rather than a guess.
 * The schema's `pattern` for durations is this same expression (a test keeps them equal).
 */
export const DURATION_PATTERN = '^(?:[0-9]+(?:\\.[0-9]+)?(?:ms|s|m|h))+$';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const WHOLE = new RegExp(DURATION_PATTERN);
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g;

/** Milliseconds in a duration string; throws an InputError (without a location: the caller adds it). */
export function parseDuration(text: string): number {
  if (typeof text !== 'string' || !WHOLE.test(text)) throw new InputError(durationProblem(text));
  let ms = 0;
  for (const m of text.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]];
  if (!Number.isFinite(ms) || ms > Number.MAX_SAFE_INTEGER) {
    throw new InputError(`invalid duration "${text}": too long`);
  }
  return ms;
}

function durationProblem(text: unknown): string {
  const shown = typeof text === 'string' ? `"${text}"` : JSON.stringify(text);
  const hint = 'use a number with a unit (ms, s, m or h), like "10s", "1m30s" or "500ms"';
  if (typeof text === 'string' && /^[0-9]+(?:\.[0-9]+)?$/.test(text.trim())) {
    return `invalid duration ${shown}: a unit is required; ${hint}`;
  }
  return `invalid duration ${shown}: ${hint}`;
}
