import fs from 'node:fs';

let cached: string | null = null;

/**
 * The text of `schema.sql` (project root). Read through `new URL(..., import.meta.url)` so it resolves
 * both from source (src/store/ → ../../schema.sql) and from the ncc bundle: ncc's asset relocator sees
 * this exact pattern, copies schema.sql next to the bundle and rewrites the path to it.
 */
export function schemaSql(): string {
  cached ??= fs.readFileSync(new URL('../../schema.sql', import.meta.url), 'utf8');
  return cached;
}
