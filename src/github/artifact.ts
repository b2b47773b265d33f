import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage } from '../util/errors.js';
import { suffixedName } from './artifact-name.js';
import { useNativeCrc32 } from '../util/native-crc32.js';

/**
 * Uploads through @actions/artifact (loaded on first use: it is most of the bundle's weight). Names are
 * single-use per workflow run (409 on reuse), and matrix legs share a job id, so a taken name gets a
 * `-2`, `-3`, ... suffix: looked up first, and retried when another leg takes it in between.
 */
export interface UploadedArtifact {
  id: number;
  name: string;
  size: number | null;
  digest: string | null;
}

/**
 * Why artifacts cannot be uploaded from here, or null when the Actions runtime is present. In a job on
 * a server other than github.com (GitHub Enterprise Server: GITHUB_SERVER_URL), the runtime is there
 * but may provide no results service: say which variable is missing, not "not running in GitHub Actions?".
 */
export function artifactServiceProblem(env: NodeJS.ProcessEnv): string | null {
  const missing = ['ACTIONS_RUNTIME_TOKEN', 'ACTIONS_RESULTS_URL'].filter((k) => !env[k]);
  if (!missing.length) return null;
  const server = (env.GITHUB_SERVER_URL ?? '').trim().replace(/\/+$/, '');
  if (env.GITHUB_ACTIONS === 'true' && server && !/^https:\/\/github\.com$/i.test(server)) {
    return (
      `the artifact service is not available: ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set in this job on ${server} (GITHUB_SERVER_URL); ` +
      'that server gives this job no results service, which @actions/artifact 2 and later (as actions/upload-artifact@v4) need'
    );
  }
  return `the Actions runtime is not available (${missing.join(', ')} not set): not running in GitHub Actions?`;
}

type ArtifactModule = typeof import('@actions/artifact');

let loaded: Promise<ArtifactModule> | null = null;
export function artifactModule(): Promise<ArtifactModule> {
  // The client zips what it uploads with archiver too.
  useNativeCrc32();
  loaded ??= import('@actions/artifact');
  return loaded;
}

const MAX_NAME_ATTEMPTS = 6;

function isNameConflict(err: unknown): boolean {
  return /\(409\)|already exists|Conflict/i.test(errorMessage(err));
}

/** The first of name, name-2, name-3... not yet used in this run (best effort: listing may fail). */
export function freeName(name: string, taken: ReadonlySet<string>, start = 1): { name: string; n: number } {
  for (let n = start; ; n++) {
    const candidate = suffixedName(name, n);
    if (!taken.has(candidate)) return { name: candidate, n };
  }
}

export async function takenNames(): Promise<Set<string>> {
  const { DefaultArtifactClient } = await artifactModule();
  try {
    const { artifacts } = await new DefaultArtifactClient().listArtifacts();
    return new Set(artifacts.map((a) => a.name));
  } catch {
    return new Set();
  }
}

/** The bundle (or, without one, the report files) zipped by the service under a unique name. */
export async function uploadFiles(opts: {
  name: string;
  files: string[];
  rootDirectory: string;
  retentionDays: number;
  /** 0 for files that are already compressed (the bundle is a zip). */
  compressionLevel: number;
  /** The names already used in this run (looked up here when not given). */
  taken?: Set<string>;
}): Promise<UploadedArtifact> {
  const { DefaultArtifactClient } = await artifactModule();
  const client = new DefaultArtifactClient();
  const taken = opts.taken ?? (await takenNames());
  let n = 1;
  for (let attempt = 1; ; attempt++) {
    const pick = freeName(opts.name, taken, n);
    try {
      const r = await client.uploadArtifact(pick.name, opts.files, opts.rootDirectory, {
        retentionDays: opts.retentionDays || undefined,
        compressionLevel: opts.compressionLevel,
      });
      if (r.id === undefined) throw new Error('the artifact service returned no artifact id');
      return { id: r.id, name: pick.name, size: r.size ?? null, digest: r.digest ?? null };
    } catch (err) {
      if (!isNameConflict(err) || attempt >= MAX_NAME_ATTEMPTS) throw err;
      taken.add(pick.name);
      n = pick.n + 1;
    }
  }
}

/**
 * One file uploaded as itself (no zip), so it opens in the browser from the run page. The service
 * names such an artifact after the file, so the file is copied under the name wanted first.
 */
export async function uploadSingleFile(opts: { file: string; name: string; retentionDays: number }): Promise<UploadedArtifact> {
  const { DefaultArtifactClient } = await artifactModule();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-artifact-'));
  try {
    const copy = path.join(dir, opts.name);
    fs.copyFileSync(opts.file, copy);
    const r = await new DefaultArtifactClient().uploadArtifact(opts.name, [copy], dir, {
      retentionDays: opts.retentionDays || undefined,
      skipArchive: true,
    });
    if (r.id === undefined) throw new Error('the artifact service returned no artifact id');
    return { id: r.id, name: opts.name, size: r.size ?? null, digest: r.digest ?? null };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
