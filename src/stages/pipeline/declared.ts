import type { AnswerView, Profile } from '../../engine/profiles/index.js';
import { at, isRecord } from '../../engine/profiles/read.js';
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
 * - the parts of the answer its pins hold (error-level `equals` assertions with a path, that this
 *   answer matches), read on their own by the answer's profile, show the behaviour: a pinned
 *   `/opus_used: true` or a pinned non-empty judicial result shows an escalation; pinned tier-1
 *   contradiction lists (or the stability patch's `/contradictions`) show as many contradictions as
 *   they hold. The profile reads the pinned parts exactly as it reads whole answers, so what counts as
 *   escalated or contradicting is defined once.
 *
 * A pinned value that merely goes with a behaviour declares nothing: pinning `/confidence_score` to 58
 * says nothing about Opus (58 is 2.5h's score without Opus, or with it and two contradictions), and a
 * pin the answer does not match (a case pinning `JUDICIAL_RESULT` to `{}`) excuses nothing.
 */

export interface Pin {
  segments: (string | number)[];
  pointer: string;
  value: unknown;
}

/** The case's pins: error-level, not negated `equals` assertions with a path. */
export function casePins(c: SimCase): Pin[] {
  const out: Pin[] = [];
  for (const a of c.assert) {
    if (a.type !== 'equals' || a.level === 'warn' || typeof a.path !== 'string' || a.value === undefined) continue;
    try {
      out.push({ pointer: a.path, segments: pointerToSegments(a.path), value: a.value });
    } catch {
      // a malformed pointer is SIM's error to report
    }
  }
  return out;
}

/**
 * The parts of `body` that the pins hold, in a body of their own: every pin the answer matches puts
 * the answer's value at its pointer, inside fresh containers of the answer's kinds (a list stays a
 * list, so index pins land where the profile looks). Nothing else of the answer is there. Null when
 * no pin holds. The answer's own values are referenced, never written to.
 */
export function pinnedPart(pins: readonly Pin[], body: unknown): unknown {
  // A pin on the whole answer ("path": "") holds all of it.
  if (pins.some((p) => p.segments.length === 0 && jsonEqual(body, p.value))) return body;
  // Shallow pins first: a deeper pin under a placed value is already inside it.
  const held = pins.filter((p) => p.segments.length > 0 && jsonEqual(at(body, p.pointer), p.value)).sort((a, b) => a.segments.length - b.segments.length);
  if (held.length === 0) return null;
  const placed = new Set<unknown>();
  const root: Record<string, unknown> | unknown[] = Array.isArray(body) ? [] : {};
  for (const pin of held) {
    let mine: Record<string, unknown> | unknown[] = root;
    let theirs: unknown = body;
    const last = pin.segments.length - 1;
    for (let i = 0; i <= last; i++) {
      const seg = pin.segments[i];
      const next = own(theirs, seg);
      const existing = own(mine, seg);
      if (placed.has(existing)) break; // an ancestor was pinned whole
      if (i === last) {
        put(mine, seg, next);
        placed.add(next);
        break;
      }
      let child = existing as Record<string, unknown> | unknown[] | undefined;
      if (child === undefined) put(mine, seg, (child = Array.isArray(next) ? [] : {}));
      mine = child;
      theirs = next;
    }
  }
  return root;
}

/**
 * A member as JSON has it: own members only. An answer and a dataset may both name a member
 * `__proto__` or `constructor` (JSON.parse keeps them as ordinary members); read through the
 * prototype, `/constructor/prototype/x` would walk into Object.prototype and the copy would write there.
 */
function own(container: unknown, seg: string | number): unknown {
  if (Array.isArray(container)) return typeof seg === 'number' ? container[seg] : undefined;
  if (typeof container !== 'object' || container === null) return undefined;
  const key = String(seg);
  return Object.hasOwn(container, key) ? (container as Record<string, unknown>)[key] : undefined;
}

function put(container: Record<string, unknown> | unknown[], seg: string | number, value: unknown): void {
  if (Array.isArray(container)) container[seg as number] = value;
  // Defined, not assigned: assigning `__proto__` would set the copy's prototype instead of a member.
  else Object.defineProperty(container, String(seg), { value, writable: true, enumerable: true, configurable: true });
}

export function expectsEscalation(c: SimCase): boolean {
  return expectedEscalation(c) === true;
}

/** Whether the case's `expected` says it escalates (true), says it does not (false), or says nothing (null). */
export function expectedEscalation(c: SimCase): boolean | null {
  const e = c.expected;
  if (!e) return null;
  if (typeof e.opus_used === 'boolean') return e.opus_used;
  return typeof e.opusEscalated === 'boolean' ? e.opusEscalated : null;
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

/** An escalation as any part of a view shows it: the flag, the judicial result, a tier 4 on the path. */
function showsEscalation(v: AnswerView): boolean {
  return v.opusEscalated === true || v.judicial === true || v.tierPathHasT4 === true;
}

/** What this answer's case declares, judged against this answer (`view`: the profile's view of it). */
export function declaredFor(c: SimCase, pins: readonly Pin[], profile: Profile, body: unknown, view: AnswerView): Declared {
  const expectedN = expectedContradictions(c);
  const byExpected = { escalation: expectsEscalation(c), contradictions: expectedN !== null && view.contradictions !== null && view.contradictions <= expectedN };
  if ((byExpected.escalation && byExpected.contradictions) || pins.length === 0) return byExpected;
  const part = pinnedPart(pins, body);
  if (part === null || (isRecord(part) && Object.keys(part).length === 0)) return byExpected;
  let pinned: AnswerView;
  try {
    pinned = profile.view(part);
  } catch {
    return byExpected; // a view that cannot read a partial body declares nothing
  }
  const shown = pinned.contradictions;
  return {
    escalation: byExpected.escalation || showsEscalation(pinned),
    contradictions: byExpected.contradictions || (shown !== null && shown > 0 && view.contradictions !== null && view.contradictions <= shown),
  };
}
