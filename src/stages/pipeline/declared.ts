import type { ProfileDeclarations } from '../../engine/profiles/index.js';
import { at } from '../../engine/profiles/read.js';
import { pointerToSegments } from '../../util/json-source.js';
import { jsonEqual } from '../sim/assertions/values.js';
import type { SimCase } from '../sim/types.js';

/**
 * Whether a case's dataset declares a behaviour, so the run-level budgets do not count it: the bundled
 * datasets escalate to Opus and pile up contradictions on purpose, and say so.
 *
 * A case declares a behaviour when
 * - its `expected` says so (`opus_used: true` / `opusEscalated: true`; `contradictions: N` covers up
 *   to N), or
 * - it pins, with an error-level `equals` assertion, a field that carries the behaviour in its profile
 *   (`/opus_used`, the judicial result, `/confidence_score`, the CDG paradoxes, ...: see each profile's
 *   `declarations`), and this answer holds exactly the pinned value: the dataset foresaw this very
 *   outcome, and SIM holds the engine to it. A pin the answer does not match declares nothing (a case
 *   pinning `JUDICIAL_RESULT` to `{}` does not excuse an escalation).
 */

export interface Pin {
  segments: string[];
  pointer: string;
  value: unknown;
}

/** The case's pins: error-level, not negated `equals` assertions with a path. */
export function casePins(c: SimCase): Pin[] {
  const out: Pin[] = [];
  for (const a of c.assert) {
    if (a.type !== 'equals' || a.level === 'warn' || typeof a.path !== 'string' || a.path === '' || a.value === undefined) continue;
    try {
      out.push({ pointer: a.path, segments: pointerToSegments(a.path).map(String), value: a.value });
    } catch {
      // a malformed pointer is SIM's error to report
    }
  }
  return out;
}

function patternSegments(pattern: string): string[] {
  return pointerToSegments(pattern).map(String);
}

/** One path is the other or lies under it ('*' in the pattern matches any one segment). */
function related(pin: string[], pattern: string[]): boolean {
  const n = Math.min(pin.length, pattern.length);
  for (let i = 0; i < n; i++) if (pattern[i] !== '*' && pattern[i] !== pin[i]) return false;
  return true;
}

const patternCache = new Map<string, string[]>();
function segmentsOf(pattern: string): string[] {
  let s = patternCache.get(pattern);
  if (!s) patternCache.set(pattern, (s = patternSegments(pattern)));
  return s;
}

/** Some pin on a field of `patterns` holds the answer's value. */
export function pinnedIn(pins: readonly Pin[], patterns: readonly string[], body: unknown): boolean {
  for (const pin of pins) {
    if (!patterns.some((p) => related(pin.segments, segmentsOf(p)))) continue;
    const got = at(body, pin.pointer);
    if (got !== undefined && jsonEqual(got, pin.value)) return true;
  }
  return false;
}

export function expectsEscalation(c: SimCase): boolean {
  const e = c.expected;
  return !!e && (e.opus_used === true || e.opusEscalated === true);
}

/** `expected.contradictions` when it is a number. */
export function expectedContradictions(c: SimCase): number | null {
  const n = c.expected?.contradictions;
  return typeof n === 'number' && Number.isFinite(n) ? n : null;
}

export interface Declared {
  escalation: boolean;
  contradictions: boolean;
}

/** What this answer's case declares, judged against this answer. */
export function declaredFor(
  c: SimCase,
  pins: readonly Pin[],
  declarations: ProfileDeclarations,
  body: unknown,
  contradictions: number | null,
): Declared {
  const expectedN = expectedContradictions(c);
  return {
    escalation: expectsEscalation(c) || pinnedIn(pins, declarations.escalation, body),
    contradictions:
      (expectedN !== null && contradictions !== null && contradictions <= expectedN) ||
      pinnedIn(pins, declarations.contradictions, body),
  };
}
