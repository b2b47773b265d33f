import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a loopback engine answers to one request (by its path and headers). */
export type EngineAnswerOf = (url: string, headers: IncomingHttpHeaders) => { status: number; body: string; contentType?: string };

export interface LoopbackEngine {
  port: number;
  close(): Promise<void>;
}

/** A real HTTP engine on 127.0.0.1 answering every request with `answer`, once its body has been read. */
export async function startLoopbackEngine(answer: EngineAnswerOf): Promise<LoopbackEngine> {
  const engine = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const { status, body, contentType } = answer(req.url ?? '', req.headers);
      res.writeHead(status, { 'content-type': contentType ?? 'application/json' });
      res.end(body);
    });
  });
  await new Promise<void>((r) => engine.listen(0, '127.0.0.1', r));
  return {
    port: (engine.address() as AddressInfo).port,
    async close() {
      engine.closeAllConnections();
      await new Promise<void>((r) => engine.close(() => r()));
    },
  };
}

/** startLoopbackEngine for the time of `use`, closed afterwards whatever happens. */
export async function withLoopbackEngine(answer: EngineAnswerOf, use: (port: number) => Promise<void>): Promise<void> {
  const engine = await startLoopbackEngine(answer);
  try {
    await use(engine.port);
  } finally {
    await engine.close();
  }
}
