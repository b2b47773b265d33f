/**
 * How the GitHub runner (actions/runner, ActionCommandManager.TryProcessCommand) reads a step's stdout
 * and stderr: each line (split on CR, LF or CRLF, as StreamReader.ReadLine does) is a command when it
 * starts with `::cmd ...::data` once .NET's whitespace is trimmed, or, failing that, when it holds the
 * older `##[cmd ...]data` form anywhere (found with IndexOf). Only registered command names count.
 */
const REGISTERED = new Set(['error', 'warning', 'notice', 'debug', 'group', 'endgroup', 'echo', 'add-mask', 'add-path', 'set-env', 'set-output', 'save-state', 'stop-commands', 'add-matcher', 'remove-matcher']);

/** .NET's Char.IsWhiteSpace, which the runner's TrimStart uses. */
const DOTNET_SPACE = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;

export interface RunnerCommand {
  form: 'v2' | 'legacy';
  command: string;
  data: string;
  line: string;
}

/** The commands the GitHub runner would obey in a log (lines split on CR, LF or CRLF, as StreamReader.ReadLine does). */
export function runnerCommands(log: string): RunnerCommand[] {
  const out: RunnerCommand[] = [];
  for (const line of log.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(DOTNET_SPACE, '');
    if (trimmed.startsWith('::')) {
      const end = trimmed.indexOf('::', 2);
      if (end >= 0) {
        const info = trimmed.slice(2, end);
        const name = info.split(' ')[0].toLowerCase();
        if (REGISTERED.has(name)) {
          out.push({ form: 'v2', command: name, data: trimmed.slice(end + 2), line });
          continue;
        }
      }
    }
    const at = line.indexOf('##[');
    if (at < 0) continue;
    const rb = line.indexOf(']', at);
    if (rb < 0) continue;
    const name = line.slice(at + 3, rb).split(' ')[0].toLowerCase();
    if (REGISTERED.has(name)) out.push({ form: 'legacy', command: name, data: line.slice(rb + 1), line });
  }
  return out;
}
