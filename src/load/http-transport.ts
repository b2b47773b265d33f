import { buildBaseHeaders, clientCertHint, headerSafe, judgeAnswer, KEEP_ALIVE_MS, viaProxy, withProxySecrets } from '../engine/http.js';
import type { Dispatcher } from 'undici';
import { engineDispatcher, type EngineRoute } from '../engine/connection.js';
import { describeNetworkError } from '../engine/http-errors.js';
import { engineRedactors } from '../engine/secrets.js';
import { redactUrl } from '../engine/spec.js';
import { firstNonUtf8Byte, notUtf8Message } from '../engine/utf8.js';
import { contentEncodings, decodeSync } from '../engine/content-coding.js';
import type { EngineErrorKind } from '../engine/types.js';
import type { Cancellable, FlightSink, LoadRequest, LoadTransport } from './transport.js';

/**
 * The HTTP side of the built-in generator: undici's low-level `dispatch` with a small handler object per
 * request, no promise, no stream and no timer per request (the in-flight table sweeps timeouts). The
 * request is the one the engine adapter sends (src/engine/http.ts): the same JSON body (engine.body under
 * the case input), the same headers (configured ones, Basic auth from URL credentials, x-toron-seed,
 * -run-id and -case-id), so the engine sees no difference between SIM and load traffic. Bodies are
 * serialised once per case, header lists (and the dispatch options holding them) once per case and repeat.
 *
 * Connections: one undici Client per socket, one request at a time on each (HTTP/1.1 without pipelining,
 * as an open model needs), so at most about load.maxInFlight of them. They are kept on a free list (last
 * used, first reused). undici's Pool
 * looks for a free client by scanning all of them on every request, which at hundreds of connections (an
 * open model in front of a stalled engine) costs more than the request itself. A client goes back on the
 * free list before its answer is reported, so a request the generator starts from that answer's callback
 * (at saturation) reuses the same connection; undici still writes it only on its next turn, as it does
 * for any reused connection with pipelining 1.
 */

export interface HttpTransportOptions {
  url: URL;
  /** Already expanded (secrets.ts); never printed. */
  headers: Record<string, string>;
  maxResponseBytes: number;
  body?: Record<string, unknown>;
  runId: string;
  timeoutMs: number;
  /** Makes an engine's error text fit for a report (paths of this machine made portable), as the adapter does. */
  printable?: (text: string) => string;
  /** Proxy and TLS options, as the adapter's (engine/connection.ts builds both dispatchers). */
  route?: EngineRoute;
}

/** One socket's dispatcher: a Client, or a proxy agent with one connection (closed/destroyed as a Client's). */
type Client = Dispatcher & { readonly closed: boolean; readonly destroyed: boolean };

