/**
 * The signals a cancelled job sends (see cancel.ts), held from the action's first line: loading the
 * action's steps takes a moment, and a signal in it would otherwise end the process at once (Node's
 * default), with no outputs, no summary and no report.
 */
export const CANCEL_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

export interface HeldSignals {
  /** The signals that came while held, in order. */
  readonly received: NodeJS.Signals[];
  /** Stops holding (call once the real handlers are in place, then hand `received` on). */
  release(): void;
}

export function holdSignals(proc: Pick<NodeJS.Process, 'on' | 'off'> = process): HeldSignals {
  const received: NodeJS.Signals[] = [];
  const hold = (sig: NodeJS.Signals) => void received.push(sig);
  for (const s of CANCEL_SIGNALS) proc.on(s, hold);
  return {
    received,
    release() {
      for (const s of CANCEL_SIGNALS) proc.off(s, hold);
    },
  };
}
