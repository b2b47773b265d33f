import v8 from 'node:v8';

let guarded = false;

/**
 * Dataset regexes run on engine answers, and a pattern such as `^(a+)+$` backtracks exponentially on
 * an answer like "aaaa…a!": 34 characters took 221 s, blocking the event loop (no timeout, no
 * cancellation). This V8 flag makes a regex that backtracks too much fall back to V8's linear-time
 * engine, which gives the same answer. Patterns the linear engine cannot run (backreferences,
 * lookarounds) stay on the backtracking one. Read when a regex is compiled, so this is set before the
 * first dataset regex is; it changes nothing for regexes that do not backtrack excessively.
 */
export function guardRegexpBacktracking(): void {
  if (guarded) return;
  guarded = true;
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
}
