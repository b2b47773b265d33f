import path from 'node:path';
import { makeProject, readJson, ROOT } from '../helpers/cli.js';
import { runPipeline, type RunOutcome } from '../../src/runner/runner.js';
import { resolveSettings, type SettingsFlags } from '../../src/settings/resolve.js';

export const PROCESS_SEEDED = path.join(ROOT, '__tests__/fixtures/replay/process-seeded.mjs');
export const DRIFT_ENGINE = path.join(ROOT, '__tests__/fixtures/replay/drift-engine.mjs');
export const cmd = (script: string, ...args: string[]) => `cmd:${process.execPath} ${script}${args.length ? ` ${args.map((a) => `'${a}'`).join(' ')}` : ''}`;

export interface DatasetCase {
  id: string;
  input: Record<string, unknown>;
  [k: string]: unknown;
}

/** A dataset of `n` cases `c0..c(n-1)` asking "question i" (or `prompt(i)`), no assertions. */
export function dataset(name: string, n: number, opts: { prompt?: (i: number) => string; defaults?: Record<string, unknown>; extra?: (i: number) => Record<string, unknown> } = {}) {
  return {
    name,
    description: 'replay test',
    seed: 1,
    defaults: { assert: [], ...opts.defaults },
    cases: Array.from({ length: n }, (_, i) => ({ id: `c${i}`, input: { prompt: opts.prompt ? opts.prompt(i) : `question ${i}` }, ...opts.extra?.(i) })),
  };
}

/** A project folder with these datasets registered (and a config file when given). */
export function project(ds: Record<string, unknown>, config: Record<string, unknown> = {}, files: Record<string, unknown> = {}): string {
  const entries = Object.keys(ds).map((name) => ({ name, path: `${name}.json`, enabled: true, tags: [] }));
  const all: Record<string, unknown> = { 'sim/sim_dataset.json': { datasets: entries }, 'testops.config.json': config, ...files };
  for (const [name, d] of Object.entries(ds)) all[`sim/${name}.json`] = d;
  return makeProject(all);
}

/** A run in this process (fast: no CLI start-up), through the real settings and runner. */
export async function run(dir: string, flags: SettingsFlags, opts: { signal?: AbortSignal } = {}): Promise<RunOutcome & { replay: any; reportJson: any }> {
  const settings = resolveSettings({ cwd: dir, flags, env: process.env });
  const outcome = await runPipeline(settings, { env: process.env, signal: opts.signal });
  const reportJson = outcome.report ? readJson(outcome.paths.report) : null;
  return { ...outcome, replay: reportJson?.stages?.replay, reportJson };
}
