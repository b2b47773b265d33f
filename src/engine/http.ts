import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import { promisify } from 'node:util';
import { engineDispatcher, proxySecrets, type EngineRoute } from './connection.js';
import type { EngineAdapter, EngineError, EngineRequest, EngineResult, HealthResult } from './types.js';
import { redactUrl } from './spec.js';
import { engineRedactors } from './secrets.js';
import { describeNetworkError, excerpt, looksLikeHtml } from './http-errors.js';
import { escapeControls } from '../util/printable.js';
import { engineVersionOf } from './version.js';
import { firstNonUtf8Byte, notUtf8Message } from './utf8.js';
import { portableText } from '../util/portable-path.js';
import { isRateLimitStatus, parseRetryAfter } from './rate-limit.js';

export interface HttpAdapterOptions {
  url: URL;
  /** Already expanded (secrets.ts): sent on every request, never printed. */
  headers: Record<string, string>;
  /** Covers the whole exchange: connect, headers and the full body. */
  timeoutMs: number;
  /** Caps the body as sent and, for a compressed body, as decoded. */
  maxResponseBytes: number;
  /** Extra fields merged under each case input. */
  body?: Record<string, unknown>;
  /** Sockets kept open to the engine (default: as many as there are requests in flight). */
  connections?: number;
  /**
   * Makes a text fit for a report (the runner's path scrubber). With it, the engine's own text in
   * failures and health messages (a traceback of an engine running on this runner) has every
   * absolute path of this machine made portable too (portableText against `cwd`), as for cmd: engines.
   */
  printable?: (text: string) => string;
  cwd?: string;
  /** Proxy and TLS options (engine.proxy, engine.tls): see connection.ts. Default: direct, Node's TLS defaults. */
  route?: EngineRoute;
}

/** One finished HTTP exchange, before its body is judged as an answer. */
type Exchange =
  | { ok: true; status: number; contentType: string; text: string; latencyMs: number; location?: string; notUtf8?: string; retryAfter?: string }
  | { ok: false; error: EngineError; status?: number; latencyMs: number; code?: string };

/** An engine that was not up yet when the run started: the README's workflow waits for /health first. */
const NOT_RETRIED = 'the health check is made once, as the run starts, and not retried: start toron-testops once the engine is ready';

/**
 * How long a keep-alive socket may sit idle before we close it (the adapter's and the load transport's).
 * Engines close idle connections too, mostly without saying when (no Keep-Alive header): gunicorn after
 * 2 s, uvicorn and hypercorn after 5 s, Tomcat after 20 s. A request sent on a connection the engine
 * has just closed, its FIN still on the way, is reset without the engine ever seeing it, and a POST
 * cannot be retried safely, so it was counted as an engine error. Closing ours first avoids the race;
 * an engine that does advertise its timeout (Node's and Apache's Keep-Alive: timeout=5) is honoured by
 * undici, less its 2 s margin.
 */
export const KEEP_ALIVE_MS = 1_000;

