import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtFixed, fmtInt, fmtRatio, formatTable } from '../table.mjs';

test('number formats', () => {
  assert.equal(fmtInt(12345.6), '12,346');
  assert.equal(fmtInt(null), '-');
  assert.equal(fmtInt(NaN), '-');
  assert.equal(fmtFixed(1234.5, 1), '1,234.5');
  assert.equal(fmtFixed(undefined), '-');
  assert.equal(fmtRatio(3.14159), '3.14x');
  assert.equal(fmtRatio(42.42, '>'), '> 42.4x');
  assert.equal(fmtRatio(1234.4), '1234x');
  assert.equal(fmtRatio(null), '-');
});

test('formatTable aligns columns and prints notes under their row', () => {
  const text = formatTable(
    [{ key: 'a', title: 'tool', align: 'left' }, { key: 'b', title: 'n' }],
    [{ a: 'x', b: '1,000' }, { a: 'longer', b: '5', note: 'a note' }],
  );
  assert.equal(text, ['tool        n', '------  -----', 'x       1,000', 'longer      5', '  a note'].join('\n'));
});
