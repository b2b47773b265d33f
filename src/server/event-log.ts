/**
 * A run's SSE frames in memory, in seq order, for late subscribers and Last-Event-ID resume.
 *
 * A big SIM run emits hundreds of thousands of events (a case, a log line and a finding per failing
 * case), so the log has a size budget: past it, the oldest frames are dropped, except the few that
 * give a run its shape (`status`, `subsystem`, `done`), which are always kept. A reader asking for
 * frames that were dropped is told so (`gap`); the WAR ROOM history stays complete in SQLite.
 */
const PINNED = new Set(['status', 'subsystem', 'done']);
/** Compact the array once this many entries are dropped (and they are most of it). */
const COMPACT_MIN = 1024;

interface Entry {
  seq: number;
  type: string;
  frame: string | null;
}

export interface ReadResult {
  chunk: string;
  /** The seq of the last frame in `chunk` (or `after` when nothing was read). */
  lastSeq: number;
  /** Frames after `after` were dropped from the log before this read. */
  gap: boolean;
  /** How many frames are in `chunk`. */
  count: number;
}

export class EventLog {
  private entries: Entry[] = [];
  private chars = 0;
  private scan = 0;
  /** Dropped entries still in the array (until the next compaction). */
  private dropped = 0;
  private totalDropped = 0;
  /** The highest seq dropped so far: every non-pinned frame up to it is gone. */
  droppedUpTo = 0;
  lastSeq = 0;

  constructor(private maxChars: number) {}

  stats(): { frames: number; chars: number; dropped: number } {
    return { frames: this.entries.length - this.dropped, chars: this.chars, dropped: this.totalDropped };
  }

  append(seq: number, type: string, frame: string): void {
    this.entries.push({ seq, type, frame });
    this.chars += frame.length;
    this.lastSeq = seq;
    while (this.chars > this.maxChars && this.dropOldest()) {
      // keep dropping until under budget (or only pinned frames are left)
    }
  }

  /** A smaller budget from now on (a finished run keeps less in memory); drops what is over it now. */
  shrink(maxChars: number): void {
    this.maxChars = Math.min(this.maxChars, maxChars);
    while (this.chars > this.maxChars && this.dropOldest()) {
      // as in append
    }
  }

  /** Frames with seq > `after`, up to about `maxChars` (at least one frame when there is one). */
  readAfter(after: number, maxChars = Infinity): ReadResult {
    const gap = this.droppedUpTo > after;
    let i = this.firstAfter(after);
    const parts: string[] = [];
    let size = 0;
    let lastSeq = after;
    for (; i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.frame === null) continue;
      if (parts.length > 0 && size + e.frame.length > maxChars) break;
      parts.push(e.frame);
      size += e.frame.length;
      lastSeq = e.seq;
    }
    return { chunk: parts.join(''), lastSeq, gap, count: parts.length };
  }

  /** Whether the log holds the run's `done` frame. */
  hasDone(): boolean {
    const last = this.entries[this.entries.length - 1];
    return last !== undefined && last.type === 'done';
  }

  private firstAfter(seq: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.entries[mid].seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private dropOldest(): boolean {
    for (; this.scan < this.entries.length; this.scan++) {
      const e = this.entries[this.scan];
      if (e.frame === null || PINNED.has(e.type)) continue;
      // The newest frame stays: a reader must always be able to get what was just appended.
      if (this.scan === this.entries.length - 1) return false;
      this.chars -= e.frame.length;
      e.frame = null;
      this.droppedUpTo = e.seq;
      this.dropped++;
      this.totalDropped++;
      this.scan++;
      if (this.dropped >= COMPACT_MIN && this.dropped * 2 > this.entries.length) this.compact();
      return true;
    }
    return false;
  }

  private compact(): void {
    this.entries = this.entries.filter((e) => e.frame !== null);
    this.dropped = 0;
    this.scan = 0;
  }
}
