import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RunDetail } from '../store/types.js';
import { BASE_HEADERS } from './http-util.js';
import type { ManagedRun } from './run-manager.js';
import { instanceToken, replacedFrame, sseComment, sseInfoFrame, type Resume } from './sse-frame.js';
import type { StoredStreams } from './stored-streams.js';

/** How long a browser waits before reconnecting (it then sends Last-Event-ID). */
const RETRY_MS = 2000;

export const SSE_HEADERS: Record<string, string> = {
  ...BASE_HEADERS,
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store, no-transform',
  Connection: 'keep-alive',
  // Proxies (nginx) must not buffer the stream.
  'X-Accel-Buffering': 'no',
};

function openStream(req: IncomingMessage, res: ServerResponse): void {
  req.socket.setTimeout(0);
  req.socket.setNoDelay(true);
  res.writeHead(200, SSE_HEADERS);
  res.write(`retry: ${RETRY_MS}\n\n`);
}

/**
 * Whether a client's resume id names another instance of the run id than the one being served (the
 * run it followed was replaced by a new run of that id). A plain number names the current instance.
 */
export function resumesOtherInstance(resume: Resume, current: string | null): boolean {
  return resume.instance !== null && resume.instance !== current;
}

/**
 * GET /master/stream/{run_id} for a run in memory: its history after `after` (everything for a new
 * subscriber), then the live events, closed after `done`. A client that already has `done` gets
 * 204, which tells EventSource to stop reconnecting. A client whose id names an earlier instance of
 * the run id gets a `replaced` info frame, then this run from its start.
 */
export function streamLiveRun(req: IncomingMessage, res: ServerResponse, run: ManagedRun, resume: Resume, queuePosition: number): void {
  const replaced = resumesOtherInstance(resume, run.instance);
  const after = replaced ? 0 : resume.seq;
  const sawDone = !replaced && resume.sawDone;
  if (run.log.hasDone() && (sawDone || after >= run.log.lastSeq)) {
    res.writeHead(204, BASE_HEADERS);
    res.end();
    return;
  }
  openStream(req, res);
  if (replaced) res.write(replacedFrame(run.runId));
  if (run.state.status === 'QUEUED') {
    res.write(sseInfoFrame('status', { runId: run.runId, status: 'QUEUED', queuePosition }));
  }
  run.hub.attach(res, after, (droppedUpTo) =>
    `events up to ${droppedUpTo} of this run are no longer kept in memory; its WAR ROOM findings are all at /master/runs/${encodeURIComponent(run.runId)}/warroom`,
  );
}

/**
 * The stream of a run known only from the history database (it finished before this server started,
 * or long enough ago to leave memory): its WAR ROOM findings with their event ids, then `done`.
 * `done` always comes (a client resuming from a live id after the last finding may not have had
 * it) with the id STORED_DONE_ID; a client that resumes from that id gets 204. The frames go through
 * the shared, bounded writer of `streams` (see StoredStreams).
 */
export function streamStoredRun(
  req: IncomingMessage,
  res: ServerResponse,
  detail: RunDetail,
  resume: Resume,
  streams: StoredStreams,
  exitCode: number | null,
): void {
  const replaced = resumesOtherInstance(resume, instanceToken(detail.startedAt));
  if (detail.status !== 'RUNNING' && resume.sawDone && !replaced) {
    res.writeHead(204, BASE_HEADERS);
    res.end();
    return;
  }
  openStream(req, res);
  res.write(sseComment(`run ${detail.runId} from the history database: WAR ROOM findings and the outcome only`));
  streams.attach(res, detail, resume.seq, exitCode, replaced);
}
