import fs from 'node:fs';

/** `20250102T030405Z`: sortable, and valid in file names on every OS (no colons). */
export function compactStamp(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

/**
 * Renames a database that cannot be used to `<name>.corrupt-<timestamp>` (never deletes it), with its
 * -wal/-shm/-journal companions, so a fresh database cannot pick up a stale write-ahead log.
 * Returns the new path of the main file.
 */
export function moveAside(dbPath: string, when: Date): string {
  const base = `${dbPath}.corrupt-${compactStamp(when)}`;
  let target = base;
  for (let i = 1; fs.existsSync(target); i++) target = `${base}-${i}`;
  fs.renameSync(dbPath, target);
  for (const suffix of ['-wal', '-shm', '-journal']) {
    if (fs.existsSync(dbPath + suffix)) fs.renameSync(dbPath + suffix, target + suffix);
  }
  return target;
}

/** Identity of the file at a path (to see that nobody replaced it between checking and moving). */
export function fileIdentity(p: string): string | null {
  try {
    const s = fs.statSync(p);
    return `${s.dev}:${s.ino}`;
  } catch {
    return null;
  }
}
