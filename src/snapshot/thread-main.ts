/**
 * The snapshot writer thread: a SnapshotWriter fed with the answers the main thread posts. Built on its
 * own into dist/snapshot-thread/ (package.json "build"); started by ThreadedSnapshotWriter.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SNAPSHOT_THREAD_ROLE, type FromThread, type ThreadInit, type ToThread } from './thread-protocol.js';
import { SnapshotWriter } from './writer.js';

const init = workerData as ThreadInit | undefined;
if (parentPort && init?.role === SNAPSHOT_THREAD_ROLE) serve(parentPort, init);

function serve(port: NonNullable<typeof parentPort>, init: ThreadInit): void {
  const writer = new SnapshotWriter(init.options);
  // The first failure stops the writing; it is reported when the main thread asks for the snapshot.
  let failure: string | null = null;
  const spooled = new Int32Array(init.spooled);
  const send = (m: FromThread) => port.postMessage(m);
  port.on('message', (m: ToThread) => {
    if (m.type === 'answers') {
      if (failure === null) {
        try {
          for (const a of m.batch) {
            if ('prepared' in a) {
              writer.appendPrepared(a);
              continue;
            }
            const r = a.result;
            writer.observe(
              {
                case: a.case as Parameters<SnapshotWriter['observe']>[0]['case'],
                caseIndex: a.caseIndex,
                repeat: 0,
                seed: a.seed,
                passed: a.passed,
                // The body as the adapter made it: its own text when secrets were blanked out of it, else
                // JSON.parse of the raw text (a BOM is not JSON).
                result: r.ok
                  ? { ok: true, body: JSON.parse(r.bodyText ?? (r.raw.charCodeAt(0) === 0xfeff ? r.raw.slice(1) : r.raw)), raw: r.raw, latencyMs: r.latencyMs }
                  : r,
              },
            );
          }
        } catch (err) {
          failure = (err as Error).message;
        }
      }
      Atomics.add(spooled, 0, m.batch.length);
      send({ type: 'ack', answers: m.batch.length });
      return;
    }
    try {
      if (m.type === 'counts') send({ type: 'reply', id: m.id, counts: writer.counts });
      else if (m.type === 'discard') {
        writer.discard();
        send({ type: 'reply', id: m.id });
      } else if (failure !== null) {
        writer.discard();
        send({ type: 'reply', id: m.id, error: failure });
      } else send({ type: 'reply', id: m.id, written: writer.finish(m.header) });
    } catch (err) {
      send({ type: 'reply', id: m.id, error: (err as Error).message });
    }
  });
}
