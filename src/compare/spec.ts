import fs from 'node:fs';
import path from 'node:path';
import { parseEngineSpec, redactTarget } from '../engine/spec.js';
import { portableTarget } from '../snapshot/portable.js';
import type { ProfileName, Settings } from '../settings/types.js';
import { InputError } from '../util/errors.js';

/**
 * What `--candidate` / `--baseline` name: a version key of the engine map (its target AND profile:
 * an old build is read through the profile it was made with), an engine SPEC, or (baseline only) a
 * snapshot file, report folder or bundle. A version key wins over a file of the same name.
 */
export type SideSpec =
  | { kind: 'engine'; given: string; version: string | null; target: string; profile: ProfileName }
  | { kind: 'snapshot'; given: string };

const ENGINE_SPEC = /^(reference$|cmd:|https?:\/\/)/i;

export function resolveSideSpec(given: string, settings: Settings, role: 'candidate' | 'baseline'): SideSpec {
  const flag = `--${role}`;
  const spec = given.trim();
  if (spec === '') throw new InputError(`flag ${flag} must not be empty`);
  if (Object.hasOwn(settings.engines, spec)) {
    const e = settings.engines[spec];
    return { kind: 'engine', given: spec, version: spec, target: e.target, profile: e.profile };
  }
  if (ENGINE_SPEC.test(spec)) {
    try {
      parseEngineSpec(spec);
    } catch (err) {
      throw new InputError(`flag ${flag}: ${(err as Error).message}`);
    }
    // A plain spec is read through the configured profile, as `run --engine SPEC` would.
    return { kind: 'engine', given: spec, version: null, target: spec, profile: settings.engine.profile };
  }
  const known = Object.keys(settings.engines).sort();
  const versions = known.length ? `a version of the engine map (${known.map((k) => JSON.stringify(k)).join(', ')})` : 'a version of the config\'s engine map (it has none)';
  if (role === 'baseline' && fs.existsSync(path.resolve(settings.cwd, spec))) return { kind: 'snapshot', given: spec };
  const forms = role === 'baseline' ? `an engine SPEC (reference, http(s)://..., cmd:...), ${versions}, or an existing snapshot file, report folder or bundle.zip` : `an engine SPEC (reference, http(s)://..., cmd:...) or ${versions}`;
  throw new InputError(`flag ${flag}: ${JSON.stringify(redactTarget(spec))} is not ${forms}`);
}

/** The settings of one side's run: its engine (target, profile, version key), the rest shared. */
export function sideSettings(base: Settings, side: Extract<SideSpec, { kind: 'engine' }>, over: { out?: string; baseline: string | null }): Settings {
  return {
    ...base,
    engine: { ...base.engine, target: side.target, profile: side.profile },
    engineVersion: side.version,
    baseline: over.baseline,
    ...(over.out !== undefined ? { out: over.out } : {}),
  };
}

/**
 * A side as comparison.json and comparison.md name it: an engine spec without secrets and without the
 * machine's paths (`cmd:node /home/runner/engine.js` shows as `cmd:node …/engine.js`, as in snapshots).
 */
export function shownSpec(side: SideSpec, cwd: string): string {
  if (side.kind !== 'engine') return side.given;
  return side.version === null ? portableTarget(side.given, cwd) : redactTarget(side.given);
}
