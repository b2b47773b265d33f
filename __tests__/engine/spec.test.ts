import { describe, expect, it } from 'vitest';
import { fileURLToPath } from 'node:url';
import { parseEngineSpec, redactTarget } from '../../src/engine/spec.js';
import { expandHeaders, secretRedactor } from '../../src/engine/secrets.js';
import { BoundedLineSplitter } from '../../src/engine/line-splitter.js';
import { InputError } from '../../src/util/errors.js';
import type { EngineSettings, ReferenceKnobs } from '../../src/settings/types.js';

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

describe('parseEngineSpec', () => {
  it('accepts reference', () => {
    expect(parseEngineSpec('reference')).toEqual({ kind: 'reference' });
    expect(parseEngineSpec('  reference ')).toEqual({ kind: 'reference' });
  });

  it('accepts http and https URLs', () => {
    const h = parseEngineSpec('http://127.0.0.1:8000/run');
    expect(h.kind === 'http' && h.url.href).toBe('http://127.0.0.1:8000/run');
    const s = parseEngineSpec('https://engine.example.com/v1/run');
    expect(s.kind === 'http' && s.url.protocol).toBe('https:');
  });

  it('splits cmd: like a shell, quotes included', () => {
    expect(parseEngineSpec('cmd:node "my engine.js" --stdio')).toEqual({
      kind: 'command',
      argv: ['node', 'my engine.js', '--stdio'],
    });
    expect(parseEngineSpec(`cmd:python3 'a b' c\\ d --x="1 2" ''`)).toEqual({
      kind: 'command',
      argv: ['python3', 'a b', 'c d', '--x=1 2', ''],
    });
  });

  it.each([
    [`cmd:python3 'my engine.py --stdio`, "'", 9],
    [`cmd:node "my engine.js`, '"', 6],
    [`cmd:engine --x="a \\" b`, '"', 12],
  ])('refuses an unclosed quote, as a shell would, instead of splitting inside it: %s', (spec, quote, at) => {
    const e = thrown(() => parseEngineSpec(spec));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`unclosed ${quote} quote (opened at character ${at})`);
  });

  it('closed quotes and escaped quote characters are no unclosed quote', () => {
    expect(parseEngineSpec(`cmd:engine it\\'s "say \\"hi\\"" 'a"b'`)).toEqual({ kind: 'command', argv: ['engine', "it's", 'say "hi"', 'a"b'] });
  });

  it('expands nothing: single-quoted $ stays literal, an unquoted variable is refused', () => {
    expect(parseEngineSpec(`cmd:engine '$HOME' ~/x`)).toEqual({ kind: 'command', argv: ['engine', '$HOME', '~/x'] });
    const e = thrown(() => parseEngineSpec('cmd:engine --key $API_KEY'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('$API_KEY');
    expect(e.message).toContain('expand');
  });

  it.each([
    ['cmd:engine | tee out.log', '|'],
    ['cmd:engine > out.log', '>'],
    ['cmd:engine && echo done', '&&'],
    ['cmd:engine; rm -rf x', ';'],
    ['cmd:engine 2>&1', '>&'],
    ['cmd:engine &', '&'],
  ])('refuses the shell operator in %s', (spec, op) => {
    const e = thrown(() => parseEngineSpec(spec));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain(`"${op}"`);
    expect(e.message).toContain('without a shell');
  });

  it('refuses globs and comments, and accepts them quoted', () => {
    expect(thrown(() => parseEngineSpec('cmd:engine *.json')).message).toContain('glob "*.json"');
    expect(thrown(() => parseEngineSpec('cmd:engine # note')).message).toContain('comment');
    expect(parseEngineSpec(`cmd:engine '*.json' "a|b" '#x'`)).toEqual({
      kind: 'command',
      argv: ['engine', '*.json', 'a|b', '#x'],
    });
  });

  it.each(['', 'cmd:', 'cmd:   ', 'ftp://host/run', 'localhost:8000', 'python3 engine.py', 'http://'])(
    'refuses %j listing the three accepted forms',
    (spec) => {
      const e = thrown(() => parseEngineSpec(spec));
      expect(e).toBeInstanceOf(InputError);
      if (!spec.startsWith('cmd:')) {
        expect(e.message).toContain('"reference"');
        expect(e.message).toContain('http://');
        expect(e.message).toContain('cmd:');
      }
    },
  );
});

describe('redactTarget', () => {
  it('drops userinfo and the whole query', () => {
    expect(redactTarget('https://user:pa55word@engine.example.com:8443/run?token=abc&x=1#frag')).toBe(
      'https://engine.example.com:8443/run',
    );
  });
  it('an engine URL that does not parse because of its password (a /, an @ or a # in it, not percent-encoded) is refused without printing any of the password', () => {
    // A base64 password (AWS-style keys hold '/') written into the URL as is: the URL parser reads
    // "user:abc" as host:port and refuses it; the message then showed the whole URL.
    for (const [spec, password] of [
      ['https://ci:Xq9/Zr+Kw2secret@engine.example.com/run', 'Xq9/Zr+Kw2secret'],
      ['http://ci:pa@ss@wxrd@127.0.0.1:99999/run', 'pa@ss@wxrd'],
      ['http://ci:hash#secret42@engine.example.com/run', 'hash#secret42'],
      // These two parse, as host "ci" port 8080 (or host "tok3n") and a path holding the rest.
      ['https://ci:8080/Zr+Kw2secret@engine.example.com/run', '8080/Zr+Kw2secret'],
      ['https://Tok3n/With/Slashes@engine.example.com/run', 'Tok3n/With/Slashes'],
    ]) {
      let message = '';
      try {
        parseEngineSpec(spec);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message, spec).toMatch(/is not a valid URL|has an "@" in its path/);
      expect(message, spec).toContain('percent-encode');
      for (const part of password.split(/[/@#+]/).filter((p) => p.length >= 3)) {
        expect(message, spec).not.toContain(part);
        expect(redactTarget(spec), spec).not.toContain(part);
      }
    }
  });
  it('an engine URL whose user name or password holds a "%" that is not a percent-encoding is refused as input, without printing it (it crashed the run: URIError)', () => {
    // Generated passwords hold '%'; the URL parser keeps "p%zz" as is, and decoding it for the Basic
    // header (and for the redactors) threw "URI malformed": an internal error, CRITICAL, exit 2.
    for (const [spec, secret] of [
      ['http://ci:pa%zzssword1234@127.0.0.1:8000/run', 'ssword1234'],
      ['https://tok%n1234567890@engine.example.com/run', 'n1234567890'],
      ['http://ci:100%@engine.example.com/run', '100%'],
    ]) {
      let message = '';
      try {
        parseEngineSpec(spec);
      } catch (err) {
        expect(err, spec).toBeInstanceOf(InputError);
        message = (err as Error).message;
      }
      expect(message, spec).toContain('%25');
      expect(message, spec).not.toContain(secret);
    }
    // A real percent-encoding is still taken.
    expect(parseEngineSpec('http://ci:p%40ss%2Fword@127.0.0.1:8000/run')).toMatchObject({ kind: 'http' });
  });
  it('takes an engine path whose segment starts with "@" (Cloudflare Workers AI models: /ai/run/@cf/meta/...)', () => {
    const spec = 'https://api.cloudflare.com/client/v4/accounts/abc123/ai/run/@cf/meta/llama-3-8b-instruct';
    expect(parseEngineSpec(spec)).toMatchObject({ kind: 'http' });
    expect(redactTarget(spec)).toBe(spec);
  });
  it('leaves reference and cmd: as given', () => {
    expect(redactTarget('reference')).toBe('reference');
    expect(redactTarget('cmd:node e.js')).toBe('cmd:node e.js');
  });
});

describe('expandHeaders', () => {
  it('interpolates ${NAME} from the environment', () => {
    expect(
      expandHeaders({ Authorization: 'Bearer ${TOKEN}', 'X-Both': '${A}-${B}', Plain: 'v' }, { TOKEN: 't0k', A: '1', B: '2' }),
    ).toEqual({ Authorization: 'Bearer t0k', 'X-Both': '1-2', Plain: 'v' });
  });

  it('names header and variable when the variable is missing, never a value', () => {
    const e = thrown(() => expandHeaders({ 'X-Key': 'k-${KEY}', Authorization: 'Bearer ${TOKEN}' }, { KEY: 'supersecretvalue' }));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toContain('"Authorization"');
    expect(e.message).toContain('TOKEN');
    expect(e.message).not.toContain('supersecretvalue');
  });

  it('refuses a value that would split the request, without showing it', () => {
    const e = thrown(() => expandHeaders({ 'X-Key': '${KEY}' }, { KEY: 'abc\r\nX-Evil: 1' }));
    expect(e.message).toContain('"X-Key"');
    expect(e.message).not.toContain('X-Evil');
  });

  it('refuses invalid header names and variable names', () => {
    expect(thrown(() => expandHeaders({ 'Bad Name': 'v' }, {})).message).toContain('not a valid HTTP header name');
    expect(thrown(() => expandHeaders({ X: '${1X}' }, {})).message).toContain('not a variable name');
  });
});

describe('secretRedactor', () => {
  it('blanks header values and their bare tokens', () => {
    const redact = secretRedactor({ authorization: 'Bearer abcdefgh12345', 'x-short': 'on' });
    expect(redact('got Bearer abcdefgh12345 and abcdefgh12345; on')).toBe('got [redacted] and [redacted]; on');
  });
});

describe('BoundedLineSplitter', () => {
  it('splits chunks into lines across chunk boundaries and multi-byte characters', () => {
    const lines: string[] = [];
    const s = new BoundedLineSplitter(100, (l) => lines.push(l), () => lines.push('OVERFLOW'));
    const bytes = Buffer.from('héllo\r\nwo');
    s.push(bytes.subarray(0, 2)); // cuts inside "é"
    s.push(bytes.subarray(2));
    s.push(Buffer.from('rld\n\nlast'));
    s.end();
    expect(lines).toEqual(['héllo', 'world', '', 'last']);
  });

  it('reports an overlong line once, with its prefix, and resumes at the next line', () => {
    const lines: string[] = [];
    const prefixes: string[] = [];
    const s = new BoundedLineSplitter(10, (l) => lines.push(l), (p) => prefixes.push(p), 4);
    s.push(Buffer.from('{"id":"7",'));
    s.push(Buffer.from('x'.repeat(1000)));
    s.push(Buffer.from('y'.repeat(1000) + '\nok\n'));
    expect(prefixes).toEqual(['{"id']);
    expect(lines).toEqual(['ok']);
  });
});

describe('createEngine', () => {
  const knobs: ReferenceKnobs = {
    latencyMs: 0,
    errorRate: 0,
    nondeterminism: 0,
    crashAfter: 0,
    stallMs: 0,
    generation: '2.5h',
    seed: 1,
  };
  const settings = (target: string, headers: Record<string, string> = {}): EngineSettings => ({
    target,
    profile: 'auto',
    headers,
    timeoutMs: 5_000,
    maxResponseBytes: 1024 * 1024,
    body: {},
    rateLimit: { retries: 3, maxWaitMs: 30_000 },
  });

  it('dispatches on the spec and expands header secrets up front', async () => {
    // Imported here so the other tests do not depend on the reference engine module.
    const { createEngine, isRestartable } = await import('../../src/engine/create.js');
    const logs: string[] = [];
    const deps = { log: (_l: string, m: string) => logs.push(m), env: { TOKEN: 'x' }, cwd: process.cwd() };

    const http = createEngine(settings('http://u:p@127.0.0.1:9/run?k=v', { A: '${TOKEN}' }), knobs, deps);
    expect(http.kind).toBe('http');
    expect(http.target).toBe('http://127.0.0.1:9/run');
    await http.close();

    const echo = fileURLToPath(new URL('../fixtures/engines/echo.mjs', import.meta.url));
    const cmd = createEngine(settings(`cmd:"${process.execPath}" "${echo}"`, { A: 'b' }), knobs, deps);
    expect(cmd.kind).toBe('command');
    expect(isRestartable(cmd)).toBe(true);
    expect(logs.join()).toContain('only sent to http(s) engines');
    const r = await cmd.call({ runId: 'r', caseId: 'c', seed: 3, input: { prompt: 'hi' } });
    expect(r.ok && r.body).toMatchObject({ echo: { prompt: 'hi' }, seed: 3 });
    await cmd.close();

    const ref = createEngine(settings('reference'), knobs, deps);
    expect(ref.kind).toBe('reference');
    expect(isRestartable(http)).toBe(false);
    await ref.close();

    expect(() => createEngine(settings('http://h/run', { A: '${MISSING}' }), knobs, deps)).toThrow(/MISSING/);
    expect(() => createEngine(settings('nope'), knobs, deps)).toThrow(InputError);
  });
});
