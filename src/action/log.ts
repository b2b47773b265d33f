import { annotationCommand, escapeData, neutralise, type CommandLevel, type CommandProperties } from '../github/commands.js';

/**
 * The action's own log lines. Warnings and errors become annotations, which share the platform's
 * budget of 10 per level per step with the WAR ROOM annotations: the logger counts what it used so the
 * annotation step can take only what is left.
 */
export class ActionLog {
  readonly used: Record<CommandLevel, number> = { error: 0, warning: 0, notice: 0 };
  /** Warnings raised while publishing, repeated in the job summary. */
  readonly warnings: string[] = [];

  constructor(
    private readonly write: (s: string) => void,
    private readonly debugEnabled = false,
  ) {}

  info(message: string): void {
    this.write(neutralise(message) + '\n');
  }

  debug(message: string): void {
    // Escaped as command data: a lone CR would end the line for the runner, and what follows it be read as a command.
    if (this.debugEnabled) this.write(`::debug::${escapeData(message)}\n`);
  }

  warning(message: string, props: CommandProperties = {}): void {
    this.warnings.push(message);
    this.annotate('warning', message, props);
  }

  error(message: string, props: CommandProperties = {}): void {
    this.annotate('error', message, props);
  }

  notice(message: string, props: CommandProperties = {}): void {
    this.annotate('notice', message, props);
  }

  annotate(level: CommandLevel, message: string, props: CommandProperties = {}): void {
    this.used[level]++;
    this.write(annotationCommand(level, message, props) + '\n');
  }

  /** Asks the runner to mask a secret value in the rest of the job's log (`::add-mask::`). */
  mask(value: string): void {
    this.write(`::add-mask::${escapeData(value)}\n`);
  }

  group(name: string): void {
    // A name quoting an input (mode: compare's engine specs) may hold a line break: escaped as command data.
    this.write(`::group::${escapeData(name)}\n`);
  }

  endGroup(): void {
    this.write('::endgroup::\n');
  }

  /** A line made elsewhere (an annotation command): written as is; the caller counts it. */
  rawLine(line: string): void {
    this.write(line + '\n');
  }

  /** Raw text (a child tool's console), neutralised so it cannot issue workflow commands. */
  raw(text: string): void {
    this.write(neutralise(text));
  }
}
