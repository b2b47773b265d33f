import { describe, expect, it } from 'vitest';
import { collectGarbage, HEAP_FLAGS, heapFlagsRestart } from '../../src/util/heap-flags.js';

describe('heapFlagsRestart', () => {
  const base = { execPath: '/usr/bin/node', script: '/a/dist/index.js', args: ['x', 'y z'] };

  it('restarts the same script with the flag after the process flags and before the arguments', () => {
    expect(heapFlagsRestart({ ...base, execArgv: ['--enable-source-maps'], nodeOptions: '--import=/p.mjs' })).toEqual([
      '/usr/bin/node',
      '--enable-source-maps',
      '--max-semi-space-size=16',
      '--expose-gc',
      '/a/dist/index.js',
      'x',
      'y z',
    ]);
  });

  it('does nothing once the flag is there, when the user sized the heap, or under a debugger', () => {
    expect(heapFlagsRestart({ ...base, execArgv: [...HEAP_FLAGS], nodeOptions: undefined })).toBeNull();
    expect(heapFlagsRestart({ ...base, execArgv: ['--max-semi-space-size=64'], nodeOptions: '' })).toBeNull();
    expect(heapFlagsRestart({ ...base, execArgv: [], nodeOptions: '--max-semi-space-size=8' })).toBeNull();
    expect(heapFlagsRestart({ ...base, execArgv: ['--max-heap-size=4096'], nodeOptions: '' })).toBeNull();
    // Under a debugger: --inspect-brk would stop twice.
    expect(heapFlagsRestart({ ...base, execArgv: ['--inspect-brk'], nodeOptions: '' })).toBeNull();
    expect(heapFlagsRestart({ ...base, execArgv: [], nodeOptions: '--inspect=0' })).toBeNull();
    // Only the old generation sized: the young one is still ours to set.
    expect(heapFlagsRestart({ ...base, execArgv: ['--max-old-space-size=3072'], nodeOptions: '' })).not.toBeNull();
  });
});

describe('collectGarbage', () => {
  it('runs the exposed gc when there is one, and is a no-op without', () => {
    const g = globalThis as { gc?: () => void };
    const saved = g.gc;
    try {
      let calls = 0;
      g.gc = () => calls++;
      collectGarbage();
      expect(calls).toBe(1);
      delete g.gc;
      expect(() => collectGarbage()).not.toThrow();
    } finally {
      if (saved) g.gc = saved;
    }
  });
});
