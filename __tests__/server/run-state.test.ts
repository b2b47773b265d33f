import { describe, expect, it } from 'vitest';
import type { RunEvent } from '../../src/runner/events.js';
import { applyEvent, newLiveState } from '../../src/server/run-state.js';

let seq = 0;
const caseEvent = (stage: 'sim' | 'replay', caseId: string, repeat: number, passed: boolean): RunEvent =>
  ({ type: 'case', stage, caseId, dataset: 'd', repeat, passed, latencyMs: 1, runId: 'r', seq: ++seq, time: '2026-01-01T00:00:00.000Z' }) as RunEvent;

describe('live run state', () => {
  it('counts SIM cases as report.json does: a failed repeat fails its case; replay case events are no SIM cases', () => {
    const s = newLiveState('r', new Date());
    for (const e of [
      caseEvent('sim', 'a', 0, true),
      caseEvent('sim', 'a', 1, true),
      caseEvent('sim', 'b', 0, true),
      caseEvent('sim', 'b', 1, false), // b's second attempt fails: b is failed (flaky), not passed
      caseEvent('sim', 'b', 2, true),
      caseEvent('sim', 'c', 0, false),
      caseEvent('sim', 'c', 1, true),
      caseEvent('replay', 'a', 0, false),
      caseEvent('replay', 'c', 0, true),
    ]) {
      applyEvent(s, e);
    }
    expect(s.cases).toEqual({ passed: 1, failed: 2 });
    // The state stays plain data: what the status route serialises.
    expect(JSON.parse(JSON.stringify(s)).cases).toEqual({ passed: 1, failed: 2 });
  });
});
