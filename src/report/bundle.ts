import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { InputError, errorMessage } from '../util/errors.js';
import { useNativeCrc32 } from '../util/native-crc32.js';
import { BundleZipStream } from './bundle-zip-stream.js';
import { deflatedFile, type FileChecksum } from './deflate-blocks.js';

/**
 * bundle.zip (DESIGN §3.8): the run's files in one archive whose bytes depend only on their contents.
 * Entries sorted by name, one fixed timestamp (SOURCE_DATE_EPOCH, else 1980-01-01 00:00:00 UTC), mode
 * 0644, no directory entries, no extra fields, one compression level. `toron-testops bundle` rebuilds
 * the same bytes from the same report folder.
 *
 * The bundle cannot hold its own hash: result.json records it (`bundle: { sha256, ... }`) after the
 * bundle is written, so the copy inside the bundle always has `"bundle": null` (in the run and in a
 * rebuild alike).
 */

/** Entry name in the bundle → file name in the report folder (other sources are resolved below). */
const REPORT_DIR_ENTRIES: Record<string, string> = {
  'report.json': 'report.json',
  'report.html': 'report.html',
  'summary.md': 'summary.md',
  'sim_summary.json': 'sim_summary.json',
  'load_summary.json': 'load_summary.json',
  'replay_summary.json': 'replay_summary.json',
  'pipeline_summary.json': 'pipeline_summary.json',
  'warroom.log': 'warroom.log',
  'result.json': 'result.json',
};

export const DEFAULT_BUNDLE_EPOCH = Date.UTC(1980, 0, 1) / 1000;
const FILE_MODE = 0o644;
// Level 3, not zlib's default 6: the snapshot is most of a bundle (about 7 KB of answer per case, 710 MB
// at 100k cases), and on it level 3 deflates 2.5x faster (1.8 s against 4.7 s) for a zip 31% larger
// (42 MB against 32 MB). Levels 1-3 share zlib's fast strategy; 3 packs best of them at the same speed.
// Files are deflated in blocks on several threads (deflate-blocks.ts); result.json, a buffer, through
// zip-stream's own zlib stream at the same level.
const ZLIB_LEVEL = 3;

export interface BundleSource {
  /** Name inside the zip (forward slashes). */
  name: string;
  /** Absolute path of the file it comes from. */
  path: string;
  /** The file's CRC-32 as its writer took it (used while the file keeps that size). */
  known?: FileChecksum;
}

export interface BundleRecord {
  /** Relative to the report folder. */
  path: string;
  sha256: string;
  bytes: number;
  /** The timestamp every entry carries, in seconds since the epoch. */
  sourceDateEpoch: number;
  entries: string[];
}

export interface BundleInfo extends BundleRecord {
  /** Absolute path of the written bundle. */
  file: string;
}

/**
 * The files of a report folder that go into its bundle, sorted by entry name; missing ones are left out.
 * `written`: the report object as it was written to the folder's report.json, when the caller has it (a
 * run, at its end): reading report.json back would parse every case of it again (100k cases: 22 MB of
 * text, 100 MB of objects, at the moment the heap is fullest).
 */
