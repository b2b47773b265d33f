import { InputError } from '../util/errors.js';

/** RFC 9110 token: what a header name may be made of. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const VARIABLE = /\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Headers copied from a Postman export or `curl -v` that are the HTTP client's own (Host and Connection stay configurable). */
const CLIENT_MANAGED = new Set(['content-length', 'transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

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
    // undici refuses these on every request (or, for Content-Length, sends a wrong one): the health
    // check then said "unreachable" and every case was an engine error, for a line of configuration.
    if (CLIENT_MANAGED.has(name.toLowerCase())) {
      throw new InputError(
        `engine header "${name}" is written by the HTTP client for each request (it manages the connection ` +
          `and the body); remove it from engine.headers`,
        { pointer: headerPointer(name) },
      );
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

/** The variables `${NAME}` templates read (valid names only; the others are refused when expanded). */
export function templateVariables(templates: Record<string, string>): string[] {
  const out = new Set<string>();
  for (const template of Object.values(templates)) {
    if (typeof template !== 'string') continue;
    for (const m of template.matchAll(VARIABLE)) if (VARIABLE_NAME.test(m[1])) out.add(m[1]);
  }
  return [...out];
}

/**
 * engine.env for a cmd: engine: `{ NAME: "template" }`, `${VAR}` expanded from the environment as in
 * engine headers. Errors name the entry and the variable, never a value. `secrets` are what must not be
 * written anywhere: the values of the variables read, and each entry that reads one, as expanded.
 */
export function expandEngineEnv(templates: Record<string, string>, env: NodeJS.ProcessEnv): { values: Record<string, string>; secrets: Record<string, string> } {
  const values: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, template] of Object.entries(templates)) {
    const pointer = `/engine/env/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (!VARIABLE_NAME.test(name)) {
      throw new InputError(`engine.env name "${printableName(name)}" is not a variable name (letters, digits and _, not starting with a digit)`, { pointer });
    }
    if (typeof template !== 'string') throw new InputError(`engine.env "${name}" must be a string`, { pointer });
    let read = false;
    const value = template.replace(VARIABLE, (_m, variable: string) => {
      if (!VARIABLE_NAME.test(variable)) {
        throw new InputError(
          `engine.env "${name}" uses "\${${printableName(variable)}}", which is not a variable name (letters, digits and _, not starting with a digit)`,
          { pointer },
        );
      }
      const v = env[variable];
      if (v === undefined) throw new InputError(`engine.env "${name}" needs the environment variable ${variable}, which is not set`, { pointer });
      read = true;
      secrets[`${name}\0${variable}`] = v;
      return v;
    });
    // A process environment cannot hold a NUL (spawn refuses it): say which, never what.
    if (value.includes('\0')) throw new InputError(`engine.env "${name}" contains a NUL once expanded (value not shown)`, { pointer });
    values[name] = value;
    if (read) secrets[name] = value;
  }
  return { values, secrets };
}

/**
 * Headers that say how the body is written, never who is asking: the adapter sends `accept:
 * application/json`, `accept-encoding: identity` and `user-agent: toron-testops` on every request,
 * and blanking those values made an engine's error page unreadable ("send [redacted] with
 * accept-encoding [redacted]").
 */
const IDENTITY = (t: string): string => t;

const NOT_SECRET = new Set(['accept', 'accept-encoding', 'content-type', 'user-agent']);

/**
 * A function that blanks every secret header value out of a text (an error message, an echoed body).
 * Short values are skipped: blanking "1" everywhere would garble messages without protecting anything.
 */
export function secretRedactor(headers: Record<string, string>): (text: string) => string {
  const values = Object.entries(headers)
    .filter(([name]) => !NOT_SECRET.has(name.toLowerCase()))
    .map(([, v]) => v);
  return valuesRedactor(values.flatMap((v) => [v, ...v.split(/\s+/)]).filter((v) => v.length >= 8));
}

/**
 * A secret as it may stand in JSON text: itself, JSON.stringify's escaping of it (a quote, a backslash,
 * a control character), that with "/" written "\/" (PHP's json_encode, and a base64 token holds "/"),
 * and those with every character past ASCII as a \uXXXX escape (Python's json.dumps). An engine echoing
 * a token in an error page puts one of these in the message the run shows, and in the raw answer.
 */
export function jsonForms(secret: string): string[] {
  const escaped = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, escaped, escaped.replace(/\//g, '\\/')];
  const ascii = (s: string) => s.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (/[^\x00-\x7f]/.test(secret)) forms.push(...forms.map(ascii));
  return [...new Set(forms)];
}

/** JSON's short escapes, by the character they stand for. */
const SHORT_ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '/': '\\/', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * Blanks each of `values` out of a text, longest first (a value inside another goes after it); identity
 * when there are none. The forms JSON writers use (jsonForms) are found as they are; a text that still
 * holds a backslash is then searched with each character of a secret as itself or any JSON escape of it,
 * so that a secret spelled with escapes of any other kind ("\u0073ecret", "s\u0065cret", an engine
 * escaping more than it must) is blanked too, escapes and all. About 10 us for a 15 KB answer.
 */
export function valuesRedactor(values: readonly string[]): (text: string) => string {
  const secrets = [...new Set(values.flatMap(jsonForms))].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  if (secrets.length === 0) return IDENTITY;
  const plain = [...new Set(values)].filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  const escaped = plain.map(anyEscapes);
  // Escapes that can spell a secret: \uXXXX for any character, a short one only for a character a secret
  // has. Answers full of "\n" and "\"" then skip the patterns (a secret rarely holds either).
  const spelling = ['\\u', ...Object.entries(SHORT_ESCAPES).flatMap(([c, e]) => (plain.some((v) => v.includes(c)) ? [e] : []))];
  return (text) => {
    let out = text;
    for (const s of secrets) out = out.split(s).join('[redacted]');
    if (!spelling.some((e) => out.includes(e))) return out;
    for (const re of escaped) out = out.replace(re, '[redacted]');
    return out;
  };
}

/**
 * A pattern of `secret` as JSON string content may spell it: each character as itself, as its \uXXXX
 * escape (hex digits of either case) or as its short escape ("\/" for "/").
 */
function anyEscapes(secret: string): RegExp {
  let source = '';
  for (let i = 0; i < secret.length; i++) {
    const unit = secret[i];
    const hex = unit.charCodeAt(0).toString(16).padStart(4, '0');
    const forms = [unit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'), `\\\\u${[...hex].map((h) => (/[a-f]/.test(h) ? `[${h}${h.toUpperCase()}]` : h)).join('')}`];
    const short = SHORT_ESCAPES[unit];
    if (short !== undefined) forms.push(short.replace(/\\/g, '\\\\'));
    source += `(?:${forms.join('|')})`;
  }
  return new RegExp(source, 'g');
}

/**
 * An HTTP engine's redactors, for the adapter and the load transport alike: its header values and the
 * credentials its URL carries, out of texts (`redact`) and out of parsed answers (`redactAnswer`, null
 * when there is nothing to blank).
 */
export function engineRedactors(headers: Record<string, string>, url: URL): { redact: (text: string) => string; redactAnswer: ((body: unknown) => unknown) | null } {
  const secrets = { ...headers, ...urlSecrets(url) };
  return { redact: secretRedactor(secrets), redactAnswer: answerRedactor(secrets) };
}

/**
 * Blanks secret header values out of a parsed answer, in strings and member names, for engines that
 * echo the request's headers back (a debug block): the answer goes into the snapshot, the bundle and
 * failure messages, which must never hold a token. null when no header value is a secret, so the
 * common case costs nothing. The parsed values are walked, not only the raw text: an engine may
 * escape the token in its JSON ("a\/b" for "a/b") where a text search would miss it.
 */
export function answerRedactor(headers: Record<string, string>): ((body: unknown) => unknown) | null {
  const redact = secretRedactor(headers);
  if (redact === IDENTITY) return null;
  // The answer itself when nothing in it is a secret, else a copy of what changed: adapters mark an
  // answer whose body no longer is its raw text (EngineResult.bodyRedacted) by this identity, and only
  // such answers cost the snapshot a serialisation of their own.
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      const r = redact(v);
      return r === v ? v : r;
    }
    if (typeof v !== 'object' || v === null) return v;
    if (Array.isArray(v)) {
      let copy: unknown[] | null = null;
      for (let i = 0; i < v.length; i++) {
        const w = walk(v[i]);
        if (w !== v[i]) (copy ??= v.slice())[i] = w;
      }
      return copy ?? v;
    }
    const members = Object.entries(v).map(([k, item]) => [k, redact(k), item, walk(item)] as const);
    if (members.every(([k, rk, item, w]) => rk === k && w === item)) return v;
    const out: Record<string, unknown> = {};
    // defineProperty: a member named __proto__ must stay a member, not become the prototype.
    for (const [, rk, , w] of members) Object.defineProperty(out, rk, { value: w, enumerable: true, writable: true, configurable: true });
    return out;
  };
  return walk;
}

/** Shorter values are not masked: masking "eu" or "v2" everywhere would garble a CI log and hide little. */
const MASK_MIN_LENGTH = 4;

/**
 * The secrets a run's engine brings into the process, for a CI log to mask (the action sends each as
 * `::add-mask::` before anything runs): the values of the environment variables its headers
 * interpolate (`Bearer ${TOKEN}`: TOKEN's value, and the header as expanded) and the credentials of
 * its URLs (urlSecrets). The redactors keep them out of every text the tool writes; masking also
 * covers what they cannot see (a short key, an engine echoing it changed). GitHub masks its own
 * `secrets.*`, not a token an earlier step put into the environment. Variables that are not set are
 * skipped (the run reports them); values shorter than 4 characters or only whitespace are too.
 */
export function secretsToMask(templates: Record<string, string>, targets: readonly string[], env: NodeJS.ProcessEnv): string[] {
  const out = new Set<string>();
  for (const [name, template] of Object.entries(templates)) {
    if (typeof template !== 'string' || NOT_SECRET.has(name.toLowerCase())) continue;
    let interpolated = false;
    let complete = true;
    const expanded = template.replace(VARIABLE, (m, variable: string) => {
      const v = VARIABLE_NAME.test(variable) ? env[variable] : undefined;
      if (v === undefined) {
        complete = false;
        return m;
      }
      interpolated = true;
      out.add(v);
      return v;
    });
    if (interpolated && complete) out.add(expanded);
  }
  for (const t of targets) {
    if (!/^https?:\/\//i.test(t.trim())) continue;
    try {
      for (const v of Object.values(urlSecrets(new URL(t.trim())))) out.add(v);
    } catch {
      // not a URL: the run says so, and the spec is printed redacted
    }
  }
  // A mask command ends at a line break (the rest of the value would print as a log line), so a
  // multi-line secret (a PEM key, a JSON credential) is masked line by line, as GitHub advises.
  const lines = [...out].flatMap((v) => (/[\r\n]/.test(v) ? v.split(/\r\n|\r|\n/) : [v])).flatMap(jsonForms);
  return [...new Set(lines)].filter((v) => v.trim().length >= MASK_MIN_LENGTH);
}

/** Query parameters that carry credentials (?key=, ?api_key=, ?access_token=, ?sig=, Azure Functions' ?code=, ...). */
const CREDENTIAL_PARAM = /key|token|secret|pass|auth|sig|credential|^code$/i;

/**
 * The secrets an engine URL carries, as pseudo-headers for secretRedactor and answerRedactor: its
 * password (user:password@), or its user name when it has none (TOKEN@), and the values of query
 * parameters named like credentials. redactUrl keeps them out of the target as printed; an engine echoing its request line (a debug block, an
 * error page) must not put them into the snapshot or the reports either.
 */
export function urlSecrets(url: URL): Record<string, string> {
  const out: Record<string, string> = {};
  // A "%" that is no percent-encoding ("pw%zz...") is kept as written: decoding it threw, and the
  // callers' catch then lost every secret of the URL, its query's included.
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (url.password) out['url:password'] = decoded(url.password);
  // https://TOKEN@host/ (GitHub's form, sent as Basic TOKEN:): with no password, the user name is the credential.
  else if (url.username) out['url:username'] = decoded(url.username);
  for (const [name, value] of url.searchParams) {
    if (CREDENTIAL_PARAM.test(name)) {
      out[`url:query:${name}`] = value;
      // As the engine may echo it: percent-encoded in its request line.
      const encoded = encodeURIComponent(value);
      if (encoded !== value) out[`url:query:${name}:encoded`] = encoded;
    }
  }
  // And as written in the URL, which is what goes on the wire (an engine's request line, k6's log):
  // lowercase hex ("%2f"), a "+" for a space or an encoded letter are not encodeURIComponent's form.
  for (const pair of url.search.slice(1).split('&')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const raw = pair.slice(eq + 1);
    let name: string;
    try {
      name = decodeURIComponent(pair.slice(0, eq).replace(/\+/g, ' '));
    } catch {
      name = pair.slice(0, eq);
    }
    if (raw !== '' && CREDENTIAL_PARAM.test(name)) out[`url:query:${name}:raw`] = raw;
  }
  return out;
}

function headerPointer(name: string): string {
  return `/engine/headers/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

function printableName(s: string): string {
  return JSON.stringify(s).slice(1, -1).slice(0, 60);
}
