import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

export const FIXTURES = path.join(ROOT, '__tests__/fixtures/pipeline');

export interface SampleLine {
  seq: number;
  case: string;
  request: { prompt: string };
  response: Record<string, unknown>;
}

export function readJsonl(file: string): SampleLine[] {
  return fs
    .readFileSync(path.join(FIXTURES, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SampleLine);
}

/** The real answers (reference/toron-samples, copied unchanged) and the reference engine's toron-3 ones. */
export const samples = {
  '2.5h': () => readJsonl('toron-samples/toron-2.5h.jsonl'),
  stability: () => readJsonl('toron-samples/toron-2.5h-stability.jsonl'),
  t3query: () => readJsonl('toron-3-query.jsonl'),
  t3full: () => readJsonl('toron-3-full.jsonl'),
};

export function clone<T>(v: T): T {
  return structuredClone(v);
}

/**
 * A real HTTP engine on 127.0.0.1 that answers each POST /run with the canned body for its `sample`
 * field (`delays` can slow single samples), and GET /health with `version`.
 */
export async function cannedEngine(
  bodies: unknown[],
  opts: { version?: string; delays?: Record<number, number>; raw?: Record<number, string> } = {},
): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    let data = '';
    req.on('data', (d) => (data += d));
    req.on('end', () => {
      const send = (status: number, body: unknown, text?: string) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(text ?? JSON.stringify(body));
      };
      if (req.method === 'GET' && req.url === '/health') return send(200, { status: 'ok', ...(opts.version ? { version: opts.version } : {}) });
      if (req.method !== 'POST') return send(404, { error: 'not found' });
      const input = JSON.parse(data) as { sample?: number };
      const i = input.sample ?? -1;
      if (!(i in bodies) && !(opts.raw && i in opts.raw)) return send(400, { error: `no sample ${i}` });
      const delay = opts.delays?.[i] ?? 0;
      // `raw` bodies are sent as written (JSON too deep for JSON.stringify, say).
      setTimeout(() => send(200, bodies[i], opts.raw?.[i]), delay);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/run`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
