import path from 'node:path';
import type { RunEvent } from '../runner/events.js';

/**
 * One RunEvent as an SSE frame: the event name is the RunEvent type (DESIGN §3.6) and the id its
 * `seq`, so a client resumes with Last-Event-ID. Built once per event and shared by every client.
 * `done.reportDir` becomes relative to the output folder: no machine paths go over the wire.
 */
export function sseFrame(event: RunEvent, outDir: string): string {
  const data = event.type === 'done' ? { ...event, reportDir: relativeReportDir(outDir, event.reportDir) } : event;
  // JSON.stringify escapes CR and LF inside strings, so the data is always one SSE line.
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
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
  const raw = (Array.isArray(header) ? header[0] : header) ?? query ?? '';
  const text = raw.trim();
  if (!/^[0-9]{1,15}$/.test(text)) return 0;
  return Number(text);
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
  const raw = (Array.isArray(header) ? header[0] : header) ?? query ?? '';
  return raw.trim() === STORED_DONE_ID;
}

function relativeReportDir(outDir: string, reportDir: string): string {
  if (!path.isAbsolute(reportDir)) return reportDir;
  return path.relative(outDir, reportDir).split(path.sep).join('/');
}
