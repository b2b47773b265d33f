import path from 'node:path';
import { mergeShards } from '../merge/merge.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { errorMessage } from '../util/errors.js';
import { artifactServiceProblem } from '../github/artifact.js';
import { downloadRawArtifact, listRunArtifacts, readBounded, unpackReportArtifact, type RunArtifact } from '../github/run-artifacts.js';
import { ZipError } from '../github/zip.js';
import type { ActionContext } from './action-context.js';
import { withinBudget } from './cancel.js';
import { EVENT_RECORD_MAX_BYTES, parseEventRecord } from './event-record.js';
import { errorOutcome, fromRun, type ActionOutcome } from './outcome.js';
import { shardPrefix, type Prepared } from './prepare.js';

const LIST_TIMEOUT_MS = 60_000;
const DOWNLOAD_TIMEOUT_MS = 5 * 60_000;

/**
 * `<name>-shard-<i>-of-<n>`, or `...-<k>`: a leg re-run in a later attempt of the workflow run ("Re-run
 * failed jobs") finds its name taken by the attempt before (artifacts are immutable) and uploads under
 * the next free suffix (artifact.ts). Captures: name, i, n.
 */
const LEG = /^(.+)-shard-(\d+)-of-(\d+)(?:-\d+)?$/;

/** The `<name>` of every `<name>-shard-<i>-of-<n>` artifact in the list. */
export function shardPrefixes(list: RunArtifact[]): string[] {
  return [...new Set(list.flatMap((a) => LEG.exec(a.name)?.[1] ?? []))].sort();
}

/**
 * `<name>-shard-<i>-of-<n>` artifacts of this run, one per leg (the newest: a re-run's, not the stale
 * one of the attempt it replaced), in leg order; the `.html` pages are not legs.
 */
export function shardLegs(list: RunArtifact[], name: string): (RunArtifact & { index: number; total: number })[] {
  const newest = new Map<string, RunArtifact & { index: number; total: number }>();
  for (const a of list) {
    const m = LEG.exec(a.name);
    if (!m || m[1] !== name) continue;
    const leg = { ...a, index: Number(m[2]), total: Number(m[3]) };
    const key = `${leg.index}/${leg.total}`;
    const seen = newest.get(key);
    if (!seen || leg.id > seen.id) newest.set(key, leg); // ids grow: the higher one was uploaded later
  }
  return [...newest.values()].sort((a, b) => a.index - b.index || a.total - b.total);
}

export interface LegAttempt {
  index: number;
  total: number;
  /** The workflow run attempt the leg ran in (its event.json), or null when not known. */
  attempt: number | null;
}

/** The run attempt a leg's artifact records in its event.json, or null. */
function legAttempt(eventRecord: string | null): number | null {
  if (!eventRecord) return null;
  try {
    return parseEventRecord(readBounded(eventRecord, EVENT_RECORD_MAX_BYTES) ?? '')?.runAttempt ?? null;
  } catch {
    return null;
  }
}

/**
 * The warning for legs of one merge that ran in different attempts of the workflow run, or null. That
 * is what "Re-run failed jobs" leaves (the legs that passed are kept from the attempt before), and it
 * is fine; but the merged result then joins runs made at different times, which the user should see.
 */
export function mixedAttemptsNote(legs: LegAttempt[]): string | null {
  const known = [...new Set(legs.flatMap((l) => (l.attempt === null ? [] : [l.attempt])))];
  if (known.length < 2) return null;
  const each = legs.map((l) => `shard ${l.index}/${l.total}: attempt ${l.attempt ?? 'unknown'}`).join('; ');
  return (
    `mode: merge: the legs come from different attempts of this workflow run (${each}): ` +
    'as after "Re-run failed jobs", which keeps the legs that passed; the merged result joins runs of the engine made at different times'
  );
}

/**
 * `mode: merge`: every shard leg's artifact of this workflow run, downloaded and unpacked safely, then
 * merged into one run (report, verdict, bundle) that is published like any run. Never throws.
 */
export async function mergeGate(ctx: ActionContext, p: Prepared): Promise<ActionOutcome> {
  const settings = p.settings!;
  const runtime = artifactServiceProblem(ctx.env);
  if (runtime) return errorOutcome(`mode: merge: ${runtime}`);
  let base = p.inputs?.artifactName ?? p.artifactName;
  const inputs: string[] = [];
  try {
    const all = await withinBudget(ctx.cancel, LIST_TIMEOUT_MS, 'listing the run\'s artifacts', listRunArtifacts(null));
    if (!p.inputs?.artifactName) {
      // No name given: the legs ran in another job (another default name); take the one set there is.
      const prefixes = shardPrefixes(all);
      if (prefixes.length > 1) return errorOutcome(`mode: merge: this run has shard artifacts of several names (${prefixes.join(', ')}): set artifact-name to the one to merge`);
      if (prefixes.length === 1) base = prefixes[0];
      p.artifactName = base; // the merged run is published under the legs' name
    }
    const legs = shardLegs(all, base);
    if (legs.length === 0) {
      return errorOutcome(`mode: merge: this run has no shard artifacts named ${shardPrefix(base)}<i>-of-<n> (it has: ${all.map((a) => a.name).join(', ') || 'none'}); give the shard legs and the merge job the same artifact-name`);
    }
    const totals = [...new Set(legs.map((l) => l.total))];
    if (totals.length > 1) return errorOutcome(`mode: merge: the shard artifacts disagree on the number of shards (${totals.join(', ')})`);
    const missing = Array.from({ length: totals[0] }, (_, i) => i + 1).filter((i) => !legs.some((l) => l.index === i));
    if (missing.length) ctx.log.warning(`mode: merge: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${totals[0]} did not upload an artifact; merging the ${legs.length} there are`);
    const dir = path.join(path.resolve(settings.cwd, settings.out), 'shards');
    const taken: LegAttempt[] = [];
    for (const leg of legs) {
      const zip = await withinBudget(ctx.cancel, DOWNLOAD_TIMEOUT_MS, `downloading ${leg.name}`, downloadRawArtifact(leg, null, path.join(dir, 'download', leg.name)));
      const got = unpackReportArtifact(zip, path.join(dir, leg.name));
      inputs.push(got.bundle ?? got.reportDir);
      const attempt = legAttempt(got.eventRecord);
      taken.push({ index: leg.index, total: leg.total, attempt });
      ctx.log.info(`toron-testops: shard ${leg.index}/${leg.total}: artifact ${leg.name} (${leg.id}) from attempt ${attempt ?? 'unknown (no event.json)'}`);
    }
    const mixed = mixedAttemptsNote(taken);
    if (mixed) ctx.log.warning(mixed);
  } catch (err) {
    const why = err instanceof ZipError ? `unsafe or damaged archive: ${err.message}` : errorMessage(err).split('\n')[0];
    return errorOutcome(`mode: merge: the shard artifacts could not be read: ${why}`);
  }
  ctx.log.group(`toron-testops merge (${inputs.length} shards)`);
  try {
    const outcome = await mergeShards(inputs, {
      cwd: settings.cwd,
      out: settings.out,
      failOn: settings.failOn,
      env: ctx.env,
      signal: ctx.cancel.signal,
      sinks: [new ConsoleSink({ write: (s) => ctx.log.raw(s), verbose: ctx.gh.debug })],
    });
    return fromRun(outcome, ctx.cancel.signal.aborted);
  } catch (err) {
    return errorOutcome(`mode: merge: ${errorMessage(err)}`);
  } finally {
    ctx.log.endGroup();
  }
}
