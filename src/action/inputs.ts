import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FailOn } from '../runner/verdict.js';
import { resolveSettings, type SettingsFlags } from '../settings/resolve.js';
import { InputError } from '../util/errors.js';
import type { CommentMode } from '../github/comment.js';
import { ARTIFACT_NAME_FORBIDDEN, artifactNameProblem } from '../github/artifact-name.js';

/** Every input of action.yml, parsed once into one typed object. `null`: not given (use the config). */
export interface ActionInputs {
  engine: string | null;
  config: string | null;
  workingDirectory: string | null;
  runId: string | null;
  stages: string | null;
  baseline: { kind: 'none' } | { kind: 'auto' } | { kind: 'path'; path: string };
  failOn: FailOn | null;
  annotations: AnnotationMode;
  maxAnnotations: number;
  jobSummary: boolean;
  prComment: CommentMode;
  /** As given (empty: derived from the job id). */
  artifactName: string | null;
  uploadArtifact: boolean;
  /** 0: the repository's default. */
  retentionDays: number;
  githubToken: string;
  /** run: the gate; publish: post another run's artifact (workflow_run); merge: shard artifacts → one run; compare: the staging gate. */
  mode: ActionMode;
  /** `i/n` as given (validated by the settings, like the CLI's --shard); null: not a shard leg. */
  shard: string | null;
  /** A key of the config's engine map, like --engine-version (mode: run); null: the config's. */
  engineVersion: string | null;
}

export type ActionMode = 'run' | 'publish' | 'merge' | 'compare';
export type AnnotationMode = 'workflow-commands' | 'checks' | 'off';
export type { CommentMode };

/**
 * The inputs with their action.yml defaults (a test keeps this table, action.yml and the README in
 * sync). The runner passes every declared input, defaults filled in, as INPUT_<NAME> with the name
 * upper-cased and the dashes kept.
 */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = {
  engine: '',
  config: '',
  'working-directory': '',
  'run-id': '',
  stages: '',
  baseline: '',
  'fail-on': '',
  annotations: 'workflow-commands',
  'max-annotations': '50',
  'job-summary': 'true',
  'pr-comment': 'off',
  'artifact-name': '',
  'upload-artifact': 'true',
  'retention-days': '0',
  'github-token': '${{ github.token }}',
  mode: 'run',
  shard: '',
  'engine-version': '',
};

