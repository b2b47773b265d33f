import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildBundle, recordedBundle } from '../report/bundle.js';
import { relPath } from '../runner/paths.js';
import { listZip } from '../github/zip.js';
import { InputError, errorMessage } from '../util/errors.js';
import { realPath } from '../util/real-path.js';
import { neutralise } from '../github/commands.js';

export const BUNDLE_USAGE = `toron-testops bundle REPORT_DIR [--out FILE]

  Rebuilds a run's bundle.zip from the files of its report folder (<out>/reports/<run_id>): the same
  inputs give the same bytes as the run made. Prints the bundle's sha256 and whether it matches the
  one the run recorded in result.json.

  --out FILE   where to write the bundle (default REPORT_DIR/bundle.zip); an existing FILE is replaced
               only if it is a previous bundle (a zip archive holding report.json and result.json)

  The run's own bundle.zip, when it is the one result.json (or, result.json gone, bundle.zip.sha256)
  records, is never replaced by other bytes (another toron-testops version packs the same files
  differently): ERROR, use --out FILE. A report folder whose JSON files do not parse is not bundled.

  Timestamps: SOURCE_DATE_EPOCH when set, else the one the run recorded, else 1980-01-01.
Exit codes: 0 written, 2 ERROR (not a report folder, a damaged JSON file in it, --out an existing file that is no
bundle, bad SOURCE_DATE_EPOCH, cannot write).`;

/** `toron-testops bundle`: returns the exit code. */
export async function bundleCommand(argv: string[], io: { cwd: string; env: NodeJS.ProcessEnv }): Promise<number> {
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    } catch (err) {
      throw new InputError(`${errorMessage(err)} (see toron-testops bundle --help)`);
    }
    if (parsed.values.help) {
      process.stdout.write(BUNDLE_USAGE + '\n');
      return 0;
    }
    if (parsed.positionals.length !== 1) {
      throw new InputError(`bundle takes one report folder, got ${parsed.positionals.length} (see toron-testops bundle --help)`);
    }
    const dir = path.resolve(io.cwd, parsed.positionals[0]);
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new InputError(`${parsed.positionals[0]} is not a folder`);
    const out = parsed.values.out ? path.resolve(io.cwd, parsed.values.out) : undefined;
    if (out) refuseNonBundle(out, parsed.values.out!);
    refuseDamaged(dir, parsed.positionals[0]);
    const fromResult = recordedBundle(dir);
    const recorded = fromResult ?? recordedBySha256File(dir);
    const recordedIn = fromResult ? 'result.json' : 'bundle.zip.sha256';
    // The run's own bundle, read before a rebuild may replace it: what is in it tells why bytes differ.
    const runEntries = recorded ? entriesOfRunBundle(dir, recorded.sha256) : null;
    // That bundle is the run's record (result.json, bundle.zip.sha256, the history, the uploaded
    // artifact): a rebuild into its place is made aside first and never replaces it with other bytes.
    const runZip = path.join(dir, 'bundle.zip');
    const scratch = runEntries && realPath(out ?? runZip) === realPath(runZip) ? path.join(dir, `.bundle.rebuild-${process.pid}.zip`) : null;
    let info;
    let rebuilt: EntrySums | null;
    try {
      info = await buildBundle(dir, {
        env: io.env,
        out: scratch ?? out,
        recordedEpoch: recorded?.sourceDateEpoch ?? null,
      });
      rebuilt = rebuiltEntries(info.file);
    } finally {
      if (scratch) fs.rmSync(scratch, { force: true });
    }
    if (scratch && recorded) {
      if (info.sha256 !== recorded.sha256) {
        const why = whyDifferent(dir, recorded.entries, info.entries, runEntries, rebuilt, otherEpoch(recorded, info));
        throw new InputError(
          `the rebuild (sha256 ${info.sha256}) would replace the run's bundle.zip, the one ${fromResult ? 'result.json and bundle.zip.sha256 record' : 'bundle.zip.sha256 records (result.json is gone)'} (sha256 ${recorded.sha256}), ` +
            `with other bytes: ${why}. The run's bundle.zip is kept; give --out FILE to write the rebuild elsewhere`,
        );
      }
      // The same bytes: the run's bundle.zip already is the rebuild.
      info = { ...info, file: runZip, path: 'bundle.zip' };
    }
    const lines = [
      `bundle: ${relPath(io.cwd, info.file) || info.file} (${info.bytes} bytes, ${info.entries.length} entries: ${info.entries.join(', ')})`,
      `sha256: ${info.sha256}`,
    ];
    if (!recorded) lines.push('result.json records no bundle to compare with');
    else if (recorded.sha256 === info.sha256) lines.push(`same bytes as the bundle the run recorded in ${recordedIn}`);
    else lines.push(`differs from the sha256 the run recorded in ${recordedIn} (${recorded.sha256}): ${whyDifferent(dir, recorded.entries, info.entries, runEntries, rebuilt, otherEpoch(recorded, info))}`);
    process.stdout.write(neutralise(lines.join('\n') + '\n'));
    return 0;
  } catch (err) {
    process.stderr.write(neutralise(`toron-testops: ERROR (not a test verdict): ${errorMessage(err)}\n`));
    return 2;
  }
}

