import type { Finding } from '../../warroom/finding.js';

/**
 * The engine map (DESIGN §3.5) picks a build by version (`--engine-version`, `engineVersion`); the
 * engine says which build it is (GET /health or /version, a command engine's health answer). They
 * must agree, or the gate is judging another build than the one asked for.
 *
 * Version strings are written many ways ("3.1.0", "v3.1.0", "reference-2.5h/2.0.0", "toron-3.1.0+abc"),
 * so the one asked for matches when, after trimming, lower-casing and dropping a leading "v",
 * - it equals the reported one, or
 * - its segments (split on space / @ : + , ; ( ) _) appear in a row among the reported one's, where a
 *   segment matches when the reported one ends with it, dash-part by dash-part, the last part equal
 *   or a dotted prefix: "2.5h" matches "reference-2.5h/2.0.0" but not "reference-2.5h-stability/2.0.0";
 *   "3.1" matches "3.1.4" and "toron-v3.1.4" but not "3.10.0".
 */

const SPLIT = /[\s/@:+,;()_]+/;

function stripV(t: string): string {
  return t.replace(/^v(?=\d)/, '');
}

function norm(v: string): string {
  return stripV(v.trim().toLowerCase());
}

function segments(v: string): string[] {
  return norm(v)
    .split(SPLIT)
    .filter((t) => t !== '');
}

function segmentMatches(asked: string, reported: string): boolean {
  const a = asked.split('-').map(stripV);
  const r = reported.split('-').map(stripV);
  if (a.length > r.length) return false;
  const off = r.length - a.length;
  return a.every((part, i) => {
    const got = r[off + i];
    return got === part || (i === a.length - 1 && got.startsWith(`${part}.`));
  });
}

export function versionMatches(asked: string, reported: string): boolean {
  if (norm(asked) === norm(reported)) return true;
  const a = segments(asked);
  const r = segments(reported);
  if (a.length === 0) return false;
  for (let i = 0; i + a.length <= r.length; i++) {
    if (a.every((t, k) => segmentMatches(t, r[i + k]))) return true;
  }
  return false;
}

type NewFinding = Omit<Finding, 'id' | 'runId' | 'timestamp' | 'score' | 'remediation'>;

/** The finding for an engine that reports another version than the one asked for (null: fine). */
export function engineVersionFinding(asked: string | null, reported: string | null | undefined): NewFinding | null {
  if (asked === null) return null;
  if (reported === undefined || reported === null || reported.trim() === '') {
    return {
      type: 'engine-version-unknown',
      severity: 'MEDIUM',
      subsystem: 'engine',
      message: `engine version ${JSON.stringify(asked)} was asked for (--engine-version / engineVersion), but the engine reports no version, so the build under test is unverified`,
    };
  }
  if (versionMatches(asked, reported)) return null;
  return {
    type: 'engine-version-mismatch',
    severity: 'HIGH',
    subsystem: 'engine',
    message: `engine version mismatch: asked for ${JSON.stringify(asked)} (--engine-version / engineVersion), the engine reports ${JSON.stringify(reported)}`,
  };
}
