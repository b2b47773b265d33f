import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { mergeShards } from '../../src/merge/merge.js';
import { makeProject, readJson } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

/**
 * A leg's pipeline tallies (pipeline_summary.json `shardData`) come from another job, maybe another
 * toron-testops version: members merge does not know are left alone (unknown-fields.test.ts), but those
 * it reads must be there with their types. Read unchecked, a damaged member threw in the middle of the
 * merge ('number 5 is not iterable': no merged report, the CLI's internal error) or was summed as
 * something else (latencies "abc" read as three characters: a WARN from nonsense).
 */
let legs: string;

beforeAll(async () => {
  legs = project({ d: dataset('d', 3) });
  const o = await run(legs, { engine: 'reference', runId: 'tallies', stages: 'sim,pipeline', shard: '1/1', out: 's1' });
  expect(o.verdict).not.toBe('ERROR');
}, 60_000);

const cases: [string, (d: any) => void, RegExp][] = [
  ['a case list that is a number', (d) => (d.cases = 5), /shardData\/cases must be array/],
  ['latencies that are a string', (d) => (d.latencies = 'abc'), /shardData\/latencies must be array/],
  ["a tally's failed cases that are a number", (d) => (d.tallies['answer-shape'].failedCases = 3), /shardData\/tallies\/answer-shape\/failedCases must be array/],
  ['no confidence', (d) => delete d.confidence, /shardData\/confidence is missing/],
  ['no escalations', (d) => delete d.escalations, /shardData\/escalations is missing/],
  ['no options', (d) => delete d.options, /shardData\/options is missing/],
];

describe("merge of a leg whose pipeline tallies are damaged", () => {
  it.each(cases)('with %s: the merged pipeline is an ERROR naming the leg, the file and the member; SIM is still merged', async (_what, damage, member) => {
    const dir = makeProject({});
    fs.cpSync(legs, dir, { recursive: true });
    const file = path.join(dir, 's1/reports/tallies/pipeline_summary.json');
    const p = readJson(file);
    damage(p.shardData);
    fs.writeFileSync(file, JSON.stringify(p));
    const o = await mergeShards([path.join(dir, 's1')], { cwd: makeProject({}), out: 'merged' });
    expect(o.verdict).toBe('ERROR');
    const report = readJson(o.paths.report);
    expect(report.stages.pipeline.verdict).toBe('ERROR');
    expect(report.stages.pipeline.reason).toMatch(/pipeline tallies of shard\(s\) 1 \(.*s1.*: pipeline_summary\.json /);
    expect(report.stages.pipeline.reason).toMatch(member);
    expect(report.stages.sim.total).toBe(3);
  });
});
