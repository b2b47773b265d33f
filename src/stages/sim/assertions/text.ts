import type { Assertion } from '../types.js';
import { distance } from 'fastest-levenshtein';
import { distanceWithin, TOO_COSTLY } from './edit-distance.js';
import { canonical, caseFold } from './unicode.js';
import type { Family, Prepared, Reject } from './spec.js';
import { jsonEqual, parseCommaList, short } from './values.js';
import { parseJsonExact } from '../../../util/decimal.js';
import { guardRegexpBacktracking, linearCapable, testWithin } from '../../../util/regexp-guard.js';

/** How long one regex test may run when V8 cannot fall back to its linear engine for the pattern. */
const REGEX_BUDGET_MS = 2000;

/** Up to this many cells (n*m) the exact distance of a failing levenshtein is computed for its message (~10 ms). */
const EXACT_CELLS = 50_000_000;

/** `contains`-like values: a non-empty string, or a number (compared as its text), like promptfoo. */
function needle(a: Assertion, reject: Reject, type: string): string {
  const v = a.value;
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  if (Array.isArray(v)) {
    return reject('value', `"${type}" takes one string; for a list use contains-any or contains-all`);
  }
  return reject('value', `"${type}" needs a non-empty string "value"`);
}

/** A list value: an array of strings/numbers, or promptfoo's comma-separated string. */
function needles(a: Assertion, reject: Reject, type: string): string[] {
  let list: unknown[];
  if (typeof a.value === 'string') {
    try {
      list = parseCommaList(a.value);
    } catch (err) {
      return reject('value', `"${type}" value: ${(err as Error).message}`);
    }
  } else if (Array.isArray(a.value)) {
    list = a.value;
  } else {
    return reject('value', `"${type}" needs "value": an array of strings or a comma-separated string`);
  }
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item !== '') out.push(item);
    else if (typeof item === 'number' && Number.isFinite(item)) out.push(String(item));
    else return reject('value', `"${type}" list items must be non-empty strings or numbers, got ${short(item)}`);
  }
  if (out.length === 0) return reject('value', `"${type}" needs at least one item`);
  return out;
}

const listText = (items: string[]) => `[${items.map((s) => short(s, 60)).join(', ')}]`;

export const equals: Family = {
  fields: ['value'],
  usesPath: true,
  exactNumbers: true,
  prepare(a, reject): Prepared {
    if (a.value === undefined) return reject('value', '"equals" needs a "value"');
    const expected = a.value;
    if (typeof expected === 'string') {
      const want = canonical(expected);
      return { target: 'text', phrase: `to equal ${short(expected)}`, test: (t) => ({ holds: canonical(t as string) === want }) };
    }
    // A structured expectation against a string target: the answer field often holds JSON text, and
    // promptfoo compares such a string by parsing it.
    return {
      target: 'value',
      exactNumbers: true,
      phrase: `to equal ${short(expected)}`,
      test(t) {
        if (typeof t === 'string') {
          try {
            return { holds: jsonEqual(parseJsonExact(t), expected), note: 'parsed the string as JSON' };
          } catch {
            return { holds: false, note: 'a string that is not JSON' };
          }
        }
        return { holds: jsonEqual(t, expected) };
      },
    };
  },
};

export const contains: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const s = needle(a, reject, 'contains');
    const want = canonical(s);
    return { target: 'text', phrase: `to contain ${short(s)}`, test: (t) => ({ holds: canonical(t as string).includes(want) }) };
  },
};

export const icontains: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const s = needle(a, reject, 'icontains');
    const lower = caseFold(s);
    return {
      target: 'text',
      phrase: `to contain ${short(s)} (ignoring case)`,
      test: (t) => ({ holds: caseFold(t as string).includes(lower) }),
    };
  },
};

export const containsAny: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const items = needles(a, reject, 'contains-any');
    const wanted = items.map(canonical);
    return {
      target: 'text',
      phrase: `to contain any of ${listText(items)}`,
      test(t) {
        const text = canonical(t as string);
        const found = items.filter((_s, i) => text.includes(wanted[i]));
        return { holds: found.length > 0, note: found.length > 0 ? `found ${listText(found)}` : 'found none' };
      },
    };
  },
};

