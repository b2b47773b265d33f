import fs from 'node:fs';
import path from 'node:path';

/**
 * `p` with its symbolic links resolved as far as it exists, the rest appended: two names of one file
 * (a link to a leg, a link to a snapshot) compare equal, also for a file a run is about to write.
 */
export function realPath(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    const parent = path.dirname(p);
    return parent === p ? p : path.join(realPath(parent), path.basename(p));
  }
}

/** Whether `p` is `dir` or lies in it, both by their real paths. */
export function isInside(p: string, dir: string): boolean {
  const real = realPath(p);
  const realDir = realPath(dir);
  return real === realDir || real.startsWith(realDir + path.sep);
}
