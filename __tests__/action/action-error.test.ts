import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PASSING, repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { withEmu } from '../helpers/github-emulator.js';

describe.concurrent('ERROR is not a test verdict', { timeout: E2E_TIMEOUT }, () => {
  it('invalid inputs: nothing runs; result error, exit 2, every problem named, summary and outputs written', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING);
      const r = await runAction({ workspace: ws, emu, inputs: { 'fail-on': 'sometimes', 'max-annotations': 'many' } });
      expect(r.code).toBe(2);
      expect(r.outputs).toMatchObject({ result: 'error', promote: 'false', 'report-path': '', 'artifact-id': '' });
      const last = annotations(r).at(-1)!;
      expect(last.command).toBe('error');
      expect(last.message).toMatch(/^toron-testops ERROR \(not a test verdict\): 2 invalid inputs:/);
      expect(last.message).toContain('input fail-on: must be one of fail, warn, never, got "sometimes"');
      expect(last.message).toContain('input max-annotations');
      expect(r.summary).toContain('**ERROR** (not a test verdict)');
      expect(fs.existsSync(path.join(ws, '.toron-testops'))).toBe(false);
      expect(emu.requests).toEqual([]);
    }));

  it('invalid inputs, settings ones (engine, stages, shard) included: all named in one error', () =>
    withEmu(async (emu) => {
      const r = await runAction({
        workspace: repoWith(PASSING),
        emu,
        inputs: { shard: '3/2', stages: 'sim,foo', engine: 'ftp://x', 'artifact-name': 'a:b', annotations: 'all', 'pr-comment': 'yes' },
      });
      expect(r.code).toBe(2);
      const errors = annotations(r).filter((a) => a.command === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0].message).toMatch(/^toron-testops ERROR \(not a test verdict\): 6 invalid inputs:/);
      for (const name of ['artifact-name', 'annotations', 'pr-comment', 'engine', 'stages', 'shard']) expect(errors[0].message).toContain(`\n  input ${name}`);
      expect(emu.requests).toEqual([]);
    }));

  it('working-directory outside the workspace (../, an absolute path): ERROR naming the input, nothing run or written there', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING);
      const outside = repoWith(PASSING); // a valid project, just not in this workspace
      for (const wd of [path.relative(ws, outside), outside]) {
        const r = await runAction({ workspace: ws, emu, inputs: { 'working-directory': wd } });
        expect(r.code).toBe(2);
        expect(r.outputs.result).toBe('error');
        expect(annotations(r).at(-1)!.message).toMatch(/^toron-testops ERROR \(not a test verdict\): input working-directory: ".*" resolves outside the workspace/);
        expect(fs.existsSync(path.join(outside, '.toron-testops'))).toBe(false);
        expect(fs.existsSync(path.join(ws, '.toron-testops'))).toBe(false);
      }
    }));

  it('no engine named anywhere (input, config engine, engine-version): ERROR, the reference test engine is not gated by default', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING, { config: { engine: undefined } });
      const r = await runAction({ workspace: ws, emu, inputs: { 'run-id': 'no-engine' } });
      expect(r.code).toBe(2);
      expect(r.outputs.result).toBe('error');
      expect(annotations(r).at(-1)!.message).toMatch(/^toron-testops ERROR \(not a test verdict\): no engine to test: set the engine input/);
      expect(r.summary).toContain('no engine to test');
      expect(fs.existsSync(path.join(ws, '.toron-testops', 'reports', 'no-engine'))).toBe(false);
      // Named on purpose, the same project runs.
      const named = await runAction({ workspace: ws, emu, inputs: { 'run-id': 'named', engine: 'reference' } });
      expect(named.code, named.stdout + named.stderr).toBe(0);
      expect(named.outputs.result).toBe('pass');
      // A config engine of request options only (no target) names none either; the input then does.
      const options = repoWith(PASSING, { config: { engine: { timeoutMs: 20000 } } });
      const unnamed = await runAction({ workspace: options, emu, inputs: { 'run-id': 'options-only' } });
      expect(unnamed.code).toBe(2);
      expect(annotations(unnamed).at(-1)!.message).toMatch(/no engine to test/);
      const given = await runAction({ workspace: options, emu, inputs: { 'run-id': 'options-named', engine: 'reference' } });
      expect(given.code, given.stdout + given.stderr).toBe(0);
      expect(given.outputs.result).toBe('pass');
    }));

  it('a broken config: ERROR annotation on the config file and line; settings errors name inputs, not CLI flags', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING, { config: { sim: { concurrency: 'eight' } } });
      const r = await runAction({ workspace: ws, emu });
      expect(r.code).toBe(2);
      const last = annotations(r).at(-1)!;
      expect(last.props).toMatchObject({ title: 'toron-testops ERROR', file: 'testops.config.json' });
      expect(Number(last.props.line)).toBeGreaterThan(1);
      expect(last.message).toMatch(/not a test verdict.*sim\.concurrency must be integer/);

      const bad = await runAction({ workspace: repoWith(PASSING), emu, inputs: { stages: 'sim,nonsense' } });
      expect(bad.code).toBe(2);
      expect(annotations(bad).at(-1)!.message).toMatch(/input stages/);
      expect(annotations(bad).at(-1)!.message).not.toMatch(/flag --/);
    }));

  it('an engine that is not there: ERROR with the reason, the report and bundle still uploaded', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { engine: 'http://127.0.0.1:9/run', 'run-id': 'down' } });
      expect(r.code).toBe(2);
      expect(r.outputs.result).toBe('error');
      expect(annotations(r).at(-1)!.message).toMatch(/^toron-testops ERROR \(not a test verdict\): engine unreachable/);
      expect(r.outputs['report-path']).not.toBe('');
      expect(emu.artifacts.some((a) => a.name === 'toron-testops-gate' && a.finalized)).toBe(true);
    }));
});
