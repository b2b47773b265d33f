import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { diffText } from '../../src/report/view-model.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from '../replay/helpers.js';

/**
 * report.json names the two sides of a replay diff `snapshot`/`replay` and of a drift diff
 * `baseline`/`current`; report.html read only `left`/`right` (the synthetic fixture's names), so every
 * difference of a real run showed as "(absent) → (absent)".
 */
describe('report.html shows both sides of replay and drift diffs as report.json names them', () => {
  it('diffText reads snapshot/replay, baseline/current and left/right; an added or removed side is absent', () => {
    expect(diffText({ pointer: '/a', kind: 'changed', snapshot: 'x', replay: 'y', charIndex: 0, similarity: 0 })).toBe('/a changed at character 0: x → y (similarity 0.00)');
    expect(diffText({ pointer: '/a', kind: 'changed', baseline: 1, current: 2 })).toBe('/a changed: 1 → 2');
    expect(diffText({ pointer: '/a', kind: 'changed', left: 'l', right: 'r' })).toBe('/a changed: l → r');
    expect(diffText({ pointer: '/a/3', kind: 'added', replay: 'n' })).toBe('/a/3 added: (absent) → n');
    expect(diffText({ pointer: '/a/3', kind: 'removed', baseline: 'o' })).toBe('/a/3 removed: o → (absent)');
  });

  it('a run with a drifted case and an unstable one: report.html quotes the values that differ', async () => {
    const dir = project({ d: dataset('d', 2) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 0', '--flaky', 'question 1'), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(now.replay.drift.changed).toBe(1);
    const html = fs.readFileSync(now.paths.html, 'utf8');
    expect(html).not.toContain('(absent) → (absent)');
    // The drifted case (baseline → current) and the unstable one (snapshot → replay), both sides quoted.
    expect(html).toContain('/final_answer changed at character 37: The answer to &quot;question 0&quot; is forty-two. → The answer to &quot;question 0&quot; is forty-three. (similarity 0.90)');
    expect(html).toMatch(/\/final_answer changed at character 47: The answer to &quot;question 1&quot; is forty-two\. \(call \d+\) → The answer to &quot;question 1&quot; is forty-two\. \(call \d+\)/);
  });
});
