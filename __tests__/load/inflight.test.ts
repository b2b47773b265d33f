import { describe, expect, it } from 'vitest';
import { InFlightTable, type TimedFlight } from '../../src/load/transport.js';

/** A flight that notes how it ended, in a shared log. */
function flight(name: string, deadline: number, log: string[]): TimedFlight {
  return {
    deadline,
    tablePrev: null,
    tableNext: null,
    timeout: () => log.push(`timeout ${name}`),
    interrupt: () => log.push(`interrupt ${name}`),
  };
}

describe('in-flight table', () => {
  it('times out, oldest first, only the flights whose deadline passed, each once', () => {
    let now = 0;
    const log: string[] = [];
    const t = new InFlightTable(100, () => now);
    const [a, b, c] = [flight('a', 100, log), flight('b', 110, log), flight('c', 120, log)];
    t.add(a);
    t.add(b);
    t.add(c);
    expect(t.size).toBe(3);
    now = 99;
    t.sweep();
    expect(log).toEqual([]);
    now = 115;
    t.sweep();
    expect(log).toEqual(['timeout a', 'timeout b']);
    expect(t.size).toBe(1);
    now = 1000;
    t.sweep();
    t.sweep();
    expect(log).toEqual(['timeout a', 'timeout b', 'timeout c']);
    expect(t.size).toBe(0);
    t.close();
  });

  it('forgets a flight removed from the head, the middle or the tail, and ignores one it never held', () => {
    let now = 0;
    const log: string[] = [];
    const t = new InFlightTable(100, () => now);
    const fs = ['a', 'b', 'c', 'd', 'e'].map((n, i) => flight(n, 100 + i, log));
    for (const f of fs) t.add(f);
    t.delete(fs[2]); // middle
    t.delete(fs[0]); // head
    t.delete(fs[4]); // tail
    t.delete(fs[4]); // again: no effect
    t.delete(flight('stranger', 0, log)); // never added: no effect
    expect(t.size).toBe(2);
    now = 1000;
    t.sweep();
    expect(log).toEqual(['timeout b', 'timeout d']);
    expect(t.size).toBe(0);
    // a removed flight can be added again (its links were cleared)
    t.add(fs[0]);
    t.sweep();
    expect(log.at(-1)).toBe('timeout a');
    t.close();
  });

  it('cancels every flight still in it, and a flight that removes another while interrupted does no harm', () => {
    const log: string[] = [];
    const t = new InFlightTable(1000, () => 0);
    const a = flight('a', 1000, log);
    const b = flight('b', 1000, log);
    // as the generator's flights do: ending one may touch the table again
    a.interrupt = () => {
      log.push('interrupt a');
      t.delete(b);
    };
    t.add(a);
    t.add(b);
    expect(t.cancelAll()).toBe(2);
    expect(log).toEqual(['interrupt a', 'interrupt b']);
    expect(t.size).toBe(0);
    t.close();
  });
});
