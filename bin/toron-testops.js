#!/usr/bin/env node
// The CLI as built by ncc (dist/ is committed, so a fresh clone runs without a build step).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(`toron-testops needs Node.js 24 or newer (this is ${process.version}); inside the project, npm scripts use the pinned Node 24.\n`);
  process.exit(2);
}
await import('../dist/cli/index.js');
