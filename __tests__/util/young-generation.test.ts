import { describe, expect, it } from 'vitest';
import { SEMI_SPACE_FLAG, youngGenerationRestart } from '../../src/util/young-generation.js';

describe('youngGenerationRestart', () => {
  const base = { execPath: '/usr/bin/node', script: '/a/dist/index.js', args: ['x', 'y z'] };

  it('restarts the same script with the flag after the process flags and before the arguments', () => {
    expect(youngGenerationRestart({ ...base, execArgv: ['--enable-source-maps'], nodeOptions: '--import=/p.mjs' })).toEqual([
      '/usr/bin/node',
      '--enable-source-maps',
      SEMI_SPACE_FLAG,
      '/a/dist/index.js',
      'x',
      'y z',
    ]);
    expect(SEMI_SPACE_FLAG).toBe('--max-semi-space-size=16');
  });

  it('does nothing once the flag is there, when the user sized the heap, or under a debugger', () => {
    expect(youngGenerationRestart({ ...base, execArgv: [SEMI_SPACE_FLAG], nodeOptions: undefined })).toBeNull();
    expect(youngGenerationRestart({ ...base, execArgv: ['--max-semi-space-size=64'], nodeOptions: '' })).toBeNull();
    expect(youngGenerationRestart({ ...base, execArgv: [], nodeOptions: '--max-semi-space-size=8' })).toBeNull();
    expect(youngGenerationRestart({ ...base, execArgv: ['--max-heap-size=4096'], nodeOptions: '' })).toBeNull();
    // Under a debugger: --inspect-brk would stop twice.
    expect(youngGenerationRestart({ ...base, execArgv: ['--inspect-brk'], nodeOptions: '' })).toBeNull();
    expect(youngGenerationRestart({ ...base, execArgv: [], nodeOptions: '--inspect=0' })).toBeNull();
    // Only the old generation sized: the young one is still ours to set.
    expect(youngGenerationRestart({ ...base, execArgv: ['--max-old-space-size=3072'], nodeOptions: '' })).not.toBeNull();
  });
});
