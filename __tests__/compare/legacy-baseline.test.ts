import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { sideOfBaselineFile } from '../../src/compare/sides.js';
import { ROOT } from '../helpers/cli.js';

/**
 * A baseline snapshot whose run an older toron-testops scored (fixtures/compare/legacy-baseline: the
 * dist of d79d8af): its replay counted a replay that got no answer (an engine error) as a difference,
 * so its determinism score of 50 is engine errors, not nondeterminism; this version leaves such cases
 * out. The two scores do not measure the same thing: a delta between them (the determinismDrop rule)
 * would be made up.
 */
const FIX = path.join(ROOT, '__tests__/fixtures/compare/legacy-baseline');

describe('compare with a baseline an older toron-testops scored', () => {
  for (const spec of ['reports/legacy-base', 'snapshots/legacy-base.json']) {
    it(`gives no determinism figure for it, and says why (${spec})`, () => {
      const side = sideOfBaselineFile(spec, FIX, null);
      expect(side.metrics.determinismScore).toBeNull();
      expect(side.notes.join('\n')).toMatch(/determinism score.*older toron-testops.*3 case\(s\) with engine errors.*not available/s);
      // What still means the same is kept.
      expect(side.metrics.passRate).toBe(75);
      expect(side.hasPassData).toBe(true);
    });
  }
});

/**
 * The other way round: a baseline whose report a newer toron-testops wrote (another schemaVersion),
 * met by this one. Its fields may mean something else: its pass/fail and determinism are not read.
 */
describe('compare with a baseline whose report a newer toron-testops wrote', () => {
  it('reads no pass/fail or determinism from it, says why, and keeps the snapshot header\'s numbers', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-newer-baseline-'));
    fs.cpSync(FIX, dir, { recursive: true });
    const file = path.join(dir, 'reports/legacy-base/report.json');
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    fs.writeFileSync(file, JSON.stringify({ ...report, schemaVersion: 2 }));
    const side = sideOfBaselineFile('reports/legacy-base', dir, null);
    expect(side.hasPassData).toBe(false);
    expect(side.metrics.determinismScore).toBeNull();
    expect(side.metrics.passRate).toBe(75); // the snapshot header's
    expect(side.notes.join('\n')).toMatch(/report\.json has schemaVersion 2, newer than this toron-testops .* reads \(1\).*not read/s);
    expect(side.notes.join('\n')).not.toMatch(/older toron-testops/);
  });
});
