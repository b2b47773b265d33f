import { randomBytes } from 'node:crypto';
import crc32 from 'crc-32';
import { describe, expect, it } from 'vitest';
import { useNativeCrc32 } from '../../src/util/native-crc32.js';

// crc-32's `bstr` (CRC of a binary string) is its own JavaScript code, untouched by the swap: the
// reference each swapped `buf` result is held to.
describe('useNativeCrc32', () => {
  useNativeCrc32();

  it('is what crc-32 exports, so archiver\'s streams call it', () => {
    expect(crc32.buf.name).toBe('zlibCrc32');
  });

  it('gives crc-32 the check value of CRC-32 as a signed integer', () => {
    expect(crc32.buf(Buffer.from('123456789'))).toBe(0xcbf43926 | 0);
    expect(crc32.buf(new Uint8Array(0))).toBe(0);
  });

  it('agrees with crc-32 on random data and chained seeds, signed or unsigned', () => {
    let chained = 0;
    let reference = 0;
    for (let i = 0; i < 200; i++) {
      const b = randomBytes(i * 37);
      expect(crc32.buf(b)).toBe(crc32.bstr(b.toString('latin1')));
      // How crc32-stream chains chunks: the previous checksum, made unsigned, as the seed.
      chained = crc32.buf(b, chained >>> 0) >>> 0;
      reference = crc32.bstr(b.toString('latin1'), reference) >>> 0;
      expect(chained).toBe(reference);
      // And compress-commons' signed form.
      expect(crc32.buf(b, reference | 0)).toBe(crc32.bstr(b.toString('latin1'), reference | 0));
    }
  });

  it('leaves byte arrays that are not typed arrays to crc-32', () => {
    expect(crc32.buf([0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39])).toBe(0xcbf43926 | 0);
  });
});
