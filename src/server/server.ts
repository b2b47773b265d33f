import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pkg from '../../package.json' with { type: 'json' };
import { resolveSettings, type SettingsFlags } from '../settings/resolve.js';
import { newRunId } from '../settings/run-id.js';
import type { Settings } from '../settings/types.js';
import { SEVERITIES } from '../store/types.js';
import type { Severity } from '../warroom/finding.js';
import { InputError, errorMessage } from '../util/errors.js';
import { redactTarget } from '../engine/spec.js';
import { templateVariables } from '../engine/secrets.js';
import { hostAllowed, isLoopbackHost, originAllowed, presentedToken, tokenCookieName, tokenMatches } from './auth.js';
import { DASHBOARD_CSP, dashboardHtml } from './dashboard.js';
import { checkRunId, reportFile, sendFile, snapshotFile } from './files.js';
import { History, historyRow, liveStatus, runLinks, storedExitCode, storedStatus } from './history.js';
import { BASE_HEADERS, HttpError, intParam, parseJsonBody, readBody, sendError, sendJson } from './http-util.js';
import { OverrideError, inRequestTerms, parseOverrides } from './overrides.js';
import { CapacityError, ConflictError, DEFAULT_RUN_MANAGER, RunManager } from './run-manager.js';
import { DEFAULT_SSE_LIMITS, type SseLimits } from './sse-hub.js';
import { parseResume } from './sse-frame.js';
import { SSE_HEADERS, streamLiveRun, streamStoredRun } from './stream.js';
import { StoredStreams } from './stored-streams.js';
import { neutralise } from '../github/commands.js';

export interface ServeOptions {
  /** The project folder runs resolve their config, datasets and output folder against. */
  cwd: string;
  configPath?: string;
  /** The server's own settings flags (engine, out, reference knobs...): every run starts from them. */
  flags?: SettingsFlags;
  env?: NodeJS.ProcessEnv;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** When set, every route but /health needs it. */
  token?: string | null;
  maxConcurrent?: number;
  maxQueued?: number;
  keepFinished?: number;
  /** Budget of one running run's in-memory event log (characters of SSE frames). */
  logMaxChars?: number;
  /** The same for a finished run kept in memory. */
  finishedLogMaxChars?: number;
  /** SSE: chunk size, when a stalled client is closed, heartbeat interval. */
  sse?: Partial<SseLimits>;
  /** Largest accepted request body, bytes. */
  bodyLimit?: number;
  /**
   * A response (every route but the SSE streams) whose connection accepts no byte for this long is
   * closed: a client that asks for a big answer and never reads it does not hold it in memory forever.
   * Default 60 s.
   */
  writeTimeoutMs?: number;
  /** SSE connections at once, all runs together. */
  maxSseClients?: number;
  /** Where the server's own lines go (default: stderr). */
  log?: (line: string) => void;
}

export interface TestopsServer {
  url: string;
  host: string;
  port: number;
  outDir: string;
  manager: RunManager;
  /** SSE counters (clients, closed as too slow), for tests and /master/info. */
  sseStats(): { clients: number; droppedSlow: number; attached: number };
  /** Stops accepting, cancels queued runs, stops running ones (they write partial reports), closes streams. */
  close(): Promise<void>;
}

const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The most WAR ROOM findings one answer holds (`limit`); more are paged with `offset`. */
export const MAX_PAGE_LIMIT = 1000;
export const DEFAULT_WRITE_TIMEOUT_MS = 60_000;
const DEFAULT_MAX_SSE_CLIENTS = 2000;

