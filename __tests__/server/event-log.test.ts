import { describe, expect, it } from 'vitest';
import { EventLog } from '../../src/server/event-log.js';
import { parseLastEventId, sseFrame } from '../../src/server/sse-frame.js';
import type { RunEvent } from '../../src/runner/events.js';

const frame = (seq: number, type: string, pad = 0) => `id: ${seq}\nevent: ${type}\ndata: ${'x'.repeat(pad)}\n\n`;
const idsOf = (chunk: string) => [...chunk.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe('EventLog', () => {
  it('reads frames after a seq, in order, in bounded chunks', () => {
    const log = new EventLog(1_000_000);
    for (let i = 1; i <= 10; i++) log.append(i, 'log', frame(i, 'log'));
    expect(idsOf(log.readAfter(0).chunk)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(idsOf(log.readAfter(7).chunk)).toEqual([8, 9, 10]);
    expect(log.readAfter(10)).toMatchObject({ count: 0, lastSeq: 10, gap: false });
    const size = frame(1, 'log').length;
    const part = log.readAfter(2, size * 3);
    expect(idsOf(part.chunk)).toEqual([3, 4, 5]);
    expect(part.lastSeq).toBe(5);
    // A single frame larger than the chunk size is still returned.
    expect(log.readAfter(0, 1).count).toBe(1);
  });

  it('past its budget drops the oldest frames but keeps status, subsystem and done; readers are told of the gap', () => {
    const log = new EventLog(2000);
    log.append(1, 'status', frame(1, 'status'));
    log.append(2, 'subsystem', frame(2, 'subsystem'));
    for (let i = 3; i <= 200; i++) log.append(i, 'case', frame(i, 'case', 50));
    log.append(201, 'done', frame(201, 'done'));
    const stats = log.stats();
    expect(stats.chars).toBeLessThanOrEqual(2000);
    expect(stats.dropped).toBeGreaterThan(100);
    const all = log.readAfter(0);
    expect(all.gap).toBe(true);
    const ids = idsOf(all.chunk);
    expect(ids.slice(0, 2)).toEqual([1, 2]);
    expect(ids[ids.length - 1]).toBe(201);
    // What is kept after the pinned frames is the newest, contiguous tail.
    const tail = ids.slice(2, -1);
    expect(tail[0]).toBe(log.droppedUpTo + 1);
    for (let i = 1; i < tail.length; i++) expect(tail[i]).toBe(tail[i - 1] + 1);
    expect(log.readAfter(log.droppedUpTo).gap).toBe(false);
    expect(log.hasDone()).toBe(true);
  });

  it('compacts after many drops and still finds frames by seq', () => {
    const log = new EventLog(10_000);
    for (let i = 1; i <= 20_000; i++) log.append(i, i % 1000 === 0 ? 'subsystem' : 'case', frame(i, 'case'));
    const r = log.readAfter(19_990);
    expect(idsOf(r.chunk)).toEqual([19_991, 19_992, 19_993, 19_994, 19_995, 19_996, 19_997, 19_998, 19_999, 20_000]);
    expect(log.stats().frames).toBeLessThan(1000);
    // Pinned frames from long ago are still there.
    expect(idsOf(log.readAfter(0, 200).chunk)[0]).toBe(1000);
  });
});

describe('SSE frames', () => {
  it('one frame per event: the type as event name, the seq as id, the data on one line, no machine path', () => {
    const e: RunEvent = { type: 'log', level: 'info', source: 'sim', message: 'two\nlines\r\nhere', runId: 'r1', seq: 7, time: 't' };
    const f = sseFrame(e, '/tmp/out', 'abc123');
    expect(f).toBe(`id: 7-abc123\nevent: log\ndata: ${JSON.stringify(e)}\n\n`);
    expect(f.split('\n')).toHaveLength(5);
    const done: RunEvent = { type: 'done', verdict: 'FAIL', exitCode: 1, reportDir: '/tmp/out/reports/r1', runId: 'r1', seq: 9, time: 't' };
    expect(JSON.parse(sseFrame(done, '/tmp/out', 'abc123').split('\n')[2].slice(6)).reportDir).toBe('reports/r1');
  });

  it('Last-Event-ID: header first, then the query parameter; anything else is 0', () => {
    expect(parseLastEventId('42', null)).toBe(42);
    expect(parseLastEventId(undefined, '17')).toBe(17);
    expect(parseLastEventId('5', '17')).toBe(5);
    for (const bad of ['', '-1', '1.5', 'abc', '1e3', '99999999999999999999']) expect(parseLastEventId(bad, null), bad).toBe(0);
  });
});