export const containsAll: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const items = needles(a, reject, 'contains-all');
    const wanted = items.map(canonical);
    return {
      target: 'text',
      phrase: `to contain all of ${listText(items)}`,
      test(t) {
        const text = canonical(t as string);
        const missing = items.filter((_s, i) => !text.includes(wanted[i]));
        return { holds: missing.length === 0, note: missing.length > 0 ? `missing ${listText(missing)}` : 'found all' };
      },
    };
  },
};

export const startsWith: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    const s = needle(a, reject, 'starts-with');
    const want = canonical(s);
    return { target: 'text', phrase: `to start with ${short(s)}`, test: (t) => ({ holds: canonical(t as string).startsWith(want) }) };
  },
};

/**
 * Whether a pattern uses `\p{...}`, `\P{...}` or `\u{...}`: without the `u` flag these silently mean
 * the letters "p{L}" or "u" repeated, so `regex "^\p{Lu}"` never matched a capital; with it they mean
 * what they say. (V8's linear engine cannot run `u` patterns: they run under the watchdog.)
 */
export function needsUnicodeFlag(pattern: string): boolean {
  for (let i = 0; i < pattern.length - 2; i++) {
    if (pattern[i] !== '\\') continue;
    const next = pattern[i + 1];
    if ((next === 'p' || next === 'P' || next === 'u') && pattern[i + 2] === '{') return true;
    i++;
  }
  return false;
}

export const regex: Family = {
  fields: ['value'],
  usesPath: true,
  prepare(a, reject) {
    if (typeof a.value !== 'string' || a.value === '') return reject('value', '"regex" needs a non-empty string "value"');
    let re: RegExp;
    guardRegexpBacktracking();
    const unicode = needsUnicodeFlag(a.value);
    try {
      // No flags, as promptfoo (inline modifiers such as (?i:...) work on Node 24), except `u` for a
      // pattern that means nothing without it.
      // In NFC, as the text it is tested on (README: text is compared in NFC on both sides).
      re = new RegExp(a.value.normalize('NFC'), unicode ? 'u' : '');
    } catch (err) {
      const hint = /^\(\?[imsx-]+\)/.test(a.value)
        ? '; JavaScript has no (?i) for a whole pattern: wrap it as (?i:...)'
        : unicode
          ? ' (compiled with the u flag for its \\p{...} or \\u{...}, where an escape such as \\- outside [...] is an error)'
          : '';
      return reject('value', `invalid regex ${short(a.value)}: ${(err as Error).message}${hint}`);
    }
    if (!unicode && linearCapable(a.value)) return { target: 'text', phrase: `to match /${a.value}/`, test: (t) => ({ holds: re.test((t as string).normalize('NFC')) }) };
    // No linear fallback for this pattern: each test runs under a watchdog, and one that runs away fails.
    return {
      target: 'text',
      phrase: `to match /${a.value}/`,
      test(t) {
        const holds = testWithin(re, (t as string).normalize('NFC'), REGEX_BUDGET_MS);
        if (holds !== null) return { holds };
        return { holds: false, invalid: true, note: `the regex ran over ${REGEX_BUDGET_MS} ms on this answer and was stopped (catastrophic backtracking); simplify it` };
      },
    };
  },
};

export const levenshtein: Family = {
  fields: ['value', 'threshold'],
  usesPath: true,
  prepare(a, reject) {
    if (typeof a.value !== 'string') return reject('value', '"levenshtein" needs a string "value"');
    // Default 5 as promptfoo; unlike promptfoo (`threshold || 5`) an explicit 0 means "identical".
    const max = a.threshold ?? 5;
    if (typeof max !== 'number' || !Number.isFinite(max) || max < 0) {
      return reject('threshold', '"levenshtein" threshold must be a number >= 0');
    }
    const shown = a.value;
    const expected = canonical(a.value);
    return {
      target: 'text',
      phrase: `to be within edit distance ${max} of ${short(shown)}`,
      test(t) {
        const text = canonical(t as string);
        const d = distanceWithin(text, expected, max);
        if (d === TOO_COSTLY) {
          const note = `${text.length} and ${expected.length} characters, threshold ${max}: too long to compare within a check's time; compare a shorter field or lower the threshold`;
          return { holds: false, invalid: true, note };
        }
        if (d !== null) return { holds: true, note: `distance ${d}` };
        // The exact distance of a failing answer helps its reviewer where it is cheap to know.
        if (text.length * expected.length <= EXACT_CELLS) return { holds: false, note: `distance ${distance(text, expected)}` };
        return { holds: false, note: `distance above ${max}, lengths ${text.length} and ${expected.length}` };
      },
    };
  },
};
