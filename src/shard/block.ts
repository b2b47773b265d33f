import { canonicalJson, sha256Hex } from '../replay/canonical.js';
import type { Settings } from '../settings/types.js';
import { portablePath, settingsHash } from '../snapshot/portable.js';
import { FORMAT_REVISION } from '../util/tool.js';

/**
 * report.json's `shard` block: which slice this run is, a fingerprint of everything that must agree
 * between the shards of one run, and the verdict rules `merge` needs to judge the union again (merge
 * reads no config file: the shards carry their rules).
 */
export interface ShardRules {
  stages: Settings['stages'];
  failOn: Settings['failOn'];
  engineProfile: Settings['engine']['profile'];
  sim: { passRate: Settings['sim']['passRate'] };
  replay: Settings['replay'];
  pipeline: Settings['pipeline'];
  load: Settings['load'];
  baseline: string | null;
}

export interface ShardBlock {
  index: number;
  total: number;
  /** sha256 of the portable settings (no run id, paths of the machine or shard) and the baseline. */
  fingerprint: string;
  rules: ShardRules;
}

export function shardRules(s: Settings): ShardRules {
  return {
    stages: [...s.stages],
    failOn: s.failOn,
    engineProfile: s.engine.profile,
    sim: { passRate: { ...s.sim.passRate } },
    replay: s.replay,
    pipeline: s.pipeline,
    load: s.load,
    baseline: s.baseline === null ? null : portablePath(s.baseline, s.cwd),
  };
}

export function shardFingerprint(s: Settings): string {
  // SIM concurrency is left out: seeds come from the run id and the case, so it changes no answer, and
  // legs on runners of different sizes may set it to their cores.
  const shared: Settings = { ...s, sim: { ...s.sim, concurrency: 0 } };
  // The format revision too: legs whose files mean different things are not one run (merge says so by name).
  return sha256Hex(
    canonicalJson({ settings: settingsHash(shared), baseline: s.baseline === null ? null : portablePath(s.baseline, s.cwd), formatRevision: FORMAT_REVISION }),
  );
}

export function shardBlock(s: Settings): ShardBlock | null {
  if (!s.shard) return null;
  return { index: s.shard.index, total: s.shard.total, fingerprint: shardFingerprint(s), rules: shardRules(s) };
}
