import { afterEach, describe, expect, it } from 'vitest';
import { createCommandAdapter, type CommandAdapter } from '../../src/engine/command.js';
import type { EngineRequest, EngineResult } from '../../src/engine/types.js';

// An engine that writes its answer envelope with "result" first and "id" last ({"result": {...},
// "id": "7"}: any key order is JSON), and answers over the size cap. With several requests in flight
// the id is not in the first bytes of the line; it is in its last ones.
const SCRIPT = `
  const rl = require('node:readline').createInterface({ input: process.stdin });
  rl.on('line', (l) => {
    const m = JSON.parse(l);
    if (m.method === 'health') return process.stdout.write(JSON.stringify({ result: { status: 'ok' }, id: m.id }) + '\\n');
    const big = m.params.input.prompt === 'big';
    setTimeout(() => process.stdout.write(JSON.stringify({ result: { pad: 'x'.repeat(big ? 300000 : 10) }, id: m.id }) + '\\n'), 20);
  });`;

const open: CommandAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

const req = (prompt: string): EngineRequest => ({ runId: 'r', caseId: prompt, seed: 1, input: { prompt } });

describe('command adapter: an overlong answer whose id comes last', () => {
  it('fails that request as too_large at once, not as a timeout, and the others still answer', async () => {
    const logs: string[] = [];
    const a = createCommandAdapter({ argv: [process.execPath, '-e', SCRIPT], timeoutMs: 4_000, maxResponseBytes: 100_000, log: (_l, m) => logs.push(m) });
    open.push(a);
    const [small1, big, small2] = await Promise.all([a.call(req('small')), a.call(req('big')), a.call(req('small'))]);
    expect(small1.ok).toBe(true);
    expect(small2.ok).toBe(true);
    const e = (big as Extract<EngineResult, { ok: false }>).error;
    expect(e?.kind).toBe('too_large');
    expect(e.message).toContain('100000-byte cap');
    expect(logs.join('\n')).not.toContain('for no pending request');
  });
});
