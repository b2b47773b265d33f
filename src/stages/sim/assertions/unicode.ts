/**
 * Text as the text assertions compare it. The same visible text reaches a dataset and an answer in
 * different code points: "é" as one (NFC, what editors write) or as "e" + U+0301 (NFD: macOS file
 * names, some models' tokenisers). Compared by code point they differ, so `contains "café"` failed on
 * "café" with a message showing the two as identical. Both sides are compared in NFC.
 */
export function canonical(s: string): string {
  return s.normalize('NFC');
}

/**
 * The case-insensitive form for `icontains`. `toLowerCase` alone missed what Unicode case folding
 * matches: "STRASSE" vs "straße" (ß folds to ss, reached through the upper case), "İSTANBUL" vs
 * "istanbul" (İ lowers to i + U+0307), and Greek sigma, which lowers to ς at the end of a word, so
 * `icontains "ΟΔΟΣ"` missed "οδοστρωμα" (σ inside the word).
 */
export function caseFold(s: string): string {
  // Turkish dotless ı has no case folding of its own; through the upper case it would become i.
  return s.normalize('NFC').split('ı').map(foldPart).join('ı');
}

function foldPart(s: string): string {
  // Capital sharp s (ẞ) upper-cases to itself and lowers to ß, where ß folds to "ss": fold it as ß first.
  return s.replace(/ẞ/g, 'ß').toUpperCase().toLowerCase().replace(/ς/g, 'σ').replace(/i\u0307/g, 'i').normalize('NFC');
}
