import { performance } from 'node:perf_hooks';
import type { EngineAdapter, EngineErrorKind, EngineResult } from '../engine/types.js';
import type { SimCase } from '../stages/sim/types.js';

/**
 * How a load request reaches the engine. The scheduler does not care: HTTP engines go through a lean
 * undici client (http-transport.ts), `cmd:` and in-process engines through their EngineAdapter.
 */

/** One request of the run: a SIM case, one of its repeats, and that repeat's seed (SIM's own). */
export interface LoadRequest {
  caseIndex: number;
  repeat: number;
  seed: number;
  case: SimCase;
}

/**
 * Where a transport reports the end of one request: a method call, not an outcome object or a closure
 * per request (at tens of thousands of requests a second, allocations are what the generator costs).
 */
export interface FlightSink {
  answered(body: unknown, status: number | undefined): void;
  failed(kind: EngineErrorKind, message: string, status: number | undefined): void;
}

/** A request in flight as its transport sees it: it can be stopped; its sink is then never called. */
export interface Cancellable {
  cancel(): void;
}

export interface LoadTransport {
  readonly name: string;
  /**
   * Answers arrive from I/O callbacks only (never inside start(), never as a chain of already-settled
   * promises), so the generator may start the next request from the answer's own callback without
   * starving the event loop. Adapters may resolve at once (an in-process engine): they leave it unset.
   */
  readonly answersFromIo?: boolean;
  /** Starts one request; the sink hears of it once, unless it is cancelled first. */
  start(req: LoadRequest, sink: FlightSink): Cancellable;
  close(): Promise<void>;
}

/** Through an EngineAdapter (cmd: engines, the in-process reference engine, or any adapter). */
export function adapterTransport(engine: EngineAdapter, runId: string): LoadTransport {
  return {
    name: `${engine.kind} adapter`,
    start(req, sink) {
      const flight = new AdapterFlight(sink);
      engine.call({ runId, caseId: req.case.id, seed: req.seed, input: req.case.input }, flight.ac.signal).then(
        (res) => flight.settle(res),
        (err: unknown) => flight.settle({ ok: false, error: { kind: 'engine_error', message: String((err as Error)?.message ?? err) }, latencyMs: 0 }),
      );
      return flight;
    },
    close: async () => {},
  };
}

class AdapterFlight implements Cancellable {
  readonly ac = new AbortController();
  private live = true;
  constructor(private readonly sink: FlightSink) {}

  settle(res: EngineResult): void {
    if (!this.live) return;
    this.live = false;
    if (res.ok) this.sink.answered(res.body, res.status);
    else this.sink.failed(res.error.kind, res.error.message, res.status ?? res.error.status);
  }

  cancel(): void {
    this.live = false;
    this.ac.abort(new Error('load request stopped'));
  }
}

/** What the in-flight table keeps per request. */
export interface TimedFlight {
  /** In the table's clock. */
  deadline: number;
  /** The deadline passed: stop the request and report it as a timeout. */
  timeout(): void;
  /** The run was cancelled: stop the request; it is measured nowhere. */
  interrupt(): void;
  /** The table's links (InFlightTable's own; start them as null and leave them alone). */
  tablePrev: TimedFlight | null;
  tableNext: TimedFlight | null;
}

/**
 * Requests in flight, oldest first, with one sweeping timer for their timeouts instead of a timer per
 * request. Every request has the same timeout, so insertion order is deadline order and a sweep stops
 * at the first request that is still within its time. The order is a list threaded through the flights
 * themselves: adding and removing one is a few field writes, where a Map paid a hash insert and a
 * delete per request (measurable at saturation: see bench/load/ab.mjs).
 */
export class InFlightTable {
  private head: TimedFlight | null = null;
  private tail: TimedFlight | null = null;
  private count = 0;
  private timer: NodeJS.Timeout | undefined;
  /** A tenth of the timeout (25-250 ms): a timeout fires at most 10% late. */
  private readonly every: number;

  constructor(
    readonly timeoutMs: number,
    private readonly clock: () => number = () => performance.now(),
  ) {
    this.every = Math.max(25, Math.min(250, Math.floor(timeoutMs / 10)));
  }

  get size(): number {
    return this.count;
  }

  /** Adds a flight that is in no table (its links are null). */
  add(f: TimedFlight): void {
    f.tablePrev = this.tail;
    f.tableNext = null;
    if (this.tail) this.tail.tableNext = f;
    else this.head = f;
    this.tail = f;
    this.count++;
    if (!this.timer) {
      this.timer = setInterval(() => this.sweep(), this.every);
      this.timer.unref();
    }
  }

  /** Removes a flight; one that is not in the table is left as it is. */
  delete(f: TimedFlight): void {
    if (f.tablePrev === null && this.head !== f) return;
    const { tablePrev: prev, tableNext: next } = f;
    if (prev) prev.tableNext = next;
    else this.head = next;
    if (next) next.tablePrev = prev;
    else this.tail = prev;
    f.tablePrev = null;
    f.tableNext = null;
    this.count--;
  }

  sweep(): void {
    const now = this.clock();
    for (let f = this.head; f !== null && f.deadline <= now; f = this.head) {
      this.delete(f);
      f.timeout();
    }
  }

  /** Stops every request in flight (cancellation); returns how many there were. */
  cancelAll(): number {
    const all: TimedFlight[] = [];
    for (let f = this.head; f !== null; f = f.tableNext) all.push(f);
    for (const f of all) this.delete(f);
    for (const f of all) f.interrupt();
    return all.length;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
