import path from 'node:path';
import { parse, type ParseEntry } from 'shell-quote';
import { InputError } from '../util/errors.js';
import { urlSecrets, valuesRedactor } from './secrets.js';

/** An engine SPEC (DESIGN §3.1) once parsed: which adapter, and what it needs. */
export type EngineSpec =
  | { kind: 'reference' }
  | { kind: 'http'; url: URL }
  | { kind: 'command'; argv: string[] };

const ACCEPTED =
  'accepted forms: "reference", an http:// or https:// URL (e.g. http://127.0.0.1:8000/run), ' +
  'or "cmd:<argv>" (e.g. cmd:python3 engine.py --stdio)';

/** Marks a `$NAME` reference found by shell-quote, so it can be refused instead of expanded. */
interface VariableRef {
  variable: string;
}

export function parseEngineSpec(spec: string): EngineSpec {
  const s = spec.trim();
  if (s === '') throw new InputError(`the engine is empty; ${ACCEPTED}`);
  if (s === 'reference') return { kind: 'reference' };
  if (s.startsWith('cmd:')) return { kind: 'command', argv: splitArgv(s.slice(4)) };
  if (/^https?:\/\//i.test(s)) return { kind: 'http', url: parseHttpUrl(s) };
  throw new InputError(`unknown engine "${redactTarget(s)}"; ${ACCEPTED}`);
}

/** A user name or password holding "/", "@", "#" or "?" as is breaks the URL apart: say how to write it. */
const ENCODE_USERINFO = 'if it carries user:password@, percent-encode "/", "@", "#" and "?" in them (%2F, %40, %23, %3F)';

function parseHttpUrl(s: string): URL {
  let url: URL;
  try {
    url = new URL(s);
  } catch {
    throw new InputError(`the engine URL "${redactTarget(s)}" is not a valid URL (${ENCODE_USERINFO}); ${ACCEPTED}`);
  }
  if (url.hostname === '') {
    throw new InputError(`the engine URL "${redactTarget(s)}" has no host; ${ACCEPTED}`);
  }
  // https://ci:8080/Zr+Kw2@host/run parses, as host ci, port 8080 and the rest of a password as the
  // path: it would be sent to the wrong host and printed, password and all.
  if (brokenUserinfo(url)) {
    throw new InputError(`the engine URL "${redactTarget(s)}" has an "@" in its path (${ENCODE_USERINFO})`);
  }
  // "p%zz" or "100%" is kept as is by the URL parser, but the user name and password are decoded for
  // the Basic header and the redactors, which threw "URI malformed" (an internal error).
  if (!decodable(url.username) || !decodable(url.password)) {
    throw new InputError(`the engine URL "${redactTarget(s)}" has a "%" in its user name or password that is not a percent-encoding (write "%" as %25)`);
  }
  return url;
}

function decodable(s: string): boolean {
  try {
    decodeURIComponent(s);
    return true;
  } catch {
    return false;
  }
}

/**
 * Splits like a POSIX shell would, but since nothing runs through a shell, anything a shell would
 * *do* (pipes, redirects, globs, variables) is refused rather than silently passed as a literal.
 */
export function splitArgv(command: string): string[] {
  const open = unclosedQuote(command);
  if (open !== null) {
    // shell-quote closes it silently and splits inside it: a path with a space would run another program.
    throw new InputError(`cmd: engine "${roughRedactor(command)(command.trim())}" has an unclosed ${open.quote} quote (opened at character ${open.at + 1}): a shell would refuse it; close the quote`);
  }
  let entries: (ParseEntry | VariableRef)[];
  try {
    // A lone `$` is literal in a shell too; shell-quote asks for the variable named ''.
    entries = parse(command, (name: string): VariableRef | string => (name === '' ? '$' : { variable: name }));
  } catch (err) {
    throw new InputError(`cmd: engine "${roughRedactor(command)(command.trim())}" cannot be split into arguments: ${(err as Error).message}`);
  }
  const argv: string[] = [];
  for (const e of entries) {
    if (typeof e === 'string') {
      argv.push(e);
    } else if ('variable' in e) {
      throw new InputError(
        `cmd: engine uses the variable $${e.variable}, but cmd: engines run without a shell and expand ` +
          `nothing; write the value itself, or '$${e.variable}' in single quotes to pass it literally`,
      );
    } else if ('comment' in e) {
      throw new InputError(
        `cmd: engine contains "#" (a shell comment); quote it ('#') if it is part of an argument`,
      );
    } else if (e.op === 'glob') {
      throw new InputError(
        `cmd: engine contains the glob "${roughRedactor(command)(e.pattern)}", which is not expanded (no shell); ` +
          `quote it if it is meant literally`,
      );
    } else {
      throw new InputError(
        `cmd: engine contains the shell operator "${e.op}", but cmd: engines run one program without ` +
          `a shell (no pipes, redirects, && or ;); wrap a script if you need them`,
      );
    }
  }
  // shell-quote drops the string boundaries of `""`, so an empty argv means nothing but whitespace.
  if (argv.length === 0 || argv[0] === '') {
    throw new InputError(`cmd: engine names no program; ${ACCEPTED}`);
  }
  return argv;
}

/** The quote a POSIX shell would still be inside at the end of `command` (and where it opened), or null. */
export function unclosedQuote(command: string): { quote: "'" | '"'; at: number } | null {
  for (let i = 0; i < command.length; i++) {
    const c = command[i];
    if (c === '\\') {
      i++; // the next character is literal
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1); // no escapes between single quotes
      if (end < 0) return { quote: "'", at: i };
      i = end;
    } else if (c === '"') {
      let j = i + 1;
      while (j < command.length && command[j] !== '"') j += command[j] === '\\' ? 2 : 1;
      if (j >= command.length) return { quote: '"', at: i };
      i = j;
    }
  }
  return null;
}

