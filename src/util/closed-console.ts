/**
 * A console whose reader went away (`toron-testops run | head`) must not end the run. Node reports the
 * closed pipe as an 'error' on the stream, and an unhandled one exits the process with code 1 before
 * the reports, the snapshot and the bundle are written. The run goes on without its console: run.log
 * and the reports hold everything it would have printed, and the exit code stays the verdict's.
 */
export function outliveClosedConsole(streams: NodeJS.WritableStream[] = [process.stdout, process.stderr]): void {
  for (const s of streams) {
    // Any error (EPIPE, EIO of a closed terminal, ENOSPC of a full redirect): the console is never the record.
    s.on('error', () => {});
  }
}
