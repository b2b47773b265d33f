import zlib from 'node:zlib';
import crc32 from 'crc-32';

/**
 * archiver checksums every byte of a zip through crc-32 (crc32-stream and compress-commons call its
 * `buf`), a CRC written in JavaScript: 1.1 s of a 100k-case bundle, whose snapshot is 710 MB. zlib's
 * crc32 (node:zlib, Node >= 22.2) is the same CRC-32 in C, about 17x faster. Both dependants look `buf`
 * up on crc-32's exports at each call, so setting it there once reaches them (and @actions/artifact's
 * own zip streams). Same values: crc-32 returns the CRC as a signed 32-bit integer and takes the seed
 * in either form; anything that is not a byte array still goes to crc-32's own code.
 */
export function useNativeCrc32(): void {
  if (installed || typeof zlib.crc32 !== 'function') return;
  installed = true;
  const original = crc32.buf;
  crc32.buf = function zlibCrc32(data: number[] | Uint8Array, seed?: number): number {
    return data instanceof Uint8Array ? zlib.crc32(data, seed === undefined ? 0 : seed >>> 0) | 0 : original(data, seed);
  };
}

let installed = false;
