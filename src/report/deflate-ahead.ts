import fs from 'node:fs';
import path from 'node:path';
import { Worker, type MessagePort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { BLOCK_WINDOW, blockCount, blockDeflateOptions, blockSpan, DEFLATE_BLOCK_BYTES, type BlocksAhead, type TakenBlocks } from './deflate-blocks.js';

/**
 * A file's first bundle blocks deflated on a thread of its own while the run is still busy elsewhere.
 * The snapshot, most of a bundle (710 MB at 100k cases), is final once SIM is done; the run then
 * writes its reports on one core for a few hundred milliseconds while the other has nothing to do.
 * On the main thread the blocks would not move: each read and each deflate waits for an event loop
 * that is busy writing those reports. The thread reads and deflates with the same options as the
 * bundle (blockDeflateOptions), so the bytes are the same; the bundle takes the blocks over, stops
 * the thread and deflates the rest itself.
 */
export const DEFLATE_AHEAD_ROLE = 'toron-testops/deflate-ahead';

/** At most this many blocks ahead: 64 of 4 MB come to about 16 MB of output held. */
const AHEAD_BLOCKS = 64;

export interface DeflateAheadInit {
  role: typeof DEFLATE_AHEAD_ROLE;
  file: string;
  level: number;
  blockBytes: number;
  limit: number;
  /** One Int32, set to 1 by the main thread: no block is begun after it. */
  stop: SharedArrayBuffer;
}

type FromAhead = { type: 'block'; out: Uint8Array; size: number; crc32: number } | { type: 'end'; size: number } | { type: 'error'; message: string };

export class DeflateAhead implements BlocksAhead {
  private readonly worker: Worker;
  private readonly stop = new Int32Array(new SharedArrayBuffer(4));
  private readonly done: { out: Buffer; size: number }[] = [];
  private crc32 = 0;
  private readonly ended: Promise<{ size: number } | null>;
  private taken = false;

  constructor(
    readonly file: string,
    private readonly level: number,
    script: { file: string; execArgv?: string[] },
    private readonly blockBytes = DEFLATE_BLOCK_BYTES,
    limit = AHEAD_BLOCKS,
  ) {
    const init: DeflateAheadInit = { role: DEFLATE_AHEAD_ROLE, file, level, blockBytes, limit, stop: this.stop.buffer as SharedArrayBuffer };
    this.worker = new Worker(script.file, { workerData: init, ...(script.execArgv ? { execArgv: script.execArgv } : {}) });
    // Never what keeps a run's process alive.
    this.worker.unref();
    this.ended = new Promise((resolve) => {
      this.worker.on('message', (m: FromAhead) => {
        if (m.type === 'block') {
          this.done.push({ out: Buffer.from(m.out.buffer, m.out.byteOffset, m.out.byteLength), size: m.size });
          this.crc32 = m.crc32;
        } else resolve(m.type === 'end' ? { size: m.size } : null);
      });
      this.worker.on('error', () => resolve(null));
      this.worker.on('exit', () => resolve(null));
    });
  }

  async takeOver(want: { file: string; blockBytes: number; level: number }): Promise<TakenBlocks | null> {
    if (this.taken || path.resolve(want.file) !== path.resolve(this.file) || want.blockBytes !== this.blockBytes || want.level !== this.level) return null;
    this.taken = true;
    Atomics.store(this.stop, 0, 1);
    // Held while the bundle waits for the block being deflated.
    this.worker.ref();
    const end = await this.ended;
    await this.worker.terminate();
    return end ? { size: end.size, done: this.done.splice(0), crc32: this.crc32 } : null;
  }

  /** Stops the thread and lets go of its blocks (taken over or not). */
  async dispose(): Promise<void> {
    this.taken = true;
    Atomics.store(this.stop, 0, 1);
    this.done.length = 0;
    await this.worker.terminate();
  }
}

/** The thread's side: blocks 0, 1, ... read and deflated in turn until stopped, the limit, or the end of the file. */
export function serveDeflateAhead(port: MessagePort, init: DeflateAheadInit): void {
  const stop = new Int32Array(init.stop);
  let fd: number | null = null;
  try {
    fd = fs.openSync(init.file, 'r');
    const size = fs.fstatSync(fd).size;
    const count = Math.min(blockCount(size, init.blockBytes), init.limit);
    let buffer: Buffer | null = null;
    let crc32 = 0;
    for (let i = 0; i < count && Atomics.load(stop, 0) === 0; i++) {
      const { from, start, end, last } = blockSpan(i, size, init.blockBytes);
      buffer ??= Buffer.allocUnsafe(Math.min(size, init.blockBytes + BLOCK_WINDOW));
      const length = end - from;
      let got = 0;
      while (got < length) {
        const n = fs.readSync(fd, buffer, got, length - got, from + got);
        if (n === 0) throw new Error(`${init.file} got shorter while it was being deflated`);
        got += n;
      }
      const data = buffer.subarray(start - from, length);
      const out = zlib.deflateRawSync(data, blockDeflateOptions(init.level, start > from ? buffer.subarray(0, start - from) : undefined, last));
      crc32 = zlib.crc32(data, crc32);
      port.postMessage({ type: 'block', out, size: data.length, crc32 } satisfies FromAhead);
    }
    port.postMessage({ type: 'end', size } satisfies FromAhead);
  } catch (err) {
    port.postMessage({ type: 'error', message: (err as Error).message } satisfies FromAhead);
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}
