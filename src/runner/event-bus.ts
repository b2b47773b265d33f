import type { RunEvent, RunEventBody, Sink } from './events.js';

let lastMs = -1;
let lastIso = '';
/** The ISO time of now, made once per millisecond: a SIM run emits tens of thousands of events a second. */
function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

/** Stamps events (run id, sequence, time) and hands them to every sink. A failing sink never stops a run. */
export class EventBus {
  private seq = 0;
  private readonly sinks: Sink[] = [];
  private readonly sinkErrors = new Set<string>();

  constructor(private readonly runId: string) {}

  add(sink: Sink): void {
    this.sinks.push(sink);
  }

  emit(body: RunEventBody): RunEvent {
    const event = { ...body, runId: this.runId, seq: ++this.seq, time: nowIso() } as RunEvent;
    for (const s of this.sinks) {
      try {
        s.handle(event);
      } catch (err) {
        // Reported once per sink on stderr: the sink may be the log itself.
        if (!this.sinkErrors.has(s.name)) {
          this.sinkErrors.add(s.name);
          process.stderr.write(`toron-testops: sink ${s.name} failed: ${(err as Error).message}\n`);
        }
      }
    }
    return event;
  }

  async close(): Promise<void> {
    for (const s of this.sinks) {
      try {
        await s.close?.();
      } catch (err) {
        process.stderr.write(`toron-testops: closing sink ${s.name} failed: ${(err as Error).message}\n`);
      }
    }
  }
}
