import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, readJson, runCli } from '../helpers/cli.js';

/**
 * Legs whose pipeline tallies an older toron-testops wrote (fixtures/merge/legacy-pipeline-legs: the
 * dist of 78c197f, before the expected-escalation check) have no tally for a check this version judges
 * on every answer. `uses: ...@v2` floats, so the merge job (or a re-run of it) can be newer than its
 * legs: a tally that is not there must not be read as "no answer checked".
 */
const FIX = path.join(ROOT, '__tests__/fixtures/merge/legacy-pipeline-legs');

describe('merge of legs whose pipeline tallies an older toron-testops wrote', () => {
  it('is ERROR for the pipeline, naming the missing check and what to do, and keeps the rest', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-legacy-pipeline-'));
    fs.cpSync(FIX, dir, { recursive: true });
    const r = await runCli(['merge', 'leg-1', 'leg-2', '--out', 'merged'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const report = readJson(path.join(dir, 'merged', 'reports', 'legacy-pipeline', 'report.json'));
    expect(report.verdict).toBe('ERROR');
    expect(report.stages.pipeline.verdict).toBe('ERROR');
    expect(report.stages.pipeline.reason).toMatch(/older toron-testops.*expected-escalation.*Run the legs again with this toron-testops version/s);
    expect(report.stages.sim).toMatchObject({ verdict: 'PASS', total: 4 });
  }, 60_000);
});
