import { describe, expect, it } from 'vitest';
import { warroomTable } from '../../src/warroom/console-table.js';
import { SEVERITY_SCORE, type Finding, type Severity } from '../../src/warroom/finding.js';

let n = 0;
function f(severity: Severity, subsystem: string, message: string, location?: { file: string; line: number }): Finding {
  n++;
  return { id: `f${n}`, runId: 'r', type: 't', severity, score: SEVERITY_SCORE[severity], subsystem, message, remediation: 'x', timestamp: 't', ...(location ? { location } : {}) };
}

describe('warroomTable', () => {
  it('no findings: one line', () => {
    expect(warroomTable([])).toBe('WAR ROOM: no findings');
  });

  it('groups by severity, CRITICAL first, keeping the order raised within a group, with counts and aligned columns', () => {
    const table = warroomTable(
      [
        f('LOW', 'sim', 'warn-level assertion failed', { file: 'sim/basics.json', line: 40 }),
        f('HIGH', 'sim', 'case greets failed: expected "hello"', { file: 'sim/basics.json', line: 12 }),
        f('CRITICAL', 'engine', 'engine unreachable: connection refused'),
        f('HIGH', 'sim', 'case maths errored: timeout', { file: 'sim/nested/escalation.json', line: 7 }),
      ],
      { width: 100 },
    );
    expect(table).toBe(
      [
        'WAR ROOM: 4 findings (1 CRITICAL · 2 HIGH · 0 MEDIUM · 1 LOW · 0 INFO)',
        'CRITICAL (1)',
        '  engine     -                             engine unreachable: connection refused',
        'HIGH (2)',
        '  sim        sim/basics.json:12            case greets failed: expected "hello"',
        '  sim        sim/nested/escalation.json:7  case maths errored: timeout',
        'LOW (1)',
        '  sim        sim/basics.json:40            warn-level assertion failed',
      ].join('\n'),
    );
  });

  it('cuts long messages to the width (…), keeps the end of long locations, and flattens newlines', () => {
    const long = 'x'.repeat(300);
    const table = warroomTable([f('HIGH', 'a-very-long-subsystem-name', `first\nsecond ${long}`, { file: `deep/${'folder/'.repeat(10)}cases.json`, line: 123 })], { width: 80 });
    const row = table.split('\n')[2];
    expect([...row].length).toBe(80);
    expect(row).toMatch(/^ {2}a-very-long… {2}…/);
    expect(row).toContain('cases.json:123');
    expect(row).toContain('first second xxx');
    expect(row.endsWith('x…')).toBe(true);
  });

  it('shows at most maxRows rows, most severe first, and counts the rest per severity', () => {
    const findings = [
      ...Array.from({ length: 3 }, (_, i) => f('MEDIUM', 'sim', `medium ${i}`)),
      ...Array.from({ length: 2 }, (_, i) => f('CRITICAL', 'engine', `critical ${i}`)),
      f('INFO', 'sim', 'info'),
    ];
    const lines = warroomTable(findings, { maxRows: 3 }).split('\n');
    expect(lines[0]).toBe('WAR ROOM: 6 findings (2 CRITICAL · 0 HIGH · 3 MEDIUM · 0 LOW · 1 INFO)');
    expect(lines.filter((l) => /critical \d|medium \d|info$/.test(l)).map((l) => l.trim().split(/\s{2,}/).at(-1))).toEqual(['critical 0', 'critical 1', 'medium 0']);
    expect(lines).toContain('  … 2 more MEDIUM (all in report.json and warroom/warroom.log)');
    expect(lines).toContain('  … 1 more INFO (all in report.json and warroom/warroom.log)');
    // compare's own findings live in its comparison files: the "more" line says so.
    expect(warroomTable(findings, { maxRows: 3, allIn: 'comparison.json and comparison.md' }).split('\n')).toContain(
      '  … 2 more MEDIUM (all in comparison.json and comparison.md)',
    );
  });

  it('a narrow width still leaves room for the message', () => {
    const row = warroomTable([f('HIGH', 'sim', 'the message text here is long enough', { file: 'sim/basics.json', line: 1 })], { width: 10 }).split('\n')[2];
    expect(row).toContain('the messag');
  });
});
