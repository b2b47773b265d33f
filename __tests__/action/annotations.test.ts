import { describe, expect, it } from 'vitest';
import {
  planCheckAnnotations,
  planWorkflowAnnotations,
  repoPath,
  toAnnotation,
  toCheckAnnotation,
  workflowCommandLines,
} from '../../src/github/annotations.js';
import { annotationCommand, escapeData, escapeProperty, neutralise } from '../../src/github/commands.js';
import { SEVERITY_SCORE, type Finding, type Severity } from '../../src/warroom/finding.js';
import { parseCommands } from '../helpers/action.js';
import { runnerCommands } from '../helpers/runner-commands.js';
import { ActionLog } from '../../src/action/log.js';

let n = 0;
function finding(severity: Severity, file?: string, line = 1, extra: Partial<Finding> = {}): Finding {
  n++;
  return {
    id: `f${n}`,
    runId: 'r',
    type: 'sim-case-failed',
    severity,
    score: SEVERITY_SCORE[severity],
    subsystem: 'sim',
    message: `finding ${n}`,
    remediation: 'fix it',
    caseId: `c${n}`,
    ...(file ? { location: { file, line } } : {}),
    timestamp: '2024-01-01T00:00:00Z',
    ...extra,
  };
}

const place = (f: string) => repoPath(f, '/ws', '/ws');
const room = { error: 10, warning: 10, notice: 10 };

describe('workflow commands', () => {
  it('escapes data and properties as the runner reads them', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    const line = annotationCommand('error', 'multi\nline: 100%', { title: 'HIGH: x, y', file: 'sim/a b.json', line: 7 });
    expect(line).toBe('::error title=HIGH%3A x%2C y,file=sim/a b.json,line=7::multi%0Aline: 100%25');
    expect(parseCommands(line)).toEqual([{ command: 'error', props: { title: 'HIGH: x, y', file: 'sim/a b.json', line: '7' }, message: 'multi\nline: 100%' }]);
  });

  it('debug lines (RUNNER_DEBUG) are escaped like any command: a lone CR in a server\'s message cannot start a line of its own', () => {
    let out = '';
    const log = new ActionLog((s) => (out += s), true);
    log.debug('changed files not available (HTTP 500: boom\r::error::forged\rsaid 100%0A)');
    const read = runnerCommands(out);
    expect(read.map((c) => c.command)).toEqual(['debug']);
    expect(parseCommands(out)[0].message).toBe('changed files not available (HTTP 500: boom\r::error::forged\rsaid 100%0A)');
  });

  it('neutralises lines of engine output that would be workflow commands', () => {
    expect(neutralise('ok\n::add-mask::secret\n  ::error::x')).toBe('ok\n\u200b::add-mask::secret\n  \u200b::error::x');
    expect(parseCommands(neutralise('::warning::boom'))).toEqual([]);
  });
});