export function bundleSources(reportDir: string, written?: unknown): BundleSource[] {
  const sources: BundleSource[] = [];
  const report = written !== undefined ? reportArtifacts(written) : readReportArtifacts(reportDir);
  for (const [name, file] of Object.entries(REPORT_DIR_ENTRIES)) {
    // A stage summary left by an earlier run under the same run id is not this run's: only stages
    // that ran in this report contribute theirs.
    const stage = /^(\w+)_summary\.json$/.exec(name)?.[1];
    if (stage && report?.skipped.has(stage)) continue;
    sources.push({ name, path: path.join(reportDir, file) });
  }
  // Paths named in report.json are followed only to where a run writes those files: its log inside the
  // report folder, its snapshot in <out>/snapshots/ (<out> = <report folder>/../..). "Inside the output
  // folder" was not enough: for a folder that is not in that layout (a bundle unpacked in ~/Downloads/x)
  // <out> is the home folder, and a crafted report.json could pull ~/.ssh/id_rsa into the bundle.
  const snapshotsDir = path.resolve(reportDir, '..', '..', 'snapshots');
  const within = (dir: string, rel: string) => {
    const p = path.resolve(reportDir, rel);
    return p.startsWith(dir + path.sep) ? p : null;
  };
  const log = within(path.resolve(reportDir), report?.log ?? 'run.log');
  if (log) sources.push({ name: 'logs/run.log', path: log });
  const snapshot = report?.snapshot ? within(snapshotsDir, report.snapshot) : null;
  if (snapshot) sources.push({ name: 'snapshot.json', path: snapshot });
  // A run writes no symbolic links. A folder unpacked from elsewhere may hold one (summary.md -> ~/.ssh/id_rsa,
  // logs -> /etc): followed, it would put a file of this machine into the bundle. Refused, naming it.
  for (const s of sources) {
    const base = s.name === 'snapshot.json' ? path.resolve(reportDir, '..', '..') : path.resolve(reportDir);
    const link = linkOnTheWay(base, s.path);
    if (link) {
      throw new InputError(
        `${path.relative(path.resolve(reportDir), link) || link} (for the bundle's ${s.name}) is a symbolic link: refused, a bundle holds the report folder's own files, never what a link points to`,
      );
    }
  }
  return sources.filter((s) => isFile(s.path)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The first symbolic link among the parts of `file` below `base` (the file itself included), or null. */
function linkOnTheWay(base: string, file: string): string | null {
  let at = base;
  for (const part of path.relative(base, file).split(path.sep)) {
    at = path.join(at, part);
    try {
      if (fs.lstatSync(at).isSymbolicLink()) return at;
    } catch {
      return null; // missing: left out as before
    }
  }
  return null;
}

/** Whether two paths name one file (by path, or by device and inode when both exist: links, case-insensitive disks). */
function sameFile(a: string, b: string): boolean {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    const x = fs.statSync(a);
    const y = fs.statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

interface ReportArtifacts {
  log?: string;
  snapshot?: string | null;
  skipped: Set<string>;
}

function readReportArtifacts(reportDir: string): ReportArtifacts | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
  } catch {
    return null;
  }
  return reportArtifacts(parsed);
}

/** What the bundle needs of a report: where its log and snapshot are, and which stages were skipped. */
function reportArtifacts(report: unknown): ReportArtifacts | null {
  try {
    const r = report as {
      artifacts?: { log?: unknown; snapshot?: unknown };
      stages?: Record<string, { verdict?: unknown } | null>;
    };
    const a = r.artifacts ?? {};
    const skipped = new Set(Object.entries(r.stages ?? {}).flatMap(([k, v]) => (v?.verdict === 'SKIPPED' ? [k] : [])));
    return {
      log: typeof a.log === 'string' ? a.log : undefined,
      snapshot: typeof a.snapshot === 'string' ? a.snapshot : null,
      skipped,
    };
  } catch {
    return null;
  }
}

/**
 * The timestamp of every entry: SOURCE_DATE_EPOCH when set (reproducible-builds.org: a whole number of
 * seconds; anything else is an error), else the one a previous build recorded, else 1980-01-01.
 */
export function bundleEpoch(env: NodeJS.ProcessEnv, recorded?: number | null): number {
  const raw = env.SOURCE_DATE_EPOCH;
  if (raw !== undefined && raw !== '') {
    if (!/^\d{1,12}$/.test(raw.trim())) throw new InputError(`SOURCE_DATE_EPOCH must be a whole number of seconds since 1970-01-01, got "${raw}"`);
    return Number(raw.trim());
  }
  if (typeof recorded === 'number' && Number.isInteger(recorded) && recorded >= 0) return recorded;
  return DEFAULT_BUNDLE_EPOCH;
}

/** result.json as it is stored in the bundle: with `"bundle": null` (the bundle's own hash cannot be inside it). */
export function bundledResultJson(raw: Buffer): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    return raw;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('bundle' in parsed)) return raw;
  (parsed as Record<string, unknown>).bundle = null;
  return Buffer.from(JSON.stringify(parsed, null, 2) + '\n', 'utf8');
}

