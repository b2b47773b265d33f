import { afterEach, describe, expect, it } from 'vitest';
import { createCommandAdapter, type CommandAdapter } from '../../src/engine/command.js';

// An engine whose answers sit in a block-buffered stdout (Python's print to a pipe, C stdio): nothing
// reaches the pipe until the buffer fills or the process exits. Emulated in Node by holding every
// answer until stdin ends.
const BUFFERED = `
  let held = '';
  const rl = require('node:readline').createInterface({ input: process.stdin });
  rl.on('line', (l) => { const m = JSON.parse(l); held += JSON.stringify({ id: m.id, result: { status: 'ok' } }) + '\\n'; });
  rl.on('close', () => process.stdout.write(held));`;

// An engine that does answer, but too slowly for the health check: no hint about buffering then.
const SLOW = `
  const rl = require('node:readline').createInterface({ input: process.stdin });
  process.stdout.write('booting\\n');
  rl.on('line', () => {});`;

const open: CommandAdapter[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

function adapter(script: string) {
  const a = createCommandAdapter({ argv: [process.execPath, '-e', script], timeoutMs: 300, maxResponseBytes: 1e6, log: () => {} });
  open.push(a);
  return a;
}

describe('command adapter: an engine that writes nothing by the health timeout', () => {
  it('says how to flush a buffered stdout, the likeliest cause', async () => {
    const h = await adapter(BUFFERED).health();
    expect(h.ok).toBe(false);
    expect(h.tried[0]).toContain('within 300 ms');
    expect(h.tried[0]).toContain('it wrote nothing on stdout');
    expect(h.tried[0]).toContain('flush=True');
  });

  it('gives no such hint when the engine did write on stdout', async () => {
    const h = await adapter(SLOW).health();
    expect(h.ok).toBe(false);
    expect(h.tried[0]).toContain('within 300 ms');
    expect(h.tried[0]).not.toContain('flush');
  });
});
