import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listZip, readZipFile } from '../../src/github/zip.js';
import { mergeShards } from '../../src/merge/merge.js';
import { readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/** Every file a merged run wrote (the bundle's entries, the appended WAR ROOM log, the store), as text. */
function writtenTexts(paths: { reportDir: string; warroomLog: string; db: string }): [string, string][] {
  const out: [string, string][] = [];
  for (const f of fs.readdirSync(paths.reportDir)) {
    const file = path.join(paths.reportDir, f);
    if (f === 'bundle.zip') {
      const zip = fs.readFileSync(file);
      for (const e of listZip(zip)) out.push([`bundle.zip!${e.name}`, readZipFile(zip, e.name)!.toString('utf8')]);
    } else out.push([f, fs.readFileSync(file, 'utf8')]);
  }
  for (const file of [paths.warroomLog, paths.db]) out.push([path.basename(file), fs.readFileSync(file).toString('latin1')]);
  return out;
}

describe('merge: an input that cannot be read is named as given', () => {
  it('a --k6-summary that is not there: the reason names it relative, in every report, the WAR ROOM log and the store', async () => {
    const dir = project({ d: dataset('d', 4) });
    for (const i of [1, 2]) await run(dir, { engine: 'reference', runId: 'k', stages: 'sim', shard: `${i}/2`, out: `s${i}` });
    const o = await mergeShards(['s1', 's2'], { cwd: dir, out: 'm', k6Summaries: ['missing.json'] });
    expect(o.verdict).toBe('ERROR');
    expect(readJson(o.paths.report).error.message).toMatch(/^missing\.json: ENOENT: no such file or directory, open 'missing\.json'/);
    for (const [name, text] of writtenTexts(o.paths)) expect(text.includes(dir), `${name} names ${dir}`).toBe(false);
  }, 60_000);
});