export function httpTransport(opts: HttpTransportOptions): LoadTransport {
  const base = buildBaseHeaders(opts);
  const route: EngineRoute = opts.route ?? { proxy: null };
  const { redact, redactAnswer } = engineRedactors(withProxySecrets(base, route), opts.url);
  const via = viaProxy(route);
  const certHint = (code: string | undefined, message: string) => clientCertHint(opts.url, route, code, message);
  const portable = opts.printable;
  const reportable = portable ? (text: string) => portable(redact(text)) : redact;
  const printable = redactUrl(opts.url);
  const path = opts.url.pathname + opts.url.search;
  const clientOptions = {
    connections: 1,
    pipelining: 1,
    keepAliveTimeout: KEEP_ALIVE_MS,
    // The in-flight table's sweep times requests out: no timer of undici's per request.
    headersTimeout: 0,
    bodyTimeout: 0,
  };
  const origin = opts.url.origin;
  const idle: Client[] = [];
  const all = new Set<Client>();
  let closed = false;
  const acquire = (): Client => {
    const c = idle.pop();
    if (c) return c;
    const fresh = engineDispatcher(opts.url, route, clientOptions) as Client;
    all.add(fresh);
    return fresh;
  };
  // A client is free again once undici has ended its request (answered, failed or aborted).
  const release = (c: Client): void => {
    if (closed || c.closed || c.destroyed) {
      all.delete(c);
      return;
    }
    idle.push(c);
  };
  const baseFlat: string[] = [];
  for (const [k, v] of Object.entries({ ...base, 'content-type': base['content-type'] ?? 'application/json' })) baseFlat.push(k, v);
  const bodies = new Map<number, Buffer>();
  // The whole dispatch options object per case and repeat, built once: undici only reads it.
  const dispatchOpts = new Map<number, Dispatcher.DispatchOptions[]>();

  const bodyFor = (req: LoadRequest): Buffer => {
    let b = bodies.get(req.caseIndex);
    if (!b) bodies.set(req.caseIndex, (b = Buffer.from(JSON.stringify({ ...(opts.body ?? {}), ...req.case.input }))));
    return b;
  };
  const optionsFor = (req: LoadRequest): Dispatcher.DispatchOptions => {
    let perCase = dispatchOpts.get(req.caseIndex);
    if (!perCase) dispatchOpts.set(req.caseIndex, (perCase = []));
    return (perCase[req.repeat] ??= {
      origin,
      method: 'POST',
      path,
      headers: [
        ...baseFlat,
        'x-toron-seed',
        String(req.seed),
        'x-toron-run-id',
        headerSafe(opts.runId),
        'x-toron-case-id',
        headerSafe(req.case.id),
      ],
      body: bodyFor(req),
    });
  };

  return {
    name: 'http (undici)',
    answersFromIo: true,
    start(req, sink) {
      const client = acquire();
      const h = new Handler(sink, opts.maxResponseBytes, printable, reportable, client, release, redactAnswer, via, certHint);
      try {
        client.dispatch(optionsFor(req), h);
      } catch (err) {
        h.onError(err as Error);
      }
      return h;
    },
    async close() {
      closed = true;
      const clients = [...all];
      all.clear();
      idle.length = 0;
      const graceful = Promise.all(clients.map((c) => c.close().catch(() => undefined))).then(() => true);
      const late = new Promise<boolean>((r) => setTimeout(() => r(false), 2_000).unref());
      if (!(await Promise.race([graceful, late]))) await Promise.all(clients.map((c) => c.destroy().catch(() => undefined)));
    },
  };
}

/**
 * One request's handler, and its handle for the generator. It speaks undici's core handler protocol
 * (onConnect/onHeaders/onData/onComplete/onError: what undici's Request calls itself), not the v7
 * controller API: a v7-style handler is wrapped per request in an UnwrapHandler that also turns the raw
 * headers (and trailers) of every response into an object, and the generator needs none of that on the
 * happy path. The content type is only looked up in the raw headers when an answer is an error.
 * undici 7 marks these methods deprecated but its Client still calls exactly these (core/request.js).
 */
class Handler implements Cancellable {
  private abortExchange: ((err?: Error) => void) | null = null;
  private status = 0;
  private rawHeaders: Buffer[] | null = null;
  /** The body: almost always one chunk, so no array unless a second one comes. */
  private first: Buffer | null = null;
  private more: Buffer[] | null = null;
  private size = 0;
  private settled = false;
  private released = false;

  constructor(
    private readonly sink: FlightSink,
    private readonly maxBytes: number,
    private readonly printable: string,
    private readonly redact: (s: string) => string,
    private readonly client: Client,
    private readonly releaseClient: (c: Client) => void,
    /** Blanks echoed secrets out of an answer (null: no header is a secret). */
    private readonly redactAnswer: ((body: unknown) => unknown) | null = null,
    /** Said after a network error when the request went through a proxy. */
    private readonly via = '',
    /** What an https engine closing the connection before answering probably means (engine/http.ts). */
    private readonly certHint: (code: string | undefined, message: string) => string = () => '',
  ) {}

  /** undici is done with this request: its client may take the next one. */
  private free(): void {
    if (this.released) return;
    this.released = true;
    this.releaseClient(this.client);
  }

