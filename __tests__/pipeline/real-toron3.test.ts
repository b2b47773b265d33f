import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PROFILES } from '../../src/engine/profiles/index.js';
import { detectProfile } from '../../src/engine/profiles/detect.js';
import { checkAnswer } from '../../src/stages/pipeline/answer-checks.js';
import { DEFAULTS } from '../../src/settings/defaults.js';

/**
 * Answers of the real toron-3 code (fixtures/reference/README.md says how they were made): the profile
 * reads them, and the per-answer checks raise nothing a real answer does not deserve.
 */
interface Line {
  commit: string;
  form: 'query' | 'full';
  case: string;
  response: Record<string, any>;
}

const lines: Line[] = readFileSync(fileURLToPath(new URL('../fixtures/reference/real-toron3-answers.jsonl', import.meta.url)), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as Line);
const p3 = PROFILES['toron-3'];
const failed = (l: Line) =>
  checkAnswer(p3.view(l.response), p3, { ...DEFAULTS.pipeline }, { contradictions: false }, null)
    .filter((r) => r.status === 'fail')
    .map((r) => `${r.name}: ${r.message}`);

describe('real toron-3 answers (nexus-secure-ai-engine 691df6d6 and ea4c9e10, simulation mode)', () => {
  it('are detected as toron-3 in the form they come in, and every ordinary answer passes every check', () => {
    const ordinary = lines.filter((l) => l.case !== 'opus_fails' && l.case !== 'five_t1_fail');
    expect(ordinary.length).toBe(18);
    for (const l of lines) {
      expect(detectProfile(l.response), l.case).toBe('toron-3');
      expect(p3.view(l.response).form, l.case).toBe(l.form);
    }
    for (const l of ordinary) expect(failed(l), `${l.commit} ${l.form} ${l.case}`).toEqual([]);
  });

  it('count the tier-1 models that answered when five of nine fail: no t1-present false alarm', () => {
    const partial = lines.filter((l) => l.case === 'five_t1_fail');
    expect(partial.length).toBe(3);
    for (const l of partial) {
      expect(l.response.metrics.providers_failed, l.commit).toBe(5);
      expect(failed(l), `${l.commit} ${l.form}`).toEqual([]);
    }
  });

  it('an Opus call that failed (691df6d6 falls back to consensus_only at 1/11) is the one finding, in words that fit', () => {
    const l = lines.find((x) => x.case === 'opus_fails' && x.commit === '691df6d6' && x.form === 'query')!;
    expect(failed(l)).toEqual([
      'tier-consistency: agreement 1/11 (/consensus/agreement) is below 0.7, but the answer names no arbitration (no tier-4 result: not run, or its arbiter failed)',
    ]);
  });
});