type EntrySums = Map<string, { crc32: number; size: number }>;

/** Whether the rebuild is dated otherwise than the run's bundle (unknown when only its hash is recorded). */
function otherEpoch(recorded: { sourceDateEpoch?: number }, info: { sourceDateEpoch: number }): boolean {
  return recorded.sourceDateEpoch !== undefined && recorded.sourceDateEpoch !== info.sourceDateEpoch;
}

/** The run's JSON files: a bundle of them is the run's record, so one that does not parse is not bundled. */
const RUN_JSON = ['report.json', 'result.json', 'sim_summary.json', 'load_summary.json', 'replay_summary.json', 'pipeline_summary.json'];

/**
 * A report folder whose JSON files were damaged (truncated by a full disk, edited by hand) is refused,
 * naming the file: bundled, it would carry the damage as the run's record, and a rebuild into the run's
 * own bundle.zip would replace the only whole copy.
 */
function refuseDamaged(dir: string, shown: string): void {
  for (const name of RUN_JSON) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      continue; // missing: left out of the bundle, as the run leaves out what it did not write
    }
    try {
      JSON.parse(text);
    } catch (err) {
      throw new InputError(
        `${path.join(shown, name)} is not valid JSON (${errorMessage(err)}): a damaged report folder is not bundled. ` +
          "The run's bundle.zip holds the file as the run wrote it (unzip it back), or bundle another copy of the folder",
      );
    }
  }
}

/**
 * The run's bundle as bundle.zip.sha256 records it, when result.json does not (deleted): the sidecar the
 * run wrote beside its bundle, trusted only while bundle.zip still has that hash. Without an epoch or
 * entries: it only keeps that bundle from being replaced by other bytes.
 */
function recordedBySha256File(dir: string): { sha256: string; sourceDateEpoch?: number; entries?: string[] } | null {
  try {
    const line = fs.readFileSync(path.join(dir, 'bundle.zip.sha256'), 'utf8');
    const m = /^([0-9a-f]{64}) [ *]bundle\.zip\s*$/.exec(line);
    if (!m) return null;
    const actual = createHash('sha256').update(fs.readFileSync(path.join(dir, 'bundle.zip'))).digest('hex');
    return actual === m[1] ? { sha256: m[1] } : null;
  } catch {
    return null;
  }
}

/** The entries of the run's bundle.zip (CRC-32 and size each) when it is the one result.json records; else null. */
function entriesOfRunBundle(dir: string, sha256: string): EntrySums | null {
  try {
    const buf = fs.readFileSync(path.join(dir, 'bundle.zip'));
    if (createHash('sha256').update(buf).digest('hex') !== sha256) return null;
    return new Map(listZip(buf).map((e) => [e.name, { crc32: e.crc32, size: e.size }]));
  } catch {
    return null;
  }
}