/** `toron-testops serve`: the API, the SSE streams and the dashboard, on node:http. */
export async function startServer(opts: ServeOptions): Promise<TestopsServer> {
  const env = opts.env ?? process.env;
  // Its stderr may be a workflow step's: a path, a run's error or a request URL must not be a command there.
  const log = opts.log ?? ((line: string) => process.stderr.write(neutralise(`toron-testops serve: ${line}\n`)));
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? null;
  const baseFlags: SettingsFlags = { ...(opts.flags ?? {}) };
  delete baseFlags.runId;

  // The server's own settings are checked once at start: a bad config stops `serve`, not each run.
  const defaults = resolveSettings({ cwd: opts.cwd, configPath: opts.configPath, flags: baseFlags, env });
  const outDir = path.resolve(defaults.cwd, defaults.out);
  const bodyLimit = opts.bodyLimit ?? DEFAULT_BODY_LIMIT;
  const maxSseClients = opts.maxSseClients ?? DEFAULT_MAX_SSE_CLIENTS;
  const loopbackOnly = isLoopbackHost(host);
  const sseLimits: SseLimits = { ...DEFAULT_SSE_LIMITS, ...opts.sse };

  const manager = new RunManager({
    maxConcurrent: opts.maxConcurrent ?? DEFAULT_RUN_MANAGER.maxConcurrent,
    maxQueued: opts.maxQueued ?? DEFAULT_RUN_MANAGER.maxQueued,
    keepFinished: opts.keepFinished ?? DEFAULT_RUN_MANAGER.keepFinished,
    logMaxChars: opts.logMaxChars ?? DEFAULT_RUN_MANAGER.logMaxChars,
    finishedLogMaxChars: opts.finishedLogMaxChars ?? DEFAULT_RUN_MANAGER.finishedLogMaxChars,
    sse: sseLimits,
    env: runEnv(env),
    onLog: log,
  });
  const history = new History(path.join(outDir, 'testops.db'), outDir, log);
  history.get();

  let sseOpen = 0;
  const storedStreams = new StoredStreams(sseLimits);
  const sseStats = () => {
    const s = storedStreams.stats();
    for (const r of manager.all()) {
      const h = r.hub.stats();
      s.clients += h.clients;
      s.droppedSlow += h.droppedSlow;
      s.attached += h.attached;
    }
    return s;
  };

  function resolveRun(body: unknown): Settings {
    const overrides = parseOverrides(body, defaults.engine.target);
    const flags: SettingsFlags = { ...baseFlags, ...overrides, out: outDir };
    // Each run of the server is a new run: a runId pinned in the config file (for `run`) would make
    // every run overwrite the last one's reports, snapshot and history row. Only the request names one.
    flags.runId ??= newRunId(new Date());
    // Picking an engine version means its map entry's target, not the server's --engine.
    if (overrides.engineVersion !== undefined && overrides.engine === undefined) delete flags.engine;
    const settings = resolveSettings({ cwd: opts.cwd, configPath: opts.configPath, flags, env });
    refuseForeignEngineWithCredentials(overrides.engine, settings, defaults);
    return settings;
  }

  async function handle(req: IncomingMessage, res: ServerResponse, port: number): Promise<void> {
    if (loopbackOnly && !hostAllowed(req.headers.host)) {
      throw new HttpError(403, 'this server answers only requests addressed to localhost or 127.0.0.1 (Host header refused)');
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const segments = splitPath(url.pathname);
    const method = req.method ?? 'GET';

    if (segments.length === 1 && segments[0] === 'health') {
      allow(method, ['GET', 'HEAD']);
      sendJson(res, 200, { ok: true, name: 'toron-testops', version: pkg.version });
      return;
    }

    if (token !== null) {
      const given = presentedToken(req, url.searchParams, port);
      if (!given || !tokenMatches(given.token, token)) {
        throw new HttpError(401, given ? 'wrong token' : 'this server needs a token: Authorization: Bearer <token>, or ?token=<token>', {
          'WWW-Authenticate': 'Bearer realm="toron-testops"',
        });
      }
    }

    if (segments.length === 0 || (segments.length === 1 && segments[0] === 'index.html')) {
      allow(method, ['GET', 'HEAD']);
      const html = dashboardHtml();
      const headers: Record<string, string | number> = {
        ...BASE_HEADERS,
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Length': Buffer.byteLength(html),
        'Content-Security-Policy': DASHBOARD_CSP,
        'X-Frame-Options': 'DENY',
      };
      if (token !== null && url.searchParams.get('token') !== null) {
        // Report links and the stream then work without the token in every URL (SameSite: not sent cross-site).
        headers['Set-Cookie'] = `${tokenCookieName(port)}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict`;
      }
      res.writeHead(200, headers);
      res.end(method === 'HEAD' ? undefined : html);
      return;
    }
    if (segments.length === 1 && segments[0] === 'favicon.ico') {
      res.writeHead(204, BASE_HEADERS);
      res.end();
      return;
    }
    if (segments[0] !== 'master') throw new HttpError(404, `no such route: ${url.pathname}`);
    const [, a, b, c, d, ...extra] = segments;

    // POST /master/run
    if (a === 'run' && b === undefined) {
      allow(method, ['POST']);
      await startRun(req, res);
      return;
    }
    // GET /master/info
    if (a === 'info' && b === undefined) {
      allow(method, GET_OR_HEAD);
      sendJson(res, 200, {
        name: 'toron-testops',
        version: pkg.version,
        defaults: { engine: defaults.engine.target.trim().startsWith('cmd:') ? 'cmd:' : redactTarget(defaults.engine.target), stages: defaults.stages, generation: defaults.reference.generation },
        runs: manager.counts(),
        sse: sseStats(),
        tokenRequired: token !== null,
      });
      return;
    }
    // GET /master/runs
    if (a === 'runs' && b === undefined) {
      allow(method, GET_OR_HEAD);
      listRuns(res, url.searchParams);
      return;
    }
    // GET /master/warroom?severity=CRITICAL,HIGH
    if (a === 'warroom' && b === undefined) {
      allow(method, GET_OR_HEAD);
      warroomAcross(res, url.searchParams);
      return;
    }
    // GET /master/metrics?n=20
    if (a === 'metrics' && b === undefined) {
      allow(method, GET_OR_HEAD);
      const store = requireStore();
      sendJson(res, 200, { points: store.metricHistory(intParam(url.searchParams, 'n', 20, 1, 1000)) });
      return;
    }
    if ((a === 'status' || a === 'stream') && b !== undefined && c === undefined) {
      checkRunId(b);
      allow(method, GET_OR_HEAD);
      if (a === 'status') runStatus(res, b);
      else if (method === 'HEAD') streamHead(res, b);
      else runStream(req, res, b, url.searchParams);
      return;
    }
    if (a === 'runs' && b !== undefined && extra.length === 0) {
      checkRunId(b);
      if (c === undefined) {
        allow(method, GET_OR_HEAD);
        runDetail(res, b);
        return;
      }
      if (c === 'warroom' && d === undefined) {
        allow(method, GET_OR_HEAD);
        runWarroom(res, b, url.searchParams);
        return;
      }
      if (c === 'cancel' && d === undefined) {
        allow(method, ['POST']);
        if (!originAllowed(req)) throw new HttpError(403, 'cross-site request refused (Origin does not match this server)');
        const outcome = manager.cancel(b);
        if (outcome === null) throw new HttpError(404, `no queued or running run ${b} on this server`);
        sendJson(res, outcome === 'finished' ? 409 : 202, { runId: b, outcome, links: runLinks(b, outDir) });
        return;
      }
      if (c === 'files' && d !== undefined) {
        allow(method, ['GET', 'HEAD']);
        sendFile(req, res, reportFile(outDir, b, d));
        return;
      }
      if (c === 'bundle' && d === undefined) {
        allow(method, ['GET', 'HEAD']);
        sendFile(req, res, reportFile(outDir, b, 'bundle.zip'), { download: `toron-testops-${b}.zip` });
        return;
      }
      if (c === 'snapshot' && d === undefined) {
        allow(method, ['GET', 'HEAD']);
        sendFile(req, res, snapshotFile(outDir, b), { download: `${b}.json` });
        return;
      }
    }
    throw new HttpError(404, `no such route: ${url.pathname}`);
  }

  async function startRun(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!originAllowed(req)) throw new HttpError(403, 'cross-site request refused (Origin does not match this server)');
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never grants.
    if (type !== 'application/json') throw new HttpError(415, `POST /master/run takes application/json (got ${type || 'no content type'})`);
    const body = parseJsonBody(await readBody(req, bodyLimit));
    let settings: Settings;
    try {
      settings = resolveRun(body);
    } catch (err) {
      if (err instanceof OverrideError) throw new HttpError(400, err.message);
      if (err instanceof InputError) throw new HttpError(400, inRequestTerms(err.message));
      throw err;
    }
    let submitted;
    try {
      submitted = manager.submit(settings);
    } catch (err) {
      if (err instanceof CapacityError) throw new HttpError(429, err.message, { 'Retry-After': '5' });
      if (err instanceof ConflictError) throw new HttpError(409, err.message);
      throw err;
    }
    const { run, position } = submitted;
    const links = runLinks(run.runId, outDir);
    sendJson(
      res,
      202,
      { runId: run.runId, status: run.state.status, ...(position > 0 ? { queuePosition: position } : {}), stages: settings.stages, links },
      { Location: links.status as string },
    );
  }

  function requireStore() {
    const store = history.get();
    if (!store) throw new HttpError(503, `run history is not available: ${history.error()}`);
    return store;
  }

  function listRuns(res: ServerResponse, q: URLSearchParams): void {
    const limit = intParam(q, 'limit', 20, 1, 200);
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const store = requireStore();
    const page = store.listRuns({ limit, offset });
    sendJson(res, 200, {
      total: page.total,
      limit,
      offset,
      runs: page.runs.map((r) => historyRow(r, manager.get(r.runId), outDir)),
      // Queued runs have no row yet: the server's queued and running runs are listed apart.
      active: manager.active().map((r) => liveStatus(r, manager.queuePosition(r))),
    });
  }

  function warroomAcross(res: ServerResponse, q: URLSearchParams): void {
    const severities = parseSeverities(q.get('severity'));
    const limit = intParam(q, 'limit', 100, 1, MAX_PAGE_LIMIT);
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const runId = q.get('run_id') ?? undefined;
    if (runId !== undefined) checkRunId(runId);
    sendJson(res, 200, { events: requireStore().eventsBySeverity(severities, { limit, offset, runId }) });
  }

  function runStatus(res: ServerResponse, runId: string): void {
    const live = manager.get(runId);
    if (live) {
      sendJson(res, 200, liveStatus(live, manager.queuePosition(live)));
      return;
    }
    const row = requireStore().getRun(runId);
    if (!row) throw new HttpError(404, `no run ${runId}`);
    sendJson(res, 200, storedStatus(row, outDir));
  }

  function runDetail(res: ServerResponse, runId: string): void {
    const live = manager.get(runId);
    const store = history.get();
    const row = store?.getRun(runId) ?? null;
    if (!row && !live) {
      if (!store) throw new HttpError(503, `run history is not available: ${history.error()}`);
      throw new HttpError(404, `no run ${runId}`);
    }
    // The findings have their own route; the detail says how many there are.
    let body: Record<string, unknown> = { runId };
    if (row) {
      const { events, snapshots, sim, ...runRow } = row;
      body = { ...historyRow(runRow, live, outDir), snapshots, sim, warroomCount: events.length };
    }
    sendJson(res, 200, {
      ...body,
      ...(live ? { live: liveStatus(live, manager.queuePosition(live)) } : {}),
      links: runLinks(runId, outDir),
    });
  }

  function runWarroom(res: ServerResponse, runId: string, q: URLSearchParams): void {
    const limit = intParam(q, 'limit', MAX_PAGE_LIMIT, 1, MAX_PAGE_LIMIT);
    const offset = intParam(q, 'offset', 0, 0, Number.MAX_SAFE_INTEGER);
    const severity = q.get('severity');
    const severities = severity !== null ? parseSeverities(severity) : undefined;
    const live = manager.get(runId);
    const store = history.get();
    // One page from SQLite: a run's findings are not all read and built into one answer per request.
    const page = store?.runEvents(runId, { severities, limit, offset }) ?? null;
    if (!page) {
      if (live) {
        // Queued, or running without a history database: nothing recorded yet.
        sendJson(res, 200, { runId, total: 0, events: [] });
        return;
      }
      if (!store) throw new HttpError(503, `run history is not available: ${history.error()}`);
      throw new HttpError(404, `no run ${runId}`);
    }
    sendJson(res, 200, { runId, total: page.total, limit, offset, events: page.events });
  }

  /** HEAD of a stream: its headers when there is a run to stream, and no stream held open. */
  function streamHead(res: ServerResponse, runId: string): void {
    if (!manager.get(runId) && !requireStore().getRun(runId)) throw new HttpError(404, `no run ${runId}`);
    res.writeHead(200, SSE_HEADERS);
    res.end();
  }

  function runStream(req: IncomingMessage, res: ServerResponse, runId: string, q: URLSearchParams): void {
    if (sseOpen >= maxSseClients) throw new HttpError(503, `too many open streams (${maxSseClients})`, { 'Retry-After': '5' });
    const resume = parseResume(req.headers['last-event-id'], q.get('lastEventId'));
    const live = manager.get(runId);
    if (live) {
      sseOpen++;
      res.on('close', () => sseOpen--);
      streamLiveRun(req, res, live, resume, manager.queuePosition(live));
      return;
    }
    const detail = requireStore().getRun(runId);
    if (!detail) throw new HttpError(404, `no run ${runId}`);
    sseOpen++;
    res.on('close', () => sseOpen--);
    streamStoredRun(req, res, detail, resume, storedStreams, storedExitCode(outDir, runId));
  }

  const server = http.createServer({ requestTimeout: 60_000, headersTimeout: 30_000 });
  // The socket's idle timeout: with no listener for 'timeout', node:http destroys a socket that has
  // neither sent nor received a byte for this long, so an answer its client does not read is dropped
  // (a slow download that goes on is not). Set for every request, since a keep-alive socket may have
  // carried an SSE stream before, which turns it off for itself (see openStream).
  const writeTimeoutMs = opts.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
  server.setTimeout(writeTimeoutMs);
  let port = 0;
  server.on('request', (req, res) => {
    req.socket.setTimeout(writeTimeoutMs);
    handle(req, res, port).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendError(res, err);
        // An unread oversized body: answer, then close instead of reading it.
        if (err.status === 413) res.on('finish', () => req.destroy());
        return;
      }
      log(`internal error on ${req.method} ${withoutToken(req.url ?? '/')}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      sendError(res, new HttpError(500, `internal error: ${errorMessage(err)}`));
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const heartbeat = setInterval(() => {
    for (const r of manager.all()) r.hub.heartbeat();
    storedStreams.heartbeat();
  }, sseLimits.heartbeatMs);
  heartbeat.unref();

  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}`,
    host,
    port,
    outDir,
    manager,
    sseStats,
    close() {
      closing ??= (async () => {
        clearInterval(heartbeat);
        const stopped = new Promise<void>((r) => server.close(() => r()));
        await manager.close();
        storedStreams.closeAll();
        server.closeAllConnections();
        await stopped;
        history.close();
      })();
      return closing;
    },
  };
}

/**
 * A client may name another http(s) engine, but the server's engine.headers go with it: those that
 * interpolate the server's environment (Bearer ${ENGINE_TOKEN}) are the operator's credentials for
 * its own engines, sent only to their hosts (the server's engine and the engine map's), never to one
 * the client names, as a client may not start a cmd: engine either.
 */
function refuseForeignEngineWithCredentials(engine: string | undefined, settings: Settings, defaults: Settings): void {
  if (typeof engine !== 'string' || !/^https?:\/\//i.test(engine.trim())) return;
  if (templateVariables(settings.engine.headers).length === 0) return;
  const origin = (spec: string): string | null => {
    try {
      return /^https?:\/\//i.test(spec.trim()) ? new URL(spec.trim()).origin : null;
    } catch {
      return null;
    }
  };
  const own = new Set([defaults.engine.target, ...Object.values(defaults.engines).map((e) => e.target)].map(origin).filter((o) => o !== null));
  const asked = origin(engine);
  if (asked !== null && own.has(asked)) return;
  throw new OverrideError(
    `"engine": the server's engine.headers send credentials from its environment; they go only to the server's own engine hosts, ` +
      `not to ${asked ?? 'the engine named'}: name a route of the server's engine, or an engine version of its map`,
  );
}

/**
 * The environment runs get (and with it a cmd: engine's process): the server's own, without the
 * server's token. The engine under test has no business holding the key to the server that gates it.
 */
export function runEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  delete out.TORON_TESTOPS_TOKEN;
  return out;
}

/** A request URL for the server's log: a `token` query parameter (EventSource, links) is masked. */
export function withoutToken(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = url
    .slice(q + 1)
    .split('&')
    .map((p) => {
      const name = p.split('=', 1)[0];
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, ' '));
      } catch {
        // not decodable: not a name URLSearchParams would read as "token" either
      }
      return decoded === 'token' ? `${name}=***` : p;
    });
  return `${url.slice(0, q + 1)}${params.join('&')}`;
}

