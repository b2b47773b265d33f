import fs from 'node:fs';
import path from 'node:path';
import { listZip, readEntry, unsafeEntries, ZipError, type ZipEntry, type ZipLimits } from '../github/zip.js';
import { errorMessage } from '../util/errors.js';
import { isInside } from '../util/real-path.js';

/**
 * What merge reads: shard report folders, folders holding them at any depth (actions/download-artifact
 * gives one folder per artifact, each holding bundle.zip), and bundle.zip files. Bundles are read in
 * memory, never extracted: every entry name is checked first (absolute, "..", backslash, drive letter,
 * symbolic link: the whole archive is refused, naming the entry), and entry count and total size are
 * capped before anything is inflated (zip bombs).
 */

/** The files of one shard merge uses, by their name in a bundle. */
export const SHARD_FILES = [
  'report.json',
  'sim_summary.json',
  'load_summary.json',
  'replay_summary.json',
  'pipeline_summary.json',
  'warroom.log',
  'snapshot.json',
  'result.json',
] as const;
export type ShardFileName = (typeof SHARD_FILES)[number];

export interface ShardSource {
  /** The input as a person would name it (relative to the working directory when inside it). */
  source: string;
  kind: 'folder' | 'bundle';
  files: Map<ShardFileName, Buffer>;
}

export interface InputProblem {
  source: string;
  message: string;
}

/** A bundle holds a dozen files: far more is not a bundle. Sizes: reports of 100k cases fit easily. */
export const MERGE_ZIP_LIMITS: ZipLimits = { maxEntries: 1000, maxTotalBytes: 2 * 1024 * 1024 * 1024 };
const MAX_DEPTH = 8;

export function collectShardSources(
  inputs: string[],
  opts: { cwd: string; limits?: ZipLimits },
): { sources: ShardSource[]; problems: InputProblem[] } {
  const sources: ShardSource[] = [];
  const problems: InputProblem[] = [];
  const shown = (p: string) => shownInput(opts.cwd, p);
  const limits = opts.limits ?? MERGE_ZIP_LIMITS;

  const readBundle = (file: string) => {
    try {
      sources.push(readBundleFile(file, shown(file), limits));
    } catch (err) {
      // fs errors name the file by its absolute path: reports name it as shown (DESIGN §3.3)
      problems.push({ source: shown(file), message: errorMessage(err).split(file).join(shown(file)) });
    }
  };
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (err) {
      problems.push({ source: shown(dir), message: `cannot read the folder: ${errorMessage(err).split(dir).join(shown(dir))}` });
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === 'report.json')) {
      try {
        sources.push(readReportFolder(dir, shown(dir)));
      } catch (err) {
        problems.push({ source: shown(dir), message: errorMessage(err) });
      }
      return; // its bundle.zip holds the same run
    }
    const sorted = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of sorted) {
      const p = path.join(dir, e.name);
      // Links are not followed: a downloaded folder has none, and following them could leave the input.
      if (e.isFile() && e.name.toLowerCase().endsWith('.zip')) readBundle(p);
      else if (e.isDirectory() && depth < MAX_DEPTH) walk(p, depth + 1);
    }
  };

  for (const input of inputs) {
    const abs = path.resolve(opts.cwd, input);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      problems.push({ source: shown(abs), message: 'no such file or folder' });
      continue;
    }
    const before = sources.length + problems.length;
    if (st.isDirectory()) walk(abs, 0);
    else if (st.isFile()) readBundle(abs);
    else problems.push({ source: shown(abs), message: 'not a file or folder' });
    if (sources.length + problems.length === before) {
      problems.push({ source: shown(abs), message: 'holds no shard report (no report.json and no bundle.zip at any depth)' });
    }
  }
  return { sources, problems };
}

/**
 * An input as the merged report, its log and its findings name it: relative to the working directory,
 * also outside it (`../shards/1`). Shards downloaded to the runner's temp folder must not put
 * /home/runner/work/_temp/... into the merged report and its bundle (DESIGN §3.3).
 */
export function shownInput(cwd: string, p: string): string {
  return path.relative(cwd, p).split(path.sep).join('/') || '.';
}

