import type { ServerResponse } from 'node:http';
import type { EventLog } from './event-log.js';
import { sseComment } from './sse-frame.js';

export interface SseLimits {
  /** Most characters written to one client at a time: what Node buffers per client, at most. */
  chunkChars: number;
  /** A client whose socket has not drained for this long is closed (gone without a FIN, or stuck). */
  stallMs: number;
  /** How often heartbeats go out (and stalled clients are looked for). */
  heartbeatMs: number;
}

export const DEFAULT_SSE_LIMITS: SseLimits = { chunkChars: 256 * 1024, stallMs: 60_000, heartbeatMs: 15_000 };

interface Client {
  res: ServerResponse;
  /** The seq of the last frame written to this client. */
  cursor: number;
  /** Frames dropped from the log up to here were announced to the client when it attached. */
  gapAcceptedUpTo: number;
  /** Waiting for 'drain': nothing more is written until the socket takes what it has. */
  blocked: boolean;
  /** Heartbeats seen while blocked (counted in beats, not wall time: a busy event loop delays drains too). */
  stalledBeats: number;
  closed: boolean;
}

export interface HubStats {
  clients: number;
  /** Clients closed for being too slow (stalled, or behind frames the log no longer has). */
  droppedSlow: number;
  attached: number;
}

/**
 * The SSE clients of one run. The run's event path only calls `notify()`, which schedules one
 * flush for the next turn of the event loop: no socket is touched and nothing is awaited there, so
 * a slow or vanished client can never slow a run. The flush writes the new frames to every client
 * that is keeping up (one shared buffer); a client whose socket is full waits for 'drain' and then
 * catches up from the event log, and is closed when it falls too far behind.
 */
export class SseHub {
  private readonly clients = new Set<Client>();
  private scheduled = false;
  private readonly counters = { droppedSlow: 0, attached: 0 };
  /** Chunks read from the log in this flush, by the cursor they follow. */
  private readonly chunks = new Map<number, { buf: Buffer; lastSeq: number }>();
  private flushing = false;

  constructor(
    private readonly log: EventLog,
    private readonly limits: SseLimits = DEFAULT_SSE_LIMITS,
  ) {}

  stats(): HubStats {
    return { clients: this.clients.size, ...this.counters };
  }

  /** Called for every event of the run: O(1), never blocks. */
  notify(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Adds a client whose headers are already sent. It first gets every frame after `after` (the
   * history for a late subscriber, what it missed for a resuming one), then the live stream.
   */
  attach(res: ServerResponse, after: number, gapNote: (droppedUpTo: number) => string): void {
    const client: Client = { res, cursor: after, gapAcceptedUpTo: 0, blocked: false, stalledBeats: 0, closed: false };
    this.counters.attached++;
    if (this.log.droppedUpTo > after) {
      res.write(sseComment(gapNote(this.log.droppedUpTo)));
      client.gapAcceptedUpTo = this.log.droppedUpTo;
    }
    this.clients.add(client);
    res.on('close', () => {
      client.closed = true;
      this.clients.delete(client);
    });
    this.pump(client);
  }

  /** Heartbeat comments for clients that are keeping up; stalled clients are closed. */
  heartbeat(): void {
    const beat = Buffer.from(sseComment('heartbeat'));
    const maxBeats = Math.max(2, Math.ceil(this.limits.stallMs / this.limits.heartbeatMs));
    for (const c of this.clients) {
      if (c.blocked) {
        if (++c.stalledBeats >= maxBeats || this.missesFrames(c)) this.dropSlow(c);
        continue;
      }
      if (!c.res.write(beat)) this.block(c);
    }
  }

  /**
   * Ends every client (the server is closing, or the run leaves memory). A client whose socket is
   * full is destroyed: a polite end would wait for it to read, holding its connection (and its
   * place under the stream cap) for as long as it does not; it may resume with Last-Event-ID.
   */
  closeAll(): void {
    for (const c of this.clients) {
      c.closed = true;
      if (c.blocked) c.res.destroy();
      else c.res.end();
    }
    this.clients.clear();
  }

  private flush(): void {
    this.scheduled = false;
    this.flushing = true;
    for (const c of this.clients) {
      if (c.closed) continue;
      if (c.blocked) {
        if (this.missesFrames(c)) this.dropSlow(c);
        continue;
      }
      // (pump closes a client whose next frames were dropped from the log: it resumes from the gap note)
      this.pump(c);
    }
    this.flushing = false;
    this.chunks.clear();
  }

  /**
   * Writes what the client has not had yet, a bounded chunk at a time, until it is caught up or its
   * socket is full: Node buffers at most one chunk per client. Clients at the same place share the
   * chunk (200 clients that keep up cost one read and one encoding per flush).
   */
  private pump(c: Client): void {
    while (!c.closed && !c.blocked) {
      if (this.missesFrames(c)) {
        this.dropSlow(c);
        return;
      }
      const r = this.chunkAfter(c.cursor);
      if (r === null) break;
      c.cursor = r.lastSeq;
      if (!c.res.write(r.buf)) {
        this.block(c);
        return;
      }
    }
    this.endIfDone(c);
  }

  /** The next chunk after `cursor`; shared only within one flush (the log may drop frames between flushes). */
  private chunkAfter(cursor: number): { buf: Buffer; lastSeq: number } | null {
    const cached = this.flushing ? this.chunks.get(cursor) : undefined;
    if (cached) return cached;
    const r = this.log.readAfter(cursor, this.limits.chunkChars);
    if (r.count === 0) return null;
    const chunk = { buf: Buffer.from(r.chunk), lastSeq: r.lastSeq };
    if (this.flushing) this.chunks.set(cursor, chunk);
    return chunk;
  }

  private block(c: Client): void {
    c.blocked = true;
    c.stalledBeats = 0;
    c.res.once('drain', () => {
      c.blocked = false;
      this.pump(c);
    });
  }

  private endIfDone(c: Client): void {
    if (!c.closed && !c.blocked && this.log.hasDone() && c.cursor >= this.log.lastSeq) {
      c.closed = true;
      this.clients.delete(c);
      c.res.end();
    }
  }

  /** Frames this client has not had were dropped from the log: it must resume (and get the gap note). */
  private missesFrames(c: Client): boolean {
    return this.log.droppedUpTo > Math.max(c.cursor, c.gapAcceptedUpTo);
  }

  /** Closed at once (its socket is full, so a polite end would never be read); it may resume with Last-Event-ID. */
  private dropSlow(c: Client): void {
    if (c.closed) return;
    c.closed = true;
    this.clients.delete(c);
    this.counters.droppedSlow++;
    c.res.destroy();
  }
}
