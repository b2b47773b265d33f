import zlib from 'node:zlib';
import { escapeControls } from '../util/printable.js';

/**
 * Content codings for the load generator's HTTP transport, which must read a compressed answer as the
 * engine adapter does (src/engine/http.ts decodes gzip, deflate and br although we ask for identity):
 * an engine behind a proxy that compresses anyway passed SIM and failed every load request as
 * invalid JSON. Synchronous: an answer is a few KB, and the transport has no promise per request.
 */

type SyncDecoder = (buf: zlib.InputType, options: zlib.ZlibOptions | zlib.BrotliOptions) => Buffer;

/** "deflate" is zlib-wrapped by the RFC, but some servers send it raw. */
const DECODERS: Record<string, (buf: Buffer) => SyncDecoder> = {
  gzip: () => zlib.gunzipSync,
  'x-gzip': () => zlib.gunzipSync,
  deflate: (buf) =>
    buf.length >= 2 && (buf[0] & 0x0f) === 8 && ((buf[0] << 8) | buf[1]) % 31 === 0 ? zlib.inflateSync : zlib.inflateRawSync,
  br: () => zlib.brotliDecompressSync,
};

/** The codings of a Content-Encoding header in the order they were applied, identity left out. */
export function contentEncodings(header: string): string[] {
  return header
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== '' && e !== 'identity');
}

export type Decoded = { ok: true; body: Buffer } | { ok: false; tooLarge: boolean; message: string };

/**
 * Undoes the codings, last applied first; each step stops at `cap` bytes of output (maxOutputLength),
 * so a small body that inflates to gigabytes costs at most the cap. An unknown coding, or more than
 * three, is refused by name.
 */
export function decodeSync(body: Buffer, encodings: string[], cap: number): Decoded {
  const unsupported = encodings.find((e) => !(e in DECODERS));
  if (unsupported !== undefined || encodings.length > 3) {
    const what = escapeControls(encodings.join(', ')).slice(0, 60);
    return { ok: false, tooLarge: false, message: `content-encoding "${what}", which cannot be decoded (gzip, deflate and br can; toron-testops asks for identity)` };
  }
  let out = body;
  for (const e of [...encodings].reverse()) {
    try {
      out = DECODERS[e](out)(out, { maxOutputLength: Math.max(1, cap) });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ERR_BUFFER_TOO_LARGE' || (err as Error).name === 'RangeError') return { ok: false, tooLarge: true, message: '' };
      return { ok: false, tooLarge: false, message: `a ${encodings.join(', ')} body that does not decode: ${escapeControls((err as Error).message)}${code ? ` (${code})` : ''}` };
    }
  }
  return { ok: true, body: out };
}
