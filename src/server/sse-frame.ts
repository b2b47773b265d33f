import { createHash } from 'node:crypto';
import path from 'node:path';
import type { RunEvent } from '../runner/events.js';

/**
 * Which instance of a run an event id belongs to. A run id can be reused (POST /master/run with the
 * same runId replaces the earlier run), so a seq alone does not say whose event a client saw. The
 * token is derived from the run's start time as the history database records it (test_runs.started_at,
 * the runner's startedAt), so a run streamed live and the same run streamed later from SQLite have the
 * same token, and a new instance of the run id has another.
 */
export function instanceToken(startedAt: string): string {
  return createHash('sha256').update(startedAt).digest('hex').slice(0, 8);
}

/** The SSE id of an event: `<seq>-<instance token>`. */
export function eventId(seq: number, instance: string): string {
  return `${seq}-${instance}`;
}

/**
 * One RunEvent as an SSE frame: the event name is the RunEvent type (DESIGN §3.6) and the id its
 * `seq` and the run instance's token, so a client resumes with Last-Event-ID. Built once per event
 * and shared by every client. `done.reportDir` becomes relative to the output folder: no machine
 * paths go over the wire.
 */
export function sseFrame(event: RunEvent, outDir: string, instance: string): string {
  const data = event.type === 'done' ? { ...event, reportDir: relativeReportDir(outDir, event.reportDir) } : event;
  // JSON.stringify escapes CR and LF inside strings, so the data is always one SSE line.
  return `id: ${eventId(event.seq, instance)}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A frame without an id (the browser keeps its last event id): state the server adds, not a RunEvent. */
export function sseInfoFrame(type: string, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An SSE comment: ignored by clients; keeps proxies and idle timers from closing the stream. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/**
 * The sequence number a client has seen, from the `Last-Event-ID` header (what EventSource sends on
 * reconnect) or a `lastEventId` query parameter (for clients that reconnect by hand). Anything that is
 * not a non-negative integer counts as "nothing seen": the client gets the whole history.
 */
export function parseLastEventId(header: string | string[] | undefined, query: string | null): number {
  return parseResume(header, query).seq;
}

/** Where a client resumes: the seq it has seen, whether it has a stored run's `done`, and the instance its id names. */
export interface Resume {
  seq: number;
  sawDone: boolean;
  /** The instance token of the id; null for a plain number (or `done`), which means the current instance. */
  instance: string | null;
}

/**
 * `Last-Event-ID` (or `lastEventId`) read as `<seq>-<token>`, `done-<token>`, or, without a token, a
 * plain `<seq>` or `done` (clients that resume by hand), taken as the current instance's.
 */
export function parseResume(header: string | string[] | undefined, query: string | null): Resume {
  const raw = (Array.isArray(header) ? header[0] : header) ?? query ?? '';
  const m = /^([0-9]{1,15}|done)(?:-([0-9a-z]{1,32}))?$/.exec(raw.trim());
  if (!m) return { seq: 0, sawDone: false, instance: null };
  const instance = m[2] ?? null;
  if (m[1] === STORED_DONE_ID) return { seq: 0, sawDone: true, instance };
  return { seq: Number(m[1]), sawDone: false, instance };
}

/**
 * The id of the `done` frame of a run streamed from the history database. The database does not
 * keep the seq the live `done` had, so no number can say "this client has the outcome": a client
 * whose last id is past every stored finding may have missed `done`. It gets the outcome again, with
 * this id, and a client that resumes from this id gets 204.
 */
export const STORED_DONE_ID = 'done';

/** Whether the client resumes from a stored run's `done` (it has the outcome). */
export function resumesAfterStoredDone(header: string | string[] | undefined, query: string | null): boolean {
  return parseResume(header, query).sawDone;
}

/**
 * The info frame a client gets when its id names another instance of the run id (the run it followed
 * was replaced by a new run of the same id): what follows is the new run from its start, so a client
 * must drop what it shows of the old one.
 */
export function replacedFrame(runId: string): string {
  return sseInfoFrame('replaced', {
    runId,
    message: `run ${runId} was replaced by a new run of the same id: the events that follow are the new run's, from its start`,
  });
}

function relativeReportDir(outDir: string, reportDir: string): string {
  if (!path.isAbsolute(reportDir)) return reportDir;
  return path.relative(outDir, reportDir).split(path.sep).join('/');
}