/**
 * The absolute paths in a cmd: engine's command line (arguments, and `--flag=/path` values): files of
 * this machine that reports must not name. None for other engines, or a spec that does not parse.
 */
export function enginePaths(spec: string): string[] {
  let parsed;
  try {
    parsed = parseEngineSpec(spec);
  } catch {
    return [];
  }
  if (parsed.kind !== 'command') return [];
  const out: string[] = [];
  for (const arg of parsed.argv) {
    const value = /^-[^=]*=/.test(arg) ? arg.slice(arg.indexOf('=') + 1) : arg;
    if (path.isAbsolute(value)) out.push(value);
  }
  return out;
}

/**
 * The spec as it may be printed: a URL loses its userinfo and its whole query string (either may hold
 * a token); anything else is printed as given.
 */
/** An option that takes a credential: --api-key, --token, --access-token, --password, --auth, --secret, ... */
const SECRET_OPTION = /^--?[A-Za-z0-9_.-]*(?:key|token|secret|passw(?:or)?d|pass|auth|credential|bearer)[A-Za-z0-9_.-]*$/i;

/** A name that says credential, in an environment assignment (OPENAI_API_KEY=) or a header (Authorization:). */
const SECRET_NAME = /key|token|secret|pass|auth|credential|bearer|cookie/i;

/**
 * The credentials inside one argument (or an option's `=` value): an environment assignment for the
 * engine naming one (`env OPENAI_API_KEY=x`, `docker run -e API_TOKEN=x`), a header
 * (`-H "Authorization: Bearer x"`: the value and its last word), a URL's user:password@ and
 * credential query values (as urlSecrets finds them for an HTTP engine).
 */
