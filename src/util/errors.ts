import { escapeControls } from './printable.js';
/**
 * Bad input from the user (config, dataset, registry, flags). The run ends with ERROR and this message;
 * it always names the file, and the line and field when there is one.
 */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /** JSON Pointer of the offending field. */
  readonly pointer?: string;
  readonly caseId?: string;

  constructor(
    message: string,
    where: { file?: string; line?: number; column?: number; pointer?: string; caseId?: string } = {},
  ) {
    super(formatInputError(message, where));
    this.name = 'InputError';
    Object.assign(this, where);
  }
}

function formatInputError(
  message: string,
  w: { file?: string; line?: number; column?: number; pointer?: string; caseId?: string },
): string {
  if (!w.file) return message;
  let at = w.file;
  if (w.line !== undefined) at += `:${w.line}`;
  if (w.line !== undefined && w.column !== undefined) at += `:${w.column}`;
  const parts = [at];
  if (w.pointer !== undefined) parts.push(`at ${w.pointer === '' ? '(root)' : w.pointer}`);
  // Quoted as JSON: an id with a line break must not start a fake line in a log.
  if (w.caseId !== undefined) parts.push(`case ${escapeControls(JSON.stringify(w.caseId))}`);
  return `${parts.join(' ')}: ${message}`;
}

/** The engine could not be reached or its wiring is broken: ERROR, never a test verdict. */
export class WiringError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WiringError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
