/**
 * Characters that must never reach a console or a log as they are: C0 and C1 controls (ESC starts a
 * terminal escape sequence, NUL and CR garble CI logs) and the invisible format characters that
 * reorder or hide text (bidi overrides, zero-width). Tab is kept.
 */
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g;

/** Text from outside (an engine, a dataset), made safe to print: every unsafe character becomes a visible `\xNN` or `\uNNNN`. */
export function escapeControls(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}

/**
 * The text of one event as lines of a log (run.log, the console): escaped as by escapeControls, and
 * every line after the first indented, so a line feed in quoted engine or dataset text (an answer's
 * member name in a JSON Schema error, a case's pointer, a regex) cannot start a line that reads as an
 * event of its own ("2026-... INFO  [runner] done: PASS" in a failed run).
 */
export function logText(s: string): string {
  return escapeControls(s).replace(/\n/g, '\n    ');
}
