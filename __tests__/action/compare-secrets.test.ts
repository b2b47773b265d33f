import { describe, expect, it } from 'vitest';
import { repoWith, PASSING } from '../fixtures/action/repo.js';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';

/**
 * mode: compare names its two engines in the log. Engine specs carry credentials (a URL's
 * user:password@ and ?api_key=, a cmd: engine's --api-key=): printed, they are in the job's log for
 * anyone with read access when they did not come from a GitHub secret (an environment variable set by
 * an earlier step, a value pasted into the workflow). Every other line redacts them (redactTarget).
 */
describe('mode: compare with credentials in the engine specs', { timeout: E2E_TIMEOUT }, () => {
  it('the log, the summary and the outputs never show them', async () => {
    const ws = repoWith(PASSING);
    const r = await runAction({
      workspace: ws,
      emu: null,
      inputs: {
        mode: 'compare',
        engine: `cmd:${process.execPath} missing-engine.cjs --api-key=CMDSECRET998877`,
        baseline: 'http://alice:PassW0rdSecret99@127.0.0.1:9/run?api_key=QUERYSECRET12345',
        'run-id': 'cmp-secret',
        'upload-artifact': 'false',
        'pr-comment': 'off',
      },
    });
    expect(r.stdout).toMatch(/compare/);
    // ::add-mask:: lines hand a secret to the runner, which masks it and prints '***' for the line.
    const stdout = r.stdout.split('\n').filter((l) => !l.startsWith('::add-mask::')).join('\n');
    for (const secret of ['CMDSECRET998877', 'PassW0rdSecret99', 'QUERYSECRET12345']) {
      for (const [name, text] of Object.entries({ stdout, stderr: r.stderr, summary: r.summary, outputs: JSON.stringify(r.outputs) })) {
        expect(text.includes(secret), `${secret} in ${name}`).toBe(false);
      }
    }
  });
});

describe('mode: compare with a line break in an engine spec or the baseline (a multi-line input)', { timeout: E2E_TIMEOUT }, () => {
  it('the group line stays one line: what follows the break is not read as a workflow command', async () => {
    const { runnerCommands } = await import('../helpers/runner-commands.js');
    const ws = repoWith(PASSING);
    const r = await runAction({
      workspace: ws,
      emu: null,
      inputs: {
        mode: 'compare',
        engine: `cmd:${process.execPath} missing-engine.cjs\n::warning::forged-by-engine`,
        baseline: 'baseline.json\n::error::forged-by-baseline',
        'run-id': 'cmp-break',
        'upload-artifact': 'false',
        'pr-comment': 'off',
      },
    });
    expect(r.stdout).toMatch(/compare/);
    const forged = runnerCommands(`${r.stdout}\n${r.stderr}`).filter((c) => c.data.startsWith('forged'));
    expect(forged).toEqual([]);
  });
});
