import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareCase } from '../../src/compare/cases.js';
import type { CaseSide } from '../../src/compare/types.js';
import { leaveOutMore } from '../../src/replay/leave-out-more.js';
import { compileIgnorePaths } from '../../src/replay/ignore-paths.js';
import { readJson } from '../helpers/cli.js';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { createReplayStage } from '../../src/stages/replay/stage.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

/**
 * A stored answer has its case's ignorePaths left out already. Paths added later (a config that
 * grew, the other side's list) name items of the answer as sent, so they cannot be applied to the
 * stored answer as if it were that answer: with item 0 left out, "/models_used/1" is its item 0.
 */
describe('ignorePaths added after an answer was stored name items of the answer as sent', () => {
  it('leaveOutMore drops by the index as sent, whatever was left out before', () => {
    const sent = { items: ['w', 'x', 'y', 'z'], rows: [{ a: 1, t: 1 }, { a: 2, t: 2 }, { a: 3, t: 3 }] };
    const applied = compileIgnorePaths(['/items/0', '/rows/0']);
    const stored = { items: ['x', 'y', 'z'], rows: [{ a: 2, t: 2 }, { a: 3, t: 3 }] };
    const target = compileIgnorePaths(['/items/0', '/items/2', '/rows/0', '/rows/2/a', '/rows/*/t']);
    expect(leaveOutMore(stored, applied, target)).toEqual({ items: ['x', 'z'], rows: [{ a: 2 }, {}] });
    // The same as leaving the union out of the answer as sent.
    expect(leaveOutMore(sent, null, target)).toEqual(leaveOutMore(stored, applied, target));
  });

  it('compare: a side that ignores one more item of the list is unchanged, not changed', () => {
    const side = (answer: unknown, ignorePaths: string[]): CaseSide => ({ dataset: 'ds', id: 'a', inputKey: '{}', seed: 7, answer, ignorePaths, answerText: null, passed: true, latencyMs: 1 });
    // Both answered [w, x, y]: the baseline left out item 0, the candidate items 0 and 1.
    expect(compareCase(side({ items: ['x', 'y'] }, ['/items/0']), side({ items: ['y'] }, ['/items/0', '/items/1'])).status).toBe('unchanged');
    expect(compareCase(side({ items: ['x', 'y'] }, ['/items/0']), side({ items: ['Y'] }, ['/items/0', '/items/1']))).toMatchObject({ status: 'changed', firstDifference: '/items/2' });
  });

  it('drift: a baseline that ignored /models_used/0, a run that also ignores /models_used/2: nothing drifted', async () => {
    const dir = project({ d: dataset('d', 3) }, { replay: { ignorePaths: ['/models_used/0'] } });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim', out: 'old' });
    fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ replay: { ignorePaths: ['/models_used/0', '/models_used/2'] } }));
    const now = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim,replay', baseline: 'old/snapshots/same.json' });
    expect(now.replay.drift).toMatchObject({ unchanged: 3, changed: 0, rate: 0, verdict: 'PASS' });
  });

  it('staging replay: a snapshot that left out /models_used/0, replayed with /models_used/1 ignored too, agrees', async () => {
    const dir = project({ d: dataset('d', 3, { defaults: { ignorePaths: ['/models_used/0'] } }) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'prod', stages: 'sim' });
    fs.writeFileSync(path.join(dir, 'testops.config.json'), JSON.stringify({ replay: { ignorePaths: ['/models_used/1'] } }));
    const settings = resolveSettings({ cwd: dir, flags: { engine: cmd(DRIFT_ENGINE), runId: 'staged', stages: 'replay' }, env: {} });
    const out = await runPipeline(settings, { stages: { replay: createReplayStage({ snapshotFile: '.toron-testops/snapshots/prod.json' }) } });
    const replay = readJson(out.paths.report).stages.replay;
    expect(replay).toMatchObject({ determinismScore: 100, agreed: 3, drift: { unchanged: 3, changed: 0 } });
  });
});
