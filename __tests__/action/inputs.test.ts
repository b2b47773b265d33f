import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { INPUT_DEFAULTS, readInputs, workingDirectoryProblem } from '../../src/action/inputs.js';
import { settingsFromInputs } from '../../src/action/prepare.js';
import { InputError } from '../../src/util/errors.js';
import { artifactNameProblem, defaultArtifactName, suffixedName } from '../../src/github/artifact-name.js';
import { readActionYml } from '../helpers/action.js';

/** The environment the runner gives: every input, defaults filled in, dashes kept in the names. */
function env(over: Record<string, string> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(INPUT_DEFAULTS)) e[`INPUT_${name.toUpperCase()}`] = value === '${{ github.token }}' ? 'tok' : value;
  for (const [name, value] of Object.entries(over)) e[`INPUT_${name.toUpperCase()}`] = value;
  return e;
}

describe('action inputs', () => {
  it('reads the defaults into one typed object; empty settings inputs mean "the config decides"', () => {
    expect(readInputs(env())).toEqual({
      engine: null,
      config: null,
      workingDirectory: null,
      runId: null,
      stages: null,
      baseline: { kind: 'none' },
      failOn: null,
      annotations: 'workflow-commands',
      maxAnnotations: 50,
      jobSummary: true,
      prComment: 'off',
      artifactName: null,
      uploadArtifact: true,
      retentionDays: 0,
      githubToken: 'tok',
      mode: 'run',
      shard: null,
      engineVersion: null,
    });
  });

  it('engine-version picks a build of the config\'s engine map, like --engine-version (the README\'s matrix example)', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-inputs-'));
    fs.writeFileSync(
      path.join(ws, 'testops.config.json'),
      JSON.stringify({ engines: { stable: { target: 'http://127.0.0.1:9/run', profile: 'toron-2.5h' }, canary: { target: 'http://127.0.0.1:8/run', profile: 'toron-3' } } }),
    );
    const canary = settingsFromInputs(readInputs(env({ 'engine-version': 'canary' })), ws, {});
    expect(canary.engineVersion).toBe('canary');
    expect(canary.engine.target).toBe('http://127.0.0.1:8/run');
    expect(canary.engine.profile).toBe('toron-3');
    // An unknown version is named as the CLI names it, against the config's map.
    expect(() => settingsFromInputs(readInputs(env({ 'engine-version': 'beta' })), ws, {})).toThrow(/beta/);
    // mode: compare takes versions in engine and baseline.
    expect(() => readInputs(env({ mode: 'compare', 'engine-version': 'canary' }))).toThrow(/input engine-version: .*mode: compare/);
  });

  it('mode: one of run, publish, merge, compare; shard only in mode run', () => {
    expect(readInputs(env({ mode: 'Publish' })).mode).toBe('publish');
    expect(readInputs(env({ shard: '2/4' })).shard).toBe('2/4');
    expect(() => readInputs(env({ mode: 'deploy' }))).toThrow(/input mode: must be one of run, publish, merge, compare, got "deploy"/);
    expect(() => readInputs(env({ mode: 'merge', shard: '1/2' }))).toThrow(/input shard: only mode: run runs a shard \(mode is merge\)/);
  });

  it('keeps dashes in the variable names (INPUT_FAIL-ON), trims values, reads baseline auto and paths', () => {
    const i = readInputs(env({ 'fail-on': ' warn ', 'pr-comment': 'On-Change', baseline: 'AUTO', 'max-annotations': '7', 'job-summary': 'False' }));
    expect(i.failOn).toBe('warn');
    expect(i.prComment).toBe('on-change');
    expect(i.baseline).toEqual({ kind: 'auto' });
    expect(i.maxAnnotations).toBe(7);
    expect(i.jobSummary).toBe(false);
    expect(readInputs(env({ baseline: 'snapshots/good.json' })).baseline).toEqual({ kind: 'path', path: 'snapshots/good.json' });
    // INPUT_FAIL_ON (underscore) is not how the runner spells it: it is ignored.
    expect(readInputs({ ...env(), INPUT_FAIL_ON: 'never' }).failOn).toBeNull();
  });

  it('an empty or blank boolean or number input (a reusable workflow passing through an unset input) reads as its default; other text is still refused', () => {
    const blank = { 'job-summary': '', 'upload-artifact': '  ', 'max-annotations': '', 'retention-days': ' \t' };
    const i = readInputs(env(blank));
    expect([i.jobSummary, i.uploadArtifact, i.maxAnnotations, i.retentionDays]).toEqual([true, true, 50, 0]);
    expect(readInputs(env({ mode: 'publish', ...blank })).maxAnnotations).toBe(50);
    expect(() => readInputs(env({ 'job-summary': 'no' }))).toThrow(/input job-summary: must be true or false, got "no"/);
    expect(() => readInputs(env({ 'max-annotations': 'ten' }))).toThrow(/input max-annotations: must be a whole number from 0 to 1000, got "ten"/);
  });

  it('an input that is not passed at all reads as its action.yml default', () => {
    expect(readInputs({}).annotations).toBe('workflow-commands');
    expect(readInputs({}).githubToken).toBe('');
  });

  it('reports every invalid input at once, naming each and what it accepts', () => {
    let err: unknown;
    try {
      readInputs(
        env({
          'fail-on': 'sometimes',
          annotations: 'github',
          'max-annotations': '-1',
          'job-summary': 'yes',
          'retention-days': '91',
          'artifact-name': 'bad/name:x',
        }),
      );
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const m = (err as Error).message;
    expect(m).toMatch(/^6 invalid inputs:/);
    expect(m).toContain('input fail-on: must be one of fail, warn, never, got "sometimes"');
    expect(m).toContain('input annotations: must be one of workflow-commands, checks, off, got "github"');
    expect(m).toContain('input max-annotations: must be a whole number from 0 to 1000, got "-1"');
    expect(m).toContain('input job-summary: must be true or false, got "yes"');
    expect(m).toContain('input retention-days: must be a whole number from 0 to 90, got "91"');
    expect(m).toMatch(/input artifact-name: "bad\/name:x" contains "\/", ":"/);
  });

  it('the settings inputs (engine, stages, shard, run-id) are named in the same error as the others, not in a second round', () => {
    let err: unknown;
    try {
      readInputs(env({ shard: '3/2', stages: 'sim,foo', engine: 'ftp://x', 'artifact-name': 'a:b', annotations: 'all', 'pr-comment': 'yes', 'run-id': 'a b' }));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    const m = (err as Error).message;
    expect(m).toMatch(/^7 invalid inputs:/);
    for (const name of ['artifact-name', 'annotations', 'pr-comment', 'engine', 'stages', 'shard', 'run-id']) expect(m).toMatch(new RegExp(`\\n  input ${name}\\b`));
    expect(m).not.toMatch(/flag --/);
    // mode: publish runs nothing of the workspace; mode: compare's engine is the candidate (a spec or a version).
    expect(readInputs(env({ mode: 'publish', engine: 'ftp://x' })).engine).toBe('ftp://x');
    expect(readInputs(env({ mode: 'compare', engine: 'v2' })).engine).toBe('v2');
    expect(readInputs(env({ engine: 'reference', stages: 'sim,replay', shard: '1/2' })).stages).toBe('sim,replay');
  });

  it('working-directory: inside the workspace only (.., absolute paths and symbolic links out of it are refused) when GITHUB_WORKSPACE is set', () => {
    const ws = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-ws-'));
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-outside-'));
    fs.mkdirSync(path.join(ws, 'sub'));
    fs.symlinkSync(outside, path.join(ws, 'link'));
    expect(workingDirectoryProblem('sub', ws, true)).toBeNull();
    expect(workingDirectoryProblem(path.join(ws, 'sub'), ws, true)).toBeNull();
    expect(workingDirectoryProblem(null, ws, true)).toBeNull();
    expect(workingDirectoryProblem('sub/../sub', ws, true)).toBeNull();
    const rel = path.relative(ws, outside);
    expect(workingDirectoryProblem(rel, ws, true)).toBe(`input working-directory: ${JSON.stringify(rel)} resolves outside the workspace (${ws}); give a folder inside it`);
    expect(workingDirectoryProblem(outside, ws, true)).toMatch(/resolves outside the workspace/);
    expect(workingDirectoryProblem('..', ws, true)).toMatch(/resolves outside the workspace/);
    expect(workingDirectoryProblem('link', ws, true)).toMatch(/resolves outside the workspace .*\(through a symbolic link\)$/);
    expect(workingDirectoryProblem('missing', ws, true)).toBe('input working-directory: "missing" is not a directory of the workspace');
    // Outside a job (no GITHUB_WORKSPACE) only existence is checked.
    expect(workingDirectoryProblem(rel, ws, false)).toBeNull();
    // readInputs checks it with the other inputs, in the same error.
    expect(() => readInputs({ ...env({ 'working-directory': rel, annotations: 'all' }), GITHUB_WORKSPACE: ws })).toThrow(/^2 invalid inputs:[\s\S]*input working-directory: .* resolves outside the workspace/);
    expect(readInputs({ ...env({ 'working-directory': 'sub' }), GITHUB_WORKSPACE: ws }).workingDirectory).toBe('sub');
    fs.rmSync(ws, { recursive: true, force: true });
    fs.rmSync(outside, { recursive: true, force: true });
  });

  it('artifact names: the service refuses / \\ " : < > | * ? and line breaks; defaults are always valid', () => {
    for (const c of ['/', '\\', '"', ':', '<', '>', '|', '*', '?', '\n', '\r']) expect(artifactNameProblem(`a${c}b`), c).not.toBeNull();
    expect(artifactNameProblem('toron-testops-gate (linux, 3)')).toBeNull();
    expect(artifactNameProblem('  ')).toBe('must not be empty');
    expect(defaultArtifactName('gate')).toBe('toron-testops-gate');
    expect(defaultArtifactName('a:b/c')).toBe('toron-testops-a-b-c');
    expect(artifactNameProblem(defaultArtifactName('x<y>|z?'))).toBeNull();
    expect(defaultArtifactName(undefined)).toBe('toron-testops');
    expect([1, 2, 3].map((n) => suffixedName('r', n))).toEqual(['r', 'r-2', 'r-3']);
  });

  it('the defaults here are the defaults of action.yml, input for input', () => {
    const yml = readActionYml();
    expect(Object.keys(yml.inputs).sort()).toEqual(Object.keys(INPUT_DEFAULTS).sort());
    for (const [name, spec] of Object.entries(yml.inputs)) expect(String(spec.default ?? ''), name).toBe(INPUT_DEFAULTS[name]);
  });
});
