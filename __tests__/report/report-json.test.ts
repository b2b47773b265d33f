import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/report/report-json.js';
import { validateReport } from '../../src/report/schema.js';
import { runPaths } from '../../src/runner/paths.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { makeProject } from '../helpers/cli.js';

describe('buildReport', () => {
  it('a wall clock stepped back during the run gives durationMs 0, not a negative that fails the schema', () => {
    const cwd = makeProject({});
    const settings = resolveSettings({ cwd, flags: { out: 'out', runId: 'clock', stages: 'sim', engine: 'reference' }, env: {} });
    const report = buildReport({
      settings,
      paths: runPaths(cwd, 'out', 'clock'),
      verdict: 'ERROR',
      reason: 'ERROR (not a test verdict): x',
      startedAt: new Date('2026-01-01T00:00:05.000Z'),
      finishedAt: new Date('2026-01-01T00:00:02.000Z'),
      cancelled: false,
      error: { kind: 'input', message: 'x' },
      engine: { kind: 'reference', target: 'reference', version: null, profile: 'auto' },
      results: {},
      findings: [],
    });
    expect(report.durationMs).toBe(0);
    expect(validateReport(report)).toEqual({ ok: true });
  });
});
