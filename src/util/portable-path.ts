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
 * Text from an engine (its stderr, its error messages) with every absolute path in it made portable:
 * stack traces and "cannot find module '/x/y'" name files of this machine, and run.log, the reports and
 * the bundle must not (DESIGN §3.3). A file keeps its name (and line: `…/helper.mjs:3:9`). The price:
 * a JSON pointer standing alone in engine text (`/a/b`) is shortened too.
 */
export function portableText(text: string, cwd: string): string {
  if (!text.includes('/')) return text;
  return text.replace(ABSOLUTE_IN_TEXT, (_m, p: string) => portablePath(p, cwd));
}
