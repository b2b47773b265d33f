import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readZipFile } from '../../src/github/zip.js';
import { FAILING, repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, MAIN_DIST, runAction } from '../helpers/action.js';
import { withEmu } from '../helpers/github-emulator.js';

/**
 * The committed bundle, as `uses: ryuzen/toron-testops@v2` runs it: dist/index.js (and the chunks it
 * loads on demand), nothing from src/. Built by `npm run build`.
 */
describe('dist/index.js end to end', { timeout: E2E_TIMEOUT }, () => {
  it('a failing PR: check run in batches, sticky comment, artifact bytes equal the bundle, outputs, exit 1', () =>
    withEmu(async (emu) => {
      expect(fs.existsSync(MAIN_DIST), 'dist/index.js is missing: npm run build').toBe(true);
      const ws = repoWith(FAILING);
      const r = await runAction({ workspace: ws, emu, entry: 'dist', inputs: { annotations: 'checks', 'pr-comment': 'always', 'run-id': 'dist-1' } });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.stderr).toBe('');
      expect(r.outputs).toMatchObject({ result: 'fail', promote: 'false', 'sim-pass-rate': '0.5' });

      const rd = path.join(ws, '.toron-testops/reports/dist-1');
      const art = emu.artifacts.find((a) => a.name === 'toron-testops-gate')!;
      expect(readZipFile(emu.artifactBytes(art)!, 'bundle.zip')!.equals(fs.readFileSync(path.join(rd, 'bundle.zip')))).toBe(true);
      expect(r.outputs['artifact-id']).toBe(String(art.id));

      expect(emu.checkRuns).toHaveLength(1);
      expect(emu.checkRuns[0]).toMatchObject({ conclusion: 'failure', head_sha: 'a'.repeat(40) });
      expect(emu.checkRuns[0].annotations[0]).toMatchObject({ path: 'sim/gate.json', annotation_level: 'failure' });
      const comments = emu.comments.get(42) ?? [];
      expect(comments).toHaveLength(1);
      expect(comments[0].body).toContain('toron-testops:comment');
      expect(annotations(r).at(-1)!.message).toMatch(/^toron-testops FAIL: /);
      expect(r.summary).toContain(`artifacts/${art.id}`);
    }));
});
