import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

/**
 * A small, strict ZIP reader for what the action downloads (an artifact, and the bundle inside it).
 * Downloads are untrusted: every entry name is checked before anything is written, and an archive
 * with one entry that would land outside the target folder is refused as a whole.
 */
export class ZipError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  size: number;
  localOffset: number;
  isDirectory: boolean;
  isSymlink: boolean;
}

export interface ZipLimits {
  maxEntries: number;
  /** Sum of the uncompressed sizes. */
  maxTotalBytes: number;
}

export const DEFAULT_LIMITS: ZipLimits = { maxEntries: 10_000, maxTotalBytes: 1024 * 1024 * 1024 };

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function listZip(buf: Buffer, limits: ZipLimits = DEFAULT_LIMITS): ZipEntry[] {
  const eocd = findEocd(buf);
  let count = buf.readUInt16LE(eocd + 10);
  let cdSize = buf.readUInt32LE(eocd + 12);
  let cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || buf.readUInt32LE(loc) !== ZIP64_LOCATOR) throw new ZipError('ZIP64 archive without its locator');
    const z = num64(buf, loc + 8);
    if (z + 56 > buf.length || buf.readUInt32LE(z) !== ZIP64_EOCD) throw new ZipError('ZIP64 end record not found');
    count = num64(buf, z + 32);
    cdSize = num64(buf, z + 40);
    cdOffset = num64(buf, z + 48);
  }
  if (count > limits.maxEntries) throw new ZipError(`too many entries (${count} > ${limits.maxEntries})`);
  if (cdOffset + cdSize > buf.length) throw new ZipError('central directory lies outside the file (truncated download?)');

  const entries: ZipEntry[] = [];
  let p = cdOffset;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== CENTRAL) throw new ZipError(`central directory entry ${i + 1} is damaged`);
    const madeBy = buf.readUInt16LE(p + 4);
    const flags = buf.readUInt16LE(p + 8);
    const method = buf.readUInt16LE(p + 10);
    const crc32 = buf.readUInt32LE(p + 16);
    let compressedSize = buf.readUInt32LE(p + 20);
    let size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const external = buf.readUInt32LE(p + 38);
    let localOffset = buf.readUInt32LE(p + 42);
    const nameBytes = buf.subarray(p + 46, p + 46 + nameLen);
    const name = flags & 0x800 ? nameBytes.toString('utf8') : nameBytes.toString('latin1');
    // ZIP64 extra field: the 32-bit fields that are 0xffffffff follow in this order.
    let e = p + 46 + nameLen;
    const extraEnd = e + extraLen;
    while (e + 4 <= extraEnd) {
      const id = buf.readUInt16LE(e);
      const len = buf.readUInt16LE(e + 2);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) (size = num64(buf, q)), (q += 8);
        if (compressedSize === 0xffffffff) (compressedSize = num64(buf, q)), (q += 8);
        if (localOffset === 0xffffffff) localOffset = num64(buf, q);
      }
      e += 4 + len;
    }
    const unixMode = madeBy >> 8 === 3 ? external >>> 16 : 0;
    total += size;
    if (total > limits.maxTotalBytes) throw new ZipError(`uncompressed contents exceed ${limits.maxTotalBytes} bytes`);
    entries.push({
      name,
      method,
      flags,
      crc32,
      compressedSize,
      size,
      localOffset,
      isDirectory: name.endsWith('/') || name.endsWith('\\'),
      isSymlink: (unixMode & 0o170000) === 0o120000,
    });
    p = extraEnd + commentLen;
  }
  return entries;
}

function findEocd(buf: Buffer): number {
  const min = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= min; i--) if (buf.readUInt32LE(i) === EOCD) return i;
  throw new ZipError('not a ZIP archive (no end of central directory)');
}

function num64(buf: Buffer, at: number): number {
  const v = buf.readBigUInt64LE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipError('ZIP64 value out of range');
  return Number(v);
}

