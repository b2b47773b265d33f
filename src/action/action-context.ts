import { readGitHubEnv, type GitHubEnv } from './context.js';
import { watchCancellation, type Cancellation } from './cancel.js';
import type { HeldSignals } from './early-signals.js';
import { ActionLog } from './log.js';
import { OUTPUT_NAMES } from './inputs.js';
import { OutputWriter } from './outputs.js';

/** Everything the steps share: the environment as read once, the log, cancellation, outputs. */
export interface ActionContext {
  env: NodeJS.ProcessEnv;
  gh: GitHubEnv;
  log: ActionLog;
  cancel: Cancellation;
  outputs: OutputWriter;
  /** Set by the exit step; a second signal exits with it at once. */
  exitCode: number | null;
}

export function startAction(env: NodeJS.ProcessEnv, held?: HeldSignals, write: (s: string) => void = (s) => process.stdout.write(s)): ActionContext {
  const gh = readGitHubEnv(env);
  const log = new ActionLog(write, gh.debug);
  const outputs = new OutputWriter(gh.outputFile, (l) => log.info(l));
  const ctx: ActionContext = { env, gh, log, outputs, exitCode: null, cancel: undefined as unknown as Cancellation };
  ctx.cancel = watchCancellation({
    onCancel: (sig) => log.info(`toron-testops: ${sig}: the job is being cancelled; stopping new work, writing the partial report and outputs`),
    onSecondSignal: (sig) => {
      // Outputs known so far are already in GITHUB_OUTPUT; the rest read as empty.
      try {
        outputs.set({ result: 'error', promote: 'false' });
        outputs.fill(OUTPUT_NAMES);
      } catch {
        // the runner is about to kill us; nothing else to do
      }
      log.info(`toron-testops: ${sig} again: exiting now`);
      process.exit(ctx.exitCode ?? 2);
    },
  });
  // The real handlers are in place: signals held while the steps loaded are handled now, in order.
  held?.release();
  for (const sig of held?.received ?? []) ctx.cancel.deliver(sig);
  if (gh.eventProblem) log.warning(gh.eventProblem);
  return ctx;
}
