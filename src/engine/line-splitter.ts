import { firstNonUtf8Byte } from './utf8.js';

/**
 * Splits a byte stream into UTF-8 lines without ever holding more than `maxLineBytes` of one line: a
 * child that writes a never-ending line must not be able to eat the runner's memory. An overlong line
 * is reported once, as soon as it crosses the cap, with its first bytes (enough to read a request id);
 * the rest of it, up to the next newline, is dropped.
 */
export class BoundedLineSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private overflowing = false;

  constructor(
    private readonly maxLineBytes: number,
    /** notUtf8At: -1, or the offset of the line's first byte that is not UTF-8 (the text then has U+FFFD there). */
    private readonly onLine: (line: string, notUtf8At: number, bytes: Buffer) => void,
    private readonly onOverflow: (prefix: string) => void,
    private readonly prefixBytes = 512,
    /**
     * When an overlong line finally ends: its first and last bytes. An answer envelope may carry its
     * id last ({"result": ..., "id": "7"}), where onOverflow's prefix cannot see it.
     */
    private readonly onOverflowEnd?: (prefix: string, tail: string) => void,
  ) {}

  /** The first bytes of the overlong line being dropped, and a rolling window of its last bytes. */
  private overflowPrefix = '';
  private tail: Buffer[] = [];
  private tailSize = 0;

  push(chunk: Buffer): void {
    let start = 0;
    while (start <= chunk.length) {
      const nl = chunk.indexOf(0x0a, start);
      const end = nl === -1 ? chunk.length : nl;
      this.append(chunk.subarray(start, end));
      if (nl === -1) return;
      this.finishLine();
      start = nl + 1;
    }
  }

  /** The stream ended: a last line without a newline still counts. */
  end(): void {
    if (this.size > 0 || this.parts.length > 0) this.finishLine();
    this.overflowing = false;
  }

  private append(seg: Buffer): void {
    if (seg.length === 0) return;
    if (this.overflowing) {
      if (this.onOverflowEnd) this.keepTail(seg);
      return;
    }
    this.parts.push(seg);
    this.size += seg.length;
    if (this.size > this.maxLineBytes) {
      const prefix = Buffer.concat(this.parts).subarray(0, this.prefixBytes).toString('utf8');
      this.parts = [];
      this.size = 0;
      this.overflowing = true;
      this.overflowPrefix = prefix;
      this.onOverflow(prefix);
    }
  }

  private keepTail(seg: Buffer): void {
    this.tail.push(seg.length > this.prefixBytes ? seg.subarray(seg.length - this.prefixBytes) : seg);
    this.tailSize += Math.min(seg.length, this.prefixBytes);
    while (this.tail.length > 1 && this.tailSize - this.tail[0].length >= this.prefixBytes) {
      this.tailSize -= this.tail[0].length;
      this.tail.shift();
    }
  }

  private finishLine(): void {
    if (this.overflowing) {
      this.overflowing = false;
      const tail = Buffer.concat(this.tail);
      this.tail = [];
      this.tailSize = 0;
      this.onOverflowEnd?.(this.overflowPrefix, tail.subarray(Math.max(0, tail.length - this.prefixBytes)).toString('utf8'));
      this.overflowPrefix = '';
      return;
    }
    const bytes = Buffer.concat(this.parts);
    const line = bytes.toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    this.onLine(line, firstNonUtf8Byte(bytes), bytes);
  }
}
