import path from 'node:path';
import type { SettingsFlags } from '../settings/resolve.js';

/** The request body was refused before settings were resolved: a 400 with this message. */
export class OverrideError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OverrideError';
  }
}

/** Keys a POST /master/run body may set: the CLI's run flags, by their settings names. */
const ALLOWED: Record<string, 'string' | 'number' | 'list'> = {
  engine: 'string',
  engineVersion: 'string',
  profile: 'string',
  runId: 'string',
  baseline: 'string',
  stages: 'list',
  failOn: 'string',
  shard: 'string',
  concurrency: 'number',
  timeoutMs: 'number',
  replayRounds: 'number',
  generation: 'string',
  latencyMs: 'number',
  errorRate: 'number',
  nondeterminism: 'number',
  crashAfter: 'number',
  stallMs: 'number',
  seed: 'number',
};

/** Keys that name places on the server's disk or its own setup: the server decides them. */
const SERVER_ONLY: Record<string, string> = {
  config: 'the server uses its own config file (toron-testops serve --config)',
  out: 'the server keeps every run in its own output folder (toron-testops serve --out)',
};

/**
 * A POST /master/run body (a JSON object of settings overrides, by the settings flag names, e.g.
 * `{"stages": ["sim"], "latencyMs": 50}`) → settings flags. Only the shape is checked here; the
 * values are validated by resolveSettings against the settings schema, like CLI flags.
 * A client may not start a new command (`cmd:`) on the server: only the server's own engine may be one.
 */
export function parseOverrides(body: unknown, serverEngine: string | undefined): SettingsFlags {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OverrideError('the request body must be a JSON object of settings overrides (e.g. {"stages": ["sim"]})');
  }
  const flags: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (Object.hasOwn(SERVER_ONLY, key)) {
      problems.push(`"${key}" cannot be set over the API: ${SERVER_ONLY[key]}`);
      continue;
    }
    const kind = Object.hasOwn(ALLOWED, key) ? ALLOWED[key] : undefined;
    if (!kind) {
      problems.push(`unknown setting "${key}" (allowed: ${Object.keys(ALLOWED).join(', ')})`);
      continue;
    }
    if (value === null || value === undefined) continue; // "not given", as an unset flag
    const problem = checkKind(key, value, kind);
    if (problem) {
      problems.push(problem);
      continue;
    }
    flags[key] = value;
  }
  if (typeof flags.engine === 'string' && flags.engine.trim().startsWith('cmd:') && flags.engine.trim() !== serverEngine?.trim()) {
    problems.push('"engine": a cmd: engine cannot be started over the API; give it to the server (toron-testops serve --engine) or use reference or an http(s) URL');
  }
  if (typeof flags.baseline === 'string') {
    const b = flags.baseline;
    if (path.isAbsolute(b) || b.split(/[\\/]/).includes('..')) {
      problems.push(`"baseline": must be a path inside the server's project folder, without "..", got ${JSON.stringify(b)}`);
    }
  }
  if (problems.length > 0) throw new OverrideError(problems.join('\n'));
  return flags as SettingsFlags;
}

/**
 * A settings error as the API client should read it: `flag --fail-on must be...` names the field of
 * the request body it came from (`"failOn" must be...`). Other text (a config file's file:line) stays.
 */
export function inRequestTerms(message: string): string {
  return message.replace(/\bflag --([a-z][a-z0-9-]*)/g, (whole, flag: string) => {
    const key = flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
    return Object.hasOwn(ALLOWED, key) ? `"${key}"` : whole;
  });
}

function checkKind(key: string, value: unknown, kind: 'string' | 'number' | 'list'): string | null {
  switch (kind) {
    case 'string':
      return typeof value === 'string' ? null : `"${key}" must be a string, got ${describe(value)}`;
    case 'number':
      // Strings are accepted as CLI flags are: the schema check after coercion reports bad ones.
      return typeof value === 'number' || typeof value === 'string' ? null : `"${key}" must be a number, got ${describe(value)}`;
    case 'list':
      return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
        ? null
        : `"${key}" must be a list of strings or a comma list, got ${describe(value)}`;
  }
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return 'an array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`;
}
