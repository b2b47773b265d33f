/**
 * Workflow commands (`::error file=a,line=3::message`), formatted by hand so they can be tested as text
 * and counted: the platform keeps at most 10 annotations per level per step and drops the rest silently.
 */
export type CommandLevel = 'error' | 'warning' | 'notice';

export interface CommandProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
}

/** The runner's own escaping: data keeps `:` and `,`; property values may not. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function formatCommand(command: string, props: CommandProperties | Record<string, string | number | undefined>, message: string): string {
  const parts = Object.entries(props)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`);
  return `::${command}${parts.length ? ' ' + parts.join(',') : ''}::${escapeData(message)}`;
}

/** An annotation line for stdout. */
export function annotationCommand(level: CommandLevel, message: string, props: CommandProperties = {}): string {
  return formatCommand(level, props as Record<string, string | number | undefined>, message);
}

/**
 * User-controlled text printed to the log must not start workflow commands of its own (a finding
 * message quoting `::add-mask::` or `::stop-commands::`): `stop-commands` would be heavier; a
 * zero-width space is enough and keeps the text readable. The runner reads two forms: `::cmd::` at
 * the start of a line once .NET's whitespace is trimmed (which counts U+0085, unlike JavaScript's
 * `\s`), and the older `##[cmd]data` ANYWHERE in a line (it looks for `##[` with IndexOf), so a case
 * id or an engine answer quoted mid-line as `x ##[add-mask]FAIL` or `##[stop-commands]t` was obeyed.
 * Idempotent: neutralised text passes through unchanged.
 */
export function neutralise(line: string): string {
  return line.replace(/^([\s\u0085]*)::/gm, '$1\u200b::').replace(/##\[/g, '##\u200b[');
}
