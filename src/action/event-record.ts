import fs from 'node:fs';
import path from 'node:path';
import pkg from '../../package.json' with { type: 'json' };
import type { GitHubEnv } from './context.js';

/**
 * What a `mode: publish` workflow needs to know about the event a run came from, uploaded next to the
 * bundle as `event.json`. Not the whole event payload: it can be large and holds nothing else we need.
 * A publisher treats it as untrusted (the PR's code ran in the job that wrote it): the PR number is
 * only used after the API confirms that PR's head is the commit of the run (see publish-source.ts).
 */
export interface EventRecord {
  kind: 'toron-testops-event';
  version: 1;
  eventName: string;
  prNumber: number | null;
  headSha: string | null;
  headRepo: string | null;
  baseRepo: string | null;
  runId: number | null;
  runAttempt: number;
  /** The artifact name the run asked for: the sticky comment's key. */
  artifactName: string;
  /**
   * The run's working-directory, relative to the workspace with `/` ('' for the workspace): the
   * report's file locations are relative to it, and annotations need repository paths.
   */
  workingDirectory: string;
  actionVersion: string;
}

export const EVENT_RECORD_FILE = 'event.json';
/** Far more than a real record takes; a bigger file is not read. */
export const EVENT_RECORD_MAX_BYTES = 16 * 1024;

export function eventRecord(gh: GitHubEnv, artifactName: string, cwd: string = gh.workspace): EventRecord {
  const p = gh.event.pull_request;
  const str = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    kind: 'toron-testops-event',
    version: 1,
    eventName: gh.eventName,
    prNumber: gh.pr?.number ?? null,
    headSha: gh.headSha,
    headRepo: str(p?.head?.repo?.full_name),
    baseRepo: str(p?.base?.repo?.full_name) ?? str(gh.event.repository?.full_name) ?? (gh.repo ? `${gh.repo.owner}/${gh.repo.repo}` : null),
    runId: gh.runId,
    runAttempt: gh.runAttempt,
    artifactName,
    workingDirectory: relativeDir(gh.workspace, cwd) ?? '',
    actionVersion: pkg.version,
  };
}

/** `dir` relative to the workspace with `/`, or null when it is not inside it. */
function relativeDir(workspace: string, dir: string): string | null {
  const rel = path.relative(workspace, dir);
  if (rel === '') return '';
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

export function writeEventRecord(dir: string, record: EventRecord): string {
  const file = path.join(dir, EVENT_RECORD_FILE);
  fs.writeFileSync(file, JSON.stringify(record, null, 2) + '\n');
  return file;
}

const SHA = /^[0-9a-f]{40}$/;
const REPO = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/** An uploaded event.json, read as untrusted: anything malformed is dropped, never guessed at. */
export function parseEventRecord(text: string): EventRecord | null {
  if (Buffer.byteLength(text) > EVENT_RECORD_MAX_BYTES) return null;
  let v: any;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!v || typeof v !== 'object' || v.kind !== 'toron-testops-event' || v.version !== 1) return null;
  const int = (x: unknown) => (Number.isSafeInteger(x) && (x as number) > 0 ? (x as number) : null);
  const match = (x: unknown, re: RegExp) => (typeof x === 'string' && x.length <= 200 && re.test(x) ? x : null);
  return {
    kind: 'toron-testops-event',
    version: 1,
    eventName: match(v.eventName, /^[a-z_]{1,64}$/) ?? '',
    prNumber: int(v.prNumber),
    headSha: match(v.headSha, SHA),
    headRepo: match(v.headRepo, REPO),
    baseRepo: match(v.baseRepo, REPO),
    runId: int(v.runId),
    runAttempt: int(v.runAttempt) ?? 1,
    artifactName: typeof v.artifactName === 'string' ? v.artifactName.slice(0, 256) : '',
    // Only a plain relative folder: it only ever prefixes annotation paths of the run's own check.
    workingDirectory: match(v.workingDirectory, /^(?:[^/\\:\0-\x1f]+(?:\/[^/\\:\0-\x1f]+)*)?$/) !== null && !/(^|\/)\.\.?(\/|$)/.test(v.workingDirectory) ? v.workingDirectory : '',
    actionVersion: typeof v.actionVersion === 'string' ? v.actionVersion.slice(0, 64) : '',
  };
}
