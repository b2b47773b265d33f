import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { createReplayStage } from '../../src/stages/replay/stage.js';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

// A snapshot whose stored answer is nested deeper than this machine's stack can canonicalise (one
// written where the stack is larger, or a damaged file): checking the answer against its hash threw
// RangeError, and the replay, or the run using it as a baseline, ended as "internal error: RangeError:
// Maximum call stack size exceeded" with a stack trace. It is bad input: a clear error naming the file,
// the line and the case, as for an answer edited under its old hash.

describe('a stored answer with no canonical form on this machine', () => {
  it('is refused naming file, line and case, as a replayed snapshot and as a baseline', async () => {
    const dir = project({ d: dataset('d', 3) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'orig', stages: 'sim' });
    const lines = fs.readFileSync(path.join(dir, '.toron-testops/snapshots/orig.json'), 'utf8').split('\n');
    const at = lines.findIndex((l) => l.includes('"id":"c1"'));
    lines[at] = lines[at].replace(/"answer":.*\}(,?)$/, `"answer":{"trace":${'['.repeat(50_000)}${']'.repeat(50_000)}}}$1`);
    fs.writeFileSync(path.join(dir, 'deep.json'), lines.join('\n'));
    const message = new RegExp(`^deep\\.json:${at + 1} at /cases/1/answer case "c1": the stored answer \\(dataset d\\) has no canonical form on this machine \\(nested too deeply\\)`);

    const settings = resolveSettings({ cwd: dir, flags: { engine: cmd(DRIFT_ENGINE), runId: 'staged', stages: 'replay' }, env: process.env });
    const staged = await runPipeline(settings, { env: process.env, stages: { replay: createReplayStage({ snapshotFile: 'deep.json' }) } });
    expect(staged.verdict).toBe('ERROR');
    expect(staged.report!.error!.message).toMatch(message);
    expect(staged.report!.error!.message).not.toContain('RangeError');

    const asBaseline = await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'next', stages: 'sim,replay', baseline: 'deep.json' });
    expect(asBaseline.verdict).toBe('ERROR');
    expect(asBaseline.reportJson.error.message).toMatch(message);
  }, 60_000);
});
