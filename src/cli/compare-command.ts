import path from 'node:path';
import { parseArgs } from 'node:util';
import { compareEngines } from '../compare/compare.js';
import type { CompareOutcome, MetricDelta } from '../compare/types.js';
import { relPath } from '../runner/paths.js';
import { ConsoleSink } from '../runner/sinks/console.js';
import { resolveSettings } from '../settings/resolve.js';
import { InputError, errorMessage } from '../util/errors.js';
import { warroomTable } from '../warroom/console-table.js';
import { RUN_OPTIONS, parseRunFlags } from './run-command.js';
import { neutralise } from '../github/commands.js';

export const COMPARE_USAGE = `toron-testops compare --candidate SPEC --baseline SPEC_OR_SNAPSHOT [options]

The staging gate: runs the candidate (SIM, load, replay, and pipeline when configured) and compares
it with the baseline: per-case answers (unchanged, changed, new, removed), pass -> fail regressions,
pass-rate, load p95 and error-rate deltas, determinism. promote is true only for PASS or WARN with no
CRITICAL finding. A baseline engine is run first with the same run id (same seeds, cases and load
requests), never at the same time as the candidate; a baseline snapshot is read, not run.

  --candidate SPEC         reference | http(s)://host/run | cmd:<argv> | a version of the config's engine map
  --baseline SPEC          the same forms, or a snapshot file, report folder or bundle.zip
  --config FILE            testops.config.json (engines map, compare.rules, sim/load/replay settings)
  --out DIR                output folder (default .toron-testops); files in <out>/compare/<run id>/
  --run-id ID              the run id of both runs (their seeds)
  --stages LIST            comma list of sim,load,replay,pipeline (default: the config's)
  --fail-on LEVEL          fail | warn | never (exit code policy)
  --profile P              the profile of a plain engine SPEC (a version key brings its own)
  --concurrency N --timeout-ms N --replay-rounds N --replay-fresh-process
  reference engine knobs:  --generation 2.5h|2.5h-stability|3 --latency-ms N --error-rate P
                           --nondeterminism P --crash-after N --stall-ms N --seed S
                           (they apply to every side whose SPEC is "reference")
  -v, --verbose            debug lines on the console

Exit codes: 0 PASS or WARN (1 on WARN with --fail-on warn), 1 FAIL (0 with --fail-on never), 2 ERROR (not a test verdict).`;

const COMPARE_OPTIONS = { ...RUN_OPTIONS, candidate: { type: 'string' } } as const;

/** Splits out --candidate and --baseline; the rest are `run` flags (the engine flags excepted). */
export function parseCompareArgs(argv: string[]): { candidate: string | undefined; baseline: string | undefined; rest: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: COMPARE_OPTIONS, allowPositionals: true, strict: true, tokens: true });
  } catch (err) {
    throw new InputError(`${errorMessage(err)} (see toron-testops compare --help)`);
  }
  const drop = new Set<number>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option' || (t.name !== 'candidate' && t.name !== 'baseline')) continue;
    drop.add(t.index);
    if (t.inlineValue === false) drop.add(t.index + 1);
  }
  if (parsed.positionals.length > 0) throw new InputError(`compare takes no positional arguments (got ${parsed.positionals.join(' ')}): use --candidate and --baseline`);
  const v = parsed.values as Record<string, unknown>;
  // Help first: someone who typed --engine is about to learn that compare takes --candidate.
  if (v.help) return { candidate: undefined, baseline: undefined, rest: ['--help'] };
  for (const f of ['engine', 'engine-version'] as const) {
    if (v[f] !== undefined) throw new InputError(`compare takes its engines from --candidate and --baseline: --${f} does not apply`);
  }
  if (v.shard !== undefined) throw new InputError('compare compares whole runs: --shard does not apply');
  return { candidate: v.candidate as string | undefined, baseline: v.baseline as string | undefined, rest: argv.filter((_, i) => !drop.has(i)) };
}

export async function compareCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  let outcome: CompareOutcome;
  try {
    const split = parseCompareArgs(argv);
    const parsed = parseRunFlags(split.rest);
    if (parsed.help) {
      process.stdout.write(COMPARE_USAGE + '\n');
      return 0;
    }
    if (split.candidate === undefined || split.baseline === undefined) {
      throw new InputError('compare needs both --candidate SPEC and --baseline SPEC_OR_SNAPSHOT (see toron-testops compare --help)');
    }
    const settings = resolveSettings({ cwd: io.cwd, configPath: parsed.flags.config, flags: parsed.flags, env: io.env });
    outcome = await compareEngines({
      settings,
      candidate: split.candidate,
      baseline: split.baseline,
      sinks: [new ConsoleSink({ verbose: parsed.verbose })],
      signal: io.signal,
      env: io.env,
    });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${errorMessage(err)}\n`));
    return 2;
  }
  process.stdout.write(neutralise(compareBlock(outcome, io.cwd)));
  return outcome.exitCode;
}

function delta(name: string, m: MetricDelta, unit: string, deltaUnit: string): string {
  if (m.delta === null) return `${name} not available`;
  const sign = m.delta > 0 ? '+' : '';
  return `${name} ${m.baseline}${unit} -> ${m.candidate}${unit} (${sign}${m.delta}${deltaUnit}${m.deltaPct !== null ? `, ${sign}${m.deltaPct}%` : ''})`;
}

/** The console's headline: verdict, promote, deltas, findings and where the files are. */
export function compareBlock(o: CompareOutcome, cwd: string): string {
  const c = o.comparison;
  const lines = [''];
  // The comparison's own findings: they are in comparison.json and .md, not in a run's files.
  if (c.findings.length > 0) lines.push(warroomTable(c.findings, { allIn: 'comparison.json and comparison.md' }));
  lines.push(`Compare: ${c.verdict}${c.verdict === 'ERROR' ? ' (not a test verdict)' : ''}  promote: ${c.promote ? 'yes' : 'no'}  run ${c.runId}`);
  lines.push(`  ${c.reason}`);
  const m = c.metrics;
  lines.push(`  ${[delta('pass rate', m.passRate, '%', ' pts'), delta('p95', m.p95Ms, ' ms', ' ms'), delta('error rate', m.errorRate, '%', ' pts'), delta('determinism', m.determinismScore, '', ' pts')].join('; ')}`);
  const k = c.counts;
  lines.push(`  cases: ${k.unchanged} unchanged, ${k.changed} changed, ${k.noise} noise, ${k.new} new, ${k.removed} removed; ${k.regressed} regressed, ${k.fixed} fixed`);
  const shown = (p: string) => relPath(cwd, p) || '.';
  lines.push(`Comparison in ${shown(o.paths.dir)}${path.sep}:`, `  ${shown(o.paths.json)}`, `  ${shown(o.paths.markdown)}`);
  lines.push(`  candidate report: ${shown(o.candidate.paths.reportDir)}`);
  if (o.baseline) lines.push(`  baseline report: ${shown(o.baseline.paths.reportDir)}`);
  lines.push(`Exit code: ${o.exitCode}`, '');
  return lines.join('\n');
}
