import type { Assertion } from '../types.js';

/**
 * What one assertion family needs from the response:
 * - `text`: the target as a string (a non-string target is compared as its JSON text);
 * - `value`: the target as it is;
 * - `none`: no target at all (latency).
 */
export type TargetKind = 'text' | 'value' | 'none';

/** The outcome of a check before `not-` is applied; `note` adds what was seen beyond the value. */
export interface Check {
  holds: boolean;
  note?: string;
  /** The check could not apply (e.g. `range` on a string): it fails under `not-` as well. */
  invalid?: boolean;
}

/** A load-time check, ready to run: everything parseable is parsed once, here. */
export interface Prepared {
  target: TargetKind;
  /**
   * The check compares numbers exactly: it gets the assertion's values and the answer with every
   * number a double cannot hold kept as written (util/decimal.ts), where the others get doubles.
   */
  exactNumbers?: boolean;
  /** What is expected, phrased to follow "expected <subject> [not] ", e.g. `to contain "boil"`. */
  phrase: string;
  test(target: unknown, latencyMs: number): Check;
}

/** Raises a load-time error about one field of the assertion. */
export type Reject = (field: keyof Assertion, message: string) => never;

export interface Family {
  /** Fields this type reads besides `type`, `path` and `level`. */
  fields: readonly (keyof Assertion)[];
  /** False when the type ignores `path` (latency). */
  usesPath: boolean;
  /** Prepared from the assertion with its numbers as written, where a double cannot hold one (see Prepared.exactNumbers). */
  exactNumbers?: boolean;
  prepare(a: Assertion, reject: Reject): Prepared;
}
