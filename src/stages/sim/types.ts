import type { InexactNumber } from './inexact-numbers.js';
import type { SourceLocation } from '../../warroom/finding.js';

export type AssertionLevel = 'error' | 'warn';

export const ASSERTION_TYPES = [
  'equals',
  'contains',
  'icontains',
  'contains-any',
  'contains-all',
  'starts-with',
  'regex',
  'is-json',
  'contains-json',
  'levenshtein',
  'latency',
  'json-schema',
  'range',
] as const;
export type BaseAssertionType = (typeof ASSERTION_TYPES)[number];

/** A dataset assertion as written (DESIGN §3.4); `type` may carry a `not-` prefix. */
export interface Assertion {
  type: string;
  value?: unknown;
  threshold?: number;
  /** JSON Pointer into the response; default: the profile's answer field. */
  path?: string;
  level?: AssertionLevel;
  /** For `range`. */
  min?: number;
  max?: number;
}

export interface SimCase {
  id: string;
  dataset: string;
  input: Record<string, unknown>;
  expected?: Record<string, unknown>;
  assert: Assertion[];
  tags: string[];
  repeat: number;
  ignorePaths: string[];
  /** Where the case starts in its dataset file (relative path, 1-based line). */
  location: SourceLocation;
}

export interface Dataset {
  name: string;
  description: string;
  /** Relative path of the file, as registered. */
  file: string;
  seed: number | null;
  tags: string[];
  cases: SimCase[];
  /** Numbers in the file that a JSON number cannot hold (src/stages/sim/inexact-numbers.ts); absent: not scanned. */
  inexact?: { found: InexactNumber[]; count: number };
}

export interface AssertionOutcome {
  assertion: string;
  level: AssertionLevel;
  pass: boolean;
  message: string;
}
