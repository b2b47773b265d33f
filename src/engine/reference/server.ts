import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ReferenceKnobs } from '../../settings/types.js';
import { deriveSeed } from '../../util/seed.js';
import { ReferenceEngine } from './engine.js';
import type { Toron3Form } from './shapes/index.js';

/**
 * The reference engine over HTTP, like the Toron engines serve themselves (DESIGN §3.1):
 * - `POST /run`: a JSON object with at least `prompt` (a string). Optional `seed` (an integer: the
 *   request seed; without it the seed is derived from the prompt, so a plain client still gets stable
 *   answers), `runId`, `caseId`, and anything else (passed to the engine as the input, e.g. `now`).
 *   200 with the answer; 400 `{error}` for a body that is not JSON, not an object, has no string
 *   `prompt` or a bad `seed`; 413 over the body limit; 500 `{error}` for an engine error (error-rate,
 *   or a prompt the generation refuses); 503 once crashed (in-process only: see exitOnCrash).
 * - `GET /health` -> `{status: "ok", version, generation}`; `GET /version` -> `{version}`.
 * - Anything else: 404 `{error}` (405 for a known path with the wrong method).
 * Stalls freeze the event loop for real here (a load tester sees nothing answered meanwhile).
 */

export interface ReferenceServerOptions {
  host?: string;
  port?: number;
  /**
   * After crash-after requests: exit the process with EXIT_CODE_CRASHED (the CLI's `engine serve`),
   * or, by default, drop every connection and close the server (tests that start it in process).
   */
  exitOnCrash?: boolean;
  toron3Form?: Toron3Form;
  /** Request body limit (default 1 MiB). */
  maxBodyBytes?: number;
}

export interface ReferenceServer {
  url: string;
  port: number;
  engine: ReferenceEngine;
  /** Settles when the server has closed (by close() or by a crash). */
  closed: Promise<void>;
  close(): Promise<void>;
}

/** The exit code of an engine process that crashed on purpose (crash-after): EX_SOFTWARE. */
export const EXIT_CODE_CRASHED = 70;
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

class BodyError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new BodyError(413, `request body over ${limit} bytes`));
      req.resume(); // discard it, so the client can read the answer
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyError(413, `request body over ${limit} bytes`));
        req.removeAllListeners('data');
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', (err) => reject(new BodyError(400, `could not read the request body: ${err.message}`)));
  });
}

/**
 * The POST /run body as an engine input and seed; BodyError(400) says what is wrong. The seed comes from
 * the body's `seed`, else the `x-toron-seed` header the http adapter sends (so that --run-id reproduces
 * runs over HTTP too), else from the prompt.
 */
export function parseRunBody(
  text: string,
  headers: { seed?: string; runId?: string; caseId?: string } = {},
): { input: Record<string, unknown>; seed: number; runId: string; caseId: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new BodyError(400, `the body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new BodyError(400, 'the body must be a JSON object with a "prompt" string');
  }
  const input = value as Record<string, unknown>;
  if (typeof input.prompt !== 'string') throw new BodyError(400, '"prompt" must be a string');
  let seed: number;
  const headerSeed = headers.seed !== undefined && /^\d{1,15}$/.test(headers.seed) ? Number(headers.seed) : undefined;
  if ((input.seed === undefined || input.seed === null) && headerSeed !== undefined) seed = headerSeed;
  else if (input.seed === undefined || input.seed === null) seed = deriveSeed('prompt', input.prompt);
  else if (typeof input.seed === 'number' && Number.isSafeInteger(input.seed)) seed = input.seed;
  else throw new BodyError(400, '"seed" must be an integer');
  const runId = typeof input.runId === 'string' ? input.runId : (headers.runId ?? '');
  const caseId = typeof input.caseId === 'string' ? input.caseId : (headers.caseId ?? '');
  return { input, seed, runId, caseId };
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export async function startReferenceServer(
  knobs: ReferenceKnobs,
  options: ReferenceServerOptions = {},
): Promise<ReferenceServer> {
  const host = options.host ?? '127.0.0.1';
  const limit = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const engine = new ReferenceEngine(knobs, { toron3Form: options.toron3Form, stallMode: 'busy' });
  const sockets = new Set<Socket>();
  let down = false;

  const crash = () => {
    if (down) return;
    down = true;
    // A turn of the event loop lets the last answer's bytes reach the socket first.
    if (options.exitOnCrash) setImmediate(() => process.exit(EXIT_CODE_CRASHED));
    engine.close();
    server.close();
    for (const s of sockets) s.destroy();
  };

  async function handleRun(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let parsed: ReturnType<typeof parseRunBody>;
    try {
      const h = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
      parsed = parseRunBody(await readBody(req, limit), { seed: h('x-toron-seed'), runId: h('x-toron-run-id'), caseId: h('x-toron-case-id') });
    } catch (err) {
      const e = err instanceof BodyError ? err : new BodyError(400, String(err));
      send(res, e.status, { error: e.message }, e.status === 413 ? { connection: 'close' } : {});
      return;
    }
    if (down) {
      res.socket?.destroy();
      return;
    }
    const a = await engine.answer({ runId: parsed.runId, caseId: parsed.caseId, seed: parsed.seed, input: parsed.input });
    if (!a.ok && a.reason === 'crashed') {
      // A dead engine answers nothing: the client sees its connection drop.
      res.socket?.destroy();
      return;
    }
    if (a.ok) send(res, 200, a.body);
    else send(res, a.status, { error: a.error });
    // The crash comes after the last answer has gone out, like a process dying between requests.
    if (engine.isLastAnswer(a)) res.once('finish', crash).once('close', crash);
  }

  const server = createServer((req, res) => {
    if (down) {
      req.socket.destroy();
      return;
    }
    const path = (req.url ?? '/').split('?')[0];
    const method = req.method ?? 'GET';
    const only = (allowed: string): boolean => {
      if (method === allowed || (allowed === 'GET' && method === 'HEAD')) return true;
      send(res, 405, { error: `${method} ${path}: use ${allowed}` }, { allow: allowed === 'GET' ? 'GET, HEAD' : allowed });
      return false;
    };
    switch (path) {
      case '/run':
        if (only('POST')) {
          handleRun(req, res).catch((err: unknown) => send(res, 500, { error: `reference server: ${String(err)}` }));
        }
        return;
      case '/health':
        if (only('GET')) send(res, 200, { status: 'ok', version: engine.version, generation: engine.generation });
        return;
      case '/version':
        if (only('GET')) send(res, 200, { version: engine.version });
        return;
      default:
        send(res, 404, { error: `not found: ${method} ${path} (routes: POST /run, GET /health, GET /version)` });
    }
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  const closed = new Promise<void>((resolve) => server.once('close', () => resolve()));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error) => {
      engine.close();
      reject(err);
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);

  return {
    url: formatUrl(host, port),
    port,
    engine,
    closed,
    async close() {
      if (!down) {
        down = true;
        engine.close();
        server.close();
        server.closeAllConnections();
      }
      await closed;
    },
  };
}