export const OUTPUT_NAMES = [
  'result',
  'determinism-score',
  'sim-pass-rate',
  'p95-ms',
  'warroom-critical',
  'report-path',
  'bundle-path',
  'bundle-sha256',
  'artifact-id',
  'artifact-url',
  'promote',
  'pass-rate-delta',
  'p95-delta-ms',
  'determinism-delta',
  'comparison-path',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

const ENUMS = {
  'fail-on': ['fail', 'warn', 'never'],
  annotations: ['workflow-commands', 'checks', 'off'],
  'pr-comment': ['off', 'always', 'on-change', 'on-failure'],
  mode: ['run', 'publish', 'merge', 'compare'],
} as const;

/** Most annotations one run may send (the Checks API takes 50 a request; more requests add more). */
export const MAX_ANNOTATIONS_LIMIT = 1000;

/**
 * The input as the runner passes it, trimmed. An input that was not passed at all, or passed empty or
 * blank (a reusable workflow passing through an input its caller did not set gives ''), reads as its
 * default: for a boolean or number input, the action.yml default, not an error.
 */
export function rawInput(env: NodeJS.ProcessEnv, name: string): string {
  const v = (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
  return v === '' ? defaultFor(name) : v;
}

function defaultFor(name: string): string {
  const d = INPUT_DEFAULTS[name] ?? '';
  // An expression default only means something to the runner; outside it, "not given".
  return d.startsWith('${{') ? '' : d;
}

/** Reads and validates every input; all problems are reported together, in one InputError. */
export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const problems: string[] = [];
  const text = (name: string) => {
    const v = rawInput(env, name);
    return v === '' ? null : v;
  };
  const oneOf = <T extends string>(name: keyof typeof ENUMS, fallback: T | null): T | null => {
    const v = text(name);
    if (v === null) return fallback;
    const allowed = ENUMS[name] as readonly string[];
    const lower = v.toLowerCase();
    if (!allowed.includes(lower)) {
      problems.push(`input ${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
      return fallback;
    }
    return lower as T;
  };
  const bool = (name: string): boolean => {
    const v = rawInput(env, name);
    // YAML 1.2 core schema booleans, as the toolkit's getBooleanInput reads them.
    if (['true', 'True', 'TRUE'].includes(v)) return true;
    if (['false', 'False', 'FALSE'].includes(v)) return false;
    problems.push(`input ${name}: must be true or false, got ${JSON.stringify(v)}`);
    return INPUT_DEFAULTS[name] === 'true';
  };
  const int = (name: string, min: number, max: number): number => {
    const v = rawInput(env, name);
    if (!/^[0-9]+$/.test(v) || Number(v) < min || Number(v) > max) {
      problems.push(`input ${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(v)}`);
      return Number(INPUT_DEFAULTS[name]);
    }
    return Number(v);
  };

  const baselineText = text('baseline');
  const baseline: ActionInputs['baseline'] =
    baselineText === null ? { kind: 'none' } : baselineText.toLowerCase() === 'auto' ? { kind: 'auto' } : { kind: 'path', path: baselineText };

  const artifactName = text('artifact-name');
  if (artifactName !== null) {
    const p = artifactNameProblem(artifactName);
    if (p) problems.push(`input artifact-name: ${p} (not allowed: ${ARTIFACT_NAME_FORBIDDEN.map((c) => JSON.stringify(c)).join(' ')})`);
  }

  const inputs: ActionInputs = {
    engine: text('engine'),
    config: text('config'),
    workingDirectory: text('working-directory'),
    runId: text('run-id'),
    stages: text('stages'),
    baseline,
    failOn: oneOf<FailOn>('fail-on', null),
    annotations: oneOf<AnnotationMode>('annotations', 'workflow-commands')!,
    maxAnnotations: int('max-annotations', 0, MAX_ANNOTATIONS_LIMIT),
    jobSummary: bool('job-summary'),
    prComment: oneOf<CommentMode>('pr-comment', 'off')!,
    artifactName,
    uploadArtifact: bool('upload-artifact'),
    retentionDays: int('retention-days', 0, 90),
    githubToken: rawInput(env, 'github-token'),
    mode: oneOf<ActionMode>('mode', 'run')!,
    shard: text('shard'),
    engineVersion: text('engine-version'),
  };
  if (inputs.shard !== null && inputs.mode !== 'run') problems.push(`input shard: only mode: run runs a shard (mode is ${inputs.mode})`);
  if (inputs.engineVersion !== null && inputs.mode === 'compare') {
    problems.push('input engine-version: mode: compare takes engine-map versions in engine (the candidate) and baseline');
  }
  // mode: publish runs nothing of the workspace: its settings inputs are not used.
  if (inputs.mode !== 'publish') {
    // In a job (GITHUB_WORKSPACE set), the folder the run reads from and writes to must be in the workspace.
    const workspace = env.GITHUB_WORKSPACE ? path.resolve(env.GITHUB_WORKSPACE) : null;
    const wd = workspace ? workingDirectoryProblem(inputs.workingDirectory, workspace, true) : null;
    if (wd) problems.push(wd);
    problems.push(...settingsInputProblems(inputs, env));
  }
  if (problems.length > 0) {
    throw new InputError(problems.length === 1 ? problems[0] : `${problems.length} invalid inputs:\n  ${problems.join('\n  ')}`);
  }
  return inputs;
}

/** The settings the inputs set, as the CLI's flags (`mode: compare`: engine and baseline are the two sides, decided later). */
export function settingsFlags(inputs: ActionInputs): SettingsFlags {
  const flags: SettingsFlags = {};
  const compare = inputs.mode === 'compare';
  if (inputs.engine !== null && !compare) flags.engine = inputs.engine;
  if (inputs.engineVersion !== null && !compare) flags.engineVersion = inputs.engineVersion;
  if (inputs.runId !== null) flags.runId = inputs.runId;
  if (inputs.stages !== null) flags.stages = inputs.stages;
  if (inputs.shard !== null) flags.shard = inputs.shard;
  if (inputs.failOn !== null) flags.failOn = inputs.failOn;
  if (inputs.baseline.kind === 'path' && !compare) flags.baseline = inputs.baseline.path;
  if (inputs.baseline.kind === 'auto' || compare) flags.baseline = null; // decided after the lookup
  return flags;
}

/**
 * The settings inputs (engine, run-id, stages, shard, ...) checked by the same rules as the CLI's flags,
 * on their own (against no config file), so they are named in the same error as the other inputs
 * rather than in a second round. Problems of the config file are the settings' to report, later.
 */
function settingsInputProblems(inputs: ActionInputs, env: NodeJS.ProcessEnv): string[] {
  // engine-version is checked against the config's engine map, when the settings are resolved.
  const { engineVersion: _mapKey, ...flags } = settingsFlags(inputs);
  if (Object.values(flags).every((v) => v === undefined || v === null)) return [];
  const nowhere = path.join(os.tmpdir(), `toron-testops-no-config-${randomUUID()}`); // no config file there
  try {
    resolveSettings({ cwd: nowhere, flags, env });
    return [];
  } catch (err) {
    if (!(err instanceof InputError)) return [];
    return err.message
      .split('\n')
      .filter((l) => l.startsWith('flag --'))
      .map((l) => l.replace(/^flag --([a-z-]+)/, 'input $1'));
  }
}

/**
 * `working-directory` must be a folder; with `confine` (in a job), one inside the workspace, also after
 * symbolic links are followed: the run reads its config and datasets there and writes its reports there.
 */
export function workingDirectoryProblem(given: string | null, workspace: string, confine: boolean): string | null {
  const dir = path.resolve(workspace, given ?? '');
  const shown = JSON.stringify(given ?? dir);
  const outside = (root: string, p: string) => {
    const rel = path.relative(root, p);
    return rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  };
  const refused = `input working-directory: ${shown} resolves outside the workspace (${workspace}); give a folder inside it`;
  if (confine && outside(workspace, dir)) return refused;
  if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) return `input working-directory: ${shown} is not a directory of the workspace`;
  if (confine) {
    try {
      if (outside(fs.realpathSync(workspace), fs.realpathSync(dir))) return `${refused} (through a symbolic link)`;
    } catch {
      // the workspace itself is not readable: the run will say so
    }
  }
  return null;
}
