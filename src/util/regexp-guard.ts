import v8 from 'node:v8';
import vm from 'node:vm';

let guarded = false;

/**
 * Dataset regexes run on engine answers, and a pattern such as `^(a+)+$` backtracks exponentially on
 * an answer like "aaaa…a!": 34 characters took 221 s, blocking the event loop (no timeout, no
 * cancellation). Two V8 flags: a regex that backtracks too much falls back to V8's linear-time engine,
 * which gives the same answer; and the `l` flag, only to ask whether a pattern can run there at all
 * (linearCapable). Read when a regex is compiled, so this is set before the first dataset regex is.
 */
export function guardRegexpBacktracking(): void {
  if (guarded) return;
  guarded = true;
  v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
  v8.setFlagsFromString('--enable-experimental-regexp-engine');
}

/**
 * Whether V8's linear engine can run the pattern, so that the fallback above covers it. Backreferences,
 * lookarounds, inline modifiers such as `(?i:...)` and large counted repeats cannot: those patterns need
 * testWithin.
 */
export function linearCapable(source: string): boolean {
  guardRegexpBacktracking();
  try {
    new RegExp(source, 'l');
    return true;
  } catch {
    return false;
  }
}

const TEST = new vm.Script('re.test(s)');
let context: vm.Context | null = null;

/**
 * `re.test(text)` stopped after `ms` (null then): V8 terminates the script from a watchdog thread, which
 * also interrupts a backtracking regex. About 0.2 ms a call (the watchdog), so only for patterns that
 * are not linearCapable.
 */
export function testWithin(re: RegExp, text: string, ms: number): boolean | null {
  context ??= vm.createContext({ re: null, s: '' });
  context.re = re;
  context.s = text;
  try {
    return TEST.runInContext(context, { timeout: ms }) as boolean;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return null;
    throw err;
  } finally {
    context.re = null;
    context.s = '';
  }
}
