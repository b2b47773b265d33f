import { hash } from 'node:crypto';

/**
 * What the reference engine reads from a prompt. Every generation's rules are written in terms of
 * these facts, so a dataset author can predict an answer from the prompt alone (see the comments at the
 * top of each file in shapes/).
 *
 * - `clean`: the prompt split on ".", each piece trimmed, empty pieces dropped, joined with one space.
 *   This is what the real 2.5h engines do ("Hi." -> "Hi"; "a. b" -> "a b"), and what their answers quote.
 * - `words`: whitespace-separated words of the raw prompt (Python's `str.split()`).
 * - `cleanWords`: the same of `clean`, which the 2.5h engines count ("e.g. 3.5" is 4 words there).
 * - `cleanChars`: characters (code points, Python's `len`) of `clean`; an emoji is one, not two.
 * - `hasNot`: the raw prompt contains the letters "not" anywhere, any case ("another", "Note" count).
 * - `contradictions` (the toron-3 shape's only: the real 2.5h engines detect none, nor does their
 *   reference; at most MAX_CONTRADICTIONS, contrast markers first):
 *     1. every whole-word contrast marker (any case): but, however, although, though, whereas,
 *        nevertheless, nonetheless. One contradiction per occurrence:
 *        `"<claim before>" conflicts with "<claim after>" (<marker>)`.
 *     2. every unit that the prompt states with two or more different numbers:
 *        `conflicting values for <unit>: <v1> vs <v2>[ vs ...]`. Units (any case, after the number, a
 *        space allowed): % / percent, degrees, °C / C / celsius / degrees celsius, °F / F / fahrenheit /
 *        degrees fahrenheit, km / kilometers, miles, m / meters, kg / kilograms, g / grams,
 *        lb / lbs / pounds, years, months, weeks, days, hours, minutes, seconds, dollars (also `$N`),
 *        euros, people. Singular and plural are one unit. "100 C ... 90 C" is a conflict; "3x + 5 = 20"
 *        is not (no unit).
 * - `urls` (toron-3's cited sources): distinct http(s) URLs in the raw prompt, in order, at most MAX_URLS, trailing punctuation cut.
 */
export interface PromptFacts {
  prompt: string;
  lower: string;
  clean: string;
  words: number;
  cleanWords: number;
  cleanChars: number;
  hasNot: boolean;
  contradictions: string[];
  urls: string[];
  /** sha256 hex of `clean` (the 2.5h engines' `prompt_signature`). */
  signature: string;
  /** The first 16 hex of sha256 of the raw prompt (toron-3's `prompt_hash`). */
  promptHash: string;
}

export const MAX_CONTRADICTIONS = 8;
export const MAX_URLS = 4;

const CONTRAST = /\b(but|however|although|though|whereas|nevertheless|nonetheless)\b/gi;
const SENTENCE_END = /[.!?;\n]/;
const CLAIM_CHARS = 60;

const UNIT_PATTERN =
  /(\$\s?(-?\d+(?:\.\d+)?))|(-?\d+(?:\.\d+)?)\s?(degrees?\s+celsius|degrees?\s+fahrenheit|%|percent|°\s?c|°\s?f|celsius|fahrenheit|degrees?|kilomet(?:er|re)s?|km|miles?|met(?:er|re)s?|m|kilograms?|kg|grams?|g|lbs?|pounds?|years?|months?|weeks?|days?|hours?|minutes?|seconds?|dollars?|euros?|people|c|f)(?![\p{L}\p{N}])/giu;

const UNIT_CANON: [RegExp, string][] = [
  [/^degrees?\s+celsius$|^°\s?c$|^celsius$|^c$/i, '°C'],
  [/^degrees?\s+fahrenheit$|^°\s?f$|^fahrenheit$|^f$/i, '°F'],
  [/^%$|^percent$/i, '%'],
  [/^degrees?$/i, 'degrees'],
  [/^kilomet(?:er|re)s?$|^km$/i, 'km'],
  [/^miles?$/i, 'miles'],
  [/^met(?:er|re)s?$|^m$/i, 'm'],
  [/^kilograms?$|^kg$/i, 'kg'],
  [/^grams?$|^g$/i, 'g'],
  [/^lbs?$|^pounds?$/i, 'lb'],
  [/^years?$/i, 'years'],
  [/^months?$/i, 'months'],
  [/^weeks?$/i, 'weeks'],
  [/^days?$/i, 'days'],
  [/^hours?$/i, 'hours'],
  [/^minutes?$/i, 'minutes'],
  [/^seconds?$/i, 'seconds'],
  [/^dollars?$/i, 'dollars'],
  [/^euros?$/i, 'euros'],
  [/^people$/i, 'people'],
];

const URL_PATTERN = /https?:\/\/[^\s"'<>()[\]{}]+/gi;

/** Python's str.split() word count. */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || (c > 127 && /\s/.test(text[i]));
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      n++;
    }
  }
  return n;
}

// Python's len(s) and s[:n] count code points; a JS string's length and slice count UTF-16 units, two
// for an emoji or any character beyond the BMP. Most prompts have none: then the two agree.
const SURROGATE = /[\uD800-\uDFFF]/;

