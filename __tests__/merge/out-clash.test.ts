import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/merge/merge.js';
import { ROOT } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

const K6 = path.join(ROOT, '__tests__/fixtures/load/k6/handle-summary-pass-compact.json');

async function legs(runId: string): Promise<string> {
  const dir = project({ d: dataset('d', 4) });
  for (const i of [1, 2]) await run(dir, { engine: 'reference', runId, stages: 'sim', shard: `${i}/2`, out: `s${i}` });
  return dir;
}

describe('merge refuses an --out that would delete one of its inputs, before writing anything', () => {
  it('a --k6-summary inside the report folder the merged run replaces is kept', async () => {
    const dir = await legs('kk');
    const kept = path.join(dir, 'm/reports/kk/runner1.json');
    fs.mkdirSync(path.dirname(kept), { recursive: true });
    fs.copyFileSync(K6, kept);
    const o = await mergeShards(['s1', 's2'], { cwd: dir, out: 'm', k6Summaries: [kept] });
    expect(o.verdict).toBe('ERROR');
    expect(o.error).toBe('--out m would overwrite the input m/reports/kk/runner1.json (the merged run kk is written to m/reports/kk): give merge an --out of its own');
    expect(fs.readdirSync(path.dirname(kept))).toEqual(['runner1.json']);
    expect(fs.readFileSync(kept).equals(fs.readFileSync(K6))).toBe(true);
  }, 60_000);

  it('an --out that is a symbolic link to a leg is refused like the leg itself', async () => {
    const dir = await legs('ln');
    fs.symlinkSync('s1', path.join(dir, 'leg1link'));
    const leg = fs.readFileSync(path.join(dir, 's1/reports/ln/report.json'));
    const o = await mergeShards(['s1', 's2'], { cwd: dir, out: 'leg1link' });
    expect(o.verdict).toBe('ERROR');
    expect(o.error).toBe('--out leg1link would overwrite the input s1/reports/ln (the merged run ln is written to leg1link/reports/ln): give merge an --out of its own');
    expect(fs.readFileSync(path.join(dir, 's1/reports/ln/report.json')).equals(leg)).toBe(true);
    // And the other way round: the legs given through the link, --out the leg's own folder.
    const back = await mergeShards(['leg1link', 's2'], { cwd: dir, out: 's1' });
    expect(back.verdict).toBe('ERROR');
    expect(back.error).toMatch(/^--out s1 would overwrite the input leg1link\/reports\/ln /);
    expect(fs.readFileSync(path.join(dir, 's1/reports/ln/report.json')).equals(leg)).toBe(true);
  }, 60_000);
});