function rebuiltEntries(file: string): EntrySums | null {
  try {
    return new Map(listZip(fs.readFileSync(file)).map((e) => [e.name, { crc32: e.crc32, size: e.size }]));
  } catch {
    return null;
  }
}

/**
 * Why a rebuilt bundle is not the run's: entries the run's bundle had that were not found (a report
 * folder copied without <out>/snapshots/ is the usual one), entries it did not have; else, when the
 * run's bundle.zip is still there to compare with, the files whose contents changed since it was made,
 * or none (the same files packed another way: another toron-testops version packs them differently);
 * else a changed file or another SOURCE_DATE_EPOCH.
 */
function whyDifferent(
  dir: string,
  recorded: readonly string[] | undefined,
  now: readonly string[],
  runEntries: EntrySums | null = null,
  rebuilt: EntrySums | null = null,
  otherEpoch = false,
): string {
  if (runEntries && rebuilt && runEntries.size === rebuilt.size && [...rebuilt.keys()].every((n) => runEntries.has(n))) {
    const changed = [...rebuilt].filter(([n, e]) => runEntries.get(n)!.crc32 !== e.crc32 || runEntries.get(n)!.size !== e.size).map(([n]) => n);
    if (changed.length > 0) return `${changed.join(', ')} changed since the run's bundle.zip was made`;
    if (otherEpoch) return "every file in it is the same as in the run's bundle.zip, dated by another SOURCE_DATE_EPOCH";
    return (
      "every file in it is the same as in the run's bundle.zip (CRC-32 and size of each entry), packed another way: " +
      'the run was bundled by another toron-testops version, which compresses differently'
    );
  }
  if (!Array.isArray(recorded)) return 'a file of the report folder changed since the run, or SOURCE_DATE_EPOCH differs';
  const missing = recorded.filter((e) => !now.includes(e));
  const extra = now.filter((e) => !recorded.includes(e));
  const parts: string[] = [];
  if (missing.length > 0) {
    let where = '';
    if (missing.includes('snapshot.json')) {
      const named = snapshotNamed(dir);
      if (named) where = ` (report.json names it ${named}: copy the run's <out>/snapshots/${path.basename(named)} there)`;
    }
    parts.push(`the run's bundle also held ${missing.join(', ')}, not found here${where}`);
  }
  if (extra.length > 0) parts.push(`this one holds ${extra.join(', ')}, which the run's did not`);
  return parts.length > 0 ? parts.join('; ') : 'a file of the report folder changed since the run, or SOURCE_DATE_EPOCH differs';
}

/** The snapshot path report.json names (relative to the report folder), or null. */
function snapshotNamed(dir: string): string | null {
  try {
    const r = JSON.parse(fs.readFileSync(path.join(dir, 'report.json'), 'utf8')) as { artifacts?: { snapshot?: unknown } };
    const s = r.artifacts?.snapshot;
    return typeof s === 'string' && s.length <= 300 ? s : null;
  } catch {
    return null;
  }
}

/**
 * --out may replace a previous bundle, never another file: `--out out/testops.db` (a slip of the
 * tab key) would otherwise replace the run history, the WAR ROOM log, or any other zip (a .docx, a
 * .jar, someone's archive) with the bundle (DESIGN: bad input never loses data). A previous bundle is
 * a zip archive holding a run's report.json and result.json.
 */
function refuseNonBundle(out: string, given: string): void {
  let buf: Buffer;
  try {
    if (!fs.statSync(out).isFile()) return; // a folder: the write fails, named
    buf = fs.readFileSync(out);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // not there: written
    throw new InputError(`--out ${given} cannot be checked: ${errorMessage(err)}`);
  }
  let names: Set<string>;
  try {
    names = new Set(listZip(buf).map((e) => e.name));
  } catch {
    throw new InputError(`--out ${given} is an existing file that is not a zip archive: bundle replaces only a previous bundle; give another --out`);
  }
  if (!names.has('report.json') || !names.has('result.json')) {
    throw new InputError(`--out ${given} is a zip archive but not a toron-testops bundle (no report.json and result.json in it): bundle replaces only a previous bundle; give another --out`);
  }
}
