import type { EngineSettings, ReferenceKnobs } from '../settings/types.js';
import type { EngineAdapter, EngineLogger } from './types.js';
import { createReferenceAdapter } from './reference/adapter.js';
import { createHttpAdapter } from './http.js';
import { createCommandAdapter, type CommandAdapter } from './command.js';
import { parseEngineSpec } from './spec.js';
import { expandEngineEnv, expandHeaders } from './secrets.js';
import { childProcessEnv } from './child-env.js';
import { engineRoute, proxyNotice } from './connection.js';

export interface EngineDeps {
  log: EngineLogger;
  env: NodeJS.ProcessEnv;
  /** Where a cmd: engine runs (relative script paths resolve here). */
  cwd: string;
  /** Makes an engine's messages fit for a report (no path of this machine); default: as they are. */
  printable?: (text: string) => string;
}

/**
 * The one place a SPEC becomes an adapter. Bad specs and missing secret variables throw InputError
 * here, before anything starts.
 */
export function createEngine(engine: EngineSettings, knobs: ReferenceKnobs, deps: EngineDeps): EngineAdapter {
  const spec = parseEngineSpec(engine.target);
  if (spec.kind !== 'http' && Object.keys(engine.headers).length > 0) {
    deps.log('warn', `engine headers are only sent to http(s) engines; ignored for a ${spec.kind} engine`);
  }
  if (spec.kind !== 'command' && engine.env !== undefined && Object.keys(engine.env).length > 0) {
    deps.log('warn', `engine.env is only given to cmd: engines (their process); ignored for ${spec.kind === 'http' ? 'an http(s)' : 'the reference'} engine`);
  }
  // A client certificate or CA configured for an engine that speaks no TLS: say so, not ignore it silently.
  if (engine.tls !== undefined && (spec.kind !== 'http' || spec.url.protocol !== 'https:')) {
    const what = spec.kind === 'http' ? 'an http:// engine (no TLS): is the URL meant to be https://?' : `a ${spec.kind} engine`;
    deps.log('warn', `engine.tls is only used for https:// engines; ignored for ${what}`);
  }
  switch (spec.kind) {
    case 'reference':
      return createReferenceAdapter(knobs);
    case 'http': {
      const route = engineRoute(spec.url, engine, deps.env);
      const notice = proxyNotice(route);
      if (notice) deps.log('info', notice);
      return createHttpAdapter({
        url: spec.url,
        headers: expandHeaders(engine.headers, deps.env),
        timeoutMs: engine.timeoutMs,
        maxResponseBytes: engine.maxResponseBytes,
        body: engine.body,
        printable: deps.printable,
        cwd: deps.cwd,
        route,
      });
    }
    case 'command': {
      // The engine's process gets the runner's environment without the job's tokens and the action's
      // inputs (child-env.ts); engine.env passes variables on, its secrets never written.
      const passed = expandEngineEnv(engine.env ?? {}, deps.env);
      return createCommandAdapter({
        argv: spec.argv,
        cwd: deps.cwd,
        env: childProcessEnv(deps.env, { set: passed.values }),
        secrets: passed.secrets,
        timeoutMs: engine.timeoutMs,
        maxResponseBytes: engine.maxResponseBytes,
        log: deps.log,
        body: engine.body,
        printable: deps.printable,
      });
    }
  }
}

/** An adapter whose engine can be restarted in a fresh process (replay rounds with freshProcess). */
export function isRestartable(adapter: EngineAdapter): adapter is EngineAdapter & Pick<CommandAdapter, 'restart'> {
  return typeof (adapter as Partial<CommandAdapter>).restart === 'function';
}
