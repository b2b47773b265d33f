import fs from 'node:fs';
import path from 'node:path';

/** Write a file whole or not at all (temp file + rename), so a crash never leaves half a report. */
export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/**
 * JSON, atomically. Indented for people; `compact` for files of 100k cases, where indentation doubles
 * the size and the peak memory of writing it. The bytes are exactly `JSON.stringify(value, null,
 * indent) + '\n'`, written piece by piece (see writeJsonPieces): a report of 100k cases is never one
 * string of tens of MB plus its UTF-8 copy.
 */
export function writeJsonAtomic(file: string, value: unknown, opts: { compact?: boolean; itemTexts?: ItemTexts } = {}): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    const out = new PieceWriter(fd);
    writeJsonPieces(value, opts.compact ? '' : '  ', (s) => out.put(s), opts.itemTexts);
    out.put('\n');
    out.flush();
  } catch (err) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, file);
}

/** Strings gathered into writes of about WRITE_BYTES. */
const WRITE_BYTES = 1 << 20;

/**
 * Encodes the pieces into one buffer, reused for every write: a new buffer per megabyte would be
 * memory outside the JS heap that only a garbage collection gives back (44 MB of them for the two
 * JSON files of a 100k-case run, at the moment the heap is fullest).
 */
class PieceWriter {
  private readonly buf = Buffer.allocUnsafe(WRITE_BYTES);
  private used = 0;
  constructor(private readonly fd: number) {}

  put(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    if (s.length * 3 > this.buf.length - this.used) {
      this.flush();
      if (s.length * 3 > this.buf.length) {
        writeExactly(this.fd, Buffer.from(s));
        return;
      }
    }
    this.used += this.buf.write(s, this.used);
  }

  flush(): void {
    if (this.used === 0) return;
    writeExactly(this.fd, this.buf.subarray(0, this.used));
    this.used = 0;
  }
}

/** All of `buf` to `fd` (writeSync may write less than asked), at `position` or at the file's offset. */
export function writeExactly(fd: number, buf: Buffer, position?: number): void {
  let done = 0;
  while (done < buf.length) {
    done += fs.writeSync(fd, buf, done, buf.length - done, position === undefined ? null : position + done);
  }
}

/** Objects this deep are walked member by member; deeper values go to JSON.stringify whole. */
const WALK_DEPTH = 4;
/** Arrays this long are written item by item (each item whole); shorter ones go to JSON.stringify whole. */
const STREAM_ITEMS = 256;

/**
 * JSON.stringify(value, null, indent) handed out in pieces: plain objects of the top WALK_DEPTH levels,
 * and the arrays of STREAM_ITEMS or more items among them, are walked here with JSON.stringify's rules (toJSON called with the member's key,
 * members that are undefined, functions or symbols left out, such array items written as null, the
 * same indentation); every value below them, or of another kind, is JSON.stringify's own text
 * re-indented to its level (a newline in JSON.stringify output is always indentation: newlines inside
 * strings are escaped). Throws what JSON.stringify throws (BigInt, cycles).
 */
export function writeJsonPieces(value: unknown, indent: string, put: (s: string) => void, itemTexts?: ItemTexts): void {
  const v = resolve(value, '');
  put(leftOut(v) ? 'undefined' : (piece(v, indent, '', 0, put, itemTexts) ?? 'undefined'));
}

/**
 * The compact texts of the items of long arrays, by item, for files written one after the other that
 * hold the same items: a run's sim_summary.json and report.json share their 100k case entries (22 MB of
 * text each), which the second write then takes from here instead of serialising again. Only for
 * items nobody changes between the writes. A Map, not a WeakMap: 100k entries went into a WeakMap 40 ms slower, as
 * much as the cache saves; the map is dropped once the files are written.
 */
export type ItemTexts = Map<object, string>;

function resolve(v: unknown, key: string): unknown {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function'
    ? (v as { toJSON: (k: string) => unknown }).toJSON(key)
    : v;
}

function leftOut(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

function walkable(v: object): boolean {
  if (Array.isArray(v)) return true;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/**
 * Writes the (toJSON-resolved) value `v` at indentation `pad`: a container of the top levels goes out
 * through `put` (and '' is returned); anything else is returned as text for the caller to put.
 */
function piece(v: unknown, indent: string, pad: string, depth: number, put: (s: string) => void, itemTexts?: ItemTexts): string | undefined {
  if (typeof v !== 'object' || v === null || depth >= WALK_DEPTH || !walkable(v) || (Array.isArray(v) && v.length < STREAM_ITEMS)) {
    const s = JSON.stringify(v, null, indent);
    return s === undefined || !indent || pad === '' ? s : s.replace(/\n/g, '\n' + pad);
  }
  const inner = pad + indent;
  const open = indent ? '\n' + inner : '';
  const sep = indent ? ',\n' + inner : ',';
  const close = indent ? '\n' + pad : '';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    put('[' + open);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) put(sep);
      // Each item whole (depth WALK_DEPTH): one JSON.stringify per report case, not one per field.
      const item = resolve(v[i], String(i));
      // Compact text does not depend on where the item is; an item that went through toJSON is not cached.
      const cacheable = itemTexts !== undefined && indent === '' && item === v[i] && typeof item === 'object' && item !== null;
      let text = cacheable ? itemTexts.get(item) : undefined;
      if (text === undefined) {
        text = leftOut(item) ? 'null' : (piece(item, indent, inner, WALK_DEPTH, put) ?? 'null');
        if (cacheable) itemTexts.set(item, text);
      }
      put(text);
    }
    put(close + ']');
    return '';
  }
  const colon = indent ? ': ' : ':';
  let first = true;
  for (const k of Object.keys(v)) {
    const member = resolve((v as Record<string, unknown>)[k], k);
    if (leftOut(member)) continue;
    put((first ? '{' + open : sep) + JSON.stringify(k) + colon);
    first = false;
    put(piece(member, indent, inner, depth + 1, put, itemTexts) ?? 'null');
  }
  if (first) return '{}';
  put(close + '}');
  return '';
}
