import fs from 'node:fs';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

/**
 * A file deflated in fixed blocks on several threads at once, the way pigz does it: each block is a
 * raw deflate stream cut with a sync flush (the last one finished), primed with the 32 KB of the file
 * before it, so that the blocks joined are one deflate stream of the whole file, and one that packs as
 * well as a single stream. The bytes depend only on the file, the level and the block size; how many
 * blocks are in flight only changes how fast they come.
 *
 * Why: the snapshot is most of a bundle (about 7 KB per case, 710 MB at 100k cases). Through one zlib
 * stream it deflated on one core in 1.25-1.7 s, the largest part of a 100k-case run after SIM; with the
 * blocks on two cores the same file takes about half of that.
 */
export interface DeflatedTotals {
  /** CRC-32 of the file's bytes (unsigned). */
  crc32: number;
  /** Bytes read from the file. */
  size: number;
  /** Bytes of deflate output. */
  compressedSize: number;
}

export interface DeflateBlockOptions {
  level: number;
  /** Bytes of file per block. Part of the output's definition: the same file and size give the same bytes. */
  blockBytes?: number;
  /** Blocks being read and deflated at once (default PARALLEL). */
  parallel?: number;
  /**
   * Input buffers to take from and give back to once done, shared by the files of one bundle: each file
   * allocating its own (up to five of 4 MB) left 60 MB of them to the garbage collector at 100k cases,
   * at the moment the run's heap is fullest.
   */
  spare?: Buffer[];
  /**
   * The file's CRC-32 as its writer took it, with its size then: used instead of running every block
   * through zlib.crc32 on the main thread (160 ms for a 710 MB snapshot) when the file still has that size.
   */
  known?: FileChecksum;
}

/** A file's CRC-32 and size, taken by whoever wrote it. */
export interface FileChecksum {
  bytes: number;
  crc32: number;
}

/** 4 MB: large enough that the blocks' flush markers and dictionaries cost nothing measurable. */
export const DEFLATE_BLOCK_BYTES = 4 << 20;
/**
 * Blocks in flight: libuv's default thread pool, which both the reads and the deflates run on. More
 * than the cores pays: on 2 cores, 710 MB took 586 ms with 2 blocks in flight, 511 with 3, 486 with 4
 * (the reads wait less).
 */
const PARALLEL = 4;
/** Deflate's window: what a block may refer back to in the file before it. */
const WINDOW = 32 << 10;
/** Deflate output buffers: a 4 MB block of a run's JSON comes out at 150-300 KB. */
const OUT_CHUNK = 256 << 10;

const totalsOf = new WeakMap<Readable, DeflatedTotals>();

/**
 * The deflated bytes of `file` as a stream. Its totals (deflatedTotals) are complete when it ends. A
 * file that cannot be read, or that gets shorter while it is read, makes the stream error.
 */
export function deflatedFile(file: string, options: DeflateBlockOptions): Readable {
  const totals: DeflatedTotals = { crc32: 0, size: 0, compressedSize: 0 };
  // A small high-water mark: the blocks ahead are already being deflated inside the generator.
  const stream = Readable.from(deflatedBlocks(file, options, totals), { objectMode: false, highWaterMark: 1 });
  totalsOf.set(stream, totals);
  return stream;
}

/** The totals of a stream made by deflatedFile; undefined for any other stream. */
export function deflatedTotals(stream: unknown): DeflatedTotals | undefined {
  return stream instanceof Readable ? totalsOf.get(stream) : undefined;
}

interface Block {
  /** The buffer the block was read into (dictionary first), given back to the pool once used. */
  buffer: Buffer;
  data: Buffer;
  out: Buffer;
}

async function* deflatedBlocks(file: string, options: DeflateBlockOptions, totals: DeflatedTotals): AsyncGenerator<Buffer> {
  const blockBytes = options.blockBytes ?? DEFLATE_BLOCK_BYTES;
  if (!Number.isInteger(blockBytes) || blockBytes < 1) throw new RangeError(`deflate block size must be a whole number of bytes, got ${blockBytes}`);
  const parallel = Math.max(1, options.parallel ?? PARALLEL);
  const handle = await fs.promises.open(file, 'r');
  // Input buffers are reused: a fresh 4 MB buffer per block is 710 MB of external memory to collect
  // at 100k cases, which kept V8 in back-to-back full collections for the whole bundle.
  const pool = options.spare ?? [];
  const inFlight: Promise<Block>[] = [];
  try {
    const size = (await handle.stat()).size;
    const known = options.known && options.known.bytes === size ? options.known.crc32 >>> 0 : null;
    const count = Math.max(1, Math.ceil(size / blockBytes));
    let next = 0;
    const launch = () => {
      const i = next++;
      const start = i * blockBytes;
      const from = Math.max(0, start - WINDOW);
      const end = Math.min(size, start + blockBytes);
      const at = pool.findIndex((b) => b.length >= end - from);
      const buffer = at >= 0 ? pool.splice(at, 1)[0] : Buffer.allocUnsafe(Math.min(size, blockBytes + WINDOW));
      const p = deflateBlock(handle, file, buffer, from, start, end, i === count - 1, options.level);
      // Awaited in order below; a block abandoned by an error before its turn must not go unhandled.
      p.catch(() => {});
      inFlight.push(p);
    };
    while (next < count && inFlight.length < parallel) launch();
    while (inFlight.length > 0) {
      const block = await inFlight.shift()!;
      if (known === null) totals.crc32 = zlib.crc32(block.data, totals.crc32);
      totals.size += block.data.length;
      totals.compressedSize += block.out.length;
      // Full-size buffers only: a small file's would take a place a large file's block cannot use.
      if (block.buffer.length === blockBytes + WINDOW && pool.length <= parallel) pool.push(block.buffer);
      if (next < count) launch();
      yield block.out;
    }
    if (known !== null) totals.crc32 = known;
  } finally {
    // Blocks still in flight (the consumer stopped early) read from the handle: let them settle first.
    await Promise.allSettled(inFlight);
    await handle.close();
  }
}

async function deflateBlock(handle: fs.promises.FileHandle, file: string, buffer: Buffer, from: number, start: number, end: number, last: boolean, level: number): Promise<Block> {
  const length = end - from;
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buffer, got, length - got, from + got);
    if (bytesRead === 0) throw new Error(`${file} got shorter while it was being bundled (${from + got} of ${end} bytes)`);
    got += bytesRead;
  }
  const dictionary = start > from ? buffer.subarray(0, start - from) : undefined;
  const data = buffer.subarray(start - from, length);
  const out = await new Promise<Buffer>((resolve, reject) =>
    zlib.deflateRaw(
      data,
      {
        level,
        chunkSize: OUT_CHUNK,
        ...(dictionary ? { dictionary } : {}),
        finishFlush: last ? zlib.constants.Z_FINISH : zlib.constants.Z_SYNC_FLUSH,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    ),
  );
  return { buffer, data, out };
}
