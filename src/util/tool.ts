import pkg from '../../package.json' with { type: 'json' };

/**
 * The format revision of the files this toron-testops writes (report.json, snapshots, shard legs'
 * summaries and pipeline tallies, comparison.json). package.json's version does not tell builds apart
 * (2.0.0 in every build behind the floating @v2 tag) and schemaVersion stays 1 while the shape holds,
 * so this is what says which meanings a file's fields have.
 *
 * BUMP IT whenever the meaning of a recorded field changes (what a number counts, a score's scale, a
 * status's sense), not only when fields are added or removed: readers of another build's files (merge,
 * compare, `mode: publish`) compare it with theirs. 2 is the first revision recorded: the meanings as
 * of its introduction. Files of builds before it record none and count as revision 1.
 */
export const FORMAT_REVISION = 2;

/** The revision of files that record none (toron-testops builds before format revisions). */
export const UNRECORDED_REVISION = 1;

export interface ToolStamp {
  name: 'toron-testops';
  version: string;
  formatRevision: number;
}

/** What every file this version writes records about its writer (report.json and snapshot `tool`). */
export function toolStamp(): ToolStamp {
  return { name: 'toron-testops', version: pkg.version, formatRevision: FORMAT_REVISION };
}

/**
 * The format revision a file records in its `tool` (report.json's root, a snapshot's header); 1 when
 * it records none (written before revisions existed). A value that is not a positive integer counts as
 * none: report.json's schema and the snapshot reader refuse such a file before it gets here.
 */
export function formatRevisionOf(tool: unknown): number {
  const r = (tool as { formatRevision?: unknown } | null | undefined)?.formatRevision;
  return typeof r === 'number' && Number.isSafeInteger(r) && r >= 1 ? r : UNRECORDED_REVISION;
}

/** "format revision 2 (toron-testops 2.0.0)", or "format revision 1 (recorded by none: a build before revisions)", as a file's `tool` says. */
export function describeRevision(tool: unknown): string {
  const rev = formatRevisionOf(tool);
  const v = (tool as { version?: unknown } | null | undefined)?.version;
  const version = typeof v === 'string' && /^[0-9A-Za-z.+-]{1,40}$/.test(v) ? v : null;
  if ((tool as { formatRevision?: unknown } | null | undefined)?.formatRevision === undefined) {
    return `format revision ${rev} (none recorded: a toron-testops${version ? ` ${version}` : ''} from before format revisions)`;
  }
  return `format revision ${rev}${version ? ` (toron-testops ${version})` : ''}`;
}

/** This version, described as describeRevision describes a file's writer. */
export function ownRevision(): string {
  return describeRevision(toolStamp());
}
