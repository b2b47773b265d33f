import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { relPath, runPaths } from '../runner/paths.js';
import { runPipeline } from '../runner/runner.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { resolveSettings } from '../settings/resolve.js';
import { createReplayStage } from '../stages/replay/stage.js';
import { InputError, errorMessage } from '../util/errors.js';
import { RUN_OPTIONS, parseRunFlags, verdictBlock } from './run-command.js';
import { neutralise } from '../github/commands.js';

export const REPLAY_USAGE = `toron-testops replay SNAPSHOT [options]

Replays a stored snapshot (<out>/snapshots/<run_id>.json, a report folder or its report.json, or a
bundle.zip: the same forms as --baseline) against an engine — another build, a staging deployment — and answers: does it answer as the snapshot did?
Each case is asked with the snapshot's input and seed, --replay-rounds times. The determinism score is
the share of cases whose every answer equals the snapshot's (canonical form: ignorePaths removed, keys
sorted); cases that answer stably but differently are listed as drift (changed), unstable ones as noise.

  --engine SPEC            reference | http(s)://host/run | cmd:<argv> (default: the config's engine)
  --config FILE            testops.config.json (replay.ignorePaths, thresholds, engine map)
  --engine-version V       the target and profile of version V from the config's engine map
  --profile P              auto | toron-2.5h | toron-2.5h-stability | toron-3 | custom
  --out DIR                output folder (default .toron-testops)
  --run-id ID              id of this replay run (its report folder)
  --baseline FILE          compare drift with this snapshot, report folder or bundle instead
  --replay-rounds N        answers per case (default 3)
  --replay-fresh-process   a fresh engine process for every round (cmd: engines)
  --fail-on LEVEL          fail | warn | never (exit code policy)
  --concurrency N          requests in flight
  --timeout-ms N           per-request timeout
  reference engine knobs:  --generation 2.5h|2.5h-stability|3 --latency-ms N --error-rate P
                           --nondeterminism P --crash-after N --stall-ms N --seed S
  -v, --verbose            debug lines on the console

Exit codes: 0 PASS or WARN (1 on WARN with --fail-on warn), 1 FAIL (0 with --fail-on never), 2 ERROR (not a test verdict).`;

/** Splits `replay SNAPSHOT [flags]` into the snapshot and the flags `run` understands. */
export function parseReplayArgs(argv: string[]): { snapshot: string | null; rest: string[] } {
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true, tokens: true }));
  } catch (err) {
    throw new InputError(`${errorMessage(err)} (see toron-testops replay --help)`);
  }
  const positionals = tokens.filter((t) => t.kind === 'positional');
  if (positionals.length > 1) {
    throw new InputError(`replay takes one snapshot, got ${positionals.length}: ${positionals.map((p) => p.value).join(' ')}`);
  }
  const at = positionals[0]?.index;
  return { snapshot: positionals[0]?.value ?? null, rest: argv.filter((_, i) => i !== at) };
}

/**
 * A run empties its report folder first: a SNAPSHOT inside the folder of this replay's own run id (the
 * bundle.zip of the run being replayed, given with its --run-id) would be deleted before it is read,
 * along with the report of the run it came from.
 */
function refuseOwnReportFolder(snapshot: string, settings: { cwd: string; out: string; runId: string }): void {
  const { reportDir, snapshot: ownSnapshot } = runPaths(settings.cwd, settings.out, settings.runId);
  const abs = path.resolve(settings.cwd, snapshot);
  // <out>/snapshots/<run_id>.json of this very run id: the replay would replace that run's report folder
  // (report, bundle) and leave its snapshot beside a replay's report under one run id.
  if (sameFile(abs, ownSnapshot)) {
    throw new InputError(
      `${snapshot} is the snapshot of run ${settings.runId}, whose report folder this replay (run id ${settings.runId}) would replace: give the replay another --run-id or --out`,
    );
  }
  if (abs !== reportDir && !abs.startsWith(reportDir + path.sep)) return;
  throw new InputError(
    `${snapshot} is in the report folder of run ${settings.runId}, which this replay (run id ${settings.runId}) empties before reading it: give the replay another --run-id or --out`,
  );
}

/** By real path when both exist (a symbolic link to the snapshot is the snapshot), else by path. */
function sameFile(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return fs.realpathSync(a) === fs.realpathSync(b);
  } catch {
    return false;
  }
}

/** `toron-testops replay SNAPSHOT`: the pipeline with only the replay stage, fed by a stored snapshot. */
export async function replayCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  let settings;
  let snapshot: string;
  let verbose = false;
  try {
    const split = parseReplayArgs(argv);
    const parsed = parseRunFlags(split.rest);
    verbose = parsed.verbose;
    if (parsed.help) {
      process.stdout.write(REPLAY_USAGE + '\n');
      return 0;
    }
    if (split.snapshot === null) throw new InputError('replay needs a snapshot file: toron-testops replay SNAPSHOT --engine SPEC');
    if (parsed.flags.stages !== undefined) throw new InputError('replay runs the replay stage only: --stages does not apply');
    if (parsed.flags.shard !== undefined) throw new InputError('replay replays the whole snapshot: --shard does not apply');
    snapshot = split.snapshot;
    settings = resolveSettings({ cwd: io.cwd, configPath: parsed.flags.config, flags: { ...parsed.flags, stages: ['replay'] }, env: io.env });
    refuseOwnReportFolder(snapshot, settings);
  } catch (err) {
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${errorMessage(err)}\n`));
    return 2;
  }
  const outcome = await runPipeline(settings, {
    sinks: [new ConsoleSink({ verbose })],
    signal: io.signal,
    env: io.env,
    stages: { replay: createReplayStage({ snapshotFile: snapshot }) },
  });
  let block = verdictBlock(outcome, io.cwd);
  if (fs.existsSync(outcome.paths.replaySummary)) {
    block = block.replace(/\nExit code:/, `\n  ${relPath(io.cwd, outcome.paths.replaySummary)}\nExit code:`);
  }
  process.stdout.write(neutralise(block));
  return outcome.exitCode;
}
