import type { ActionContext } from './action-context.js';
import type { ActionOutcome } from './outcome.js';

/** Exit without waiting for stray sockets or timers of the libraries, once everything is written. */
const HARD_EXIT_AFTER_MS = 3000;

/**
 * The last line and the exit status (the runner's, which follows `fail-on`): ERROR says it is not a
 * test verdict, so nobody reads a broken wiring as a failing engine.
 */
export function finish(ctx: ActionContext, o: ActionOutcome): number {
  const code = o.exitCode;
  const { log } = ctx;
  if (o.gateCancelled) {
    // mode: publish of a cancelled gate run: nothing was judged, so nothing failed here.
    log.info(`toron-testops: the gate run ${o.gateCancelled.runId} was cancelled: nothing was judged`);
  } else if (o.verdict === 'ERROR') {
    const at = o.errorLocation ? { file: o.errorLocation.file, line: o.errorLocation.line } : {};
    log.error(`toron-testops ERROR (not a test verdict): ${o.error ?? o.reason}`, { title: 'toron-testops ERROR', ...at });
  } else if (code !== 0) {
    log.error(`toron-testops ${o.verdict}: ${o.reason}${o.verdict === 'WARN' ? ' (fail-on: warn)' : ''}`, { title: `toron-testops ${o.verdict}` });
  } else if (o.verdict === 'WARN' || o.verdict === 'FAIL') {
    // The step passes (fail-on said so), but a FAIL is worse than a WARN: at least as visible as one.
    log.warning(`toron-testops ${o.verdict}: ${o.reason}${o.verdict === 'FAIL' ? ' (fail-on: never: the step passes)' : ''}`, { title: `toron-testops ${o.verdict}` });
  } else {
    log.info(`toron-testops ${o.verdict}: ${o.reason}`);
  }
  ctx.exitCode = code;
  return code;
}

/** Sets the exit code; after a cancel, exits now (the runner kills the process soon anyway). */
export function exitWith(ctx: ActionContext, code: number): void {
  process.exitCode = code;
  if (ctx.cancel.cancelledAt() !== null) process.exit(code);
  setTimeout(() => process.exit(code), HARD_EXIT_AFTER_MS).unref();
}
