import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReport } from '../../src/report/schema.js';
import { portableStack, runPipeline } from '../../src/runner/runner.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { ROOT, makeProject } from '../helpers/cli.js';

/**
 * An internal error (a bug, not bad input) ends the run in ERROR with its stack trace in the report.
 * The trace's frames name where toron-testops is installed, which is not under the working folder (a
 * runner's _actions folder): every file of the run names frames by file name alone (DESIGN §3.3).
 */
describe('an internal error in a stage', () => {
  it('is reported with its stack, without the paths of the machine', async () => {
    const cwd = makeProject({});
    const settings = resolveSettings({ cwd, flags: { out: 'out', runId: 'bug', stages: 'sim', engine: 'reference' }, env: {} });
    // A stage with a bug: the stage registry is how stages are added (DESIGN §2).
    const outcome = await runPipeline(settings, {
      stages: { sim: { name: 'sim', run: async () => { throw new TypeError('cannot read properties of undefined'); } } },
      env: {},
    });
    expect(outcome.verdict).toBe('ERROR');
    const dir = path.join(cwd, 'out', 'reports', 'bug');
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8'));
    expect(validateReport(report)).toEqual({ ok: true });
    expect(report.error.kind).toBe('internal');
    expect(report.error.message).toMatch(/TypeError: cannot read properties of undefined\n\s+at .*internal-error\.test\.ts:\d+:\d+/);
    for (const f of ['report.json', 'report.html', 'summary.md', 'result.json', 'run.log', 'warroom.log']) {
      const text = fs.readFileSync(path.join(dir, f), 'utf8');
      expect(text, f).not.toContain(ROOT);
      expect(text, f).not.toContain(cwd);
    }
  });

  it('portableStack keeps file names, lines and node: frames; drops folders (POSIX, file: URLs, Windows)', () => {
    const stack = [
      'Error: x',
      '    at f (file:///home/runner/work/_actions/ryuzen/toron-testops/v2/dist/index.js:12:5)',
      '    at /usr/lib/node_modules/toron-testops/dist/index.js:3:9',
      '    at g (C:\\actions\\toron\\dist\\index.js:1:2)',
      '    at Module._compile (node:internal/modules/cjs/loader:1929:14)',
      '    at async Promise.all (index 0)',
    ].join('\n');
    expect(portableStack(stack)).toBe(
      ['Error: x', '    at f (index.js:12:5)', '    at index.js:3:9', '    at g (index.js:1:2)', '    at Module._compile (node:internal/modules/cjs/loader:1929:14)', '    at async Promise.all (index 0)'].join('\n'),
    );
  });
});
