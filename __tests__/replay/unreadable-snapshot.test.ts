import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmd, dataset, project, run } from './helpers.js';

// An engine whose every answer carries a trace nested 20,000 levels deep: SIM reads the answers, the
// snapshot keeps them as 'unreadable' (no canonical form), and the replay has nothing to replay. Its
// reason said "all engine errors", which the engine never gave.
const ENGINE = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (l) => {
  const m = JSON.parse(l);
  if (m.method === 'health') return process.stdout.write(JSON.stringify({ id: m.id, result: { status: 'ok' } }) + '\\n');
  // DEEP_ONLY: only this prompt's answer is deep; the others are plain.
  if (process.env.DEEP_ONLY && m.params.input.prompt !== process.env.DEEP_ONLY) return process.stdout.write(JSON.stringify({ id: m.id, result: { final_answer: 'ok' } }) + '\\n');
  process.stdout.write('{"id":' + JSON.stringify(m.id) + ',"result":{"final_answer":"ok","trace":' + '['.repeat(20000) + ']'.repeat(20000) + '}}\\n');
});`;

describe('replay of a snapshot whose answers have no canonical form', () => {
  it('says why there is nothing to replay: the answers, not engine errors', async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deep-engine-')), 'deep.cjs');
    fs.writeFileSync(script, ENGINE);
    const dir = project({ d: dataset('d', 3) }, { replay: { rounds: 2 } });
    const r = await run(dir, { engine: cmd(script), stages: ['sim', 'replay'], runId: 'deep-snapshot' } as never);
    expect(r.replay.reason).not.toContain('all engine errors');
    expect(r.replay.reason).toContain('3 answer(s) with no canonical form (nested too deeply)');
    // A replay asked for and never measured is not a pass: WARN, with a finding saying why.
    expect(r.replay.verdict).toBe('WARN');
    expect(r.replay.reason).toMatch(/^determinism not measured: /);
    expect(r.verdict).toBe('WARN');
    const f = r.reportJson.warroom.find((w: { type: string }) => w.type === 'replay-unmeasured');
    expect(f).toMatchObject({ severity: 'HIGH', subsystem: 'replay' });
    expect(f.message).toContain('no canonical form');
  }, 30_000);

  it('one such answer among others: the rest are measured, and the one left out is a finding naming why, not "no answer"', async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deep-engine-')), 'deep.cjs');
    fs.writeFileSync(script, ENGINE);
    const dir = project({ d: dataset('d', 4) }, { replay: { rounds: 2 } });
    const before = process.env.DEEP_ONLY;
    process.env.DEEP_ONLY = 'question 3';
    try {
      const r = await run(dir, { engine: cmd(script), stages: ['sim', 'replay'], runId: 'one-deep' } as never);
      expect(r.replay.verdict).toBe('PASS');
      expect(r.replay.reason).toContain('determinism 100 (3/3 case(s)');
      expect(r.replay.reason).toContain('1 case(s) not replayed: 1 answer(s) with no canonical form (nested too deeply)');
      expect(r.replay.reason).not.toContain('had no answer');
      const f = r.reportJson.warroom.find((w: { type: string }) => w.type === 'replay-unmeasured');
      expect(f).toMatchObject({ severity: 'MEDIUM', subsystem: 'replay', caseId: 'c3', location: { file: 'sim/d.json' } });
      expect(f.message).toMatch(/^1 case\(s\) the engine answered were not replayed/);
    } finally {
      if (before === undefined) delete process.env.DEEP_ONLY;
      else process.env.DEEP_ONLY = before;
    }
  }, 30_000);
});
