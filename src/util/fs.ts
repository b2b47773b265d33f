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
 * the size and the peak memory of writing it.
 */
export function writeJsonAtomic(file: string, value: unknown, opts: { compact?: boolean } = {}): void {
  writeFileAtomic(file, JSON.stringify(value, null, opts.compact ? undefined : 2) + '\n');
}
