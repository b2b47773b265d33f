import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cmd, dataset, project, run } from './helpers.js';

// An engine that answers SIM normally and then, in the replay rounds, with an answer nested 20,000
// levels deep (a runaway recursive trace): JSON.parse reads it, but it has no canonical form (the
// walk runs out of stack). That is the engine's answer, not a failure of the tool: the replay used
// to end in ERROR "internal error: RangeError: Maximum call stack size exceeded".
const ENGINE = `
let n = 0;
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (l) => {
  const m = JSON.parse(l);
  if (m.method === 'health') return process.stdout.write(JSON.stringify({ id: m.id, result: { status: 'ok' } }) + '\\n');
  n++;
  const deep = n > Number(process.argv[2]);
  const text = deep
    ? '{"id":' + JSON.stringify(m.id) + ',"result":{"final_answer":"ok","trace":' + '['.repeat(20000) + ']'.repeat(20000) + '}}'
    : JSON.stringify({ id: m.id, result: { final_answer: 'ok' } });
  process.stdout.write(text + '\\n');
});`;

describe('replay: answers with no canonical form', () => {
  it('are replay answers the engine got wrong (kind unreadable): FAIL with the reason, never ERROR', async () => {
    const script = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'deep-engine-')), 'deep.cjs');
    fs.writeFileSync(script, ENGINE);
    const dir = project({ d: dataset('d', 3) }, { replay: { rounds: 2 } });
    const r = await run(dir, { engine: cmd(script, '3'), stages: ['sim', 'replay'], runId: 'deep-replay' } as never);
    expect(r.replay.verdict).not.toBe('ERROR');
    expect(r.replay.verdict).toBe('FAIL');
    expect(r.replay.reason).not.toContain('internal error');
    const messages = r.reportJson.warroom.map((f: { message: string }) => f.message).join('\n');
    expect(messages).toContain('unreadable');
    expect(r.reportJson.verdict).toBe('FAIL');
  }, 30_000);
});
