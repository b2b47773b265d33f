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
});
