import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { resolveSettings, type SettingsFlags } from '../settings/resolve.js';
import { runPipeline, type RunOutcome } from '../runner/runner.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { relPath } from '../runner/paths.js';
import { InputError, errorMessage } from '../util/errors.js';
import { parseEngineSpec } from '../engine/spec.js';
import { portablePath } from '../util/portable-path.js';
import { generatedShardRunIdWarning } from '../settings/run-id.js';
import { warroomTable } from '../warroom/console-table.js';
import { neutralise } from '../github/commands.js';

export const RUN_USAGE = `toron-testops run [options]

  --config FILE            testops.config.json (or .yaml); default: ./testops.config.{json,yaml,yml} if present
  --engine SPEC            reference | http(s)://host/run | cmd:<argv>
  --engine-version V       pick the target and profile of version V from the config's engine map
  --profile P              auto | toron-2.5h | toron-2.5h-stability | toron-3 | custom
  --run-id ID              reuse a run id: same seeds, same per-case results on the same engine
  --out DIR                output folder (default .toron-testops)
  --baseline FILE          baseline snapshot, report folder or bundle
  --stages LIST            comma list of sim,load,replay,pipeline
  --fail-on LEVEL          fail | warn | never (exit code policy)
  --shard i/n              run shard i of n (a slice of the SIM cases by case hash); join with toron-testops merge
  --concurrency N          SIM attempts in flight
  --timeout-ms N           per-case timeout
  --replay-rounds N        replay rounds
  --replay-fresh-process   a fresh engine process for every replay round (cmd: engines)
  reference engine knobs:  --generation 2.5h|2.5h-stability|3 --latency-ms N --error-rate P
                           --nondeterminism P --crash-after N --stall-ms N --seed S
  -v, --verbose            debug lines on the console

Exit codes: 0 PASS or WARN (1 on WARN with --fail-on warn), 1 FAIL (0 with --fail-on never), 2 ERROR (not a test verdict).`;

export const RUN_OPTIONS = {
  config: { type: 'string' },
  engine: { type: 'string' },
  'engine-version': { type: 'string' },
  profile: { type: 'string' },
  'run-id': { type: 'string' },
  out: { type: 'string' },
  baseline: { type: 'string' },
  stages: { type: 'string' },
  'fail-on': { type: 'string' },
  shard: { type: 'string' },
  concurrency: { type: 'string' },
  'timeout-ms': { type: 'string' },
  'replay-rounds': { type: 'string' },
  'replay-fresh-process': { type: 'boolean' },
  generation: { type: 'string' },
  'latency-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  nondeterminism: { type: 'string' },
  'crash-after': { type: 'string' },
  'stall-ms': { type: 'string' },
  seed: { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** CLI flags → the settings flags object; the settings schema validates the values. */
export function parseRunFlags(argv: string[]): { flags: SettingsFlags; verbose: boolean; help: boolean } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: RUN_OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new InputError(`${errorMessage(err)} (see toron-testops run --help)`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) throw new InputError(`run takes no positional arguments (got ${positionals.join(' ')})`);
  const v = values as Record<string, string | boolean | undefined>;
  const str = (k: string) => v[k] as string | undefined;
  const num = (k: string) => (v[k] === undefined ? undefined : toNumber(k, v[k] as string));
  const flags: SettingsFlags = {
    config: str('config'),
    engine: str('engine'),
    engineVersion: str('engine-version'),
    profile: str('profile') as SettingsFlags['profile'],
    runId: str('run-id'),
    out: str('out'),
    baseline: str('baseline'),
    stages: str('stages'),
    failOn: str('fail-on') as SettingsFlags['failOn'],
    shard: str('shard'),
    concurrency: num('concurrency'),
    timeoutMs: num('timeout-ms'),
    replayRounds: num('replay-rounds'),
    freshProcess: v['replay-fresh-process'] === true ? true : undefined,
    generation: str('generation') as SettingsFlags['generation'],
    latencyMs: num('latency-ms'),
    errorRate: num('error-rate'),
    nondeterminism: num('nondeterminism'),
    crashAfter: num('crash-after'),
    stallMs: num('stall-ms'),
    seed: num('seed'),
  };
  for (const k of Object.keys(flags) as (keyof SettingsFlags)[]) if (flags[k] === undefined) delete flags[k];
  return { flags, verbose: Boolean(v.verbose), help: Boolean(v.help) };
}

function toNumber(flag: string, raw: string): number {
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n)) throw new InputError(`flag --${flag} must be a number, got "${raw}"`);
  return n;
}

