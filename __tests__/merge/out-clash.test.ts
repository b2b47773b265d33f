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
});
