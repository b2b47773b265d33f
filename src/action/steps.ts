/** The action's steps, loaded by src/main.ts after its first log line. */
export { startAction } from './action-context.js';
export { prepare } from './prepare.js';
export { runGate as run } from './run.js';
export { publish } from './publish.js';
export { finish, exitWith } from './exit.js';
