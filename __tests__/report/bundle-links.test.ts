import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listZip } from '../../src/github/zip.js';
import { dataset, project, run } from '../replay/helpers.js';

describe("report.html's links", () => {
  it('each resolves in the report folder, or inside bundle.zip (where the log and the snapshot have other names)', async () => {
    const dir = project({ d: dataset('d', 2) });
    const r = await run(dir, { engine: 'reference', runId: 'links', stages: 'sim,replay' });
    const reportDir = path.dirname(r.paths.html);
    const html = fs.readFileSync(r.paths.html, 'utf8');
    const section = html.slice(html.indexOf('id="artifacts"'));
    const hrefs = [...section.matchAll(/<a href="([^"]+)"/g)].map((m) => m[1].replace(/&#x2F;|&#47;/g, '/'));
    const entries = new Set(listZip(fs.readFileSync(path.join(reportDir, 'bundle.zip'))).map((e) => e.name));
    expect(hrefs).toEqual(expect.arrayContaining(['run.log', 'logs/run.log', 'snapshot.json', 'sim_summary.json', 'replay_summary.json', 'warroom.log']));
    for (const href of hrefs) {
      const inFolder = fs.existsSync(path.resolve(reportDir, href));
      expect(inFolder || entries.has(href), href).toBe(true);
    }
    for (const name of ['logs/run.log', 'snapshot.json', 'sim_summary.json', 'replay_summary.json', 'warroom.log']) expect(entries.has(name), name).toBe(true);
  }, 30_000);
});
