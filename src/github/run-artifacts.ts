import fs from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';
import { artifactModule } from './artifact.js';
import { extractZip, ZipError, type ZipLimits } from './zip.js';

/**
 * Artifacts of a workflow run, downloaded as raw zips and unpacked here (never by the library), each
 * entry checked: another run's artifact is untrusted data (a fork PR's code ran in the job that made
 * it). `findBy` names another run (needs a token with actions: read); null: the current run.
 */
export interface FindBy {
  token: string;
  workflowRunId: number;
  repositoryOwner: string;
  repositoryName: string;
}

export interface RunArtifact {
  id: number;
  name: string;
  size: number;
}

/** An artifact's zip may be at most this big, and unpack to at most this much (bundle included). */
export const MAX_ARTIFACT_BYTES = 256 * 1024 * 1024;
export const UNPACK_LIMITS: ZipLimits = { maxEntries: 200, maxTotalBytes: 512 * 1024 * 1024 };

export async function listRunArtifacts(findBy: FindBy | null): Promise<RunArtifact[]> {
  const { DefaultArtifactClient } = await artifactModule();
  const { artifacts } = await new DefaultArtifactClient().listArtifacts({ latest: true, ...(findBy ? { findBy } : {}) });
  return artifacts.map((a) => ({ id: a.id, name: a.name, size: a.size }));
}

/** The artifact's zip as bytes, size-checked before and after the download. */
export async function downloadRawArtifact(a: RunArtifact, findBy: FindBy | null, dir: string): Promise<Buffer> {
  if (a.size > MAX_ARTIFACT_BYTES) throw new ZipError(`artifact ${a.name} is ${a.size} bytes (over ${MAX_ARTIFACT_BYTES})`);
  const { DefaultArtifactClient } = await artifactModule();
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  try {
    await new DefaultArtifactClient().downloadArtifact(a.id, { path: dir, skipDecompress: true, ...(findBy ? { findBy } : {}) });
  } catch (err) {
    throw new Error(`download of artifact ${a.name} (${a.id}) failed: ${errorMessage(err).split('\n')[0]}`);
  }
  const files = fs.readdirSync(dir).filter((f) => fs.lstatSync(path.join(dir, f)).isFile());
  if (files.length !== 1) throw new Error(`download of artifact ${a.name}: expected one file, found ${files.length}`);
  const file = path.join(dir, files[0]);
  if (fs.statSync(file).size > MAX_ARTIFACT_BYTES) throw new ZipError(`artifact ${a.name} is over ${MAX_ARTIFACT_BYTES} bytes`);
  return fs.readFileSync(file);
}

export interface UnpackedReport {
  /** The folder holding report.json (the bundle's, or the artifact's own when it has no bundle). */
  reportDir: string;
  /** bundle.zip as downloaded, when the artifact has one. */
  bundle: string | null;
  /** The artifact's event.json, when it has one. */
  eventRecord: string | null;
}

/**
 * The artifact zip (bundle.zip + event.json, or loose report files) unpacked into `target`: the
 * artifact first, then the bundle inside it. Any entry that would leave its folder, any symbolic link,
 * too many entries or too many bytes refuse the archive before a byte of it is written.
 */
export function unpackReportArtifact(zip: Buffer, target: string, limits: ZipLimits = UNPACK_LIMITS): UnpackedReport {
  fs.rmSync(target, { recursive: true, force: true });
  const outer = path.join(target, 'artifact');
  const names = extractZip(zip, outer, limits);
  let reportDir = outer;
  let bundle: string | null = null;
  if (names.includes('bundle.zip')) {
    bundle = path.join(outer, 'bundle.zip');
    reportDir = path.join(target, 'bundle');
    extractZip(fs.readFileSync(bundle), reportDir, limits);
  }
  return { reportDir, bundle, eventRecord: names.includes('event.json') ? path.join(outer, 'event.json') : null };
}

/** A file of an unpacked artifact, read only when it is a regular file within `maxBytes`. */
export function readBounded(file: string, maxBytes: number): string | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(file);
  } catch {
    return null;
  }
  if (!st.isFile()) return null;
  if (st.size > maxBytes) throw new ZipError(`${path.basename(file)} is ${st.size} bytes (over ${maxBytes})`);
  return fs.readFileSync(file, 'utf8');
}
