import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmd, dataset, DRIFT_ENGINE, project, run } from './helpers.js';

describe('--baseline through a symbolic link to what the run overwrites', () => {
  it("a link to the run's own snapshot, or into its report folder, is refused like the file itself, and kept", async () => {
    const dir = project({ d: dataset('d', 4) });
    await run(dir, { engine: cmd(DRIFT_ENGINE), runId: 'same', stages: 'sim' });
    const snapshot = path.join(dir, '.toron-testops/snapshots/same.json');
    const before = fs.readFileSync(snapshot);
    const reportDir = path.join(dir, '.toron-testops/reports/same');
    const files = fs.readdirSync(reportDir).sort();
    fs.symlinkSync('.toron-testops/snapshots/same.json', path.join(dir, 'link.json'));
    fs.symlinkSync('.toron-testops/reports/same', path.join(dir, 'linkdir'));
    fs.symlinkSync('.toron-testops/reports/same/bundle.zip', path.join(dir, 'link.zip'));
    const cases = [
      ['link.json', "this run's own snapshot"],
      ['linkdir', "in this run's own report folder"],
      ['link.zip', "in this run's own report folder"],
    ];
    for (const [baseline, what] of cases) {
      // A build that changed one answer: compared with itself (SIM rewrote the snapshot first) it would pass.
      const now = await run(dir, { engine: cmd(DRIFT_ENGINE, '--alter', 'question 1'), runId: 'same', stages: 'sim,replay', baseline });
      expect(now.verdict, baseline).toBe('ERROR');
      expect(now.error).toBe(`--baseline ${baseline} is ${what} (run id same): the run would overwrite it before comparing with it; give this run another --run-id or --out, or copy the baseline elsewhere`);
      expect(fs.readFileSync(snapshot).equals(before)).toBe(true);
      expect(fs.readdirSync(reportDir).sort()).toEqual(files);
    }
  });
});
