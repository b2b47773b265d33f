import { describe, expect, it } from 'vitest';
import { diffValues, excerpt, preview } from '../../src/replay/divergence.js';

// Replay and drift diffs show long texts as excerpts around the first differing character. The cut
// was made at UTF-16 units, so an answer in emoji (or any text outside the BMP) got an excerpt that
// began with the second half of a pair and ended with the first half of another: report.json held
// "\ude00…" and summary.md / report.html a U+FFFD at each end.

const LONE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

describe('diff excerpts of text outside the BMP', () => {
  it('never cut a surrogate pair, at either end', () => {
    const a = '😀'.repeat(1000);
    const b = `${'😀'.repeat(500)}😁${'😀'.repeat(499)}`;
    const [d] = diffValues({ t: a }, { t: b }).diffs;
    expect(d.charIndex).toBe(1001); // UTF-16 units, as documented: the low halves differ
    expect(d.left).not.toMatch(LONE);
    expect(d.right).not.toMatch(LONE);
    expect(d.right).toContain('😁');
    // Every start and length.
    const s = `x${'😀'.repeat(200)}`;
    for (let at = 0; at < s.length; at++) {
      for (const chars of [1, 2, 3, 50, 51, 160]) {
        const e = excerpt(s, at, chars);
        expect(e, `at ${at} chars ${chars}`).not.toMatch(LONE);
      }
    }
    expect(preview(s, 160)).not.toMatch(LONE);
    for (const chars of [9, 10, 11, 160]) expect(preview({ a: s }, chars), `object preview ${chars}`).not.toMatch(LONE);
    const [added] = diffValues({ l: [] }, { l: [s] }).diffs;
    expect(added.right).not.toMatch(LONE);
  });

  it('keeps plain text excerpts as they were', () => {
    const s = 'abcdefghij'.repeat(50);
    expect(excerpt(s, 0, 10)).toBe('abcdefghij…');
    expect(excerpt(s, 100, 20)).toBe('…fghijabcdefghijabcde…');
    expect(excerpt('short', 2, 160)).toBe('short');
    expect(excerpt(s, 499, 20)).toBe('…efghij');
  });
});