/** Writes the zip of `sources` (already sorted) to `outFile` atomically; returns its sha256 and size. */
export async function writeBundleZip(sources: BundleSource[], outFile: string, epoch: number): Promise<{ sha256: string; bytes: number }> {
  const date = new Date(epoch * 1000);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  const tmp = `${outFile}.${process.pid}.tmp`;
  const hash = createHash('sha256');
  let bytes = 0;
  useNativeCrc32();
  const zip = new BundleZipStream({ zlib: { level: ZLIB_LEVEL }, forceLocalTime: false, namePrependSlash: false });
  const out = fs.createWriteStream(tmp);
  const done = new Promise<void>((resolve, reject) => {
    out.on('close', resolve);
    out.on('error', reject);
    zip.on('error', reject);
  });
  // Awaited after the last entry; an error before that is thrown by the entry's wait instead.
  done.catch(() => {});
  zip.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    bytes += chunk.length;
  });
  zip.pipe(out);
  // One set of input buffers for all the files (deflate-blocks.ts).
  const spare: Buffer[] = [];
  try {
    for (const s of sources) {
      const entry = { name: s.name, date, mode: FILE_MODE };
      // One entry at a time, each file opened only when its turn comes.
      const source =
        s.name === 'result.json' ? bundledResultJson(fs.readFileSync(s.path)) : deflatedFile(s.path, { level: ZLIB_LEVEL, spare, ...(s.known ? { known: s.known } : {}) });
      await new Promise<void>((resolve, reject) => zip.entry(source, entry, (err) => (err ? reject(err) : resolve())));
    }
    zip.finalize();
    await done;
    fs.renameSync(tmp, outFile);
  } catch (err) {
    zip.destroy();
    out.destroy();
    fs.rmSync(tmp, { force: true });
    throw new Error(`could not write ${outFile}: ${errorMessage(err)}`);
  }
  return { sha256: hash.digest('hex'), bytes };
}

export interface BuildBundleOptions {
  env?: NodeJS.ProcessEnv;
  /** Default: <reportDir>/bundle.zip. */
  out?: string;
  /** The epoch an earlier build used (from result.json), when SOURCE_DATE_EPOCH is not set. */
  recordedEpoch?: number | null;
  /** The report object exactly as written to the folder's report.json (see bundleSources). */
  writtenReport?: unknown;
  /** CRC-32s the run took of files as it wrote them (its snapshot), by absolute path. */
  checksums?: (FileChecksum & { file: string })[];
}

/** Builds a report folder's bundle. Throws InputError for a folder that is not a run's report folder. */
export async function buildBundle(reportDir: string, opts: BuildBundleOptions = {}): Promise<BundleInfo> {
  if (!isFile(path.join(reportDir, 'report.json'))) {
    throw new InputError(`${reportDir} is not a report folder of a run: it has no report.json`);
  }
  const epoch = bundleEpoch(opts.env ?? process.env, opts.recordedEpoch);
  const sources = bundleSources(reportDir, opts.writtenReport);
  for (const c of opts.checksums ?? []) {
    const s = sources.find((x) => path.resolve(x.path) === path.resolve(c.file));
    if (s) s.known = { bytes: c.bytes, crc32: c.crc32 };
  }
  const file = path.resolve(opts.out ?? path.join(reportDir, 'bundle.zip'));
  // `--out report.json` (or the snapshot) would replace a file of the run with its own archive.
  const clobbered = sources.find((s) => sameFile(s.path, file));
  if (clobbered) throw new InputError(`--out ${file} is the run's ${clobbered.name}, which goes into the bundle: choose another file`);
  const { sha256, bytes } = await writeBundleZip(sources, file, epoch);
  return {
    file,
    path: path.relative(reportDir, file).split(path.sep).join('/'),
    sha256,
    bytes,
    sourceDateEpoch: epoch,
    entries: sources.map((s) => s.name),
  };
}

/** The bundle record a run wrote into result.json (null when it has none). */
export function recordedBundle(reportDir: string): BundleRecord | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(reportDir, 'result.json'), 'utf8')) as { bundle?: unknown };
    const b = r.bundle as Partial<BundleRecord> | null | undefined;
    if (b && typeof b.sha256 === 'string' && typeof b.sourceDateEpoch === 'number') return b as BundleRecord;
    return null;
  } catch {
    return null;
  }
}

/** `sha256sum -c` format, beside the bundle. */
export function sha256Line(info: { sha256: string; file: string }): string {
  return `${info.sha256}  ${path.basename(info.file)}\n`;
}