function argumentSecrets(arg: string): string[] {
  const out: string[] = [];
  const assignment = /^([A-Za-z_][A-Za-z0-9_]*)=(.+)$/s.exec(arg);
  if (assignment && SECRET_NAME.test(assignment[1])) out.push(assignment[2]);
  const header = /^\s*([A-Za-z0-9_-]+)\s*:\s*(\S.*)$/s.exec(arg);
  if (header && !header[2].startsWith('//') && SECRET_NAME.test(header[1])) out.push(header[2].trim(), header[2].trim().split(/\s+/).pop()!);
  for (const m of arg.matchAll(/[A-Za-z][A-Za-z0-9+.-]*:\/\/[^\s"']+/g)) {
    try {
      out.push(...Object.values(urlSecrets(new URL(m[0]))));
    } catch {
      // not a URL after all
    }
  }
  return out;
}

/**
 * The values a command line passes to options named like credentials (`--api-key X`,
 * `--token=X`): a cmd: spec written with `${{ secrets.KEY }}` in a workflow holds the secret itself,
 * and the runner's log masking does not reach the reports, the snapshot or the bundle.
 */
export function argvSecrets(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    if (a.startsWith('-') && eq > 0) {
      if (SECRET_OPTION.test(a.slice(0, eq))) out.push(a.slice(eq + 1));
      else out.push(...argumentSecrets(a.slice(eq + 1)));
    } else if (SECRET_OPTION.test(a) && i + 1 < argv.length && !argv[i + 1].startsWith('-')) {
      out.push(argv[++i]);
    } else {
      out.push(...argumentSecrets(a));
    }
  }
  return [...new Set(out.filter((v) => v.length >= 4))].sort((x, y) => y.length - x.length);
}

/**
 * For a command line that does not split (a glob, an unclosed quote): its credentials as a split at
 * whitespace finds them, quotes and all, so that the error saying why still quotes none.
 */
function roughRedactor(command: string): (text: string) => string {
  const words = command.trim().split(/\s+/).map((w) => w.replace(/^["']|["']$/g, ''));
  return argvRedactor(['', ...words]);
}

/** Replaces the secret values of a command line in a text (longest first); identity when there are none. */
export function argvRedactor(argv: readonly string[]): (text: string) => string {
  return valuesRedactor(argvSecrets(argv));
}

export function redactTarget(spec: string): string {
  const s = spec.trim();
  if (/^cmd:/i.test(s)) {
    try {
      const parsed = parseEngineSpec(s);
      return parsed.kind === 'command' ? argvRedactor(parsed.argv)(s) : s;
    } catch {
      return roughRedactor(s.slice(4))(s);
    }
  }
  // Not a form we know (a typo such as htp:// or https//): whatever looks like userinfo (user:password@)
  // or a query (?api_key=) is dropped all the same, as an error quoting it would otherwise show it.
  if (!/^https?:\/\//i.test(s)) return s.replace(/[^\s/]*@/g, '').replace(/\?\S*/g, '');
  try {
    const url = new URL(s);
    // A password with a "/" in it makes a valid URL of the wrong host (see parseHttpUrl): hide up to the last "@".
    if (brokenUserinfo(url)) return withoutUserinfo(s);
    return redactUrl(url);
  } catch {
    return withoutUserinfo(s);
  }
}

/**
 * A path with an "@" inside a segment ("/Zr+Kw2@host/run"): what is left of user:password@ whose "/" was
 * not percent-encoded. An "@" starting a segment is a path of its own (Cloudflare's /ai/run/@cf/...).
 */
function brokenUserinfo(url: URL): boolean {
  return /[^/]@/.test(url.pathname);
}

/**
 * A URL that does not parse (or parses wrongly), printed: where its user information ends is unknowable
 * (a password may hold "/", "@" or "#"), so everything from "//" to the last "@" goes, and any query or
 * fragment.
 */
function withoutUserinfo(s: string): string {
  const start = s.indexOf('//');
  const at = s.lastIndexOf('@');
  const hidden = start >= 0 && at > start ? `${s.slice(0, start + 2)}${s.slice(at + 1)}` : s;
  return hidden.replace(/[?#].*$/, '');
}

export function redactUrl(url: URL): string {
  const u = new URL(url.href);
  u.username = '';
  u.password = '';
  u.search = '';
  u.hash = '';
  return u.href;
}
