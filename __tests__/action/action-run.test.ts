import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readZipFile, listZip } from '../../src/github/zip.js';
import { repoWith } from '../fixtures/action/repo.js';
import { annotations, E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { startEmulator, type GitHubEmulator } from '../helpers/github-emulator.js';

let emu: GitHubEmulator;
beforeEach(async () => {
  emu = await startEmulator();
});
afterEach(() => emu.close());

describe('the action in a pull_request job (source entry, real clients against the local GitHub)', { timeout: E2E_TIMEOUT }, () => {
  it('PASS: outputs, summary from summary.md, the bundle as an artifact (bytes equal), report.html unzipped, exit 0', async () => {
    const ws = repoWith([{ id: 'a', ok: true }, { id: 'b', ok: true }]);
    const r = await runAction({ workspace: ws, emu, inputs: { 'run-id': 'pass-1' } });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/^toron-testops \d+\.\d+\.\d+: starting$/);

    const rd = path.join(ws, '.toron-testops/reports/pass-1');
    expect(r.outputs).toMatchObject({
      result: 'pass',
      'sim-pass-rate': '1',
      'determinism-score': '',
      'p95-ms': '',
      'warroom-critical': '0',
      'report-path': path.join(rd, 'report.json'),
      promote: 'true',
    });
    const bundlePath = path.join(rd, 'bundle.zip');
    expect(r.outputs['bundle-path']).toBe(bundlePath);
    const bundle = fs.readFileSync(bundlePath);
    const { createHash } = await import('node:crypto');
    expect(r.outputs['bundle-sha256']).toBe(createHash('sha256').update(bundle).digest('hex'));

    // The artifact: created, uploaded in blocks (Put Block, Put Block List), finalised; its zip holds bundle.zip byte for byte.
    const art = emu.artifacts.find((a) => a.name === 'toron-testops-gate')!;
    expect(art.finalized).toBe(true);
    expect(emu.blobs.get(art.blobKey)!.ops).toEqual(['block', 'blocklist']);
    const received = emu.artifactBytes(art)!;
    // The bundle, and the event record a `mode: publish` workflow reads (fork PRs). In the order
    // @actions/artifact's zipping finished them: it reads the files concurrently (seen flip under load).
    expect(listZip(received).map((e) => e.name).sort()).toEqual(['bundle.zip', 'event.json']);
    expect(readZipFile(received, 'bundle.zip')!.equals(bundle)).toBe(true);
    expect(r.outputs['artifact-id']).toBe(String(art.id));
    expect(r.outputs['artifact-url']).toBe(`https://github.com/${emu.owner}/${emu.repo}/actions/runs/${emu.runId}/artifacts/${art.id}`);
    const create = emu.requestsTo('POST', /CreateArtifact$/)[0];
    expect(create.auth).toBe(`Bearer ${emu.runtimeToken()}`);
    expect(create.body).toMatchObject({ workflow_run_backend_id: emu.runBackendId, workflow_job_run_backend_id: emu.jobBackendId, name: 'toron-testops-gate', version: 7 });

    // report.html as a single file, unzipped, under a name derived from the bundle's.
    const html = emu.artifacts.find((a) => a.name === 'toron-testops-gate.html')!;
    expect(html.mimeType).toBe('text/html');
    expect(emu.artifactBytes(html)!.equals(fs.readFileSync(path.join(rd, 'report.html')))).toBe(true);

    // Job summary: summary.md without its relative links (paths inside the artifact: 404 on the run
    // page), then the artifact's links.
    const md = fs.readFileSync(path.join(rd, 'summary.md'), 'utf8');
    expect(md).toContain('Reports: [report.html](<report.html>)');
    const expected = md.split('\n').filter((l) => !l.startsWith('Reports: ')).join('\n').trimEnd();
    expect(r.summary.startsWith(expected)).toBe(true);
    expect(r.summary).not.toMatch(/\]\(<?(report\.html|report\.json|bundle\.zip)>?\)/);
    expect(r.summary).toContain(`[toron-testops-gate](${r.outputs['artifact-url']})`);
    expect(r.summary).toContain('[toron-testops-gate.html]');
    expect(annotations(r).filter((a) => a.command === 'error')).toEqual([]);
  });

  it('FAIL: annotations on the dataset file and line, exit 1, promote false, no PR comment by default', async () => {
    const ws = repoWith([{ id: 'a', ok: true }, { id: 'b', ok: false }]);
    const r = await runAction({ workspace: ws, emu, inputs: { 'run-id': 'fail-1' } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.outputs).toMatchObject({ result: 'fail', 'sim-pass-rate': '0.5', promote: 'false' });
    const errors = annotations(r).filter((a) => a.command === 'error');
    const onFile = errors.find((a) => a.props.file === 'sim/gate.json')!;
    expect(onFile.props.title).toBe('toron-testops HIGH: sim-case-failed');
    const lines = fs.readFileSync(path.join(ws, 'sim/gate.json'), 'utf8').split('\n');
    expect(lines[Number(onFile.props.line) - 1]).toMatch(/"id": "b"|\{/);
    expect(onFile.message).toContain('(case b)');
    // The last line says FAIL; it is not an ERROR.
    expect(errors.at(-1)!.message).toMatch(/^toron-testops FAIL: sim FAIL/);
    expect(r.stdout).not.toContain('not a test verdict');
    expect(emu.requestsTo('POST', /\/comments$/)).toEqual([]);
  });

  it('more findings than annotations: the "more" notice sends readers where the rest are (no job summary with job-summary: false)', async () => {
    const cases = Array.from({ length: 14 }, (_, i) => ({ id: `c${i}`, ok: false }));
    const more = (r: Awaited<ReturnType<typeof runAction>>) => annotations(r).find((a) => a.props.title === 'toron-testops: more findings')!.message;
    const off = await runAction({ workspace: repoWith(cases), emu, inputs: { 'job-summary': 'false', 'upload-artifact': 'false' } });
    expect(off.code, off.stdout).toBe(1);
    expect(off.summary).toBe('');
    expect(more(off)).toMatch(/^5 more WAR ROOM findings are not shown as annotations \(9 shown; the platform keeps 10 per level\): see report\.json/);
    expect(more(off)).not.toContain('job summary');
    const on = await runAction({ workspace: repoWith(cases), emu, inputs: { 'upload-artifact': 'false' } });
    expect(more(on)).toMatch(/: see the job summary and report\.json/);
  });
});
