import type { Finding, Severity } from './finding.js';

const ORDER: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const SUBSYSTEM_MAX = 12;
const LOCATION_MAX = 36;
const MESSAGE_MIN = 16;

export interface WarroomTableOptions {
  /** Total line width (default 100, at least 40). */
  width?: number;
  /** Finding rows shown in all, most severe first (default 30); the rest are counted. */
  maxRows?: number;
  /** Where every finding is, for the "more" lines (default: a run's report.json and warroom.log). */
  allIn?: string;
}

/**
 * The end-of-run WAR ROOM table: counts per severity, then the findings grouped by severity (CRITICAL
 * first, in the order raised) with subsystem, file:line and the message cut to the line width.
 */
export function warroomTable(findings: Finding[], opts: WarroomTableOptions = {}): string {
  if (findings.length === 0) return 'WAR ROOM: no findings';
  const width = Math.max(40, Math.floor(opts.width ?? 100));
  let budget = Math.max(0, Math.floor(opts.maxRows ?? 30));

  const groups = new Map<Severity, Finding[]>(ORDER.map((s) => [s, []]));
  for (const f of findings) (groups.get(f.severity) ?? groups.get('INFO')!).push(f);

  const counts = ORDER.map((s) => `${groups.get(s)!.length} ${s}`).join(' · ');
  const lines = [`WAR ROOM: ${findings.length} finding${findings.length === 1 ? '' : 's'} (${counts})`];

  const loc = (f: Finding) => (f.location ? `${f.location.file}:${f.location.line}` : '-');
  const subW = Math.min(SUBSYSTEM_MAX, Math.max(9, ...findings.map((f) => len(f.subsystem))));
  const locW = Math.min(LOCATION_MAX, Math.max(8, ...findings.map((f) => len(loc(f)))));
  const msgW = Math.max(MESSAGE_MIN, width - 2 - subW - 2 - locW - 2);

  for (const severity of ORDER) {
    const group = groups.get(severity)!;
    if (group.length === 0) continue;
    lines.push(`${severity} (${group.length})`);
    const shown = group.slice(0, budget);
    budget -= shown.length;
    for (const f of shown) {
      const cells = [pad(cutEnd(f.subsystem, subW), subW), pad(cutStart(loc(f), locW), locW), cutEnd(oneLine(f.message), msgW)];
      lines.push(`  ${cells.join('  ')}`.trimEnd());
    }
    const hidden = group.length - shown.length;
    if (hidden > 0) lines.push(`  … ${hidden} more ${severity} (all in ${opts.allIn ?? 'report.json and warroom/warroom.log'})`);
  }
  return lines.join('\n');
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

// Code points, so an emoji or accented letter is never split in half.
function len(s: string): number {
  return [...s].length;
}

function pad(s: string, w: number): string {
  return s + ' '.repeat(Math.max(0, w - len(s)));
}

/** Keeps the start (messages, subsystems). */
function cutEnd(s: string, w: number): string {
  const cps = [...s];
  return cps.length <= w ? s : cps.slice(0, w - 1).join('') + '…';
}

/** Keeps the end (a location's file name and line matter more than its folders). */
function cutStart(s: string, w: number): string {
  const cps = [...s];
  return cps.length <= w ? s : '…' + cps.slice(cps.length - (w - 1)).join('');
}
