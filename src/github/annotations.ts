import path from 'node:path';
import type { Finding, Severity } from '../warroom/finding.js';
import { annotationCommand, type CommandLevel } from './commands.js';
import { cutText } from '../report/view-model.js';

/**
 * WAR ROOM findings as annotations. The platform keeps 10 workflow-command annotations per level per
 * step (50 per job) and drops the rest without a word, so the choice is made here: most severe first,
 * files the PR changed first, then a notice saying how many more the summary holds.
 */
export interface PlannedAnnotation {
  level: CommandLevel;
  severity: Severity;
  title: string;
  message: string;
  /** Relative to the repository root, forward slashes; absent when the finding has no place in it. */
  file?: string;
  line?: number;
}

export interface AnnotationPlan {
  items: PlannedAnnotation[];
  /** Findings that are not annotations (over a limit, or without a place for a check run). */
  overflow: number;
}

export const PER_LEVEL_LIMIT = 10;
const SEVERITY_ORDER: Severity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFO'];
const MESSAGE_LIMIT = 4000;

export function levelOf(severity: Severity): CommandLevel {
  if (severity === 'CRITICAL' || severity === 'HIGH') return 'error';
  if (severity === 'MEDIUM') return 'warning';
  return 'notice';
}

/**
 * A finding's file (relative to the run's working directory) as a repository path; undefined when it
 * lies outside the workspace or is absolute on another machine.
 */
export function repoPath(file: string, cwd: string, workspace: string): string | undefined {
  if (!file || path.isAbsolute(file) || /^[A-Za-z]:/.test(file)) return undefined;
  const rel = path.relative(workspace, path.resolve(cwd, file));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep).join('/');
}

export function toAnnotation(f: Finding, place: (file: string) => string | undefined): PlannedAnnotation {
  const file = f.location ? place(f.location.file) : undefined;
  const where = f.caseId ? ` (case ${f.caseId})` : '';
  let message = `${f.message}${where}`;
  if (f.remediation) message += `\nFix: ${f.remediation}`;
  // Cut at a character: half an emoji would reach the annotation as U+FFFD, a character the engine never sent.
  if (message.length > MESSAGE_LIMIT) message = cutText(message, MESSAGE_LIMIT - 1) + '…';
  return {
    level: levelOf(f.severity),
    severity: f.severity,
    title: `toron-testops ${f.severity}: ${f.type}`,
    message,
    ...(file ? { file, line: Math.max(1, Math.trunc(f.location!.line) || 1) } : {}),
  };
}

/** Most severe first; within a severity, changed files first; then by file and line; stable otherwise. */
export function orderAnnotations(items: PlannedAnnotation[], changedFiles: ReadonlySet<string>): PlannedAnnotation[] {
  const rank = (a: PlannedAnnotation) => SEVERITY_ORDER.indexOf(a.severity);
  const changed = (a: PlannedAnnotation) => (a.file && changedFiles.has(a.file) ? 0 : 1);
  return items
    .map((a, i) => ({ a, i }))
    .sort(
      (x, y) =>
        rank(x.a) - rank(y.a) ||
        changed(x.a) - changed(y.a) ||
        byCodePoint(x.a.file ?? '\uffff', y.a.file ?? '\uffff') ||
        (x.a.line ?? 0) - (y.a.line ?? 0) ||
        x.i - y.i,
    )
    .map((x) => x.a);
}

/** Not localeCompare: the runner's locale (LANG) would decide which annotations fit under the limits. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function dedupe(items: PlannedAnnotation[]): PlannedAnnotation[] {
  const seen = new Set<string>();
  return items.filter((a) => {
    const key = `${a.level}\0${a.file ?? ''}\0${a.line ?? 0}\0${a.title}\0${a.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Workflow-command annotations within the per-level room left (`room`, after the action's own warnings
 * and the final verdict line) and `maxTotal`; one notice slot is kept for the "N more" line when not
 * everything fits.
 */
