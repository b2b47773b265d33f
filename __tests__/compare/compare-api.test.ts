import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareEngines } from '../../src/compare/compare.js';
import type { RunEvent, Sink } from '../../src/runner/events.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';
import { ROOT, makeProject } from '../helpers/cli.js';

/** compareEngines in process, as the action calls it. */

function project(): string {
  const dir = makeProject({ 'testops.config.json': { engines: { old: { target: 'reference', profile: 'toron-2.5h' } } } });
  fs.cpSync(path.join(ROOT, 'sim'), path.join(dir, 'sim'), { recursive: true });
  return dir;
}

describe('compareEngines', () => {
  it('runs the baseline, then the candidate, through the given sinks (closed once, at the end)', async () => {
    const dir = project();
    const settings = resolveSettings({ cwd: dir, flags: { runId: 'api', stages: 'sim' }, env: {} });
    const events: RunEvent[] = [];
    let closed = 0;
    const sink: Sink = { name: 'test', handle: (e) => events.push(e), close: () => void closed++ };
    const o = await compareEngines({ settings, candidate: 'reference', baseline: 'old', sinks: [sink], env: {} });
    expect(o.verdict).toBe('PASS');
    expect(o.exitCode).toBe(0);
    expect(o.promote).toBe(true);
    expect(o.error).toBeNull();
    expect(o.baseline?.verdict).toBe('PASS');
    expect(o.candidate.verdict).toBe('PASS');
    expect(o.comparison.baseline).toMatchObject({ spec: 'old', version: 'old', engine: { profile: 'toron-2.5h' } });
    expect(o.comparison.candidate).toMatchObject({ spec: 'reference', version: null, engine: { profile: 'auto' } });
    expect(o.comparison.counts.unchanged).toBe(86);
    // load and replay did not run: their numbers are not available on either side.
    expect(o.comparison.metrics.p95Ms).toEqual({ baseline: null, candidate: null, delta: null, deltaPct: null });
    expect(o.comparison.rules.find((r) => r.name === 'determinismDrop')!.status).toBe('not-available');
    // Two runs' events, in order: the baseline's done before the candidate's start.
    const done = events.filter((e) => e.type === 'done');
    expect(done.map((e) => (e as { reportDir: string }).reportDir)).toEqual([o.baseline!.paths.reportDir, o.candidate.paths.reportDir]);
    expect(closed).toBe(1);
    expect(fs.existsSync(o.paths.json) && fs.existsSync(o.paths.markdown)).toBe(true);
    expect(o.paths.dir).toBe(path.join(dir, '.toron-testops', 'compare', 'api'));
    // compare gives its candidate's run the baseline's snapshot itself: no "unused --baseline" warning
    // about a flag the user never gave, though replay did not run.
    const logs = events.filter((e) => e.type === 'log').map((e) => (e as { message: string }).message);
    expect(logs.some((m) => m.includes('is not used'))).toBe(false);
    expect(fs.readFileSync(path.join(o.candidate.paths.reportDir, 'run.log'), 'utf8')).not.toContain('is not used');
  });

  it('a baseline snapshot outside the working directory, given absolute, is named relative in comparison.json (also in its notes)', async () => {
    const elsewhere = project();
    await compareEngines({ settings: resolveSettings({ cwd: elsewhere, flags: { runId: 'old', stages: 'sim' }, env: {} }), candidate: 'reference', baseline: 'old', env: {} });
    // The baseline's report is damaged: the note saying so must not print where it lies on this machine.
    fs.writeFileSync(path.join(elsewhere, '.toron-testops/reports/old/report.json'), '{');
    const abs = path.join(elsewhere, '.toron-testops/snapshots/old.json');
    const dir = project();
    // The same run id (same seeds), in another folder.
    const settings = resolveSettings({ cwd: dir, flags: { runId: 'old', stages: 'sim' }, env: {} });
    const o = await compareEngines({ settings, candidate: 'reference', baseline: abs, env: {} });
    expect(o.comparison.counts.unchanged).toBe(86);
    expect(o.comparison.baseline.spec).toBe(path.relative(dir, abs));
    expect(o.comparison.notes.join('\n')).toMatch(/the baseline's report \.\.\/.*report\.json could not be read/);
    for (const file of [o.paths.json, o.paths.markdown]) expect(fs.readFileSync(file, 'utf8').includes(elsewhere), file).toBe(false);
  });

  it('a cmd: engine given with absolute paths is named without them in comparison.json and comparison.md', async () => {
    const dir = project();
    // The drift fixture engine answers every prompt; its script and node lie outside the project.
    const candidate = `cmd:${process.execPath} ${path.join(ROOT, '__tests__/fixtures/replay/drift-engine.mjs')}`;
    const settings = resolveSettings({ cwd: dir, flags: { runId: 'abs', stages: 'sim' }, env: {} });
    const o = await compareEngines({ settings, candidate, baseline: 'reference', env: {} });
    expect(o.comparison.candidate.spec).toBe(`cmd:…/${path.basename(process.execPath)} …/drift-engine.mjs`);
    expect(o.comparison.candidate.engine?.target).toBe(`cmd:…/${path.basename(process.execPath)} …/drift-engine.mjs`);
    for (const file of [o.paths.json, o.paths.markdown]) {
      const text = fs.readFileSync(file, 'utf8');
      for (const p of [ROOT, path.dirname(process.execPath)]) expect(text.includes(p), `${file} names ${p}`).toBe(false);
    }
  });

  it('throws an InputError for a spec it cannot place, before anything runs', async () => {
    const dir = project();
    const settings = resolveSettings({ cwd: dir, flags: { runId: 'bad' }, env: {} });
    await expect(compareEngines({ settings, candidate: 'nope', baseline: 'reference', env: {} })).rejects.toBeInstanceOf(InputError);
    await expect(compareEngines({ settings, candidate: 'cmd:a | b', baseline: 'reference', env: {} })).rejects.toThrow(/flag --candidate/);
    expect(fs.existsSync(path.join(dir, '.toron-testops'))).toBe(false);
  });
});