describe('annotation plan', () => {
  it('maps findings onto repository paths (working directory inside the workspace), and drops outside ones', () => {
    expect(repoPath('sim/a.json', '/ws/engine', '/ws')).toBe('engine/sim/a.json');
    expect(repoPath('../../etc/passwd', '/ws/engine', '/ws')).toBeUndefined();
    expect(repoPath('/abs/a.json', '/ws', '/ws')).toBeUndefined();
    expect(repoPath('C:/a.json', '/ws', '/ws')).toBeUndefined();
  });

  it('most severe first, files the PR changed first, then file and line; levels error/warning/notice', () => {
    const fs = [
      finding('LOW', 'sim/z.json', 1),
      finding('HIGH', 'sim/b.json', 9),
      finding('MEDIUM', 'sim/a.json', 3),
      finding('HIGH', 'sim/changed.json', 20),
      finding('CRITICAL'),
      finding('HIGH', 'sim/b.json', 2),
    ];
    const plan = planWorkflowAnnotations(fs, { place, changedFiles: new Set(['sim/changed.json']), maxTotal: 50, room });
    expect(plan.items.map((a) => `${a.severity} ${a.file ?? '-'}:${a.line ?? ''}`)).toEqual([
      'CRITICAL -:',
      'HIGH sim/changed.json:20',
      'HIGH sim/b.json:2',
      'HIGH sim/b.json:9',
      'MEDIUM sim/a.json:3',
      'LOW sim/z.json:1',
    ]);
    expect(plan.items.map((a) => a.level)).toEqual(['error', 'error', 'error', 'error', 'warning', 'notice']);
    expect(plan.overflow).toBe(0);
    expect(plan.overflowNotice).toBeNull();
  });

  it('at most 10 per level, and one notice saying how many more are in the summary', () => {
    const fs = [
      ...Array.from({ length: 14 }, (_, i) => finding('HIGH', 'sim/h.json', i + 1)),
      ...Array.from({ length: 12 }, (_, i) => finding('MEDIUM', 'sim/m.json', i + 1)),
      ...Array.from({ length: 12 }, (_, i) => finding('INFO', 'sim/i.json', i + 1)),
    ];
    const plan = planWorkflowAnnotations(fs, { place, changedFiles: new Set(), maxTotal: 50, room });
    const lines = workflowCommandLines(plan);
    const parsed = parseCommands(lines.join('\n'));
    const count = (c: string) => parsed.filter((p) => p.command === c).length;
    expect(count('error')).toBe(10);
    expect(count('warning')).toBe(10);
    expect(count('notice')).toBe(10); // 9 findings + the "more" notice
    expect(plan.overflow).toBe(4 + 2 + 3);
    expect(parsed.at(-1)!.message).toMatch(/^9 more WAR ROOM findings are not shown as annotations \(29 shown/);
    expect(parsed[0].props).toMatchObject({ file: 'sim/h.json', line: '1', title: 'toron-testops HIGH: sim-case-failed' });
    expect(parsed[0].message).toContain('\nFix: fix it');
  });

  it('takes only the room the action left per level, and max-annotations in total (0: none, no notice)', () => {
    const fs = Array.from({ length: 6 }, (_, i) => finding('HIGH', 'sim/h.json', i + 1));
    const tight = planWorkflowAnnotations(fs, { place, changedFiles: new Set(), maxTotal: 50, room: { error: 3, warning: 10, notice: 10 } });
    expect(tight.items).toHaveLength(3);
    expect(tight.overflowNotice).toMatch(/^3 more .*\(3 shown; the platform keeps 10 per level\)/);
    const capped = planWorkflowAnnotations(fs, { place, changedFiles: new Set(), maxTotal: 4, room });
    expect(capped.items).toHaveLength(3); // one of the 4 is the notice
    // The input held them back, not the platform: the notice names it.
    expect(capped.overflowNotice).toMatch(/^3 more .*\(3 shown; max-annotations is 4\)/);
    expect(workflowCommandLines(capped)).toHaveLength(4);
    const none = planWorkflowAnnotations(fs, { place, changedFiles: new Set(), maxTotal: 0, room });
    expect(workflowCommandLines(none)).toEqual([]);
    expect(none.overflow).toBe(6);
  });

  it('the same finding twice (repeats) is one annotation', () => {
    const a = finding('HIGH', 'sim/a.json', 3);
    const plan = planWorkflowAnnotations([a, { ...a, id: 'other' }], { place, changedFiles: new Set(), maxTotal: 50, room });
    expect(plan.items).toHaveLength(1);
  });

  it('check runs: only located findings become annotations; levels failure/warning/notice; the rest count as overflow', () => {
    const fs = [finding('CRITICAL'), finding('HIGH', 'sim/a.json', 2), finding('MEDIUM', 'sim/a.json', 5), finding('INFO', 'sim/b.json', 1)];
    const plan = planCheckAnnotations(fs, { place, changedFiles: new Set(), maxTotal: 2 });
    expect(plan.items.map(toCheckAnnotation)).toEqual([
      expect.objectContaining({ path: 'sim/a.json', start_line: 2, end_line: 2, annotation_level: 'failure' }),
      expect.objectContaining({ path: 'sim/a.json', start_line: 5, annotation_level: 'warning' }),
    ]);
    expect(plan.overflow).toBe(2);
  });

  it('a long message is cut at a character, never between the halves of an emoji', () => {
    const f = finding('HIGH', undefined, 1, { message: `${'x'.repeat(3998)}😀😀`, remediation: '' });
    const message = toAnnotation(f, place).message;
    expect(message.length).toBeLessThanOrEqual(4000);
    expect(message).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
    expect(message).toBe(`${'x'.repeat(3998)}…`);
  });
});
