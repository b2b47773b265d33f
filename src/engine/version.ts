import { escapeControls } from '../util/printable.js';

const MAX_VERSION = 200;

/**
 * The `version` member of an engine's health answer, as the run prints and stores it: one line (a line
 * feed in it would forge a line of run.log or of the console), controls shown, at most 200 characters.
 * Only a string or a number is a version.
 */
export function engineVersionOf(v: unknown): string | undefined {
  if (typeof v !== 'string' && typeof v !== 'number') return undefined;
  const line = escapeControls(String(v)).replace(/\n/g, '\\x0a').replace(/\t/g, '\\x09');
  if (line.length <= MAX_VERSION) return line;
  const cut = line.charCodeAt(MAX_VERSION - 1) >= 0xd800 && line.charCodeAt(MAX_VERSION - 1) <= 0xdbff ? MAX_VERSION - 1 : MAX_VERSION;
  return `${line.slice(0, cut)}… (${line.length} chars)`;
}
