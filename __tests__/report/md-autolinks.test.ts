import { describe, expect, it } from 'vitest';
import { mdText } from '../../src/report/summary-md.js';

/**
 * mdText makes report text inert in the job summary and the PR comment: no links, no references that
 * GitHub turns into cross-links (and "mentioned this" events on the issue they name). GFM also
 * autolinks a bare `www.` domain, and GitHub links `GH-123` to issue 123 as it does `#123`.
 */
describe('mdText and GitHub\'s autolinks', () => {
  it('breaks www. domains and GH-123 references, as it does http:// and #123', () => {
    for (const [text, raw] of [
      ['see www.evil.example/x now', /(^|[^&\w])www\./i],
      ['WWW.EVIL.EXAMPLE', /(^|[^&\w])www\./i],
      ['fixes GH-12 and gh-7', /\bGH-\d/i],
    ] as const) {
      const out = mdText(text);
      expect(out, text).not.toMatch(raw);
      // The text still reads the same once rendered (entities decoded).
      expect(out.replace(/&#46;/g, '.').replace(/&#45;/g, '-')).toBe(text);
    }
  });
});
