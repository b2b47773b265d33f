/**
 * The GitHub Action entry. For now a thin shell: inputs → settings → runner → exit status. Annotations,
 * job summary, artifact upload and outputs arrive with the action work (publish first, decide last).
 */
import { resolveSettings } from './settings/resolve.js';
import { runPipeline } from './runner/runner.js';
import { ConsoleSink } from './runner/sinks/console.js';
import { errorMessage } from './util/errors.js';

function input(name: string): string | undefined {
  const v = process.env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`]?.trim();
  return v ? v : undefined;
}

async function main(): Promise<number> {
  const cwd = input('working-directory') ?? process.env.GITHUB_WORKSPACE ?? process.cwd();
  try {
    const settings = resolveSettings({
      cwd,
      configPath: input('config'),
      flags: { engine: input('engine'), runId: input('run-id'), stages: input('stages'), failOn: input('fail-on') as never },
      env: process.env,
    });
    const outcome = await runPipeline(settings, { sinks: [new ConsoleSink()], env: process.env });
    process.stdout.write(`toron-testops: ${outcome.verdict} (report: ${outcome.paths.report})\n`);
    return outcome.exitCode;
  } catch (err) {
    process.stdout.write(`::error::toron-testops ERROR (not a test verdict): ${errorMessage(err)}\n`);
    return 2;
  }
}

process.exitCode = await main();
