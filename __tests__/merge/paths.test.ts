import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listZip, readZipFile } from '../../src/github/zip.js';
import { mergeShards } from '../../src/merge/merge.js';
import { makeProject, readJson, ROOT } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/** Every text a merged run wrote, the bundle's entries included, by name. */
function writtenTexts(reportDir: string): [string, string][] {
  const out: [string, string][] = [];
  for (const f of fs.readdirSync(reportDir)) {
    const file = path.join(reportDir, f);
    if (f === 'bundle.zip') {
      const zip = fs.readFileSync(file);
      for (const e of listZip(zip)) out.push([`bundle.zip!${e.name}`, readZipFile(zip, e.name)!.toString('utf8')]);
    } else out.push([f, fs.readFileSync(file, 'utf8')]);
  }
  return out;
}

const absolute = (p: string) => new RegExp(`(?<![.\\w])${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

describe('merge and its inputs: named without the paths of the machine, never overwritten', () => {
  it('shards and k6 summaries outside the working directory, given absolute, are named relative to it', async () => {
    // The legs ran elsewhere (the runner's temp folder, say); merge runs in the workspace.
    const legs = project({ d: dataset('d', 6) });
    for (const i of [1, 2]) {
      const leg = await run(legs, { engine: 'reference', runId: 'far', stages: 'sim,replay', shard: `${i}/2`, out: `s${i}` });
      expect(leg.exitCode).toBe(0);
    }
    const here = makeProject({});
    const k6 = path.join(ROOT, '__tests__/fixtures/load/k6/handle-summary-pass-compact.json');
    const inputs = [path.join(legs, 's1'), path.join(legs, 's2/reports/far/bundle.zip')];
    const o = await mergeShards(inputs, { cwd: here, out: 'merged', k6Summaries: [k6] });
    expect(o.verdict).not.toBe('ERROR');
    const report = readJson(o.paths.report);
    expect(report.merged.shards.map((s: { source: string }) => s.source)).toEqual([
      path.relative(here, path.join(legs, 's1/reports/far')),
      path.relative(here, inputs[1]),
    ]);
    expect(report.merged.k6Summaries).toEqual([path.relative(here, k6)]);
    for (const [name, text] of writtenTexts(o.paths.reportDir)) {
      expect(text.includes(legs), `${name} names ${legs}`).toBe(false);
      // ROOT as an absolute path (a relative ../../work/main/... holds it as a substring)
      expect(absolute(ROOT).test(text), `${name} names ${ROOT}`).toBe(false);
    }

    // An input that is not there is named the same way in the ERROR it causes.
    const missing = await mergeShards([...inputs, path.join(legs, 'nowhere')], { cwd: here, out: 'merged2' });
    expect(missing.verdict).toBe('ERROR');
    expect(readJson(missing.paths.report).error.message).toContain(`${path.relative(here, path.join(legs, 'nowhere'))}: no such file or folder`);
    for (const [name, text] of writtenTexts(missing.paths.reportDir)) expect(text.includes(legs), `${name} names ${legs}`).toBe(false);
  }, 60_000);

  it("merge given a leg's --out is refused before writing: the leg is kept, and a later merge still finds it", async () => {
    const dir = project({ d: dataset('d', 6) });
    for (const i of [1, 2]) await run(dir, { engine: 'reference', runId: 'own', stages: 'sim,replay', shard: `${i}/2`, out: `s${i}` });
    const leg = fs.readFileSync(`${dir}/s1/reports/own/report.json`);
    const legSnapshot = fs.readFileSync(`${dir}/s1/snapshots/own.json`);
    for (const inputs of [['s1', 's2'], ['s1/reports/own/bundle.zip', 's2'], ['.']]) {
      const o = await mergeShards(inputs, { cwd: dir, out: 's1' });
      expect(o.verdict).toBe('ERROR');
      expect(o.error).toMatch(/^--out s1 would overwrite the input s1\/reports\/own(\/bundle\.zip)? \(the merged run own is written to s1\/reports\/own\): give merge an --out of its own$/);
      expect(fs.readFileSync(`${dir}/s1/reports/own/report.json`).equals(leg)).toBe(true);
      expect(fs.readFileSync(`${dir}/s1/snapshots/own.json`).equals(legSnapshot)).toBe(true);
    }
    const ok = await mergeShards(['s1', 's2'], { cwd: dir, out: 'merged' });
    expect(ok.verdict).toBe('PASS');
  }, 60_000);
});