  /** Cancelled or timed out: abort the exchange and never report it. */
  cancel(): void {
    if (this.settled) return;
    this.settled = true;
    this.abortExchange?.(new Error('load request stopped'));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortExchange = abort;
    if (this.settled) abort(new Error('load request stopped'));
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.settled) return true;
    this.size += chunk.length;
    if (this.size > this.maxBytes) {
      this.fail('too_large', `engine answer is over the ${this.maxBytes}-byte cap (maxResponseBytes): it sent more than that`, this.status);
      this.abortExchange?.(new Error('response too large'));
      return true;
    }
    if (this.first === null) this.first = chunk;
    else (this.more ??= [this.first]).push(chunk);
    return true;
  }

  onComplete(): void {
    this.free();
    if (this.settled) return;
    let bytes = this.more !== null ? Buffer.concat(this.more) : this.first;
    this.first = null;
    this.more = null;
    const status = this.status;
    // An engine that compresses although we ask for identity is decoded, as the adapter does.
    const coding = bytes !== null ? this.header('content-encoding') : '';
    const encodings = coding === '' ? [] : contentEncodings(coding);
    if (encodings.length > 0) {
      const d = decodeSync(bytes!, encodings, this.maxBytes);
      if (!d.ok) {
        return d.tooLarge
          ? this.fail('too_large', `engine answer is over the ${this.maxBytes}-byte cap (maxResponseBytes): it decodes (${encodings.join(', ')}) to more than that`, status)
          : this.fail('invalid_json', `engine answered HTTP ${status} with ${d.message}`, status);
      }
      bytes = d.body;
    }
    // toString() without arguments is Buffer's direct UTF-8 path.
    const text = bytes !== null ? bytes.toString() : '';
    if (status < 200 || status >= 300) return this.failAsAdapter(status, text);
    // As the adapter: an answer that is not UTF-8 would be changed by decoding (see engine/utf8.ts).
    const bad = bytes !== null ? firstNonUtf8Byte(bytes) : -1;
    if (bad !== -1) return this.fail('invalid_json', `engine answered HTTP ${status}, but ${notUtf8Message(bytes!, bad, this.contentType())}`, status);
    let body: unknown;
    try {
      // A UTF-8 BOM is not JSON but is common from some servers (the adapter accepts it too).
      body = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch {
      return this.failAsAdapter(status, text);
    }
    this.settled = true;
    this.rawHeaders = null;
    this.sink.answered(this.redactAnswer ? this.redactAnswer(body) : body, status);
  }

  onError(err: Error): void {
    this.free();
    if (this.settled) return;
    // With the status known the engine did answer: what broke was the body (the adapter's words).
    const answered = this.status !== 0;
    const net = describeNetworkError(err, answered);
    const what = answered ? `HTTP ${this.status}, but the body was incomplete (${this.size} bytes received): ${net.message}${this.via}` : `${net.message}${this.certHint(net.code, net.message)}${this.via}`;
    this.fail(net.kind, `POST ${this.printable}: ${what}`, this.status || undefined);
  }

  /** A non-2xx or unreadable answer, in the adapter's words (a redirect's Location, HTML named as such). */
  private failAsAdapter(status: number, text: string): void {
    const judged = judgeAnswer({ status, contentType: this.contentType(), text, latencyMs: 0, location: this.header('location') || undefined });
    if (judged.ok) return this.fail('invalid_json', `engine answered HTTP ${status}, but its body could not be read`, status);
    this.fail(judged.error.kind, judged.error.message, status);
  }

  /** The response's content type from its raw headers (name, value, name, value, ...). */
  private contentType(): string {
    return this.header('content-type');
  }

  /** A response header by its lower-case name, '' when absent (names compared by length first: cheap). */
  private header(name: string): string {
    const raw = this.rawHeaders;
    if (raw === null) return '';
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (raw[i].length === name.length && raw[i].toString('latin1').toLowerCase() === name) return raw[i + 1].toString('latin1');
    }
    return '';
  }

  private fail(kind: EngineErrorKind, message: string, status?: number): void {
    if (this.settled) return;
    this.settled = true;
    this.rawHeaders = null;
    this.sink.failed(kind, this.redact(message), status);
  }
}