export function createHttpAdapter(opts: HttpAdapterOptions): EngineAdapter {
  const target = redactUrl(opts.url);
  const baseHeaders = buildBaseHeaders(opts);
  const route: EngineRoute = opts.route ?? { proxy: null };
  const { redact, redactAnswer } = engineRedactors(withProxySecrets(baseHeaders, route), opts.url);
  const via = viaProxy(route);
  const outer = opts.printable;
  const pathsBase = opts.cwd ?? process.cwd();
  const portable = outer ? (text: string) => outer(portableText(text, pathsBase)) : (text: string) => text;
  // One origin per adapter, so a dispatcher of our own (not a global one): keep-alive sockets are ours to close.
  const pool = engineDispatcher(opts.url, route, {
    connections: opts.connections ?? null,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // Our own timer covers the whole exchange; undici's are only a backstop.
    headersTimeout: opts.timeoutMs + 1_000,
    bodyTimeout: opts.timeoutMs + 1_000,
  });
  let closed = false;

  async function exchange(
    method: 'GET' | 'POST',
    url: URL,
    headers: Record<string, string>,
    body: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<Exchange> {
    const started = performance.now();
    const elapsed = () => performance.now() - started;
    const printable = redactUrl(url);
    if (closed) return { ok: false, error: { kind: 'aborted', message: 'the engine adapter is closed' }, latencyMs: 0 };
    if (signal?.aborted) return { ok: false, error: { kind: 'aborted', message: 'the run was cancelled' }, latencyMs: 0 };

    const ac = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ac.abort(new Error('timeout'));
    }, opts.timeoutMs);
    const onAbort = () => ac.abort(new Error('aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });

    let status: number | undefined;
    /** Body bytes received so far (as sent, before any decoding). */
    let size = 0;
    try {
      const res = await pool.request({
        origin: opts.url.origin,
        method,
        path: url.pathname + url.search,
        headers,
        body,
        signal: ac.signal,
      });
      status = res.statusCode;
      const contentType = headerString(res.headers['content-type']);
      const location = headerString(res.headers.location) || undefined;
      const retryAfter = headerString(res.headers['retry-after']) || undefined;
      const encodings = contentEncodings(headerString(res.headers['content-encoding']));
      const unsupported = encodings.find((e) => !(e in DECODERS));
      if (unsupported !== undefined || encodings.length > 3) {
        discard(res.body);
        const what = excerpt(headerString(res.headers['content-encoding']), '', 60);
        return {
          ok: false,
          status,
          error: {
            kind: 'invalid_json',
            message: `${method} ${printable}: the engine answered HTTP ${status} with content-encoding "${what}", which cannot be decoded (gzip, deflate and br can; toron-testops asks for identity)`,
            status,
          },
          latencyMs: elapsed(),
        };
      }
      const declared = Number(headerString(res.headers['content-length']));
      if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
        discard(res.body);
        return {
          ok: false,
          status,
          error: tooLarge(`declares ${declared} bytes (content-length)`, opts.maxResponseBytes, status),
          latencyMs: elapsed(),
        };
      }
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        size += buf.length;
        if (size > opts.maxResponseBytes) {
          // Stop here: destroying the body drops the socket, so the rest is never transferred.
          res.body.destroy();
          return {
            ok: false,
            status,
            error: tooLarge(`sent more than that (stopped reading at ${size} bytes)`, opts.maxResponseBytes, status),
            latencyMs: elapsed(),
          };
        }
        chunks.push(buf);
      }
      let received: Buffer = Buffer.concat(chunks);
      if (encodings.length > 0) {
        const decoded = await decode(received, encodings, opts.maxResponseBytes);
        if (!decoded.ok) {
          const error: EngineError =
            decoded.tooLarge
              ? tooLarge(`decodes (${encodings.join(', ')}) to more than that`, opts.maxResponseBytes, status)
              : { kind: 'invalid_json', message: `${method} ${printable}: the engine answered HTTP ${status} with a ${encodings.join(', ')} body that does not decode: ${decoded.message}`, status };
          return { ok: false, status, error, latencyMs: elapsed() };
        }
        received = decoded.body;
      }
      const latencyMs = elapsed();
      // undici marks the socket free (its 'drain') just after the body ends; a caller that sends its
      // next request in the same turn would otherwise open a second socket instead of reusing this one.
      await new Promise<void>((r) => setImmediate(r));
      // Only an answer must be UTF-8: an error page's excerpt may be decoded loosely.
      const bad = status >= 200 && status < 300 ? firstNonUtf8Byte(received) : -1;
      const notUtf8 = bad === -1 ? undefined : notUtf8Message(received, bad, contentType);
      return { ok: true, status, contentType, text: received.toString('utf8'), latencyMs, location, notUtf8, retryAfter };
    } catch (err) {
      const latencyMs = elapsed();
      if (timedOut) {
        const phase =
          status === undefined
            ? 'no answer'
            : `HTTP ${status} headers arrived, but the body was incomplete (${size} bytes received)`;
        return {
          ok: false,
          status,
          error: { kind: 'timeout', message: `${method} ${printable}: ${phase} within ${opts.timeoutMs} ms`, status },
          latencyMs,
        };
      }
      if (signal?.aborted || closed) {
        return { ok: false, status, error: { kind: 'aborted', message: 'the run was cancelled' }, latencyMs };
      }
      // With the status known the engine did answer: what broke was the body.
      const net = describeNetworkError(err, status !== undefined);
      const what = status === undefined ? `${net.message}${clientCertHint(opts.url, route, net.code, net.message)}${via}` : `HTTP ${status}, but the body was incomplete (${size} bytes received): ${net.message}${via}`;
      return {
        ok: false,
        status,
        error: { kind: net.kind, message: redact(`${method} ${printable}: ${what}`), status },
        latencyMs,
        code: net.code,
      };
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async function call(req: EngineRequest, signal?: AbortSignal): Promise<EngineResult> {
    const payload = JSON.stringify({ ...(opts.body ?? {}), ...req.input });
    const headers = {
      ...baseHeaders,
      'content-type': baseHeaders['content-type'] ?? 'application/json',
      'x-toron-seed': String(req.seed),
      'x-toron-run-id': headerSafe(req.runId),
      'x-toron-case-id': headerSafe(req.caseId),
    };
    const ex = await exchange('POST', opts.url, headers, payload, signal);
    if (!ex.ok) return { ok: false, error: { ...ex.error, message: portable(ex.error.message) }, status: ex.status, latencyMs: ex.latencyMs };
    const judged = judgeAnswer(ex, redact);
    if (!judged.ok && isRateLimitStatus(ex.status, ex.retryAfter)) {
      // Marked, not retried here: callEngine retries SIM and replay requests; the load stage counts it.
      judged.error.rateLimit = { retryAfterMs: parseRetryAfter(ex.retryAfter) };
      if (ex.retryAfter !== undefined) judged.error.message += ` (Retry-After: ${redact(excerpt(ex.retryAfter, '', 60))})`;
    }
    // An engine that echoes our headers must not put a token into the snapshot or the reports.
    if (judged.ok && redactAnswer) {
      const body = redactAnswer(judged.body);
      const raw = redact(judged.raw);
      return { ...judged, body, raw, ...(body !== judged.body || raw !== judged.raw ? { bodyRedacted: true as const } : {}) };
    }
    if (!judged.ok) {
      return { ...judged, error: { ...judged.error, message: portable(judged.error.message) }, raw: judged.raw === undefined ? undefined : portable(judged.raw) };
    }
    return judged;
  }

  async function health(signal?: AbortSignal): Promise<HealthResult> {
    const h = await healthOf(signal);
    return { ...h, message: portable(h.message), tried: h.tried.map(portable) };
  }

  async function healthOf(signal?: AbortSignal): Promise<HealthResult> {
    const tried: string[] = [];
    // Next to the run route, with its query: a gateway that takes its key as ?key=... wants it on
    // every route, and without it /health answered 401 ("check the configured engine headers").
    const sibling = (name: string) => {
      const u = new URL(name, opts.url);
      u.search = opts.url.search;
      return u;
    };
    const routes = [sibling('health'), sibling('version')];
    const missing: string[] = [];
    for (const [i, url] of routes.entries()) {
      const printable = `GET ${redactUrl(url)}`;
      const ex = await exchange('GET', url, baseHeaders, undefined, signal);
      if (!ex.ok) {
        tried.push(`${printable}: ${ex.error.message.replace(`${printable}: `, '')}`);
        // The same host and port: after a refusal or a timeout the next route would only repeat it.
        const refused = ex.code === 'ECONNREFUSED';
        // Through a proxy only the proxy is connected to: an engine that is down is the proxy's 502 or
        // its refusal of the CONNECT, never a refused connection. Waiting for the engine would not help.
        const proxy = route.proxy;
        const why = ex.error.kind === 'timeout' ? 'no answer in time' : refused ? (proxy ? `the proxy ${proxy.printable} (from ${proxy.from}) refused the connection` : 'connection refused') : ex.error.kind;
        return {
          ok: false,
          tried,
          // `tried` carries the per-URL detail; the message stays one short line.
          message: `engine ${target} is unreachable (${why})${refused && !proxy ? `; ${NOT_RETRIED}` : ''}`,
        };
      }
      tried.push(`${printable}: HTTP ${ex.status}`);
      if (ex.status === 404 || ex.status === 405) {
        missing.push(`${printable} → ${ex.status}`);
        continue;
      }
      if (ex.status === 401 || ex.status === 403) {
        return {
          ok: false,
          answered: true,
          tried,
          message:
            `engine ${target} refused ${printable} with HTTP ${ex.status}: check the configured engine ` +
            `headers (values are not shown)`,
        };
      }
      if (ex.status >= 500) {
        // 503 (loading), or a gateway whose engine is not up (502, 504): waiting would help; a 500 would not.
        const notReady = ex.status === 502 || ex.status === 503 || ex.status === 504 || ex.retryAfter !== undefined;
        const after = ex.retryAfter === undefined ? '' : ` (Retry-After: ${redact(excerpt(ex.retryAfter, '', 60))})`;
        const shown = redact(excerpt(ex.text, ex.contentType));
        return {
          ok: false,
          answered: true,
          tried,
          message:
            `engine ${target} is ${notReady ? 'not ready' : 'not healthy'}: ${printable} answered HTTP ${ex.status}${after}` +
            `${shown ? `: ${shown}` : ' with an empty body'}${notReady ? `; ${NOT_RETRIED}` : ''}`,
        };
      }
      if (ex.status < 200 || ex.status >= 300) {
        const to = ex.location === undefined ? '' : `, a redirect to ${redact(excerpt(ex.location, '', 300))}`;
        return {
          ok: true,
          tried,
          message: `engine ${target} answers HTTP (${printable} → ${ex.status}${to}) but has no usable health route`,
        };
      }
      let version = versionOf(ex.text);
      // /health answered but without a version: /version may still say which build this is.
      if (version === undefined && i === 0) {
        const v = await exchange('GET', routes[1], baseHeaders, undefined, signal);
        if (v.ok && v.status >= 200 && v.status < 300) version = versionOf(v.text);
        tried.push(`GET ${redactUrl(routes[1])}: ${v.ok ? `HTTP ${v.status}` : v.error.message}`);
      }
      return {
        ok: true,
        version,
        tried,
        message: `engine ${target} is up (${printable} → ${ex.status}${version ? `, version ${version}` : ''})`,
      };
    }
    return {
      ok: true,
      tried,
      message: `engine ${target} answers HTTP but has no health route (${missing.join(', ')}); continuing`,
    };
  }

  return {
    kind: 'http',
    target,
    // report.json's engine block says a proxy carried the requests (its host only).
    ...(route.proxy ? { proxy: route.proxy.host } : {}),
    health,
    call,
    async close() {
      if (closed) return;
      closed = true;
      // close() waits for requests in flight; they are bounded by their timeouts, but do not wait forever.
      const graceful = pool.close().then(() => true);
      const late = new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref());
      if (!(await Promise.race([graceful, late]))) await pool.destroy();
    },
  };
}

