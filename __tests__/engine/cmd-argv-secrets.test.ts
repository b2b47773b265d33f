import { afterEach, describe, expect, it } from 'vitest';
import { createCommandAdapter, type CommandAdapter } from '../../src/engine/command.js';
import { redactTarget } from '../../src/engine/spec.js';

// `engine: cmd:python3 engine.py --api-key ${{ secrets.KEY }}`: the runner's log masks the secret,
// but the reports, the snapshot and the bundle (an uploaded artifact) held the command line as given.
const KEY = 'sk-live-0123456789abcdef';
const TOKEN = 'tok_ABCDEFGH12345';

const open: CommandAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

describe('secrets on a cmd: engine command line', () => {
  it('are blanked from the printed target (reports, snapshot header)', () => {
    const shown = redactTarget(`cmd:python3 engine.py --api-key ${KEY} --access-token=${TOKEN} --model toron-3 --verbose`);
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain(TOKEN);
    expect(shown).toContain('--model toron-3');
    expect(shown).toContain('--api-key [redacted]');
  });

  it("are blanked from the adapter's target and from the engine's own text (stderr, exit message)", async () => {
    // The engine prints its command line to stderr and exits: the exit message quotes both.
    const script = `process.stderr.write('starting with ' + process.argv.slice(1).join(' ') + '\\n'); setTimeout(() => process.exit(3), 50);`;
    const logs: string[] = [];
    const a = createCommandAdapter({ argv: [process.execPath, '-e', script, '--api-key', KEY, `--access-token=${TOKEN}`], timeoutMs: 2_000, maxResponseBytes: 1e6, log: (_l, m) => logs.push(m) });
    open.push(a);
    const r = await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
    expect(r.ok).toBe(false);
    const text = `${a.target}\n${JSON.stringify(r)}\n${logs.join('\n')}`;
    expect(text).toContain('--api-key [redacted]');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(TOKEN);
  });
});
