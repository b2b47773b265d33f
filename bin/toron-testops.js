#!/usr/bin/env node
// The CLI as built by ncc (dist/ is committed, so a fresh clone runs without a build step).
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`toron-testops needs Node.js 24 or newer (this is ${process.version}); inside the project, npm scripts use the pinned Node 24.\n`);
  process.exit(2);
}

// A SIM run allocates one engine answer per attempt, each dead a moment later. V8 sizes the young
// generation once, when the process starts, from the machine's memory: on a 16-23 GB machine its two
// semi-spaces grow to 64 MB each, and the dead answers sit in them. 16 MB semi-spaces scavenge
// more often but each scavenge is as cheap (few answers survive one), so a 100k-case run peaks about
// 70 MB lower and is no slower (single runs: 474 against 544 MB, 17.7 against 19.1 s).
// v8.setFlagsFromString comes too late for the main heap (it only reaches threads started later), so
// the process replaces itself (same pid, same stdio) with one started with the flag, where it can
// (process.execve: not on Windows), unless the user sized the heap themselves (V8 refuses
// --max-heap-size beside both other sizes). A restart that fails only costs the flag.
const SEMI_SPACE = '--max-semi-space-size=16';
const chosen = (flags) => /--max-semi-space-size|--max-heap-size/.test(flags);
if (typeof process.execve === 'function' && !chosen(process.execArgv.join(' ')) && !chosen(process.env.NODE_OPTIONS ?? '')) {
  try {
    process.execve(process.execPath, [process.execPath, ...process.execArgv, SEMI_SPACE, fileURLToPath(import.meta.url), ...process.argv.slice(2)]);
  } catch {
    // Run as started.
  }
}
v8.setFlagsFromString(SEMI_SPACE);
await import('../dist/cli/index.js');