/** Judges a finished 2xx/non-2xx exchange as an engine answer. */
export function judgeAnswer(
  ex: { status: number; contentType: string; text: string; latencyMs: number; location?: string; notUtf8?: string },
  redact: (s: string) => string = (s) => s,
): EngineResult {
  const { status, contentType, text, latencyMs, location, notUtf8 } = ex;
  const fail = (kind: EngineError['kind'], message: string): EngineResult => ({
    ok: false,
    error: { kind, message: redact(message), status },
    raw: redact(text),
    status,
    latencyMs,
  });
  if (status < 200 || status >= 300) {
    const shown = excerpt(text, contentType);
    // Redirects are not followed (a POST must not silently become a GET elsewhere): say where to.
    const to =
      status >= 300 && status < 400
        ? ` (a redirect to ${location === undefined ? 'nowhere: no Location header' : excerpt(location, '', 300)}; redirects are not followed, so configure the final URL as the engine)`
        : '';
    return fail('http_status', `engine answered HTTP ${status}${to}${shown ? `: ${shown}` : ' with an empty body'}`);
  }
  if (notUtf8 !== undefined) {
    return fail('invalid_json', `engine answered HTTP ${status}, but ${notUtf8}; body starts: ${excerpt(text, contentType)}`);
  }
  if (text.trim() === '') return fail('invalid_json', `engine answered HTTP ${status} with an empty body, not JSON`);
  try {
    // A UTF-8 BOM is not JSON but is common from some servers; the raw text keeps it.
    const body: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    // The body decides, not the label: Flask's json.dumps and PHP's echo send JSON as text/html.
    return { ok: true, body, raw: text, status, latencyMs };
  } catch (err) {
    if (looksLikeHtml(contentType, text)) {
      return fail('invalid_json', `engine answered HTML, not JSON (HTTP ${status}): ${excerpt(text, contentType)}`);
    }
    return fail(
      'invalid_json',
      // V8's message quotes the text around the error: escaped like the excerpt.
      `engine answered invalid JSON (HTTP ${status}): ${escapeControls((err as Error).message)}; body starts: ${excerpt(text, contentType)}`,
    );
  }
}

