import { errorMessage } from '../util/errors.js';
import type { ActionLog } from './log.js';

/** Runs one publishing side effect: a failure is a warning (first line only), and the next one still runs. */
export function guardWith(log: ActionLog) {
  return async <T>(what: string, fn: () => T | Promise<T>): Promise<T | null> => {
    try {
      return await fn();
    } catch (err) {
      log.warning(`${what} failed: ${errorMessage(err).split('\n')[0]}`);
      return null;
    }
  };
}