/** The engine of a run that named none: the default is the built-in test engine, not the user's. */
export const NO_ENGINE_NAMED =
  'no engine was named (--engine, or engine / engineVersion in the config): this run tested the built-in reference engine, a test engine';

/** `toron-testops run`: settings once, the pipeline, the verdict block. Returns the exit code. */
export async function runCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  let parsed: ReturnType<typeof parseRunFlags>;
  let settings;
  try {
    parsed = parseRunFlags(argv);
    if (parsed.help) {
      process.stdout.write(RUN_USAGE + '\n');
      return 0;
    }
    settings = resolveSettings({ cwd: io.cwd, configPath: parsed.flags.config, flags: parsed.flags, env: io.env });
  } catch (err) {
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${errorMessage(err)}\n`));
    return 2;
  }
  // Said before and after: a verdict on the test engine must not be read as one on the user's.
  const defaulted = settings.engineDefaulted ? `toron-testops: ${NO_ENGINE_NAMED}\n` : '';
  process.stderr.write(defaulted);
  if (settings.shard && settings.runIdGenerated) {
    process.stderr.write(`toron-testops: ${generatedShardRunIdWarning(settings.runId, settings.shard, '--run-id ID')}\n`);
  }
  const outcome = await runPipeline(settings, {
    sinks: [new ConsoleSink({ verbose: parsed.verbose })],
    signal: io.signal,
    env: io.env,
  });
  process.stdout.write(neutralise(verdictBlock(outcome, io.cwd)));
  process.stderr.write(defaulted);
  const program = outcome.verdict === 'ERROR' ? shortenedProgram(settings.engine.target, settings.cwd) : null;
  if (program !== null) process.stderr.write(`toron-testops: the engine's program is ${program} (the reports name it by its last part only)\n`);
  return outcome.exitCode;
}

/**
 * The program of a `cmd:` engine when the reports shorten it (an absolute path outside the project
 * becomes `…/name`, since reports travel): a user whose engine did not start must see which path was
 * tried. Only the program: its arguments may carry credentials. Null when nothing was shortened.
 */
export function shortenedProgram(target: string, cwd: string): string | null {
  let program: string | undefined;
  try {
    const spec = parseEngineSpec(target);
    program = spec.kind === 'command' ? spec.argv[0] : undefined;
  } catch {
    return null;
  }
  if (program === undefined || !path.isAbsolute(program)) return null;
  return portablePath(program, cwd).startsWith('…/') ? program : null;
}

export function verdictBlock(o: RunOutcome, cwd: string): string {
  const lines = ['', `Verdict: ${o.verdict}${o.verdict === 'ERROR' ? ' (not a test verdict)' : ''}  run ${o.runId}`];
  if (o.report) {
    if (o.report.warroom.length > 0) lines.splice(1, 0, warroomTable(o.report.warroom));
    lines.push(`  ${o.report.reason}`);
    lines.push(`Reports in ${relPath(cwd, o.paths.reportDir) || '.'}${path.sep}:`);
    const summaries = [o.paths.simSummary, o.paths.loadSummary, o.paths.replaySummary, path.join(o.paths.reportDir, 'pipeline_summary.json')];
    for (const f of [o.paths.report, o.paths.html, o.paths.summaryMd, o.paths.result, o.paths.runLog, ...summaries, o.paths.runWarroom]) {
      if (fs.existsSync(f)) lines.push(`  ${relPath(cwd, f)}`);
    }
    if (o.bundle) {
      lines.push(`  ${relPath(cwd, o.bundle.file)}  sha256 ${o.bundle.sha256}`);
      if (fs.existsSync(`${o.bundle.file}.sha256`)) lines.push(`  ${relPath(cwd, `${o.bundle.file}.sha256`)}`);
    }
    // The run's own snapshot (the one to give as a later run's --baseline), as report.json names it.
    const snap = o.report.artifacts.snapshot;
    if (snap) lines.push(`Snapshot: ${relPath(cwd, path.resolve(o.paths.reportDir, snap))}`);
  } else if (o.error) {
    lines.push(`  ${o.error}`);
  }
  lines.push(`Exit code: ${o.exitCode}`, '');
  return lines.join('\n');
}
