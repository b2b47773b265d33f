import { distance } from 'fastest-levenshtein';

/**
 * Above this many cells (length x length after the common prefix and suffix are cut) the distance is
 * not computed: fastest-levenshtein is O(n*m/32), and two 200 KB texts that differ everywhere would
 * take seconds per pair. The similarity is then null ("not computed"), never a guess.
 */
export const MAX_SIMILARITY_CELLS = 4e9;

/**
 * Normalized Levenshtein similarity, 1 - distance / max(length), in [0, 1], 4 decimals; 1 for two
 * equal texts (two empty texts included). Common prefix and suffix are cut first: they cost nothing
 * in distance, and replayed answers usually differ in one place.
 */
export function textSimilarity(a: string, b: string): number | null {
  if (a === b) return 1;
  const max = Math.max(a.length, b.length);
  let start = 0;
  const shorter = Math.min(a.length, b.length);
  while (start < shorter && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  const midA = a.slice(start, endA);
  const midB = b.slice(start, endB);
  if (midA.length * midB.length > MAX_SIMILARITY_CELLS) return null;
  const d = midA.length === 0 ? midB.length : midB.length === 0 ? midA.length : distance(midA, midB);
  return Math.round((1 - d / max) * 1e4) / 1e4;
}

/** Index of the first UTF-16 unit where two texts differ (the shorter length when one is a prefix). */
export function firstDifferingChar(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}
