import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';
import type { EngineAdapter, EngineError, EngineRequest, EngineResult, HealthResult } from './types.js';
import { redactUrl } from './spec.js';
import { secretRedactor } from './secrets.js';
import { describeNetworkError, escapeControls, excerpt, looksLikeHtml } from './http-errors.js';

export interface HttpAdapterOptions {
  url: URL;
  /** Already expanded (secrets.ts): sent on every request, never printed. */
  headers: Record<string, string>;
  /** Covers the whole exchange: connect, headers and the full body. */
  timeoutMs: number;
  maxResponseBytes: number;
  /** Extra fields merged under each case input. */
  body?: Record<string, unknown>;
  /** Sockets kept open to the engine (default: as many as there are requests in flight). */
  connections?: number;
}

/** One finished HTTP exchange, before its body is judged as an answer. */
type Exchange =
  | { ok: true; status: number; contentType: string; text: string; latencyMs: number }
  | { ok: false; error: EngineError; status?: number; latencyMs: number };

const KEEP_ALIVE_MS = 30_000;

export function createHttpAdapter(opts: HttpAdapterOptions): EngineAdapter {
  const target = redactUrl(opts.url);
  const baseHeaders = buildBaseHeaders(opts);
  const redact = secretRedactor(baseHeaders);
  // One origin per adapter, so a Pool (not a global dispatcher): keep-alive sockets are ours to close.
  const pool = new Pool(opts.url.origin, {
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
    try {
      const res = await pool.request({
        method,
        path: url.pathname + url.search,
        headers,
        body,
        signal: ac.signal,
      });
      status = res.statusCode;
      const contentType = headerString(res.headers['content-type']);
      const declared = Number(headerString(res.headers['content-length']));
      if (Number.isFinite(declared) && declared > opts.maxResponseBytes) {
        res.body.destroy();
        return {
          ok: false,
          status,
          error: tooLarge(`declares ${declared} bytes (content-length)`, opts.maxResponseBytes, status),
          latencyMs: elapsed(),
        };
      }
      const chunks: Buffer[] = [];
      let size = 0;
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
      const latencyMs = elapsed();
      // undici marks the socket free (its 'drain') just after the body ends; a caller that sends its
      // next request in the same turn would otherwise open a second socket instead of reusing this one.
      await new Promise<void>((r) => setImmediate(r));
      return { ok: true, status, contentType, text: Buffer.concat(chunks).toString('utf8'), latencyMs };
    } catch (err) {
      const latencyMs = elapsed();
      if (timedOut) {
        const phase = status === undefined ? 'no answer' : `HTTP ${status} but the body did not finish`;
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
      const net = describeNetworkError(err);
      return {
        ok: false,
        status,
        error: { kind: net.kind, message: redact(`${method} ${printable}: ${net.message}`), status },
        latencyMs,
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
    if (!ex.ok) return { ok: false, error: ex.error, status: ex.status, latencyMs: ex.latencyMs };
    return judgeAnswer(ex, redact);
  }

  async function health(signal?: AbortSignal): Promise<HealthResult> {
    const tried: string[] = [];
    const routes = [new URL('health', opts.url), new URL('version', opts.url)];
    const missing: string[] = [];
    for (const [i, url] of routes.entries()) {
      const printable = `GET ${redactUrl(url)}`;
      const ex = await exchange('GET', url, baseHeaders, undefined, signal);
      if (!ex.ok) {
        tried.push(`${printable}: ${ex.error.message.replace(`${printable}: `, '')}`);
        // The same host and port: after a refusal or a timeout the next route would only repeat it.
        return {
          ok: false,
          tried,
          // `tried` carries the per-URL detail; the message stays one short line.
          message: `engine ${target} is unreachable (${ex.error.kind === 'timeout' ? 'no answer in time' : ex.error.kind})`,
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
          tried,
          message:
            `engine ${target} refused ${printable} with HTTP ${ex.status}: check the configured engine ` +
            `headers (values are not shown)`,
        };
      }
      if (ex.status >= 500) {
        return {
          ok: false,
          tried,
          message: `engine ${target} is not healthy: ${printable} answered HTTP ${ex.status}: ${redact(excerpt(ex.text, ex.contentType))}`,
        };
      }
      if (ex.status < 200 || ex.status >= 300) {
        return {
          ok: true,
          tried,
          message: `engine ${target} answers HTTP (${printable} → ${ex.status}) but has no usable health route`,
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
  ex: { status: number; contentType: string; text: string; latencyMs: number },
  redact: (s: string) => string = (s) => s,
): EngineResult {
  const { status, contentType, text, latencyMs } = ex;
  const fail = (kind: EngineError['kind'], message: string): EngineResult => ({
    ok: false,
    error: { kind, message: redact(message), status },
    raw: redact(text),
    status,
    latencyMs,
  });
  if (status < 200 || status >= 300) {
    const shown = excerpt(text, contentType);
    return fail('http_status', `engine answered HTTP ${status}${shown ? `: ${shown}` : ' with an empty body'}`);
  }
  if (text.trim() === '') return fail('invalid_json', `engine answered HTTP ${status} with an empty body, not JSON`);
  if (looksLikeHtml(contentType, text)) {
    return fail('invalid_json', `engine answered HTML, not JSON (HTTP ${status}): ${excerpt(text, contentType)}`);
  }
  try {
    // A UTF-8 BOM is not JSON but is common from some servers; the raw text keeps it.
    const body: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return { ok: true, body, raw: text, status, latencyMs };
  } catch (err) {
    return fail(
      'invalid_json',
      // V8's message quotes the text around the error: escaped like the excerpt.
      `engine answered invalid JSON (HTTP ${status}): ${escapeControls((err as Error).message)}; body starts: ${excerpt(text, contentType)}`,
    );
  }
}

/** Headers every request to an HTTP engine carries (the adapter's and the load generator's). */
export function buildBaseHeaders(opts: Pick<HttpAdapterOptions, 'url' | 'headers'>): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json' };
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

/** Run and case ids go in headers: anything outside printable ASCII is percent-encoded. */
export function headerSafe(s: string): string {
  return /^[\x20-\x7e]*$/.test(s) ? s : encodeURIComponent(s);
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
    const v = (JSON.parse(text) as { version?: unknown } | null)?.version;
    return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
  } catch {
    return undefined;
  }
}
