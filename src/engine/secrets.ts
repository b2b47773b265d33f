import { InputError } from '../util/errors.js';

/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Expands `${NAME}` in configured header values from the environment. Every error names the header
 * and the variable, never a value: the values are secrets (tokens, API keys).
 */
export function expandHeaders(
  templates: Record<string, string>,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    if (!HEADER_NAME.test(name)) {
      throw new InputError(`engine header name "${printableName(name)}" is not a valid HTTP header name`, {
        pointer: `/engine/headers`,
      });
    }
    if (typeof template !== 'string') {
      throw new InputError(`engine header "${name}" must be a string`, { pointer: headerPointer(name) });
    }
    const value = template.replace(VARIABLE, (_m, variable: string) => {
      if (!VARIABLE_NAME.test(variable)) {
        throw new InputError(
          `engine header "${name}" uses "\${${printableName(variable)}}", which is not a variable name ` +
            `(letters, digits and _, not starting with a digit)`,
          { pointer: headerPointer(name) },
        );
      }
      const v = env[variable];
      if (v === undefined) {
        throw new InputError(
          `engine header "${name}" needs the environment variable ${variable}, which is not set`,
          { pointer: headerPointer(name) },
        );
      }
      return v;
    });
    // A CR/LF in a value would split the request (header injection); say which, never what.
    if (/[\r\n\0]/.test(value)) {
      throw new InputError(
        `engine header "${name}" contains a line break or NUL once expanded (value not shown)`,
        { pointer: headerPointer(name) },
      );
    }
    out[name] = value;
  }
  return out;
}

/**
 * Headers that say how the body is written, never who is asking: the adapter sends `accept:
 * application/json` and `accept-encoding: identity` on every request, and blanking those values made
 * an engine's error page unreadable ("send [redacted] with accept-encoding [redacted]").
 */
const NOT_SECRET = new Set(['accept', 'accept-encoding', 'content-type']);

/**
 * A function that blanks every secret header value out of a text (an error message, an echoed body).
 * Short values are skipped: blanking "1" everywhere would garble messages without protecting anything.
 */
export function secretRedactor(headers: Record<string, string>): (text: string) => string {
  const values = Object.entries(headers)
    .filter(([name]) => !NOT_SECRET.has(name.toLowerCase()))
    .map(([, v]) => v);
  const secrets = [...new Set(values)]
    .flatMap((v) => [v, ...v.split(/\s+/)])
    .filter((v) => v.length >= 8)
    .sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    return out;
  };
}

function headerPointer(name: string): string {
  return `/engine/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function printableName(s: string): string {
  return JSON.stringify(s).slice(1, -1).slice(0, 60);
}
