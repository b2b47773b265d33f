import { afterEach, describe, expect, it } from 'vitest';
import { createCommandAdapter, type CommandAdapter } from '../../src/engine/command.js';

// A .NET engine whose Console writes UTF-8 with a byte-order mark puts EF BB BF before its first
// line. The HTTP adapter drops a BOM; a command engine's first answer (its health) must parse too.
const SCRIPT = `
  let first = true;
  const rl = require('node:readline').createInterface({ input: process.stdin });
  rl.on('line', (l) => {
    const m = JSON.parse(l);
    const out = JSON.stringify({ id: m.id, result: m.method === 'health' ? { status: 'ok', version: 'dotnet-1.0' } : { final_answer: 'ok' } }) + '\\n';
    process.stdout.write(first ? '\\uFEFF' + out : out);
    first = false;
  });`;

const open: CommandAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

describe('command adapter: a byte-order mark before the first line', () => {
  it('is dropped: the health answer is read, and the engine is up with its version', async () => {
    const logs: string[] = [];
    const a = createCommandAdapter({ argv: [process.execPath, '-e', SCRIPT], timeoutMs: 2_000, maxResponseBytes: 1e6, log: (_l, m) => logs.push(m) });
    open.push(a);
    const h = await a.health();
    expect(h.ok).toBe(true);
    expect(h.version).toBe('dotnet-1.0');
    const r = await a.call({ runId: 'r', caseId: 'c', seed: 1, input: { prompt: 'p' } });
    expect(r.ok && r.body).toEqual({ final_answer: 'ok' });
    expect(logs.join('\n')).not.toContain('not JSON');
  });
});
