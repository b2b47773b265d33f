import { describe, expect, it } from 'vitest';
import { diffTokens, expectedActual, failureDiff, parseFailureMessage, tokenize } from '../../src/report/diff.js';

describe('diffTokens (Myers)', () => {
  it('finds the shortest edit script over words', () => {
    const runs = diffTokens(tokenize('water boils at 90 C'), tokenize('water boils at 100 C'));
    expect(runs.map((r) => [r.op, r.tokens.join('')])).toEqual([
      ['eq', 'water boils at '],
      ['del', '90'],
      ['ins', '100'],
      ['eq', ' C'],
    ]);
  });

  it('handles empty sides and identical texts', () => {
    expect(diffTokens([], [])).toEqual([]);
    expect(diffTokens(['a'], [])).toEqual([{ op: 'del', tokens: ['a'] }]);
    expect(diffTokens([], ['b'])).toEqual([{ op: 'ins', tokens: ['b'] }]);
    expect(diffTokens(['a', ' ', 'b'], ['a', ' ', 'b'])).toEqual([{ op: 'eq', tokens: ['a', ' ', 'b'] }]);
  });

  it('reconstructs both texts from its runs', () => {
    const a = tokenize('the quick brown fox jumps over the lazy dog');
    const b = tokenize('a quick red fox leaps over the dog today');
    const runs = diffTokens(a, b);
    expect(runs.filter((r) => r.op !== 'ins').flatMap((r) => r.tokens).join('')).toBe(a.join(''));
    expect(runs.filter((r) => r.op !== 'del').flatMap((r) => r.tokens).join('')).toBe(b.join(''));
  });
});

describe('expectedActual', () => {
  it('marks the differing words on each line', () => {
    const d = expectedActual('water boils at 90 C', 'water boils at 100 C');
    expect(d.expectedParts).toEqual([
      { op: 'eq', text: 'water boils at ' },
      { op: 'del', text: '90' },
      { op: 'eq', text: ' C' },
    ]);
    expect(d.actualParts).toEqual([
      { op: 'eq', text: 'water boils at ' },
      { op: 'ins', text: '100' },
      { op: 'eq', text: ' C' },
    ]);
  });

  it('shows unrelated texts as changed as a whole (no "a" and spaces in common)', () => {
    const d = expectedActual('a calm answer', 'Here is a clear, empathetic explanation grounded in the facts');
    expect(d.expectedParts).toEqual([{ op: 'del', text: 'a calm answer' }]);
    expect(d.actualParts).toEqual([{ op: 'ins', text: 'Here is a clear, empathetic explanation grounded in the facts' }]);
  });

  it('cuts very long texts before diffing', () => {
    const long = 'word '.repeat(5000);
    const d = expectedActual(long, long + 'x');
    expect(d.cut).toBe(true);
    expect(d.expected.length).toBeLessThanOrEqual(2000);
  });
});

describe('parseFailureMessage', () => {
  it('reads SIM messages: subject, phrase, expected value, got', () => {
    expect(parseFailureMessage('expected /opus_used to equal true; got false')).toEqual({
      subject: '/opus_used',
      phrase: 'to equal true',
      value: 'true',
      got: 'false',
      gotShortened: false,
    });
    const p = parseFailureMessage('expected /final_answer not to contain "error"; got "an error… (819 chars)')!;
    expect(p.phrase).toBe('not to contain "error"');
    expect(p.value).toBe('error');
    expect(p.got).toBe('an error');
    expect(p.gotShortened).toBe(true);
    expect(parseFailureMessage('expected /x to match /a+/; got "b"')!.value).toBeNull();
    expect(parseFailureMessage('/final_answer is missing from the response')).toBeNull();
  });

  it('failureDiff uses the answer excerpt only when it is the value the message shortened', () => {
    const excerpt = 'Here is the full answer that SIM kept for the report';
    const shortened = failureDiff('expected /final_answer to equal "x"; got "Here is the full… (900 chars)', excerpt)!;
    expect(shortened.actual).toBe(excerpt);
    const other = failureDiff('expected /opus_used to equal true; got false', excerpt)!;
    expect(other.actual).toBe('false');
    expect(other.expected).toBe('true');
  });
});
