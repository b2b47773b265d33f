#!/usr/bin/env node
// The CLI as built by ncc (dist/ is committed, so a fresh clone runs without a build step).
import { fileURLToPath } from 'node:url';
import module from 'node:module';
import v8 from 'node:v8';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`toron-testops needs Node.js 24 or newer (this is ${process.version}); inside the project, npm scripts use the pinned Node 24.\n`);
  process.exit(2);
}

// V8 flags for SIM's heap: which and why are in src/util/heap-flags.ts (which the action's entry uses).
// Applied here, before the CLI's bundle loads, so that the restart costs one bare Node start-up: the
// process replaces itself (same pid, same stdio) with one started with the flags, unless the user sized
// the heap themselves, a debugger is on (--inspect*) or there is no execve (Windows).
const HEAP_FLAGS = ['--max-semi-space-size=16', '--expose-gc'];
const chosen = (flags) => /--max-semi-space-size|--max-heap-size|--inspect/.test(flags);
if (typeof process.execve === 'function' && !chosen(process.execArgv.join(' ')) && !chosen(process.env.NODE_OPTIONS ?? '')) {
  try {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, ...HEAP_FLAGS, fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
  } catch {
    // Run as started.
  }
}
// Where the restart did not happen, threads started later (the snapshot writer) still get the semi-space size.
v8.setFlagsFromString(HEAP_FLAGS[0]);
// Node's on-disk cache of compiled code (in the temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it
// off): the CLI's bundle is 100k lines, and a start with the cache warm compiles about 25 ms less. A
// folder it cannot write only means no cache, never an error.
module.enableCompileCache?.();
await import('../dist/cli/index.js');
