#!/usr/bin/env node
// The CLI as built by ncc (dist/ is committed, so a fresh clone runs without a build step).
import v8 from 'node:v8';

const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`toron-testops needs Node.js 24 or newer (this is ${process.version}); inside the project, npm scripts use the pinned Node 24.\n`);
  process.exit(2);
}
// A SIM run allocates one engine answer per attempt, each dead a moment later: a larger young
// generation than the default lets them die there instead of being promoted to the old generation.
// 16 MB, not 32: once nothing per answer outlived it (see the reference engine's kit memo), 32 only
// added to the peak (100k cases, 3 paired runs: 562-574 against 578-601 MB, the same CPU).
v8.setFlagsFromString('--max-semi-space-size=16');
await import('../dist/cli/index.js');
