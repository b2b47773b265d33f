import { afterEach, describe, expect, it } from 'vitest';
import type { TestopsServer } from '../../src/server/server.js';
import { postRun, readSse, request, seqs, simProject, stalledClient, startTestServer, waitFor, SseParser, type SseMessage } from './helpers.js';

const EVENT_NAMES = ['log', 'subsystem', 'progress', 'case', 'warroom', 'status', 'done'];

let server: TestopsServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

function expectContiguous(list: number[]): void {
  expect(list.length).toBeGreaterThan(0);
  expect(list[0]).toBe(1);
  for (let i = 1; i < list.length; i++) expect(list[i], `seq after ${list[i - 1]}`).toBe(list[i - 1] + 1);
}

describe('GET /master/stream/{run_id}', () => {
  it('streams every event with its type as the event name and its seq as the id, then closes after done', async () => {
    server = await startTestServer(simProject(12));
    const posted = await postRun(server.url, { latencyMs: 5 });
    expect(posted.status).toBe(202);
    const runId = posted.json.runId;
    const s = await readSse(server.url, posted.json.links.stream);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.headers['cache-control']).toMatch(/no-cache/);
    const ids = seqs(s.messages);
    expectContiguous(ids);
    for (const m of s.messages) {
      expect(EVENT_NAMES).toContain(m.event);
      const data = JSON.parse(m.data);
      expect(data.type).toBe(m.event);
      expect(m.id).toMatch(new RegExp(`^${data.seq}-[0-9a-z]+$`));
      expect(data.runId).toBe(runId);
    }
    const names = new Set(s.messages.map((m) => m.event));
    for (const n of ['log', 'subsystem', 'progress', 'case', 'warroom', 'status', 'done']) expect(names, n).toContain(n);
    const last = s.messages[s.messages.length - 1];
    expect(last.event).toBe('done');
    const done = JSON.parse(last.data);
    expect(done).toMatchObject({ verdict: 'FAIL', exitCode: 1, reportDir: `reports/${runId}` });
    // 6 of 12 cases fail: one case event per case, one HIGH finding per failing case.
    expect(s.messages.filter((m) => m.event === 'case')).toHaveLength(12);
    expect(s.messages.filter((m) => m.event === 'warroom')).toHaveLength(6);
    expect(s.messages.filter((m) => m.event === 'subsystem').map((m) => JSON.parse(m.data).state)).toEqual(['started', 'finished']);
  });

  it('a late subscriber gets the whole history first; Last-Event-ID resumes with exactly what was missed', async () => {
    server = await startTestServer(simProject(10));
    const posted = await postRun(server.url, {});
    const full = await readSse(server.url, posted.json.links.stream);
    const all = seqs(full.messages);
    expectContiguous(all);
    const lastSeq = all[all.length - 1];

    // After the run: the same history again, from the first event.
    const late = await readSse(server.url, posted.json.links.stream);
    expect(late.messages.map((m) => m.data)).toEqual(full.messages.map((m) => m.data));

    // Resume from the middle, by header and by query parameter.
    const mid = Math.floor(lastSeq / 2);
    const resumed = await readSse(server.url, posted.json.links.stream, { 'Last-Event-ID': String(mid) });
    expect(seqs(resumed.messages)).toEqual(all.filter((n) => n > mid));
    expect(resumed.messages[0].data).toBe(full.messages[mid].data);
    const byQuery = await readSse(server.url, `${posted.json.links.stream}?lastEventId=${mid}`);
    expect(seqs(byQuery.messages)).toEqual(all.filter((n) => n > mid));

    // A client that already has `done` gets 204: EventSource stops reconnecting.
    const after = await request(server.url, posted.json.links.stream, { headers: { 'Last-Event-ID': String(lastSeq) } });
    expect(after.status).toBe(204);
  });

  it('resumes a live run: a client that disconnects mid-run and reconnects with Last-Event-ID misses nothing', async () => {
    server = await startTestServer(simProject(40));
    const posted = await postRun(server.url, { latencyMs: 25, concurrency: 2 });
    const stream = posted.json.links.stream as string;
    // First connection: read a few events, then hang up while the run goes on.
    const first = await new Promise<SseMessage[]>((resolve, reject) => {
      const got: SseMessage[] = [];
      let hungUp = false;
      const u = new URL(server!.url);
      import('node:http').then(({ default: http }) => {
        const req = http.get({ host: u.hostname, port: u.port, path: stream, agent: false }, (res) => {
          const parser = new SseParser((m) => {
            // The rest of a chunk already read is not this client's any more: it hung up.
            if (hungUp) return;
            got.push(m);
            if (got.filter((x) => x.event === 'case').length >= 3) {
              hungUp = true;
              req.destroy();
              resolve(got);
            }
          });
          res.setEncoding('utf8');
          res.on('data', (d: string) => parser.push(d));
        });
        req.on('error', (e) => (got.length ? resolve(got) : reject(e)));
      });
    });
    const lastId = first[first.length - 1].id!;
    expect(first.some((m) => m.event === 'done')).toBe(false);
    const rest = await readSse(server.url, stream, { 'Last-Event-ID': lastId });
    const joined = [...seqs(first), ...seqs(rest.messages)];
    expectContiguous(joined);
    expect(rest.messages[rest.messages.length - 1].event).toBe('done');
    expect(rest.messages.filter((m) => m.event === 'case').length + first.filter((m) => m.event === 'case').length).toBe(40);
  });

  it('200 clients on one run all get every event, in order', async () => {
    server = await startTestServer(simProject(30));
    const posted = await postRun(server.url, { latencyMs: 20, concurrency: 2 });
    const stream = posted.json.links.stream as string;
    const clients = await Promise.all(Array.from({ length: 200 }, () => readSse(server!.url, stream)));
    const reference = seqs(clients[0].messages);
    expectContiguous(reference);
    expect(clients[0].messages[clients[0].messages.length - 1].event).toBe('done');
    for (const c of clients) {
      expect(c.status).toBe(200);
      expect(seqs(c.messages)).toEqual(reference);
    }
    expect(server.sseStats().droppedSlow).toBe(0);
  });

  it('sends heartbeat comments while a run is quiet', async () => {
    server = await startTestServer(simProject(2, 0), { sse: { heartbeatMs: 50 } });
    const posted = await postRun(server.url, { latencyMs: 200, concurrency: 1 });
    const s = await readSse(server.url, posted.json.links.stream);
    expect(s.comments.filter((c) => c === 'heartbeat').length).toBeGreaterThan(0);
    expect(s.messages[s.messages.length - 1].event).toBe('done');
  });

  it('a client that stops reading is closed; the run and the other clients go on; it can resume with Last-Event-ID', async () => {
    // 1200 failing cases with 2 KB ids: ~10 MB of events, more than the kernel buffers for a stalled socket.
    server = await startTestServer(simProject(1200, 1, {}, 2000), { sse: { stallMs: 1000, heartbeatMs: 100 }, finishedLogMaxChars: 64 << 20 });
    const posted = await postRun(server.url, { concurrency: 16, latencyMs: 1 });
    const stream = posted.json.links.stream as string;
    const stalled = await stalledClient(server.url, stream);
    const normal = await readSse(server.url, stream);
    // The run finished for the client that reads, with every event.
    const ids = seqs(normal.messages);
    expectContiguous(ids);
    expect(normal.messages[normal.messages.length - 1].event).toBe('done');
    expect(normal.messages.filter((m) => m.event === 'case')).toHaveLength(1200);
    // The stalled one was cut off by the server, short of `done`...
    await waitFor('the stalled client to be dropped', () => server!.sseStats().droppedSlow >= 1);
    const cut = await stalled.resume();
    expect(cut.aborted).toBe(true);
    const got = seqs(cut.messages);
    expect(cut.messages.some((m) => m.event === 'done')).toBe(false);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(ids.length);
    expect(got).toEqual(ids.slice(0, got.length));
    // ...and resuming from the last event it has gives it the rest, through `done`.
    const lastGood = got[got.length - 1];
    const rest = await readSse(server.url, stream, { 'Last-Event-ID': String(lastGood) });
    expect(seqs(rest.messages)).toEqual(ids.slice(got.length));
    expect(rest.messages[rest.messages.length - 1].event).toBe('done');
  });

  it('memory is bounded: past its budget a run keeps its newest events and its shape; an older resume is told what is gone', async () => {
    server = await startTestServer(simProject(30), { finishedLogMaxChars: 8_000 });
    const posted = await postRun(server.url, { runId: 'small-log' });
    const live = await readSse(server.url, posted.json.links.stream);
    expectContiguous(seqs(live.messages));
    expect(live.messages.at(-1)!.event).toBe('done');
    // Once finished, the run's log shrinks to the finished budget.
    await waitFor('the run to settle', async () => (await request(server!.url, posted.json.links.status)).json.settled);
    const late = await readSse(server.url, posted.json.links.stream);
    expect(late.comments.some((c) => /no longer kept in memory/.test(c) && c.includes('/master/runs/small-log/warroom'))).toBe(true);
    const kept = late.messages.map((m) => m.event);
    expect(kept[0]).toBe('status');
    expect(kept).toContain('subsystem');
    expect(kept.at(-1)).toBe('done');
    expect(late.messages.length).toBeLessThan(live.messages.length);
    // What is kept besides status/subsystem is the newest, contiguous tail, identical to the live copy.
    const byId = new Map(live.messages.map((m) => [m.id, m.data]));
    for (const m of late.messages) expect(m.data).toBe(byId.get(m.id));
    const droppedUpTo = Number(/events up to (\d+)/.exec(late.comments.join(' '))![1]);
    const lastSeq = Number.parseInt(live.messages.at(-1)!.id!, 10);
    expect(seqs(late.messages).filter((n) => n > droppedUpTo)).toEqual(Array.from({ length: lastSeq - droppedUpTo }, (_, i) => droppedUpTo + 1 + i));
    expect(late.messages.filter((m) => Number.parseInt(m.id!, 10) <= droppedUpTo).every((m) => m.event === 'status' || m.event === 'subsystem')).toBe(true);
    // Every finding is still in SQLite.
    expect((await request(server.url, '/master/runs/small-log/warroom')).json.total).toBe(15);
  });

  it('streams a run known only from the history database: its findings with their ids, then done', async () => {
    const dir = simProject(6);
    server = await startTestServer(dir);
    const posted = await postRun(server.url, {});
    const live = await readSse(server.url, posted.json.links.stream);
    await waitFor('the run to settle', async () => (await request(server!.url, posted.json.links.status)).json.settled);
    await server.close();
    server = await startTestServer(dir); // a new process would see only SQLite
    const stored = await readSse(server.url, posted.json.links.stream);
    expect(stored.status).toBe(200);
    const liveFindings = live.messages.filter((m) => m.event === 'warroom');
    const storedFindings = stored.messages.filter((m) => m.event === 'warroom');
    expect(storedFindings.map((m) => m.id)).toEqual(liveFindings.map((m) => m.id));
    expect(storedFindings.map((m) => JSON.parse(m.data).finding.id)).toEqual(liveFindings.map((m) => JSON.parse(m.data).finding.id));
    const done = stored.messages[stored.messages.length - 1];
    expect(done.event).toBe('done');
    expect(JSON.parse(done.data).verdict).toBe('FAIL');
    expect(JSON.parse(done.data).exitCode).toBe(1); // from the run's result.json
    const again = await request(server.url, posted.json.links.stream, { headers: { 'Last-Event-ID': done.id! } });
    expect(again.status).toBe(204);
  });

  it('a client that missed done resumes after a restart and still gets the outcome (its last id is past every stored finding)', async () => {
    const dir = simProject(6);
    server = await startTestServer(dir);
    const posted = await postRun(server.url, { runId: 'resume-stored' });
    const live = await readSse(server.url, posted.json.links.stream);
    await waitFor('the run to settle', async () => (await request(server!.url, posted.json.links.status)).json.settled);
    const lastFinding = Math.max(...seqs(live.messages.filter((m) => m.event === 'warroom')));
    const done = live.messages.at(-1)!;
    expect(done.event).toBe('done');
    // The client saw everything up to an event after the last finding, then the connection broke.
    const seen = Number.parseInt(done.id!, 10) - 1;
    expect(seen).toBeGreaterThan(lastFinding);
    await server.close();
    server = await startTestServer(dir);
    const resumed = await readSse(server.url, posted.json.links.stream, { 'Last-Event-ID': String(seen) });
    expect(resumed.status).toBe(200);
    expect(resumed.messages.filter((m) => m.event === 'warroom')).toEqual([]);
    const storedDone = resumed.messages.at(-1)!;
    expect(storedDone.event).toBe('done');
    expect(JSON.parse(storedDone.data).verdict).toBe('FAIL');
    // Having it, the client is told there is nothing more (EventSource stops reconnecting)...
    expect((await request(server.url, posted.json.links.stream, { headers: { 'Last-Event-ID': storedDone.id! } })).status).toBe(204);
    // ...and a client that had the live done gets the outcome once more at most, then 204.
    const again = await readSse(server.url, posted.json.links.stream, { 'Last-Event-ID': done.id! });
    expect(again.messages.map((m) => m.event)).toEqual(['done']);
    expect((await request(server.url, posted.json.links.stream, { headers: { 'Last-Event-ID': again.messages[0].id! } })).status).toBe(204);
  });

  it('a run streamed from the history is bounded like a live one: it counts against the stream cap, and a client that stops reading is dropped', async () => {
    // 600 failing cases with 4 KB ids: ~5 MB of stored findings, more than the kernel buffers for a stalled socket.
    const dir = simProject(600, 1, {}, 4000);
    server = await startTestServer(dir);
    const posted = await postRun(server.url, { runId: 'stored-big', concurrency: 16 });
    await waitFor('the run to settle', async () => (await request(server!.url, posted.json.links.status)).json.settled, 50_000);
    await server.close();
    server = await startTestServer(dir, { maxSseClients: 1, sse: { stallMs: 500, heartbeatMs: 50 } });
    const stream = posted.json.links.stream as string;
    const stalled = await stalledClient(server.url, stream);
    // Before the fix every such client got the whole stream buffered in the server, uncounted and kept forever.
    expect((await request(server.url, stream)).status).toBe(503);
    await waitFor('the stalled client to be dropped', () => server!.sseStats().droppedSlow >= 1);
    const cut = await stalled.resume();
    expect(cut.aborted).toBe(true);
    expect(cut.messages.some((m) => m.event === 'done')).toBe(false);
    const full = await readSse(server.url, stream);
    expect(full.status).toBe(200);
    const findings = full.messages.filter((m) => m.event === 'warroom');
    expect(findings.length).toBeGreaterThanOrEqual(600);
    expect(full.messages.at(-1)!.event).toBe('done');
    // The dropped client resumes from its last id and gets exactly the rest.
    const got = seqs(cut.messages);
    const rest = await readSse(server.url, stream, { 'Last-Event-ID': String(got.at(-1)) });
    expect(seqs(rest.messages.filter((m) => m.event === 'warroom'))).toEqual(seqs(findings).filter((n) => n > got.at(-1)!));
    expect(rest.messages.at(-1)!.event).toBe('done');
    expect(server.sseStats().clients).toBe(0);
  }, 60_000);

  it('a stalled client of a run that leaves memory is closed, not left holding a stream slot forever', async () => {
    // ~10 MB of events: the stalled client's socket is full when the run is forgotten.
    server = await startTestServer(simProject(1200, 1, {}, 2000), { keepFinished: 1, maxSseClients: 1, finishedLogMaxChars: 64 << 20 });
    const a = await postRun(server.url, { runId: 'evicted', concurrency: 16, latencyMs: 1 });
    await waitFor('run evicted to settle', async () => (await request(server!.url, a.json.links.status)).json.settled, 50_000);
    const stalled = await stalledClient(server.url, a.json.links.stream);
    await waitFor('the stalled client to be attached', () => server!.sseStats().clients === 1);
    // The next finished run pushes the first one out of memory (keepFinished: 1).
    const b = await postRun(server.url, { runId: 'next', stages: ['sim'] });
    await waitFor('run next to settle', async () => (await request(server!.url, b.json.links.status)).json.settled, 50_000);
    expect(server.manager.get('evicted')).toBeUndefined();
    // Its slot is free again: the one stream allowed is available.
    const next = await readSse(server.url, b.json.links.stream);
    expect(next.status).toBe(200);
    expect(next.messages.at(-1)!.event).toBe('done');
    const cut = await stalled.resume();
    expect(cut.messages.some((m) => m.event === 'done')).toBe(false);
  }, 60_000);

  it('a run id reused over the API: a client of the replaced run that resumes is told so and gets the new run from its start, live and from the history', async () => {
    const dir = simProject(8);
    server = await startTestServer(dir, { keepFinished: 5 });
    const first = await postRun(server.url, { runId: 'reused', latencyMs: 2 });
    const stream = first.json.links.stream as string;
    const old = await readSse(server.url, stream);
    await waitFor('the first run to settle', async () => (await request(server!.url, stream.replace('/stream/', '/status/'))).json.settled);
    const oldDone = old.messages.at(-1)!;
    expect(oldDone.event).toBe('done');
    // A client of the first instance saw up to the middle (or all of it), then lost its connection.
    const mid = old.messages[Math.floor(old.messages.length / 2)].id!;
    // The same run id is started again (a re-run of the same commit): the first run is replaced.
    const second = await postRun(server.url, { runId: 'reused', latencyMs: 2 });
    expect(second.status).toBe(202);
    const now = await readSse(server.url, stream);
    await waitFor('the second run to settle', async () => (await request(server!.url, stream.replace('/stream/', '/status/'))).json.settled);
    const newIds = now.messages.map((m) => m.id);
    expect(newIds.some((id) => old.messages.some((m) => m.id === id)), 'the instances share no event id').toBe(false);

    for (const seen of [mid, oldDone.id!]) {
      const resumed = await readSse(server.url, stream, { 'Last-Event-ID': seen });
      // Not a 204 ("you have it all"), not the new run's events after the old seq: a note, then the new run whole.
      expect(resumed.status, seen).toBe(200);
      expect(resumed.messages[0]).toMatchObject({ event: 'replaced', id: null });
      expect(JSON.parse(resumed.messages[0].data).runId).toBe('reused');
      expect(resumed.messages.slice(1).map((m) => m.data)).toEqual(now.messages.map((m) => m.data));
    }
    // A client of the current instance resumes as before, by its id or by a plain number.
    const nowMid = now.messages[3].id!;
    const same = await readSse(server.url, stream, { 'Last-Event-ID': nowMid });
    expect(same.messages.map((m) => m.id)).toEqual(newIds.slice(4));
    const byHand = await readSse(server.url, `${stream}?lastEventId=${Number.parseInt(nowMid, 10)}`);
    expect(byHand.messages.map((m) => m.id)).toEqual(newIds.slice(4));
    expect((await request(server.url, stream, { headers: { 'Last-Event-ID': now.messages.at(-1)!.id! } })).status).toBe(204);

    // The run leaves memory (a restart): its ids are still its own, the old instance's are still not.
    await server.close();
    server = await startTestServer(dir);
    const stored = await readSse(server.url, stream);
    const storedFindings = stored.messages.filter((m) => m.event === 'warroom');
    expect(storedFindings.map((m) => m.id)).toEqual(now.messages.filter((m) => m.event === 'warroom').map((m) => m.id));
    const fromLive = await readSse(server.url, stream, { 'Last-Event-ID': storedFindings[0].id! });
    expect(fromLive.messages.map((m) => m.event)).not.toContain('replaced');
    expect(fromLive.messages.map((m) => m.id)).toEqual(stored.messages.slice(1).map((m) => m.id));
    expect((await request(server.url, stream, { headers: { 'Last-Event-ID': stored.messages.at(-1)!.id! } })).status).toBe(204);
    const fromOld = await readSse(server.url, stream, { 'Last-Event-ID': oldDone.id! });
    expect(fromOld.status).toBe(200);
    expect(fromOld.messages[0].event).toBe('replaced');
    expect(fromOld.messages.slice(1).map((m) => m.data)).toEqual(stored.messages.map((m) => m.data));
  }, 60_000);

  it('unknown and invalid run ids: 404 and 400', async () => {
    server = await startTestServer(simProject(1));
    expect((await request(server.url, '/master/stream/no-such-run')).status).toBe(404);
    expect((await request(server.url, '/master/stream/..%2F..%2Fetc')).status).toBe(400);
  });
});
