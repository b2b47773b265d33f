import type { FailOn } from '../runner/verdict.js';
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

/** The input as the runner passes it; an input that was not passed at all reads as its default. */
export function rawInput(env: NodeJS.ProcessEnv, name: string): string {
  const v = env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`];
  return (v ?? defaultFor(name)).trim();
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
  };
  if (inputs.shard !== null && inputs.mode !== 'run') problems.push(`input shard: only mode: run runs a shard (mode is ${inputs.mode})`);
  if (problems.length > 0) {
    throw new InputError(problems.length === 1 ? problems[0] : `${problems.length} invalid inputs:\n  ${problems.join('\n  ')}`);
  }
  return inputs;
}
