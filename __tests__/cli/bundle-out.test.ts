import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

describe('`toron-testops bundle --out` replaces a previous bundle, never another file', () => {
  it('an --out that is the history database or the WAR ROOM log is refused (exit 2), the file untouched', async () => {
    const dir = project({ d: dataset('d', 3) });
    const r = await run(dir, { engine: 'reference', runId: 'b1', stages: 'sim', out: 'out' });
    expect(r.verdict).toBe('PASS');
    const rel = path.relative(dir, r.paths.reportDir);
    for (const given of ['out/testops.db', 'out/warroom/warroom.log']) {
      const before = fs.readFileSync(path.join(dir, given));
      const b = await runCli(['bundle', rel, '--out', given], { cwd: dir });
      expect(b.code, b.stdout).toBe(2);
      expect(b.stderr).toContain(`--out ${given} is an existing file that is not a zip archive`);
      expect(fs.readFileSync(path.join(dir, given)).equals(before), given).toBe(true);
    }
    // A previous bundle is replaced, and a new file written.
    fs.copyFileSync(path.join(r.paths.reportDir, 'bundle.zip'), path.join(dir, 'old.zip'));
    for (const given of ['old.zip', 'new.zip']) {
      const b = await runCli(['bundle', rel, '--out', given], { cwd: dir });
      expect(b.code, b.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, given)).equals(fs.readFileSync(path.join(r.paths.reportDir, 'bundle.zip')))).toBe(true);
    }
  }, 60_000);
});
