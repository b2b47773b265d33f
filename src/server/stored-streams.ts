import type { ServerResponse } from 'node:http';
import type { RunDetail } from '../store/types.js';
import { EventLog } from './event-log.js';
import { STORED_DONE_ID, eventId, instanceToken, replacedFrame, sseInfoFrame } from './sse-frame.js';
import { SseHub, type HubStats, type SseLimits } from './sse-hub.js';

interface StoredStream {
  /** What the frames were built from: a run that changed since (finished elsewhere) gets new ones. */
  key: string;
  log: EventLog;
  hub: SseHub;
  /** The seq of the last stored finding: a client resuming past it still gets `done`. */
  maxSeq: number;
}

/**
 * The SSE streams of runs known only from the history database. Each is built once into an event log
 * that all its clients share, and written through an SseHub like a live run's: a bounded chunk at a
 * time, and a client that stops reading is dropped. (Writing the whole stream with one `res.end()`
 * made Node buffer all of it for every client that never read: 40 such clients of a run with 7 MB of
 * findings held ~900 MB.) A stream is forgotten when its last client leaves.
 */
export class StoredStreams {
  private readonly byRun = new Map<string, StoredStream>();
  /** Every hub with clients, replaced ones included, for heartbeats, stats and close. */
  private readonly hubs = new Set<SseHub>();
  private readonly retired = { droppedSlow: 0, attached: 0 };

  constructor(private readonly limits: SseLimits) {}

  /** Sends the stored run to a client whose headers are sent: findings after `after`, then `done`. */
  attach(res: ServerResponse, detail: RunDetail, after: number, exitCode: number | null, replaced = false): void {
    const key = `${detail.startedAt}\n${detail.status}\n${detail.finishedAt}\n${detail.events.length}\n${exitCode}`;
    let s = this.byRun.get(detail.runId);
    if (!s || s.key !== key) {
      s = build(detail, key, exitCode, this.limits);
      this.byRun.set(detail.runId, s);
      this.hubs.add(s.hub);
    }
    const stream = s;
    // The close handler holds the run id only, not `detail` (all of the run's findings).
    const runId = detail.runId;
    if (replaced) res.write(replacedFrame(runId));
    stream.hub.attach(res, replaced ? 0 : Math.min(after, stream.maxSeq), () => '');
    res.on('close', () => {
      if (stream.hub.stats().clients > 0) return;
      const h = stream.hub.stats();
      this.retired.droppedSlow += h.droppedSlow;
      this.retired.attached += h.attached;
      this.hubs.delete(stream.hub);
      if (this.byRun.get(runId) === stream) this.byRun.delete(runId);
    });
  }

  heartbeat(): void {
    for (const h of this.hubs) h.heartbeat();
  }

  stats(): HubStats {
    const s = { clients: 0, ...this.retired };
    for (const h of this.hubs) {
      const x = h.stats();
      s.clients += x.clients;
      s.droppedSlow += x.droppedSlow;
      s.attached += x.attached;
    }
    return s;
  }

  closeAll(): void {
    for (const h of this.hubs) h.closeAll();
  }
}

function build(detail: RunDetail, key: string, exitCode: number | null, limits: SseLimits): StoredStream {
  const log = new EventLog(Infinity);
  const instance = instanceToken(detail.startedAt);
  let maxSeq = 0;
  // Findings without a seq (not raised through the event bus) have no place in the id order: they
  // come with the closing frame, which every client that has not had `done` gets.
  const unnumbered: string[] = [];
  for (const e of detail.events) {
    const { seq, ...finding } = e;
    const body = { type: 'warroom', finding, runId: detail.runId, seq, time: finding.timestamp };
    if (seq === null || seq <= maxSeq) {
      unnumbered.push(sseInfoFrame('warroom', body));
      continue;
    }
    maxSeq = seq;
    log.append(seq, 'warroom', `id: ${eventId(seq, instance)}\nevent: warroom\ndata: ${JSON.stringify(body)}\n\n`);
  }
  let closing: string;
  if (detail.status !== 'RUNNING') {
    const done = { type: 'done', verdict: detail.verdict ?? 'ERROR', exitCode, reportDir: `reports/${detail.runId}`, runId: detail.runId, seq: null, time: detail.finishedAt, status: detail.status };
    closing = `id: ${STORED_DONE_ID}-${instance}\nevent: done\ndata: ${JSON.stringify(done)}\n\n`;
  } else {
    // RUNNING in another process (a CLI run sharing this output folder): no live events from here.
    closing = sseInfoFrame('status', { runId: detail.runId, status: 'RUNNING', elsewhere: true });
  }
  // Logged as `done` either way: the hub ends each client's response after it.
  log.append(maxSeq + 1, 'done', unnumbered.join('') + closing);
  return { key, log, hub: new SseHub(log, limits), maxSeq };
}
