import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readShard } from '../../src/merge/shards.js';
import type { ShardFileName } from '../../src/merge/inputs.js';
import { ROOT, readJson, runCli } from '../helpers/cli.js';

/**
 * Legs written by an older toron-testops (fixtures/merge/legacy-replay-legs: the dist of d79d8af)
 * scored a replay that got no answer (an engine error) as a difference from the snapshot; this
 * version leaves such a case out of the determinism score (unscored). `uses: ...@v2` floats, so the
 * merge job (or a re-run of it) can run a newer release than the legs did: merge must not judge those
 * legs' engine errors as nondeterminism under its own rules and labels.
 */
const FIX = path.join(ROOT, '__tests__/fixtures/merge/legacy-replay-legs');
const leg = (name: string) => {
  const files = new Map<ShardFileName, Buffer>();
  for (const f of ['report.json', 'replay_summary.json', 'sim_summary.json'] as const) files.set(f, fs.readFileSync(path.join(FIX, name, f)));
  return { source: name, kind: 'folder' as const, files };
};

describe('merge of legs whose replay an older toron-testops scored', () => {
  it('refuses a leg that counted engine errors as differences, saying why and what to do', () => {
    expect(() => readShard(leg('errors-2'))).toThrow(
      /replay was scored by an older toron-testops.*4 case\(s\).*engine error.*Run the legs again with this toron-testops version/s,
    );
  });

  it('takes a leg of that version whose replays all answered (the scoring is the same)', () => {
    expect(readShard(leg('clean-1')).report.runId).toBe('legacy-clean');
  });

  it('gives ERROR through the CLI, never a determinism score out of engine errors', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-testops-legacy-'));
    for (const name of ['errors-1', 'errors-2']) {
      const d = path.join(dir, name, 'reports', 'legacy-legs');
      fs.mkdirSync(d, { recursive: true });
      for (const f of fs.readdirSync(path.join(FIX, name))) fs.copyFileSync(path.join(FIX, name, f), path.join(d, f));
    }
    const r = await runCli(['merge', 'errors-1', 'errors-2', '--out', 'merged'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/scored by an older toron-testops/);
    // Both legs refused: the merged run has no leg's run id, only its own report folder.
    const [runDir] = fs.readdirSync(path.join(dir, 'merged', 'reports')).filter((n) => !n.startsWith('.'));
    const report = readJson(path.join(dir, 'merged', 'reports', runDir, 'report.json'));
    expect(report.verdict).toBe('ERROR');
    expect(report.stages.replay.determinismScore ?? null).toBeNull();
    expect(report.warroom.filter((f: any) => f.type === 'replay-nondeterministic')).toEqual([]);
  }, 60_000);
});

describe('merge of a leg a newer toron-testops wrote', () => {
  it('says the report is of a newer schema and what to do, not that it is no toron-testops report', () => {
    const l = leg('clean-1');
    const r = JSON.parse(l.files.get('report.json')!.toString('utf8'));
    l.files.set('report.json', Buffer.from(JSON.stringify({ ...r, schemaVersion: 2 })));
    expect(() => readShard(l)).toThrow(/report\.json has schemaVersion 2, newer than this toron-testops \(\S+\) reads \(1\).*merge with the toron-testops version that ran the legs, or a newer one/);
  });
});