export function planWorkflowAnnotations(
  findings: Finding[],
  opts: {
    place: (file: string) => string | undefined;
    changedFiles: ReadonlySet<string>;
    maxTotal: number;
    room: Record<CommandLevel, number>;
    /** Where the findings that are not annotations can be read (overflowText's `where`). */
    where?: string;
  },
): AnnotationPlan & { overflowNotice: string | null } {
  const all = orderAnnotations(dedupe(findings.map((f) => toAnnotation(f, opts.place))), opts.changedFiles);
  const pick = (room: Record<CommandLevel, number>, total: number) => {
    const left = { ...room };
    const items: PlannedAnnotation[] = [];
    for (const a of all) {
      if (items.length >= total) break;
      if (left[a.level] <= 0) continue;
      left[a.level]--;
      items.push(a);
    }
    return items;
  };
  let items = pick(opts.room, opts.maxTotal);
  if (items.length < all.length && opts.maxTotal > 0 && opts.room.notice > 0) {
    items = pick({ ...opts.room, notice: opts.room.notice - 1 }, opts.maxTotal - 1);
  }
  const overflow = all.length - items.length;
  const noticeFits = opts.maxTotal > 0 && opts.room.notice > 0;
  // The input held them back when the platform's room alone would have taken more.
  const byInput = pick(opts.room, Infinity).length > opts.maxTotal;
  return {
    items,
    overflow,
    overflowNotice: overflow > 0 && noticeFits ? overflowText(overflow, items.length, opts.where, byInput ? { maxAnnotations: opts.maxTotal } : 'per-level') : null,
  };
}

/**
 * `where`: where the rest can be read, as publishing left it (the job summary only when it lists them all).
 * `limit`: what held them back: the max-annotations input (its value), the platform's per-level limit of
 * workflow commands, or (a check run) findings with no place in the repository.
 */
export function overflowText(
  more: number,
  shown: number,
  where = 'the job summary and report.json',
  limit: { maxAnnotations: number } | 'per-level' | 'unplaced' = 'per-level',
): string {
  const why =
    limit === 'per-level'
      ? `the platform keeps ${PER_LEVEL_LIMIT} per level`
      : limit === 'unplaced'
        ? 'the others have no file in the repository to point at'
        : `max-annotations is ${limit.maxAnnotations}`;
  return `${more} more WAR ROOM finding${more === 1 ? ' is' : 's are'} not shown as annotation${more === 1 ? '' : 's'} (${shown} shown; ${why}): see ${where}.`;
}

export function workflowCommandLines(plan: AnnotationPlan & { overflowNotice: string | null }): string[] {
  const lines = plan.items.map((a) => annotationCommand(a.level, a.message, { title: a.title, file: a.file, line: a.line }));
  if (plan.overflowNotice) lines.push(annotationCommand('notice', plan.overflowNotice, { title: 'toron-testops: more findings' }));
  return lines;
}

/** Check-run annotations: only findings with a place in the repository can be one. */
export function planCheckAnnotations(
  findings: Finding[],
  opts: { place: (file: string) => string | undefined; changedFiles: ReadonlySet<string>; maxTotal: number },
): AnnotationPlan {
  const all = orderAnnotations(dedupe(findings.map((f) => toAnnotation(f, opts.place))), opts.changedFiles);
  const located = all.filter((a) => a.file !== undefined);
  const items = located.slice(0, opts.maxTotal);
  return { items, overflow: all.length - items.length };
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  title: string;
  message: string;
}

export function toCheckAnnotation(a: PlannedAnnotation): CheckAnnotation {
  return {
    path: a.file!,
    start_line: a.line ?? 1,
    end_line: a.line ?? 1,
    annotation_level: a.level === 'error' ? 'failure' : a.level,
    title: cutText(a.title, 255),
    message: a.message,
  };
}
