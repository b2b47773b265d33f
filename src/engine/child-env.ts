/**
 * The environment of every child process the tool starts for an engine (a cmd: engine) or for k6:
 * the runner's, without what belongs to the job rather than to the engine under test. An engine that
 * prints its environment (a debug line, a crash dump) would put these into run.log, the snapshot and
 * the bundle; the runner masks its own log, not our files.
 *
 * - every INPUT_* variable: the action's inputs, the github-token among them;
 * - the runner's tokens and the URLs of its services (ACTIONS_*), which the artifact client and OIDC use;
 * - GITHUB_TOKEN and GH_TOKEN, the names a workflow gives the job's token.
 *
 * A variable the config passes on explicitly is kept: engine.env for a cmd: engine, and for k6 the
 * variables its engine headers and engine.tls.passphraseEnv name (the script reads them from __ENV).
 */
export const WITHHELD_VARIABLES: readonly string[] = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_TOKEN',
  'ACTIONS_ID_TOKEN_REQUEST_URL',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_RUNTIME_URL',
  'ACTIONS_CACHE_URL',
  'GITHUB_TOKEN',
  'GH_TOKEN',
];
const WITHHELD = new Set(WITHHELD_VARIABLES);

/** Whether a variable is withheld from engines and k6 (case-insensitive: Windows reads names so). */
export function isWithheld(name: string): boolean {
  const upper = name.toUpperCase();
  return upper.startsWith('INPUT_') || WITHHELD.has(upper);
}

/**
 * `env` without the withheld variables, except those named in `keep`; then `set` on top (engine.env as
 * expanded, k6's own variables).
 */
export function childProcessEnv(env: NodeJS.ProcessEnv, opts: { keep?: Iterable<string>; set?: Record<string, string | undefined> } = {}): NodeJS.ProcessEnv {
  const keep = new Set(opts.keep ?? []);
  const out: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || (isWithheld(name) && !keep.has(name))) continue;
    out[name] = value;
  }
  for (const [name, value] of Object.entries(opts.set ?? {})) {
    if (value === undefined) delete out[name];
    else out[name] = value;
  }
  return out;
}
