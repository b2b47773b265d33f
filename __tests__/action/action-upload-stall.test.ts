import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { FAILING, repoWith } from '../fixtures/action/repo.js';
import { annotations, collect, E2E_TIMEOUT, startAction } from '../helpers/action.js';
import { withEmu } from '../helpers/github-emulator.js';

/**
 * A results service that accepts connections and never answers (a black hole: a firewall, a hung
 * proxy). The artifact client has no timeout of its own for its Twirp calls, so only the action bounds
 * the wait. `connected` resolves on the first connection: the upload has begun.
 */
async function blackHole(): Promise<{ url: string; connected: Promise<void>; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let onConnect: () => void = () => {};
  const connected = new Promise<void>((resolve) => (onConnect = resolve));
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnect();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    connected,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const caseErrors = (r: Awaited<ReturnType<typeof collect>>) => annotations(r).filter((a) => a.props.title?.startsWith('toron-testops HIGH'));
const verdictLine = (r: Awaited<ReturnType<typeof collect>>) => annotations(r).find((a) => a.props.title === 'toron-testops FAIL');

describe.concurrent('a results service that never answers', { timeout: E2E_TIMEOUT }, () => {
  it('cancelled during the upload: the upload gives up within the cancel budget; annotations, verdict line and summary are all out before the runner SIGTERMs', () =>
    withEmu(async (emu) => {
      const hole = await blackHole();
      try {
        const { child, files } = startAction({ workspace: repoWith(FAILING), emu, inputs: { 'run-id': 'hole-cancel' }, env: { ACTIONS_RESULTS_URL: hole.url } });
        const done = collect(child, files, 120_000);
        await hole.connected;
        // The runner: SIGINT, SIGTERM 7.5 s later, then a kill 2.5 s after that.
        child.kill('SIGINT');
        const term = setTimeout(() => child.kill('SIGTERM'), 7500);
        const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
        const r = await done;
        clearTimeout(term);
        clearTimeout(kill);

        expect(r.stdout).toMatch(/SIGINT: the job is being cancelled/);
        expect(r.stdout, r.stdout).not.toMatch(/again: exiting now/); // done before the runner's SIGTERM
        expect(r.signal).toBeNull();
        expect(r.code).toBe(1); // the run had finished: its verdict stands
        expect(caseErrors(r)).toHaveLength(1);
        expect(caseErrors(r)[0].props.file).toBe('sim/gate.json');
        expect(verdictLine(r)?.message).toMatch(/^toron-testops FAIL: /);
        expect(r.stdout).toMatch(/::warning::artifact upload failed: .*did not finish within \d+ s \(the job was cancelled\)/);
        expect(r.outputs).toMatchObject({ result: 'fail', 'artifact-id': '' });
        expect(r.summary).toContain('<summary>toron-testops publishing</summary>');
        expect(r.summary).toMatch(/artifact upload failed/);
      } finally {
        await hole.close();
      }
    }));

  it('not cancelled: the step waits a stated 45 s for the service to answer, not the upload timeout; annotations do not wait for it', () =>
    withEmu(async (emu) => {
      const hole = await blackHole();
      try {
        const { child, files } = startAction({ workspace: repoWith(FAILING), emu, inputs: { 'run-id': 'hole' }, env: { ACTIONS_RESULTS_URL: hole.url } });
        const done = collect(child, files, 180_000);
        let seen = '';
        child.stdout!.on('data', (d) => (seen += d));
        await hole.connected;
        // The upload has begun: the findings' annotations were written before it (a moment for the pipe).
        await new Promise((resolve) => setTimeout(resolve, 500));
        const annotatedBeforeUpload = /::error .*title=toron-testops HIGH/.test(seen);
        const r = await done;
        expect(annotatedBeforeUpload, seen).toBe(true);
        expect(r.code).toBe(1);
        expect(r.stdout).toMatch(/::warning::artifact upload failed: the artifact service's first answer \(the names used in this run\) did not finish within 45 s/);
        expect(verdictLine(r)).toBeDefined();
        expect(r.summary).toMatch(/artifact upload failed: the artifact service's first answer .* 45 s/);
      } finally {
        await hole.close();
      }
    }));
});

describe('a results service that answers errors', { timeout: E2E_TIMEOUT }, () => {
  it('a service answering 500 to the listing: the client retries it (about 25-35 s), then the upload is still tried', () =>
    withEmu(async (emu) => {
      emu.fail('POST', /ListArtifacts$/, 500, 'internal error');
      const { child, files } = startAction({ workspace: repoWith(FAILING), emu, inputs: { 'run-id': 'list-500' } });
      const r = await collect(child, files, 180_000);
      expect(r.code).toBe(1);
      // All five of the client's attempts were answered with 500 before the listing was given up.
      expect(emu.requestsTo('POST', /ListArtifacts$/).map((q) => q.status)).toEqual([500, 500, 500, 500, 500]);
      expect(r.stdout).not.toMatch(/artifact upload failed/);
      const bundle = emu.artifacts.find((a) => !a.name.endsWith('.html'));
      expect(bundle).toBeDefined();
      expect(r.outputs['artifact-id']).toBe(String(bundle!.id));
    }));
});