/**
 * GET routes answer HEAD too (RFC 9110 9.1: a general-purpose server supports both); node:http sends
 * no body for HEAD, the headers as for GET.
 */
const GET_OR_HEAD = ['GET', 'HEAD'];

function allow(method: string, methods: string[]): void {
  if (!methods.includes(method)) throw new HttpError(405, `method ${method} not allowed here (allowed: ${methods.join(', ')})`, { Allow: methods.join(', ') });
}

/**
 * Path segments, split before decoding, so an encoded slash (`..%2F..%2Fetc`) stays inside one
 * segment (where the run id check refuses it) instead of becoming a path.
 */
function splitPath(pathname: string): string[] {
  const raw = pathname.split('/').filter((s, i) => !(i === 0 && s === ''));
  if (raw.length > 0 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw new HttpError(400, `bad percent-encoding in the path: ${s.slice(0, 80)}`);
    }
  });
}

function parseSeverities(text: string | null): Severity[] {
  if (text === null || text.trim() === '') return [...SEVERITIES];
  const list = text.split(',').map((s) => s.trim().toUpperCase());
  for (const s of list) {
    if (!(SEVERITIES as readonly string[]).includes(s)) throw new HttpError(400, `unknown severity ${JSON.stringify(s)} (one of ${SEVERITIES.join(', ')})`);
  }
  return list as Severity[];
}