/** One entry's bytes, inflated and checked against its CRC and size. */
export function readEntry(buf: Buffer, entry: ZipEntry): Buffer {
  if (entry.flags & 0x1) throw new ZipError(`${entry.name}: encrypted entries are not supported`);
  const p = entry.localOffset;
  if (p + 30 > buf.length || buf.readUInt32LE(p) !== LOCAL) throw new ZipError(`${entry.name}: local header is damaged`);
  const start = p + 30 + buf.readUInt16LE(p + 26) + buf.readUInt16LE(p + 28);
  const end = start + entry.compressedSize;
  if (end > buf.length) throw new ZipError(`${entry.name}: data lies outside the file`);
  const raw = buf.subarray(start, end);
  let data: Buffer;
  if (entry.method === 0) data = Buffer.from(raw);
  else if (entry.method === 8) {
    try {
      // maxOutputLength: a forged size in the directory cannot make this inflate without bound.
      data = zlib.inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw new ZipError(`${entry.name}: cannot inflate (${(err as Error).message})`);
    }
  } else throw new ZipError(`${entry.name}: compression method ${entry.method} is not supported`);
  if (data.length !== entry.size) throw new ZipError(`${entry.name}: size ${data.length} does not match the directory's ${entry.size}`);
  if (zlib.crc32(data) >>> 0 !== entry.crc32 >>> 0) throw new ZipError(`${entry.name}: CRC mismatch`);
  return data;
}

/**
 * Where an entry would land under `target`, or why it may not: absolute names, drive letters, `..`
 * segments, backslash tricks, NUL bytes and anything that resolves outside the folder are refused.
 */
export function entryTarget(target: string, name: string): { path: string } | { reason: string } {
  if (name === '' || name.includes('\0')) return { reason: 'empty name or NUL byte' };
  const norm = name.replace(/\\/g, '/');
  if (norm.startsWith('/') || /^[A-Za-z]:/.test(norm) || norm.startsWith('//')) return { reason: 'absolute path' };
  const segments = norm.split('/');
  if (segments.some((s) => s === '..')) return { reason: '".." segment' };
  const root = path.resolve(target);
  const dest = path.resolve(root, ...segments.filter((s) => s !== '' && s !== '.'));
  if (dest !== root && !dest.startsWith(root + path.sep)) return { reason: 'resolves outside the target folder' };
  if (dest === root) return { reason: 'names the target folder itself' };
  return { path: dest };
}

/** Every unsafe entry of an archive, checked before anything is written. */
export function unsafeEntries(entries: ZipEntry[], target: string): { name: string; reason: string }[] {
  const bad: { name: string; reason: string }[] = [];
  for (const e of entries) {
    if (e.isSymlink) bad.push({ name: e.name, reason: 'symbolic link' });
    else if (!e.isDirectory) {
      const t = entryTarget(target, e.name);
      if ('reason' in t) bad.push({ name: e.name, reason: t.reason });
    } else {
      const t = entryTarget(target, e.name.replace(/[\\/]+$/, '') || '.');
      if ('reason' in t && t.reason !== 'names the target folder itself') bad.push({ name: e.name, reason: t.reason });
    }
  }
  return bad;
}

/** Extracts every file entry into `target`, or refuses the whole archive (nothing written) if any entry is unsafe. */
export function extractZip(buf: Buffer, target: string, limits: ZipLimits = DEFAULT_LIMITS): string[] {
  const entries = listZip(buf, limits);
  const bad = unsafeEntries(entries, target);
  if (bad.length > 0) {
    const first = bad[0];
    throw new ZipError(
      `refused: entry ${JSON.stringify(first.name)} would not stay inside the target folder (${first.reason})${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`,
    );
  }
  const written: string[] = [];
  fs.mkdirSync(target, { recursive: true });
  for (const e of entries) {
    if (e.isDirectory) continue;
    const dest = (entryTarget(target, e.name) as { path: string }).path;
    const data = readEntry(buf, e);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    // 'wx': an entry listed twice, or a file planted beforehand, is an error rather than an overwrite.
    fs.writeFileSync(dest, data, { flag: 'wx', mode: 0o644 });
    written.push(path.relative(target, dest).split(path.sep).join('/'));
  }
  return written;
}

/** One named file from an archive, without writing anything. */
export function readZipFile(buf: Buffer, name: string, limits: ZipLimits = DEFAULT_LIMITS): Buffer | null {
  const entry = listZip(buf, limits).find((e) => !e.isDirectory && e.name.replace(/\\/g, '/') === name);
  return entry ? readEntry(buf, entry) : null;
}
