import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';

// bin/toron-testops.js sizes V8's young generation for SIM's short-lived answers: a flag V8 reads only
// at start-up, so the launcher replaces its process with one started with it. A preload reports each
// process image the launcher runs in: its pid and its flags.
const PROBE = `data:text/javascript,process.stderr.write('probe '+JSON.stringify({pid:process.pid,flags:process.execArgv.filter(a=>a.startsWith('--max-')||a==='--expose-gc')})+'\\n')`;

function launch(flags: string[], env: NodeJS.ProcessEnv = {}, entry = ['bin/toron-testops.js', 'no-such-command']) {
  const r = spawnSync(process.execPath, ['--import', PROBE, ...flags, path.join(ROOT, entry[0]), ...entry.slice(1)], {
    encoding: 'utf8',
    cwd: os.tmpdir(),
    env: { ...process.env, NODE_OPTIONS: '', ...env },
    timeout: 30_000,
  });
  const probes = r.stderr
    .split('\n')
    .filter((l) => l.startsWith('probe '))
    .map((l) => JSON.parse(l.slice(6)) as { pid: number; flags: string[] });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, probes };
}

describe.skipIf(process.platform === 'win32')('the CLI launcher', () => {
  it('restarts itself in place with its heap flags, arguments and exit code intact', () => {
    const r = launch([]);
    expect(r.probes).toHaveLength(2);
    expect(r.probes[0].flags).toEqual([]);
    expect(r.probes[1].flags).toEqual(['--max-semi-space-size=16', '--expose-gc']);
    expect(r.probes[1].pid).toBe(r.probes[0].pid); // the same process, not a child
    expect(r.stderr).toContain("unknown command 'no-such-command'");
    expect(r.status).toBe(2);
  });

  it('keeps a size the user chose, on the command line or in NODE_OPTIONS, and a debugger\'s process', () => {
    const flag = launch(['--max-semi-space-size=8']);
    expect(flag.probes).toEqual([{ pid: flag.probes[0].pid, flags: ['--max-semi-space-size=8'] }]);
    const env = launch([], { NODE_OPTIONS: '--max-semi-space-size=4' });
    expect(env.probes).toHaveLength(1);
    expect(env.status).toBe(2);
    // V8 refuses --max-heap-size beside both other sizes: a heap sized that way is left alone too.
    const heap = launch(['--max-heap-size=4096', '--max-old-space-size=3072']);
    expect(heap.probes).toHaveLength(1);
    expect(heap.status).toBe(2);
    // Nor is a process under a debugger (port 0: any free port).
    const debug = launch(['--inspect=127.0.0.1:0']);
    expect(debug.probes).toHaveLength(1);
    expect(debug.status).toBe(2);
  });

  it('passes other flags through to the restarted process', () => {
    const r = launch(['--max-old-space-size=3072']);
    expect(r.probes.map((p) => p.flags)).toEqual([['--max-old-space-size=3072'], ['--max-old-space-size=3072', '--max-semi-space-size=16', '--expose-gc']]);
  });

  it("the action's entry (dist/index.js) restarts the same way, before its first line of output", () => {
    // An invalid input stops the action at once (and writes nothing); what matters here is how it started.
    const r = launch([], { GITHUB_ACTIONS: '', INPUT_MODE: 'not-a-mode' }, ['dist/index.js']);
    expect(r.probes).toHaveLength(2);
    expect(r.probes[1]).toEqual({ pid: r.probes[0].pid, flags: ['--max-semi-space-size=16', '--expose-gc'] });
    expect(r.stdout.match(/: starting/g)).toHaveLength(1);
    expect(r.stdout).toContain('input mode: must be one of');
  });
});
