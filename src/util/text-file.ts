import { readFileSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { InputError } from './errors.js';

/**
 * An input file's text (a dataset, the registry, a config), read strictly: bytes that are not UTF-8
 * are an error naming the file, line and column (decoded leniently they would turn into U+FFFD and
 * reach the engine as a different prompt than the file's author wrote), and a leading byte order mark,
 * invisible in editors and refused by strict JSON, is dropped. `what` names the file in messages.
 */
export function readTextFile(abs: string, display: string, what: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new InputError(`${what} not found`, { file: display });
    if (code === 'EISDIR') throw new InputError(`${what} is a directory, expected a file`, { file: display });
    throw new InputError(`cannot read ${what}: ${(err as Error).message}`, { file: display });
  }
  if (!isUtf8(bytes)) {
    const at = firstInvalidByte(bytes);
    const before = bytes.subarray(0, at);
    let line = 1;
    let lineStart = 0;
    for (let i = 0; i < before.length; i++) {
      if (before[i] === 10) {
        line++;
        lineStart = i + 1;
      }
    }
    const hex = bytes[at].toString(16).toUpperCase().padStart(2, '0');
    throw new InputError(`${what} is not valid UTF-8 (byte 0x${hex} at byte offset ${at}); save it as UTF-8`, {
      file: display,
      line,
      column: at - lineStart + 1,
    });
  }
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Offset where the text stops being UTF-8: the longest prefix a strict streaming decoder accepts is
 * found by halving; when that prefix ends inside a multi-byte sequence, the sequence's first byte is
 * where it went wrong (its next byte does not continue it).
 */
function firstInvalidByte(bytes: Uint8Array): number {
  let lo = 0; // a prefix of this length decodes
  let hi = bytes.length; // the whole does not
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (decodes(bytes.subarray(0, mid), true)) lo = mid;
    else hi = mid;
  }
  if (decodes(bytes.subarray(0, lo), false)) return lo;
  let at = lo;
  while (at > 0 && (bytes[at - 1] & 0xc0) === 0x80) at--;
  return Math.max(0, at - 1);
}

function decodes(prefix: Uint8Array, stream: boolean): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(prefix, { stream });
    return true;
  } catch {
    return false;
  }
}
