import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateReadReport, validateReport } from '../../src/report/schema.js';
import { ROOT } from '../helpers/cli.js';
import { syntheticReport } from './fixtures/synthetic.js';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('schemas/report.schema.json', () => {
  it('is a draft-07 schema with an $id', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'schemas/report.schema.json'), 'utf8'));
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toMatch(/report\.schema\.json$/);
  });

  it('accepts a report with every section filled', () => {
    expect(validateReport(syntheticReport({ cases: 20 }))).toEqual({ ok: true });
  });

  it('accepts SKIPPED and broken stages', () => {
    const r = syntheticReport({ cases: 2 });
    r.stages.load = { verdict: 'SKIPPED', reason: 'not requested (--stages)' };
    r.stages.replay = { verdict: 'ERROR', reason: 'engine died' };
    expect(validateReport(r)).toEqual({ ok: true });
  });

  const bad: [string, (r: any) => void, RegExp][] = [
    ['an absolute artifact path', (r) => (r.artifacts.html = '/home/me/report.html'), /\/artifacts\/html/],
    ['a Windows artifact path', (r) => (r.artifacts.bundle = 'C:\\runs\\bundle.zip'), /\/artifacts\/bundle/],
    ['a missing artifact key', (r) => delete r.artifacts.summary, /artifacts must have required property 'summary'/],
    ['a SKIPPED stage without its reason', (r) => (r.stages.load = { verdict: 'SKIPPED' }), /\/stages\/load must have required property 'reason'/],
    ['a verdict out of the set', (r) => (r.verdict = 'OK'), /\/verdict must be equal to one of the allowed values/],
    ['a score that does not match its severity', (r) => (r.warroom[0].score = 100), /\/warroom\/0\/score/],
    ['a SIM stage without cases', (r) => delete r.stages.sim.cases, /\/stages\/sim must have required property 'cases'/],
    ['a replay case without firstDivergence', (r) => delete r.stages.replay.cases[0].firstDivergence, /firstDivergence/],
    ['a drift status out of the set', (r) => (r.stages.replay.drift.cases[0].status = 'moved'), /\/stages\/replay\/drift/],
    ['a pipeline check without ok', (r) => delete r.stages.pipeline.checks[0].ok, /\/stages\/pipeline\/checks\/0 must have required property 'ok'/],
    ['an unknown load generator', (r) => (r.stages.load.generator = 'jmeter'), /\/stages\/load\/generator/],
    ['a determinism score above 100', (r) => (r.stages.replay.determinismScore = 120), /determinismScore/],
    ['a finding location on line 0', (r) => (r.warroom.find((f: any) => f.location).location.line = 0), /location\/line/],
    ['an unknown top-level key', (r) => (r.extra = 1), /must NOT have additional properties \(extra\)/],
    ['schemaVersion 2', (r) => (r.schemaVersion = 2), /schemaVersion/],
  ];
  for (const [what, mutate, message] of bad) {
    it(`rejects ${what}`, () => {
      const r = clone(syntheticReport({ cases: 10 })) as any;
      mutate(r);
      const v = validateReport(r);
      expect(v.ok).toBe(false);
      expect(v.ok ? '' : v.errors.join('\n')).toMatch(message);
    });
  }

  // Reports read from another run (merge legs, publish artifacts) may come from a later version that
  // added fields (DESIGN §3.3: "more fields welcome"): those pass, every known member is still checked.
  describe('as read from another run (validateReadReport)', () => {
    it('accepts members it does not know, at the root, in a stage, a case, a check and a finding', () => {
      const r = clone(syntheticReport({ cases: 10 })) as any;
      r.futureRootField = { a: 1 };
      r.stages.sim.futureStageField = 1;
      r.stages.sim.cases[0].futureCaseField = 'x';
      r.stages.replay.cases[0].futureCaseField = 'x';
      r.stages.pipeline.checks[0].futureCheckField = 'x';
      r.warroom[0].futureFindingField = 'x';
      expect(validateReport(r).ok).toBe(false);
      expect(validateReadReport(r)).toEqual({ ok: true });
    });
    for (const [what, mutate, message] of bad.filter(([what]) => what !== 'an unknown top-level key')) {
      it(`still rejects ${what}`, () => {
        const r = clone(syntheticReport({ cases: 10 })) as any;
        mutate(r);
        const v = validateReadReport(r);
        expect(v.ok).toBe(false);
        expect(v.ok ? '' : v.errors.join('\n')).toMatch(message);
      });
    }
  });
});