/** Headers every request to an HTTP engine carries (the adapter's and the load generator's). */
export function buildBaseHeaders(opts: Pick<HttpAdapterOptions, 'url' | 'headers'>): Record<string, string> {
  // identity: a compressed answer would cost the engine CPU and blur its latency (one that compresses
  // anyway is decoded, see decode()).
  // A User-Agent, as curl and k6 send one: firewalls in front of engines (AWS WAF's common rule set,
  // CDN bot rules) answer 403 to a request without it.
  const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity', 'user-agent': 'toron-testops' };
  // Credentials in the URL (http://user:pass@host) become Basic auth, as a browser or curl would do.
  if (opts.url.username || opts.url.password) {
    const user = decodeURIComponent(opts.url.username);
    const pass = decodeURIComponent(opts.url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  // Lower-cased so a configured Content-Type replaces ours instead of being sent twice.
  for (const [k, v] of Object.entries(opts.headers)) headers[k.toLowerCase()] = v;
  return headers;
}

/** The proxy host an http adapter's requests go through (report.json's engine.proxy), if any. */
export function proxyOf(adapter: EngineAdapter | null | undefined): string | undefined {
  const p = (adapter as { proxy?: unknown } | null | undefined)?.proxy;
  return typeof p === 'string' ? p : undefined;
}

/** Codes of an https engine ending the connection before any answer, as a server that wants a client certificate does. */
const CLOSED_BEFORE_ANSWER = new Set([
  'UND_ERR_SOCKET',
  'ECONNRESET',
  'EPIPE',
  'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
  'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSL/TLS_ALERT_HANDSHAKE_FAILURE',
  'ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_SSL/TLS_ALERT_BAD_CERTIFICATE',
  'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
  'ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN',
  'ERR_SSL_SSL/TLS_ALERT_CERTIFICATE_UNKNOWN',
]);

/**
 * Said after an https engine closed the connection before answering: a server that requires a client
 * certificate (mTLS) ends the connection right after the handshake (TLS 1.3 sends its alert only then),
 * which reads as "the engine closed the connection before answering".
 */
export function clientCertHint(url: URL, route: EngineRoute, code: string | undefined, message: string): string {
  if (url.protocol !== 'https:' || code === undefined || !CLOSED_BEFORE_ANSWER.has(code) || message.includes('not asked for')) return '';
  return route.tls?.cert
    ? '; the engine may not accept the client certificate (engine.tls.cert, engine.tls.key)'
    : '; over TLS this is what an engine that requires a client certificate does: it probably requires one (configure engine.tls.cert and engine.tls.key)';
}

/** Said after a network error when a proxy carried the request: the error may be the proxy's. */
export function viaProxy(route: EngineRoute): string {
  return route.proxy ? ` (through the proxy ${route.proxy.printable}, from ${route.proxy.from})` : '';
}

/** The redactors' secrets: the headers, plus the proxy URL's user and password (never printed). */
export function withProxySecrets(headers: Record<string, string>, route: EngineRoute): Record<string, string> {
  const extra = proxySecrets(route.proxy);
  if (extra.length === 0) return headers;
  const out = { ...headers };
  extra.forEach((v, i) => (out[`proxy-authorization-${i}`] = v));
  return out;
}

/** Run and case ids go in headers: anything outside printable ASCII is percent-encoded. */
export function headerSafe(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
}

type Decoder = (buf: zlib.InputType, options: zlib.ZlibOptions | zlib.BrotliOptions) => Promise<Buffer>;
const gunzip = promisify(zlib.gunzip) as Decoder;
const inflate = promisify(zlib.inflate) as Decoder;
const inflateRaw = promisify(zlib.inflateRaw) as Decoder;
const brotli = promisify(zlib.brotliDecompress) as Decoder;

/** Content codings we decode; "deflate" is zlib-wrapped by the RFC, but some servers send it raw. */
const DECODERS: Record<string, (buf: Buffer) => Decoder> = {
  gzip: () => gunzip,
  'x-gzip': () => gunzip,
  deflate: (buf) => (buf.length >= 2 && (buf[0] & 0x0f) === 8 && ((buf[0] << 8) | buf[1]) % 31 === 0 ? inflate : inflateRaw),
  br: () => brotli,
};

/** The codings of a Content-Encoding header in the order they were applied, identity left out. */
function contentEncodings(header: string): string[] {
  return header
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
}

/**
 * Undoes the content codings, last applied first. Each step stops at `cap` bytes of output (zlib's
 * maxOutputLength), so a small body that inflates to gigabytes (a zip bomb) costs at most the cap.
 */
async function decode(
  body: Buffer,
  encodings: string[],
  cap: number,
): Promise<{ ok: true; body: Buffer } | { ok: false; tooLarge: boolean; message: string }> {
  let out: Buffer = body;
  for (const e of [...encodings].reverse()) {
    try {
      out = await DECODERS[e](out)(out, { maxOutputLength: Math.max(1, cap) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, tooLarge: true, message: '' };
      return { ok: false, tooLarge: false, message: escapeControls((err as Error).message) + (code ? ` (${code})` : '') };
    }
  }
  return { ok: true, body: out };
}

/** Drops a body we will not read; undici's abort error on it has nobody to go to. */
function discard(body: NodeJS.ReadableStream & { destroy(): void }): void {
  body.on('error', () => {});
  body.destroy();
}

function headerString(v: string | string[] | undefined): string {
  return Array.isArray(v) ? (v[0] ?? '') : (v ?? '');
}

function tooLarge(what: string, cap: number, status: number): EngineError {
  return {
    kind: 'too_large',
    message: `engine answer is over the ${cap}-byte cap (maxResponseBytes): it ${what}`,
    status,
  };
}

function versionOf(text: string): string | undefined {
  try {
    return engineVersionOf((JSON.parse(text) as { version?: unknown } | null)?.version);
  } catch {
    return undefined;
  }
}
