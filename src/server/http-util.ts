import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error with its HTTP status: the handler answers `{ error: message }` with that status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Headers every answer carries: no sniffing, no caching of API answers, no token in a Referer. */
export const BASE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
};

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body, null, 2) + '\n';
  res.writeHead(status, { ...BASE_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, err.status, { error: err.message, status: err.status }, err.headers);
}

/**
 * The request body, at most `limit` bytes: a larger Content-Length is refused before reading, and a
 * chunked body that grows past the limit is cut off (413 either way).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) {
    return Promise.reject(new HttpError(413, `request body too large: ${declared} bytes, the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > limit) {
        done = true;
        req.pause();
        reject(new HttpError(413, `request body too large: more than ${limit} bytes`));
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      resolve(Buffer.concat(parts));
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      reject(new HttpError(400, `could not read the request body: ${err.message}`));
    });
  });
}

/** A JSON body: empty is `{}`; anything that is not JSON is a 400 naming where it broke. */
export function parseJsonBody(buf: Buffer): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HttpError(400, `the request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** A query parameter as a bounded integer; absent gives the default, anything else not an integer is a 400. */
export function intParam(params: URLSearchParams, name: string, def: number, min: number, max: number): number {
  const raw = params.get(name);
  if (raw === null || raw === '') return def;
  if (!/^-?[0-9]{1,15}$/.test(raw.trim())) throw new HttpError(400, `query parameter ${name} must be an integer, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new HttpError(400, `query parameter ${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}
