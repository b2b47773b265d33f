import { isUtf8 } from 'node:buffer';

/**
 * JSON between systems is UTF-8 (RFC 8259 §8.1). Buffer#toString('utf8') replaces bytes that are not
 * UTF-8 with U+FFFD without a word, so an engine answering Latin-1 ("Ü" as 0xDC) had its text
 * changed before any assertion saw it, and two answers with different bad bytes compared equal (a
 * nondeterministic engine scored 100). An answer must be valid UTF-8, or it is an engine error.
 *
 * Returns -1 for valid UTF-8, else the offset of the first byte that starts an invalid sequence.
 * isUtf8 is the fast path (simdutf); the scan runs only for a body that is already known to be bad.
 */
export function firstNonUtf8Byte(buf: Uint8Array): number {
  if (isUtf8(buf)) return -1;
  let i = 0;
  const n = buf.length;
  while (i < n) {
    const b = buf[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) (len = 2), (min = 0x80);
    else if (b >= 0xe0 && b <= 0xef) (len = 3), (min = 0x800);
    else if (b >= 0xf0 && b <= 0xf4) (len = 4), (min = 0x10000);
    else return i;
    if (i + len > n) return i;
    let cp = b & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const c = buf[i + k];
      if ((c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF are not UTF-8 either.
    if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff) return i;
    i += len;
  }
  // isUtf8 said no but the scan found nothing: be safe and point at the start.
  return 0;
}

/** The sentence an error gives for such a body: where, which byte, and why it matters. */
export function notUtf8Message(buf: Uint8Array, at: number, contentType = ''): string {
  const byte = buf[at] === undefined ? '' : ` (0x${buf[at].toString(16).toUpperCase().padStart(2, '0')})`;
  const charset = /charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1];
  const declared = charset && !/^utf-?8$/i.test(charset) ? `; it declares charset=${charset.slice(0, 40)}` : '';
  return `the answer is not UTF-8: byte ${at}${byte} starts an invalid sequence${declared} (JSON must be UTF-8, RFC 8259; decoding it anyway would replace characters with U+FFFD and hide the change)`;
}
