/**
 * The JSON-lines protocol of `cmd:` engines, and the reference engine speaking it
 * (`toron-testops engine stdio`, or `src/engine/reference/main.ts stdio`).
 *
 * Transport: UTF-8; one JSON object per line, "\n"-terminated ("\r\n" accepted on input); the
 * engine's stdout carries protocol lines only (anything human goes to stderr). Blank input lines are
 * ignored.
 *
 * Requests (client -> engine stdin), `id` a string chosen by the client, unique among requests in flight:
 *   {"id": "<string>", "method": "run", "params": {"runId": "<string>", "caseId": "<string>",
 *                                                  "seed": <integer>, "input": {"prompt": "<string>", ...}}}
 *   {"id": "<string>", "method": "health"}
 *   `params.seed` may be omitted (then it is derived from the prompt); `params.input` is the case input
 *   and must hold a string `prompt`; other input fields reach the engine (e.g. `now`).
 *
 * Answers (engine stdout -> client), exactly one per request that has a string id:
 *   {"id": "<same id>", "result": <the answer: the generation's response object>}
 *   {"id": "<same id>", "result": {"status": "ok", "version": "<version>", "generation": "<gen>"}}  (health)
 *   {"id": "<same id>", "error": {"message": "<text>", "code": "<code>"}}
 *   codes: "engine_error" (the engine failed this request: error-rate, or a prompt the generation
 *   refuses), "bad_request" (the request's params are wrong), "unknown_method".
 *   Answers may come out of order (each request is answered when its latency has passed): match
 *   them by id.
 *
 * Malformed lines (not JSON, not an object, or without a string `id`) are answered with
 *   {"id": null, "error": {"message": "<what is wrong>", "code": "bad_request"}}
 * and the engine keeps running.
 *
 * Lifetime: the engine ends when stdin ends, after answering every request in flight, with exit code
 * 0. With crash-after N, after writing the N-th `run` answer it exits with code 70 (EXIT_CODE_CRASHED):
 * requests still in flight get no answer, as from any engine that died. Stalls (stall-ms) freeze
 * the process for real.
 */
import { once } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { createInterface } from 'node:readline';
import type { ReferenceKnobs } from '../../settings/types.js';
import { deriveSeed } from '../../util/seed.js';
import { ReferenceEngine } from './engine.js';
import type { Toron3Form } from './shapes/index.js';

export { EXIT_CODE_CRASHED } from './server.js';

export type StdioErrorCode = 'engine_error' | 'bad_request' | 'unknown_method';

/** runReferenceStdio rejects with this after the crash-after-th answer is written. */
export class EngineCrashedError extends Error {
  constructor(readonly requests: number) {
    super(`reference engine crashed after ${requests} request(s) (crash-after)`);
    this.name = 'EngineCrashedError';
  }
}

export interface ReferenceStdioOptions {
  toron3Form?: Toron3Form;
}

type Outcome = { id: string | null; result: unknown } | { id: string | null; error: { message: string; code: StdioErrorCode } };

function fail(id: string | null, code: StdioErrorCode, message: string): Outcome {
  return { id, error: { message, code } };
}

/**
 * Serves the protocol on `input`/`output` until `input` ends (resolves) or crash-after is reached
 * (rejects with EngineCrashedError once the last answer is flushed). The caller owns the process:
 * the entry script turns the rejection into exit code 70.
 */
export async function runReferenceStdio(
  knobs: ReferenceKnobs,
  input: Readable,
  output: Writable,
  options: ReferenceStdioOptions = {},
): Promise<void> {
  const engine = new ReferenceEngine(knobs, { toron3Form: options.toron3Form, stallMode: 'busy' });
  const inFlight = new Set<Promise<void>>();
  let crashed: ((err: EngineCrashedError) => void) | undefined;
  const crash = new Promise<never>((_, reject) => (crashed = reject));
  crash.catch(() => undefined);
  let dead = false;

  const write = (o: Outcome): Promise<void> => {
    if (dead) return Promise.resolve();
    const line = JSON.stringify(o) + '\n';
    if (output.write(line)) return Promise.resolve();
    return once(output, 'drain').then(() => undefined);
  };

  async function handle(line: string): Promise<void> {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch (err) {
      await write(fail(null, 'bad_request', `not a JSON line: ${(err as Error).message}`));
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      await write(fail(null, 'bad_request', 'a request must be a JSON object'));
      return;
    }
    const m = msg as { id?: unknown; method?: unknown; params?: unknown };
    if (typeof m.id !== 'string') {
      await write(fail(null, 'bad_request', 'a request needs a string "id"'));
      return;
    }
    const id = m.id;
    if (m.method === 'health') {
      await write({ id, result: { status: 'ok', version: engine.version, generation: engine.generation } });
      return;
    }
    if (m.method !== 'run') {
      await write(fail(id, 'unknown_method', `unknown method ${JSON.stringify(m.method)} (methods: run, health)`));
      return;
    }
    const p = m.params as { runId?: unknown; caseId?: unknown; seed?: unknown; input?: unknown } | undefined;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) {
      await write(fail(id, 'bad_request', '"params" must be an object with "input"'));
      return;
    }
    const inp = p.input as Record<string, unknown> | undefined;
    if (typeof inp !== 'object' || inp === null || Array.isArray(inp) || typeof inp.prompt !== 'string') {
      await write(fail(id, 'bad_request', '"params.input" must be an object with a string "prompt"'));
      return;
    }
    let seed: number;
    if (p.seed === undefined || p.seed === null) seed = deriveSeed('prompt', inp.prompt);
    else if (typeof p.seed === 'number' && Number.isSafeInteger(p.seed)) seed = p.seed;
    else {
      await write(fail(id, 'bad_request', '"params.seed" must be an integer'));
      return;
    }
    const a = await engine.answer({
      runId: typeof p.runId === 'string' ? p.runId : '',
      caseId: typeof p.caseId === 'string' ? p.caseId : '',
      seed,
      input: inp,
    });
    if (a.ok) await write({ id, result: a.body });
    // A request that reaches a crashed engine gets no answer: the process is on its way out.
    else if (a.reason !== 'crashed') await write(fail(id, 'engine_error', a.error));
    if (engine.isLastAnswer(a) && !dead) {
      dead = true;
      crashed?.(new EngineCrashedError(engine.requests));
    }
  }

  const lines = createInterface({ input, crlfDelay: Infinity });
  const reading = (async () => {
    for await (const raw of lines) {
      if (dead) break;
      const line = raw.trim();
      if (!line) continue;
      const task = handle(line).catch(async (err: unknown) => {
        await write(fail(null, 'engine_error', `reference engine: ${String(err)}`));
      });
      inFlight.add(task);
      task.finally(() => inFlight.delete(task));
    }
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  })();
  try {
    await Promise.race([reading, crash]);
  } finally {
    engine.close();
    lines.close();
  }
}
