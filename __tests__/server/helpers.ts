import http from 'node:http';
import { makeProject } from '../helpers/cli.js';
import { startServer, type ServeOptions, type TestopsServer } from '../../src/server/server.js';

/**
 * A project with one SIM dataset of `n` cases; every `failEvery`-th case fails (0: none fail).
 * `idPad` lengthens case ids (they appear in every case event, log line and finding): big events, few cases.
 */
export function simProject(n: number, failEvery = 2, extraConfig: Record<string, unknown> = {}, idPad = 0): string {
  const cases = Array.from({ length: n }, (_, i) => ({
    id: `c${i}${idPad > 0 ? '-' + 'x'.repeat(idPad) : ''}`,
    input: { prompt: `question ${i}` },
    assert: [{ type: 'contains', value: failEvery > 0 && i % failEvery === failEvery - 1 ? 'no such words' : 'question' }],
  }));
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true, tags: [] }] },
    'sim/d.json': { name: 'd', description: 'server test', seed: 1, defaults: { assert: [] }, cases },
    'testops.config.json': { engine: 'reference', stages: ['sim'], ...extraConfig },
  });
}

export async function startTestServer(cwd: string, opts: Partial<ServeOptions> = {}): Promise<TestopsServer> {
  return startServer({ cwd, port: 0, log: () => {}, env: {}, ...opts });
}

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: any;
}

/** One real HTTP request; `rawPath` is sent exactly as given (no client-side normalisation). */
export function request(
  base: string,
  rawPath: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HttpAnswer> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: u.hostname, port: u.port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d) => parts.push(d));
        res.on('end', () => {
          const body = Buffer.concat(parts).toString('utf8');
          let json: unknown = undefined;
          try {
            json = JSON.parse(body);
          } catch {
            // not JSON
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export function postRun(base: string, body: unknown, headers: Record<string, string> = {}): Promise<HttpAnswer> {
  return request(base, '/master/run', { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

export interface SseMessage {
  id: string | null;
  event: string;
  data: string;
}

export interface SseResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  messages: SseMessage[];
  comments: string[];
}

/** Parses an SSE byte stream incrementally (complete messages only). */
export class SseParser {
  messages: SseMessage[] = [];
  comments: string[] = [];
  private buf = '';
  constructor(private readonly onMessage?: (m: SseMessage) => void) {}

  push(text: string): void {
    this.buf += text;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      let id: string | null = null;
      let event = 'message';
      const data: string[] = [];
      let fields = 0;
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          this.comments.push(line.slice(1).trim());
          continue;
        }
        const c = line.indexOf(':');
        const name = c < 0 ? line : line.slice(0, c);
        const value = c < 0 ? '' : line.slice(c + 1).replace(/^ /, '');
        if (name === 'id') id = value;
        else if (name === 'event') event = value;
        else if (name === 'data') data.push(value);
        else continue;
        fields++;
      }
      if (fields > 0 && data.length > 0) {
        const m = { id, event, data: data.join('\n') };
        this.messages.push(m);
        this.onMessage?.(m);
      }
    }
  }
}

/** A real SSE client on its own connection: reads until the server closes the stream. */
export function readSse(base: string, path: string, headers: Record<string, string> = {}, onMessage?: (m: SseMessage) => void): Promise<SseResult> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path, headers: { Accept: 'text/event-stream', ...headers }, agent: false }, (res) => {
      const parser = new SseParser(onMessage);
      res.setEncoding('utf8');
      res.on('data', (d: string) => parser.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, messages: parser.messages, comments: parser.comments }));
      res.on('error', reject);
      res.on('aborted', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, messages: parser.messages, comments: parser.comments }));
    });
    req.on('error', reject);
  });
}

/**
 * A client that gets the response headers and then stops reading: the server's writes pile up in
 * the kernel's socket buffers, then in Node. `resume()` reads the rest until the server closes.
 */
export function stalledClient(base: string, path: string): Promise<{ resume(): Promise<{ messages: SseMessage[]; aborted: boolean }> }> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ host: u.hostname, port: u.port, path, headers: { Accept: 'text/event-stream' }, agent: false }, (res) => {
      res.pause();
      resolve({
        resume() {
          return new Promise((r) => {
            const parser = new SseParser();
            let aborted = false;
            res.setEncoding('utf8');
            res.on('data', (d: string) => parser.push(d));
            res.on('aborted', () => (aborted = true));
            res.on('error', () => (aborted = true));
            res.on('close', () => r({ messages: parser.messages, aborted }));
            res.resume();
          });
        },
      });
    });
    req.on('error', reject);
  });
}

export function seqs(messages: SseMessage[]): number[] {
  // Ids are `<seq>-<instance token>` (a stored run's done is `done-<token>`).
  return messages.filter((m) => m.id !== null).map((m) => Number.parseInt(m.id!, 10));
}

/** Waits until `check` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
