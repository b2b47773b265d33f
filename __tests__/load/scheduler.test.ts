import { describe, expect, it } from 'vitest';
import { constantSchedule } from '../../src/load/schedule.js';
import { OpenModelScheduler } from '../../src/load/scheduler.js';

function run(rate: number, ms: number, maxInFlight: number, holdMs: number, signal = new AbortController().signal) {
  const started: { i: number; intended: number; actual: number }[] = [];
  const dropped: [number, number][] = [];
  const schedule = constantSchedule(rate, ms);
  const s: OpenModelScheduler = new OpenModelScheduler({
    schedule,
    maxInFlight,
    signal,
    hooks: {
      start(i, intended, actual) {
        started.push({ i, intended, actual });
        setTimeout(() => s.release(), holdMs);
      },
      dropped(from, count) {
        dropped.push([from, count]);
      },
    },
  });
  return { s, schedule, started, dropped, done: s.run() };
}

describe('open-model scheduler', () => {
  it('starts every request at or after its intended time, without waiting for earlier ones', async () => {
    const r = run(500, 200, 1000, 30);
    await r.done;
    expect(r.started.map((x) => x.i)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    for (const x of r.started) {
      expect(x.intended).toBeCloseTo(r.schedule.timeOf(x.i), 9);
      expect(x.actual).toBeGreaterThanOrEqual(x.intended);
    }
    // requests held 30 ms each at one every 2 ms: many were in flight at once (an open model)
    expect(r.dropped).toEqual([]);
    expect(r.s.inFlight).toBe(0);
  });

  it('with every slot taken, drops what is due (counted once each) and sends again when a slot frees', async () => {
    const r = run(1000, 300, 2, 20);
    await r.done;
    const droppedCount = r.dropped.reduce((n, [, c]) => n + c, 0);
    expect(r.started.length + droppedCount).toBe(300);
    // each index exactly once, in order, started or dropped
    const seen = new Array(300).fill(0);
    for (const x of r.started) seen[x.i]++;
    for (const [from, count] of r.dropped) for (let i = from; i < from + count; i++) seen[i]++;
    expect(seen.every((n) => n === 1)).toBe(true);
    // slots freed every 20 ms over 300 ms: sending went on after the first two
    expect(r.started.length).toBeGreaterThan(10);
    expect(r.started.length).toBeLessThan(100);
  });

  it('a freed slot goes to the newest request due; the ones that came due while it was taken are dropped, not started late', async () => {
    // A clock of the test's own: one request every 10 ms, one slot, the first request held 55 ms.
    let t = 0;
    const ac = new AbortController();
    const started: { i: number; lag: number }[] = [];
    const dropped: [number, number][] = [];
    const s: OpenModelScheduler = new OpenModelScheduler({
      schedule: constantSchedule(100, 300),
      maxInFlight: 1,
      signal: ac.signal,
      clock: () => t,
      hooks: {
        start(i, intended, actual) {
          started.push({ i, lag: actual - intended });
        },
        dropped(from, count) {
          dropped.push([from, count]);
        },
      },
    });
    const done = s.run();
    expect(started).toEqual([{ i: 0, lag: 0 }]);
    // Its timer wakes the loop just before request 1 is due (at 9.5 ms): the slot is taken, so it parks
    // until a release.
    t = 9.5;
    await new Promise((r) => setTimeout(r, 40));
    expect(dropped).toEqual([]);
    // At 55 ms requests 1-5 are due (10, 20, ..., 50 ms): 5 takes the slot 5 ms late, 1-4 are dropped.
    t = 55;
    s.release(true);
    expect(started.at(-1)).toEqual({ i: 5, lag: 5 });
    expect(dropped).toEqual([[1, 4]]);
    ac.abort();
    s.release();
    await done;
  });

  it('cancellation stops sending; the run ends when the last request in flight ends', async () => {
    const ac = new AbortController();
    const r = run(100, 60_000, 100, 10, ac.signal);
    setTimeout(() => ac.abort(), 100);
    await r.done;
    expect(r.started.length).toBeGreaterThan(0);
    expect(r.started.length).toBeLessThan(100);
    expect(r.s.inFlight).toBe(0);
  });

  it('at saturation, release(true) starts the next due request from release itself; a plain release waits a turn', async () => {
    const started: number[] = [];
    let s!: OpenModelScheduler;
    const done = new Promise<void>((resolve) => {
      s = new OpenModelScheduler({
        schedule: constantSchedule(100_000, 50),
        maxInFlight: 1,
        signal: new AbortController().signal,
        hooks: {
          start(i) {
            started.push(i);
          },
          dropped() {},
        },
      });
      void s.run().then(resolve);
    });
    expect(started.length).toBe(1);
    // the one slot is taken and more are due: release(true) refills it before returning
    s.release(true);
    expect(started.length).toBe(2);
    // a plain release (an error, a timeout) leaves the refill to the next turn
    s.release();
    expect(started.length).toBe(2);
    await new Promise((r) => setImmediate(r));
    expect(started.length).toBe(3);
    // every index once, in order: what was due meanwhile was dropped, never queued
    expect(started).toEqual([...started].sort((a, b) => a - b));
    // let the run end: release whatever is started from now on
    const drain = setInterval(() => {
      while (s.inFlight > 0) s.release();
    }, 5);
    await done;
    clearInterval(drain);
    expect(s.inFlight).toBe(0);
  });

  it('a request that ends while it is being started (release(true) from inside start) does not recurse', async () => {
    let depth = 0;
    let maxDepth = 0;
    let starts = 0;
    const s: OpenModelScheduler = new OpenModelScheduler({
      schedule: constantSchedule(100_000, 30),
      maxInFlight: 1,
      signal: new AbortController().signal,
      hooks: {
        start() {
          starts++;
          depth++;
          maxDepth = Math.max(maxDepth, depth);
          s.release(true); // fails at once, as a refused dispatch would
          depth--;
        },
        dropped() {},
      },
    });
    await s.run();
    expect(starts).toBeGreaterThan(1);
    expect(maxDepth).toBe(1);
    expect(s.inFlight).toBe(0);
  });
});
