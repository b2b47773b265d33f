import { parseArgs } from 'node:util';
import type { SettingsFlags } from '../settings/resolve.js';
import { isLoopbackHost } from '../server/auth.js';
import { startServer, type ServeOptions } from '../server/server.js';
import { InputError, errorMessage } from '../util/errors.js';
import { neutralise } from '../github/commands.js';

export const SERVE_USAGE = `toron-testops serve [options]

  A small server: start runs over HTTP, watch them live (SSE) on a dashboard, read the history.

  --port N                 port (default 8787; 0 picks a free one)
  --host ADDR              address to bind (default 127.0.0.1; anything else needs a token)
  --token T                every route but /health needs it (also: TORON_TESTOPS_TOKEN)
  --out DIR                output folder of every run; history in DIR/testops.db (default .toron-testops)
  --config FILE            the config runs start from (default: ./testops.config.{json,yaml,yml} if present)
  --engine SPEC            the default engine: reference | http(s)://host/run | cmd:<argv>
  --stages LIST            default stages of a run
  --max-runs N             runs at the same time (default 2)
  --max-queued N           runs waiting for a slot; beyond that POST /master/run answers 429 (default 8)
  reference engine knobs:  --generation --latency-ms --error-rate --nondeterminism --crash-after --stall-ms --seed

  Open http://127.0.0.1:8787/ (with ?token=T when a token is set). API: GET /health, POST /master/run,
  GET /master/stream/{id} (SSE), GET /master/status/{id}, GET /master/runs, GET /master/runs/{id},
  GET /master/runs/{id}/warroom, GET /master/runs/{id}/files/{name}, GET /master/runs/{id}/bundle,
  GET /master/runs/{id}/snapshot, POST /master/runs/{id}/cancel, GET /master/warroom, GET /master/metrics,
  GET /master/info.`;

export const SERVE_OPTIONS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  out: { type: 'string' },
  config: { type: 'string' },
  engine: { type: 'string' },
  stages: { type: 'string' },
  'max-runs': { type: 'string' },
  'max-queued': { type: 'string' },
  generation: { type: 'string' },
  'latency-ms': { type: 'string' },
  'error-rate': { type: 'string' },
  nondeterminism: { type: 'string' },
  'crash-after': { type: 'string' },
  'stall-ms': { type: 'string' },
  seed: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const DEFAULT_PORT = 8787;

export interface ServeArgs {
  help: boolean;
  options: Omit<ServeOptions, 'cwd' | 'env' | 'log'>;
}

/** argv → server options; the settings flags are validated by the server's first resolveSettings. */
export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): ServeArgs {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: SERVE_OPTIONS, allowPositionals: false, strict: true });
  } catch (err) {
    throw new InputError(`${errorMessage(err)} (see toron-testops serve --help)`);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  // Help first: `serve --host 0.0.0.0 --help` asks how to give the token the host needs.
  if (v.help) return { help: true, options: { flags: {}, host: '127.0.0.1', port: DEFAULT_PORT, token: null, maxConcurrent: 2, maxQueued: 8 } };
  const str = (k: string) => v[k] as string | undefined;
  const flags: SettingsFlags = {
    engine: str('engine'),
    out: str('out'),
    stages: str('stages'),
    generation: str('generation'),
    latencyMs: str('latency-ms'),
    errorRate: str('error-rate'),
    nondeterminism: str('nondeterminism'),
    crashAfter: str('crash-after'),
    stallMs: str('stall-ms'),
    seed: str('seed'),
  };
  for (const k of Object.keys(flags) as (keyof SettingsFlags)[]) if (flags[k] === undefined) delete flags[k];
  const host = str('host') ?? '127.0.0.1';
  const token = str('token') ?? (env.TORON_TESTOPS_TOKEN || undefined);
  if (token !== undefined && token.length < 8) throw new InputError('--token must be at least 8 characters');
  if (!isLoopbackHost(host) && token === undefined) {
    throw new InputError(`--host ${host} exposes the server beyond this machine: give --token (or TORON_TESTOPS_TOKEN) too`);
  }
  return {
    help: Boolean(v.help),
    options: {
      configPath: str('config'),
      flags,
      host,
      port: intFlag('port', str('port'), DEFAULT_PORT, 0, 65535),
      token: token ?? null,
      maxConcurrent: intFlag('max-runs', str('max-runs'), 2, 1, 64),
      maxQueued: intFlag('max-queued', str('max-queued'), 8, 0, 1000),
    },
  };
}

function intFlag(name: string, raw: string | undefined, def: number, min: number, max: number): number {
  if (raw === undefined) return def;
  const n = Number(raw);
  if (!/^[0-9]+$/.test(raw.trim()) || n < min || n > max) throw new InputError(`flag --${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  return n;
}

/** `toron-testops serve`: runs until the signal (SIGINT/SIGTERM), then stops runs cleanly. Returns the exit code. */
export async function serveCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv; signal: AbortSignal }): Promise<number> {
  let args: ServeArgs;
  let server;
  try {
    args = parseServeArgs(argv, io.env);
    if (args.help) {
      process.stdout.write(SERVE_USAGE + '\n');
      return 0;
    }
    server = await startServer({ ...args.options, cwd: io.cwd, env: io.env });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EADDRINUSE' ? 'the port is already in use (pick another with --port, or --port 0)' : errorMessage(err);
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${why}\n`));
    return 2;
  }
  process.stdout.write(
    neutralise(
      `toron-testops serve: dashboard and API on ${server.url}/${args.options.token ? ' (token required: open /?token=<token>)' : ''}\n` +
        `  runs write to ${server.outDir}; Ctrl-C stops (running runs finish with partial reports)\n`,
    ),
  );
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await server.close();
  process.stdout.write('toron-testops serve: stopped\n');
  return 0;
}