/** Python's len() of a string. */
export function pyLen(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Python's s[:n]. */
export function pyHead(s: string, n: number): string {
  if (!SURROGATE.test(s)) return s.slice(0, n);
  let out = '';
  let i = 0;
  for (const ch of s) {
    if (i++ >= n) break;
    out += ch;
  }
  return out;
}

export function cleanPrompt(prompt: string): string {
  const parts: string[] = [];
  for (const piece of prompt.split('.')) {
    const t = piece.trim();
    if (t) parts.push(t);
  }
  return parts.join(' ');
}

function tidyClaim(s: string): string {
  const t = s.replace(/\s+/g, ' ').trim().replace(/^[,:;\-–—\s]+|[,:;\-–—\s]+$/g, '');
  return t.length > CLAIM_CHARS ? t.slice(0, CLAIM_CHARS).trimEnd() : t;
}

function claimBefore(text: string): string {
  const pieces = text.split(SENTENCE_END);
  for (let i = pieces.length - 1; i >= 0; i--) {
    const t = tidyClaim(pieces[i]);
    if (t) return t.length >= CLAIM_CHARS ? t : tidyClaim(pieces[i].slice(-CLAIM_CHARS));
  }
  return '';
}

function claimAfter(text: string): string {
  return tidyClaim(text.split(SENTENCE_END)[0] ?? '');
}

function contrastContradictions(prompt: string): string[] {
  const out: string[] = [];
  for (const m of prompt.matchAll(CONTRAST)) {
    const at = m.index ?? 0;
    const before = claimBefore(prompt.slice(Math.max(0, at - 400), at));
    const after = claimAfter(prompt.slice(at + m[0].length, at + m[0].length + 400));
    out.push(`"${before}" conflicts with "${after}" (${m[0].toLowerCase()})`);
    if (out.length >= MAX_CONTRADICTIONS) break;
  }
  return out;
}

function canonicalUnit(raw: string): string {
  const u = raw.replace(/\s+/g, ' ').trim();
  for (const [re, name] of UNIT_CANON) if (re.test(u)) return name;
  return u.toLowerCase();
}

function numericConflicts(prompt: string): string[] {
  const byUnit = new Map<string, string[]>();
  for (const m of prompt.matchAll(UNIT_PATTERN)) {
    const value = m[2] ?? m[3];
    const unit = m[1] !== undefined ? 'dollars' : canonicalUnit(m[4]);
    const n = String(Number(value));
    const seen = byUnit.get(unit);
    if (!seen) byUnit.set(unit, [n]);
    else if (!seen.includes(n)) seen.push(n);
  }
  const out: string[] = [];
  for (const [unit, values] of byUnit) {
    if (values.length > 1) out.push(`conflicting values for ${unit}: ${values.join(' vs ')}`);
  }
  return out;
}

function findUrls(prompt: string): string[] {
  const out: string[] = [];
  for (const m of prompt.matchAll(URL_PATTERN)) {
    const url = m[0].replace(/[.,;:!?]+$/, '');
    if (!out.includes(url)) out.push(url);
    if (out.length >= MAX_URLS) break;
  }
  return out;
}

export function analyzePrompt(prompt: string): PromptFacts {
  const clean = cleanPrompt(prompt);
  const numeric = numericConflicts(prompt);
  const contradictions = [...contrastContradictions(prompt), ...numeric].slice(0, MAX_CONTRADICTIONS);
  const lower = prompt.toLowerCase();
  return {
    prompt,
    lower,
    clean,
    words: countWords(prompt),
    cleanWords: countWords(clean),
    cleanChars: pyLen(clean),
    hasNot: lower.includes('not'),
    contradictions,
    urls: findUrls(prompt),
    // One-shot hashes: a Hash object per prompt costs more than the hashing of a short text.
    signature: hash('sha256', clean, 'hex'),
    promptHash: hash('sha256', prompt, 'hex').slice(0, 16),
  };
}

// Load tests and SIM repeats send the same few prompts over and over: analysing each once keeps the
// per-call cost of the reference engine to building the answer object. A prompt is cached the second
// time it comes: a suite of 100k different prompts would otherwise keep each one's facts (and the
// answer kit built from them) alive through 256 more calls, long enough to reach the old generation.
const CACHE_MAX = 256;
const CACHE_PROMPT_CHARS = 20_000;
const SEEN_MAX = 4096;
const cache = new Map<string, PromptFacts>();
const seenOnce = new Set<string>();

/** analyzePrompt, memoised (the result is shared: treat it as read-only). */
export function promptFacts(prompt: string): PromptFacts {
  const hit = cache.get(prompt);
  if (hit) return hit;
  const facts = analyzePrompt(prompt);
  if (prompt.length <= CACHE_PROMPT_CHARS) {
    if (seenOnce.has(prompt)) {
      if (cache.size >= CACHE_MAX) cache.clear();
      cache.set(prompt, facts);
    } else {
      if (seenOnce.size >= SEEN_MAX) seenOnce.clear();
      seenOnce.add(prompt);
    }
  }
  return facts;
}
