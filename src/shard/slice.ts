import { deriveSeed } from '../util/seed.js';

/**
 * Which shard runs a case. Case ids are unique only within their dataset (two datasets may both have
 * "greeting"), so a case is identified run-wide by dataset name + id. The shard is a hash of that key
 * alone: it does not depend on the other cases, their order or the run id, so adding or removing a
 * case never moves another one between shards, and a case stays in the same shard from run to run.
 */
export interface CaseKey {
  dataset: string;
  id: string;
}

export interface ShardSpec {
  /** 1-based. */
  index: number;
  total: number;
}

/** 1..total. */
export function shardOfCase(key: CaseKey, total: number): number {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shard total must be a whole number >= 1 (got ${total})`);
  return (deriveSeed('toron-testops-shard', key.dataset, key.id) % total) + 1;
}

export function inShard(key: CaseKey, shard: ShardSpec | null): boolean {
  return shard === null || shard.total === 1 || shardOfCase(key, shard.total) === shard.index;
}

/** The cases of one shard, each with its index in the full (unsliced) list, in the full list's order. */
export function sliceCases<T extends CaseKey>(cases: readonly T[], shard: ShardSpec | null): { case: T; index: number }[] {
  const out: { case: T; index: number }[] = [];
  for (let i = 0; i < cases.length; i++) if (inShard(cases[i], shard)) out.push({ case: cases[i], index: i });
  return out;
}

export function shardLabel(shard: ShardSpec): string {
  return `${shard.index}/${shard.total}`;
}
