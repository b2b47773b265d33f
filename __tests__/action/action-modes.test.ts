import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FAILING, PASSING, repoWith } from '../fixtures/action/repo.js';
import { E2E_TIMEOUT, runAction } from '../helpers/action.js';
import { readJson } from '../helpers/cli.js';
import { withEmu } from '../helpers/github-emulator.js';
import { listZip, readZipFile } from '../../src/github/zip.js';

describe.concurrent('modes: shard legs and compare', { timeout: E2E_TIMEOUT }, () => {
  it('shard: 2/3 runs its slice and names the artifact <artifact-name>-shard-2-of-3', () =>
    withEmu(async (emu) => {
      const ws = repoWith(PASSING);
      const r = await runAction({ workspace: ws, emu, inputs: { shard: '2/3', 'artifact-name': 'gate', 'run-id': 'sharded' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).not.toContain('generated run id');
      expect(emu.artifacts.map((a) => a.name).filter((n) => !n.endsWith('.html'))).toEqual(['gate-shard-2-of-3']);
      const report = readJson(r.outputs['report-path']);
      expect(report.settings.shard).toBe('2/3');
      const bytes = emu.artifactBytes(emu.artifacts.find((a) => a.name === 'gate-shard-2-of-3')!)!;
      expect(listZip(bytes).map((e) => e.name).sort()).toEqual(['bundle.zip', 'event.json']);
      expect(JSON.parse(readZipFile(bytes, 'event.json')!.toString()).artifactName).toBe('gate-shard-2-of-3');
    }));

  it('shard: a leg without run-id warns that its generated run id cannot be merged with the other legs', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { shard: '1/3' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/::warning title=toron-testops shard::shard 1\/3 runs under a generated run id \(\d{8}T\d{6}Z-[0-9a-f]{6}\): every leg generates its own/);
      expect(r.stdout).toContain('run-id: ${{ github.run_id }}, the same in every attempt');
      expect(r.stdout).not.toContain('run_attempt');
    }));

  it('shard: a malformed value is an ERROR naming the input', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { shard: '4/3' } });
      expect(r.code).toBe(2);
      expect(r.stdout).toMatch(/input shard: expected i\/n with 1 <= i <= n/);
    }));

  it('mode compare: reference against reference → promote true, the deltas 0, the comparison in the summary', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(PASSING), emu, inputs: { mode: 'compare', engine: 'reference', baseline: 'reference', 'run-id': 'cmp-ok' } });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.outputs).toMatchObject({ result: 'pass', promote: 'true', 'pass-rate-delta': '0' });
      expect(fs.existsSync(r.outputs['comparison-path'])).toBe(true);
      const c = readJson(r.outputs['comparison-path']);
      expect(c.promote).toBe(true);
      const md = fs.readFileSync(r.outputs['comparison-path'].replace(/\.json$/, '.md'), 'utf8');
      expect(md.length).toBeGreaterThan(50);
      expect(r.summary.startsWith(md)).toBe(true);
      // The candidate's run is the artifact, as in mode run.
      const art = emu.artifacts.find((a) => a.name === 'toron-testops-gate')!;
      const bytes = emu.artifactBytes(art)!;
      expect(listZip(bytes).map((e) => e.name).sort()).toEqual(['bundle.zip', 'comparison.json', 'comparison.md', 'event.json']);
      expect(JSON.parse(readZipFile(bytes, 'comparison.json')!.toString()).promote).toBe(true);
    }));

  it('mode compare: a failing candidate → promote false, FAIL exits 1; no baseline → ERROR', () =>
    withEmu(async (emu) => {
      const r = await runAction({ workspace: repoWith(FAILING), emu, inputs: { mode: 'compare', engine: 'reference', baseline: 'reference', 'run-id': 'cmp-bad' } });
      expect(r.code, r.stdout + r.stderr).toBe(1);
      expect(r.outputs).toMatchObject({ result: 'fail', promote: 'false' });
      expect(r.outputs['comparison-path']).not.toBe('');
      const none = await runAction({ workspace: repoWith(PASSING), emu, inputs: { mode: 'compare', engine: 'reference' } });
      expect(none.code).toBe(2);
      expect(none.stdout).toMatch(/mode: compare needs baseline/);
      expect(none.outputs).toMatchObject({ result: 'error', promote: 'false', 'comparison-path': '' });
    }));
});
