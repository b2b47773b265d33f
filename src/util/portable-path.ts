import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * A path as a report or snapshot may hold it: relative to `cwd` when inside it, else only its last part
 * (the machine's layout is nobody's business, and it differs between a laptop and a CI runner).
 */
export function portablePath(p: string, cwd: string): string {
  if (!path.isAbsolute(p)) return p.split(path.sep).join('/');
  const rel = path.relative(cwd, p);
  if (rel === '') return '.';
  if (!rel.startsWith('..') && !path.isAbsolute(rel)) return rel.split(path.sep).join('/');
  return `…/${path.basename(p)}`;
}

/**
 * An absolute path (or file:// URL) standing on its own in a text: after the start, a space, a quote, a
 * bracket, `=` or `,`; not `//` (a URL's host) and not inside a word or a relative path.
 */
const ABSOLUTE_IN_TEXT = /(?<=^|[\s'"`([{=,;])(?:file:\/\/)?(\/(?!\/)[^\s'"`()<>[\]{},;]+)/g;

/**
 * Text from an engine or a tool it runs (stderr, error messages) with the paths of this machine in it
 * made portable: stack traces and "cannot find module '/x/y'" name files here, and run.log, the reports
 * and the bundle must not (DESIGN §3.3). A file keeps its name (and line: `…/helper.mjs:3:9`). Only
 * what is a path here is touched: the file or its folder exists (a missing module's folder does), so
 * a JSON pointer (`/state_snapshot/T1_RAW/0/model`) or a URL path (`/v1/chat`) stays as it was written.
 */
export function portableText(text: string, cwd: string): string {
  if (!text.includes('/')) return text;
  return text.replace(ABSOLUTE_IN_TEXT, (m, p: string) => (isPathHere(p) ? portablePath(p, cwd) : m));
}

/** Whether an absolute path (`:line:column` of a stack frame left aside) names a file or folder here. */
function isPathHere(p: string): boolean {
  const file = p.replace(/(?::\d+){1,2}$/, '');
  const dir = path.dirname(file);
  return existsSync(file) || (dir !== path.parse(dir).root && existsSync(dir));
}
