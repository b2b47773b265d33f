import { describe, expect, it } from 'vitest';
import { constantSchedule, rampingSchedule, scheduleFromSettings, type ArrivalSchedule } from '../../src/load/schedule.js';
import { resolveSettings } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';
import { makeProject } from '../helpers/cli.js';

/** The largest double below t (t > 0). */
function justBelow(t: number): number {
  const f = new Float64Array([t]);
  const bits = new BigInt64Array(f.buffer);
  bits[0] -= 1n;
  return f[0];
}

/** Every request's due time agrees with dueBy: due at its time, not a hair before. */
function checkConsistent(s: ArrivalSchedule): void {
  let prev = -Infinity;
  for (let i = 0; i < s.total; i++) {
    const t = s.timeOf(i);
    expect(t).toBeGreaterThanOrEqual(prev);
    expect(t).toBeLessThan(s.durationMs);
    expect(s.dueBy(t)).toBeGreaterThanOrEqual(i + 1);
    // Exactly the requests whose time has come: not one a hair early (the scheduler would start it
    // before its own intended time), none left out.
    if (t > 0 && t > prev) expect(s.dueBy(justBelow(t))).toBe(i);
    if (i + 1 < s.total && s.timeOf(i + 1) > t) expect(s.dueBy(t)).toBe(i + 1);
    prev = t;
  }
  expect(s.dueBy(s.durationMs)).toBe(s.total);
  expect(s.dueBy(-1)).toBe(0);
}

describe('arrival schedules', () => {
  it('constant rate: request i at i / rate, rate x duration requests', () => {
    const s = constantSchedule(50, 10_000);
    expect(s.executor).toBe('constant-arrival-rate');
    expect(s.total).toBe(500);
    expect(s.timeOf(0)).toBe(0);
    expect(s.timeOf(1)).toBeCloseTo(20, 9);
    expect(s.timeOf(499)).toBeCloseTo(9980, 6);
    expect(s.dueBy(0)).toBe(1);
    expect(s.dueBy(19.999)).toBe(1);
    expect(s.dueBy(20)).toBe(2);
    expect(s.dueBy(1000)).toBe(51);
    expect(s.rateAt(5000)).toBeCloseTo(50, 9);
    checkConsistent(s);
  });

  it('a time a hair before a request is due does not count it (float rounding of the integral)', () => {
    // 500/s: request 96 is due at exactly 192 ms; the integral at the double just below is
    // 95.99999999999997, which the float tolerance alone would round up to 96 arrivals.
    const s = constantSchedule(500, 200);
    expect(s.timeOf(96)).toBe(192);
    expect(s.dueBy(191.99999999999994)).toBe(96);
    expect(s.dueBy(192)).toBe(97);
    checkConsistent(s);
    checkConsistent(constantSchedule(333, 3000));
    checkConsistent(constantSchedule(7, 10_000));
    checkConsistent(rampingSchedule(3, [{ durationMs: 1500, target: 700 }, { durationMs: 700, target: 1 }]));
  });

  it('a fractional count rounds up: 2.5 arrivals due before the end are 3 requests', () => {
    const s = constantSchedule(5, 500);
    expect(s.total).toBe(3);
    expect(s.timeOf(2)).toBeCloseTo(400, 9);
    checkConsistent(s);
  });

  it('ramp 0 -> 10/s over 10 s sends 50 requests, denser at the end (k6 ramping-arrival-rate)', () => {
    const s = rampingSchedule(0, [{ durationMs: 10_000, target: 10 }]);
    expect(s.executor).toBe('ramping-arrival-rate');
    expect(s.total).toBe(50);
    // the rate is t/s, so t²/2 arrivals by t (in s): request i at sqrt(2i) s
    expect(s.timeOf(5)).toBeCloseTo(Math.sqrt(10) * 1000, 6);
    expect(s.timeOf(45)).toBeCloseTo(Math.sqrt(90) * 1000, 6);
    expect(s.rateAt(5000)).toBeCloseTo(5, 9);
    checkConsistent(s);
  });

  it('ramp down, hold, zero-length jump and a pause at rate 0', () => {
    const s = rampingSchedule(20, [
      { durationMs: 2000, target: 0 }, // 20 arrivals
      { durationMs: 1000, target: 0 }, // pause
      { durationMs: 0, target: 30 }, // jump
      { durationMs: 1000, target: 30 }, // 30 arrivals
    ]);
    expect(s.durationMs).toBe(4000);
    expect(s.total).toBe(50);
    // nothing is due during the pause
    expect(s.dueBy(2500)).toBe(s.dueBy(2999));
    // request 20 is due when the ramp down ends; the next one a thirtieth of a second after the jump
    expect(s.timeOf(20)).toBeCloseTo(2000, 6);
    const afterPause = s.dueBy(2999);
    expect(afterPause).toBe(21);
    expect(s.timeOf(afterPause)).toBeCloseTo(3000 + 1000 / 30, 6);
    checkConsistent(s);
  });

  it('startRate: the first stage ramps from it', () => {
    const s = rampingSchedule(10, [{ durationMs: 2000, target: 10 }]);
    expect(s.total).toBe(20);
    expect(s.timeOf(1)).toBeCloseTo(100, 6);
  });

  it('settings: constant from rate/duration, ramps from stages, nonsense as InputError with a pointer', () => {
    expect(scheduleFromSettings({ rate: 10, duration: '1s', stages: [] }).total).toBe(10);
    const r = scheduleFromSettings({ rate: 10, duration: '1s', stages: [{ duration: '2s', target: 4 }], startRate: 0 });
    expect(r.executor).toBe('ramping-arrival-rate');
    expect(r.total).toBe(4);
    try {
      scheduleFromSettings({ rate: 10, duration: '1s', stages: [{ duration: '2s', target: 0 }] });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(InputError);
      expect((err as InputError).pointer).toBe('/load/stages');
    }
    expect(() => scheduleFromSettings({ rate: 0, duration: '1s', stages: [] })).toThrow(/load.rate/);
  });

  it('a plan that sends nothing is refused with the settings, naming the file and line, before any stage runs', () => {
    const dir = makeProject({ 'testops.config.json': '{\n  "load": {\n    "stages": [\n      { "duration": "1s", "target": 0 }\n    ]\n  }\n}\n' });
    expect(() => resolveSettings({ cwd: dir, flags: {}, env: {} })).toThrow(/testops\.config\.json:3 at \/load\/stages: load\.stages send no request/);
    expect(resolveSettings({ cwd: makeProject({ 'testops.config.json': { load: { stages: [{ duration: '1s', target: 0 }, { duration: '1s', target: 3 }] } } }), flags: {}, env: {} }).load.stages).toHaveLength(2);
  });
});
