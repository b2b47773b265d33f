import { distance } from 'fastest-levenshtein';

/** distanceWithin's answer when deciding would take longer than a check may. */
export const TOO_COSTLY = -1;

/**
 * Cells each method may fill for one answer, about 5 s each: the full algorithm fills ~2.6e9 cells a
 * second (32 a word), the band ~9e7 (one at a time). Two long texts far apart with a large threshold
 * (a 1 MB golden answer, threshold 100000) would take minutes either way: TOO_COSTLY instead.
 */
const FULL_CELLS = 13e9;
const BAND_CELLS = 450e6;

/**
 * The Levenshtein distance of `a` and `b` when it is at most `max`, else null, or TOO_COSTLY (the
 * budgets above). An answer of 1 MB against a dataset value costs O(n*m/32) with the full algorithm
 * (two 100 KB texts: seconds; two of 1 MB: minutes), though a gate only needs to know whether the distance is within `max`: the lengths
 * alone bound it from below, and a band of 2*max+1 cells a row (Ukkonen) decides it in O(max*n).
 */
export function distanceWithin(a: string, b: string, max: number): number | null {
  const k = Math.floor(max);
  if (Math.abs(a.length - b.length) > k) return null;
  // A shared prefix and suffix cost nothing: near-identical long texts shrink to their difference.
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  while (start < endA && start < endB && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  let s = a.slice(start, endA);
  let t = b.slice(start, endB);
  if (s.length > t.length) [s, t] = [t, s];
  if (s.length === 0) return t.length <= k ? t.length : null;
  const fullCells = s.length * t.length;
  const bandCells = s.length * (2 * k + 1);
  // The full algorithm's words of 32 cells beat a band wider than about a thirtieth of the row.
  if (bandCells * 30 > fullCells) {
    if (fullCells > FULL_CELLS) return TOO_COSTLY;
    const d = distance(s, t);
    return d <= k ? d : null;
  }
  if (bandCells > BAND_CELLS) return TOO_COSTLY;
  return banded(s, t, k);
}

/** Levenshtein within a band of k around the diagonal; null once every cell of a row is above k. */
function banded(s: string, t: string, k: number): number | null {
  const n = s.length;
  const m = t.length;
  const over = k + 1;
  let prev = new Int32Array(m + 1).fill(over);
  let cur = new Int32Array(m + 1).fill(over);
  for (let j = 0; j <= Math.min(m, k); j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    const lo = Math.max(1, i - k);
    const hi = Math.min(m, i + k);
    cur[lo - 1] = lo === 1 ? Math.min(i, over) : over;
    let rowMin = cur[lo - 1];
    const c = s.charCodeAt(i - 1);
    for (let j = lo; j <= hi; j++) {
      let v = prev[j - 1] + (c === t.charCodeAt(j - 1) ? 0 : 1);
      const up = prev[j] + 1;
      if (up < v) v = up;
      const left = cur[j - 1] + 1;
      if (left < v) v = left;
      if (v > over) v = over;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    // The next row reads this one at hi+1, outside the band: never within k.
    if (hi < m) cur[hi + 1] = over;
    if (rowMin > k) return null;
    [prev, cur] = [cur, prev];
  }
  return prev[m] <= k ? prev[m] : null;
}
