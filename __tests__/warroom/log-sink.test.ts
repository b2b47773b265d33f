import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EventBus } from '../../src/runner/event-bus.js';
import { SEVERITY_SCORE, type Finding, type Severity } from '../../src/warroom/finding.js';
import { WarroomLogSink, formatWarroomLine, readWarroomLog } from '../../src/warroom/log-sink.js';
import { cleanupTempDirs, collect, spawnTs, tempDir, FIXTURES } from '../store/helpers.js';

afterAll(cleanupTempDirs);

function finding(runId: string, i: number, severity: Severity = 'HIGH'): Finding {
  return { id: `${runId}-${i}`, runId, type: 'sim-case-failed', severity, score: SEVERITY_SCORE[severity], subsystem: 'sim', message: `m${i}\nsecond line`, remediation: 'r', timestamp: '2025-01-01T00:00:00.000Z' };
}

describe('WarroomLogSink', () => {
  it('appends one JSON line per finding, flushed as raised, across runs; keeps its own run\'s lines', async () => {
    const file = path.join(tempDir(), 'out', 'warroom', 'warroom.log');
    const first = new WarroomLogSink(file); // creates the folder
    const bus1 = new EventBus('run-a');
    bus1.add(first);
    bus1.emit({ type: 'warroom', finding: finding('run-a', 1, 'CRITICAL') });
    bus1.emit({ type: 'log', level: 'info', source: 'x', message: 'not a finding' });
    // In the file before the sink is closed.
    expect(fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)).toHaveLength(1);
    await bus1.close();

    const second = new WarroomLogSink(file);
    const bus2 = new EventBus('run-b');
    bus2.add(second);
    bus2.emit({ type: 'warroom', finding: finding('run-b', 1) });
    bus2.emit({ type: 'warroom', finding: finding('run-b', 2, 'INFO') });
    await bus2.close();

    const text = fs.readFileSync(file, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    expect(text.split('\n').filter(Boolean).map((l) => JSON.parse(l).id)).toEqual(['run-a-1', 'run-b-1', 'run-b-2']);
    expect(second.lines()).toEqual([formatWarroomLine(finding('run-b', 1)), formatWarroomLine(finding('run-b', 2, 'INFO'))]);
    expect(first.lines().map((l) => JSON.parse(l))).toEqual([finding('run-a', 1, 'CRITICAL')]);
    expect(readWarroomLog(file, 'run-b').findings.map((f) => f.id)).toEqual(['run-b-1', 'run-b-2']);
    expect(second.writeError()).toBeNull();
  });

  it('a line is the finding exactly, newlines escaped', () => {
    const f = { ...finding('r', 1), caseId: 'c', location: { file: 'sim/a.json', line: 3 } };
    const line = formatWarroomLine(f);
    expect(line).not.toContain('\n');
    expect(JSON.parse(line)).toEqual(f);
  });

  it('readWarroomLog reports a torn or foreign line by number and keeps the rest; a missing file is empty', () => {
    const file = path.join(tempDir(), 'warroom.log');
    expect(readWarroomLog(file)).toEqual({ findings: [], bad: [] });
    fs.writeFileSync(file, `${formatWarroomLine(finding('r', 1))}\n\n{"id": 3}\n${formatWarroomLine(finding('r', 2))}\n{"id":"r-3","sev`);
    const { findings, bad } = readWarroomLog(file);
    expect(findings.map((f) => f.id)).toEqual(['r-1', 'r-2']);
    expect(bad.map((b) => b.line)).toEqual([3, 5]);
  });

  it('a torn last line (a run killed mid-write) is ended before the next run appends, so its findings stay readable', async () => {
    const file = path.join(tempDir(), 'warroom', 'warroom.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${formatWarroomLine(finding('earlier', 1))}\n{"id":"earlier-2","sev`);
    const sink = new WarroomLogSink(file);
    const bus = new EventBus('next');
    bus.add(sink);
    bus.emit({ type: 'warroom', finding: finding('next', 1) });
    await bus.close();
    const { findings, bad } = readWarroomLog(file);
    expect(findings.map((f) => f.id)).toEqual(['earlier-1', 'next-1']);
    expect(bad).toEqual([{ line: 2, text: '{"id":"earlier-2","sev' }]);
    // A whole last line is not followed by an empty one.
    const again = new WarroomLogSink(file);
    again.close();
    expect(fs.readFileSync(file, 'utf8').endsWith('}\n')).toBe(true);
    expect(fs.readFileSync(file, 'utf8')).not.toContain('\n\n');
  });

  it('an output folder that cannot be written is an error when the sink is made, naming the path', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'out'), 'a file where the folder should be');
    expect(() => new WarroomLogSink(path.join(dir, 'out', 'warroom', 'warroom.log'))).toThrow(/out/);
  });

  it('kill -9 right after raising loses no line: every finding is in the file as valid JSON', async () => {
    const file = path.join(tempDir(), 'warroom', 'warroom.log');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, formatWarroomLine(finding('earlier-run', 1)) + '\n');
    const count = 500;
    const r = await collect(spawnTs(path.join(FIXTURES, 'warroom-kill.ts'), [file, 'doomed', String(count)]));
    expect(r.signal).toBe('SIGKILL');
    expect(r.stderr).toBe('');
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines.at(-1)).toBe(''); // ends with a whole line
    const parsed = lines.filter(Boolean).map((l) => JSON.parse(l) as Finding);
    expect(parsed).toHaveLength(count + 1);
    expect(parsed[0].runId).toBe('earlier-run');
    expect(parsed.slice(1).map((f) => f.id)).toEqual(Array.from({ length: count }, (_, i) => `doomed-${i}`));
    expect(parsed[1]).toMatchObject({ severity: 'CRITICAL', score: 100, caseId: 'case-0', location: { file: 'sim/basics.json', line: 1 } });
    expect(parsed[count].message).toBe(`finding ${count - 1}: line one\nline two "quoted" ✓`);
  });
});