/**
 * The first input that lies in `reportDir` (the folder the merged run replaces), or null. Sources are
 * named relative to `cwd` (shownInput), a bundle's inner archive after a "!". Compared by real paths:
 * an --out through a symbolic link to a leg's folder would delete the leg all the same.
 */
export function inputOverwrittenBy(sources: readonly { source: string }[], cwd: string, reportDir: string): string | null {
  for (const s of sources) {
    if (isInside(path.resolve(cwd, s.source.split('!')[0]), reportDir)) return s.source;
  }
  return null;
}

/** A report folder (<out>/reports/<run_id>/): its files, and the snapshot report.json names in <out>. */
export function readReportFolder(dir: string, source: string): ShardSource {
  const files = new Map<ShardFileName, Buffer>();
  for (const name of SHARD_FILES) {
    if (name === 'snapshot.json') continue;
    const p = path.join(dir, name);
    if (fs.existsSync(p) && fs.lstatSync(p).isFile()) files.set(name, fs.readFileSync(p));
  }
  // The snapshot lives in <out>/snapshots/; a report naming a file outside <out> is not followed.
  try {
    const report = JSON.parse(files.get('report.json')!.toString('utf8')) as { artifacts?: { snapshot?: unknown } };
    const rel = report.artifacts?.snapshot;
    if (typeof rel === 'string') {
      const out = path.resolve(dir, '..', '..');
      const p = path.resolve(dir, rel);
      if (p.startsWith(out + path.sep) && fs.existsSync(p) && fs.lstatSync(p).isFile()) files.set('snapshot.json', fs.readFileSync(p));
    }
  } catch {
    // report.json itself is checked by the reader; a bad one is reported there
  }
  return { source, kind: 'folder', files };
}

export function readBundleFile(file: string, source: string, limits: ZipLimits = MERGE_ZIP_LIMITS): ShardSource {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read: ${errorMessage(err)}`);
  }
  return readBundleBuffer(buf, source, limits, 0);
}

export function readBundleBuffer(buf: Buffer, source: string, limits: ZipLimits = MERGE_ZIP_LIMITS, depth = 0): ShardSource {
  let entries: ZipEntry[];
  try {
    entries = listZip(buf, limits);
    checkEntries(entries);
  } catch (err) {
    throw new Error(`${err instanceof ZipError ? 'refused' : 'unreadable'} bundle: ${errorMessage(err)}`);
  }
  const byName = new Map(entries.filter((e) => !e.isDirectory).map((e) => [e.name, e]));
  if (!byName.has('report.json')) {
    // An artifact archive downloaded by hand holds the bundle itself: look one level inside.
    const inner = [...byName.keys()].filter((n) => n === 'bundle.zip' || n.endsWith('/bundle.zip'));
    if (inner.length === 1 && depth === 0) {
      return readBundleBuffer(readChecked(buf, byName.get(inner[0])!), `${source}!${inner[0]}`, limits, 1);
    }
    throw new Error('not a toron-testops bundle (no report.json entry)');
  }
  const files = new Map<ShardFileName, Buffer>();
  for (const name of SHARD_FILES) {
    const e = byName.get(name);
    if (e) files.set(name, readChecked(buf, e));
  }
  return { source, kind: 'bundle', files };
}

function readChecked(buf: Buffer, e: ZipEntry): Buffer {
  try {
    return readEntry(buf, e);
  } catch (err) {
    throw new Error(`unreadable bundle entry ${JSON.stringify(e.name)}: ${errorMessage(err)}`);
  }
}

/**
 * Every entry name must be a plain relative path: the zip reader's own checks (absolute, "..", drive
 * letters, symbolic links, anything resolving outside) plus backslashes, which no bundle has and which
 * mean a path separator on Windows.
 */
export function checkEntries(entries: ZipEntry[]): void {
  for (const e of entries) {
    if (e.name.includes('\\')) throw new ZipError(`entry ${JSON.stringify(e.name)} is not allowed (backslash in the name)`);
  }
  const bad = unsafeEntries(entries, path.resolve(path.sep, 'merge-bundle'));
  if (bad.length > 0) {
    const first = bad[0];
    throw new ZipError(`entry ${JSON.stringify(first.name)} is not allowed (${first.reason})${bad.length > 1 ? ` and ${bad.length - 1} more` : ''}`);
  }
}
