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
  ) {}

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
    if (this.overflowing) return;
    this.parts.push(seg);
    this.size += seg.length;
    if (this.size > this.maxLineBytes) {
      const prefix = Buffer.concat(this.parts).subarray(0, this.prefixBytes).toString('utf8');
      this.parts = [];
      this.size = 0;
      this.overflowing = true;
      this.onOverflow(prefix);
    }
  }

  private finishLine(): void {
    if (this.overflowing) {
      this.overflowing = false;
      return;
    }
    const bytes = Buffer.concat(this.parts);
    const line = bytes.toString('utf8').replace(/\r$/, '');
    this.parts = [];
    this.size = 0;
    this.onLine(line, firstNonUtf8Byte(bytes), bytes);
  }
}
