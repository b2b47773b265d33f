import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listZip, readZipFile } from '../../src/github/zip.js';
import { parseEngineSpec, redactTarget } from '../../src/engine/spec.js';
import { makeProject, runCli } from '../helpers/cli.js';

/**
 * A cmd: engine's command line often carries credentials in forms other than `--api-key X`: an
 * environment assignment for the engine (`env OPENAI_API_KEY=...`, `docker run -e API_TOKEN=...`),
 * a URL with user:password@ or ?token=, a header argument (`-H "Authorization: Bearer ..."`),
 * `--bearer X`. The runner masks `${{ secrets.* }}` in the log, not in report.json, summary.md,
 * report.html, run.log, the snapshot and the bundle (an uploaded artifact).
 */
const S = {
  env: 'sk-env-0123456789abcdef',
  docker: 'tok-docker-ABCDEFGH1234',
  urlPass: 'pw-url-98765432',
  urlQuery: 'q-token-11223344',
  header: 'hdr-bearer-55667788',
  bearer: 'opt-bearer-99887766',
};

describe('credentials on a cmd: engine command line, in other forms', () => {
  it('are blanked from the printed target', () => {
    const specs = [
      `cmd:env OPENAI_API_KEY=${S.env} python3 engine.py`,
      `cmd:docker run --rm -e API_TOKEN=${S.docker} -e MODE=fast engine:latest`,
      `cmd:python3 engine.py --upstream 'https://svc:${S.urlPass}@api.example/v1?access_token=${S.urlQuery}&region=eu'`,
      `cmd:python3 engine.py -H "Authorization: Bearer ${S.header}"`,
      `cmd:python3 engine.py --bearer ${S.bearer}`,
    ];
    const shown = specs.map(redactTarget);
    for (const s of Object.values(S)) for (const line of shown) expect(line).not.toContain(s);
    expect(shown[0]).toBe('cmd:env OPENAI_API_KEY=[redacted] python3 engine.py');
    expect(shown[1]).toContain('-e MODE=fast');
    expect(shown[2]).toContain('api.example/v1');
  });

  it('a URL argument whose password holds a "%" that is no percent-encoding: its password and credential query values are blanked all the same', () => {
    // urlSecrets decoded the password and threw "URI malformed"; the caller's catch then dropped every
    // secret of that URL, the ?access_token= value included.
    const spec = `cmd:python3 engine.py --upstream 'https://svc:pw%zz${S.urlPass}@api.example/v1?access_token=${S.urlQuery}'`;
    const shown = redactTarget(spec);
    expect(shown).toContain('api.example/v1');
    expect(shown).not.toContain(S.urlQuery);
    expect(shown).not.toContain(S.urlPass);
  });

  it('are blanked from a command line that does not split, and from the error saying why', () => {
    // An unquoted ? is a glob: the spec is refused, and the refusal quotes the word.
    const spec = `cmd:python3 engine.py --api-key=${S.env} --upstream https://svc:${S.urlPass}@api.example/v1?access_token=${S.urlQuery}`;
    let message = '';
    try {
      parseEngineSpec(spec);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/glob/);
    for (const text of [message, redactTarget(spec)]) for (const s of [S.env, S.urlPass, S.urlQuery]) expect(text).not.toContain(s);
  });

  it('reach none of the run\'s files', async () => {
    const engine = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const result = req.method === 'health' ? { status: 'ok', version: '1' } : { final_answer: 'hello there' };
  process.stdout.write(JSON.stringify({ id: req.id, result }) + '\\n');
});
`;
    const cwd = makeProject({
      'engine.cjs': engine,
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hi' }, assert: [{ type: 'contains', value: 'nope' }] }] },
    });
    const spec = `cmd:env OPENAI_API_KEY=${S.env} ${process.execPath} engine.cjs --upstream 'https://svc:${S.urlPass}@api.example/v1?access_token=${S.urlQuery}' -H "Authorization: Bearer ${S.header}" --bearer ${S.bearer}`;
    const r = await runCli(['run', '--engine', spec, '--stages', 'sim,replay,pipeline', '--run-id', 'argv', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const texts: [string, string][] = [['stdout', r.stdout], ['stderr', r.stderr]];
    const dir = path.join(cwd, 'out', 'reports', 'argv');
    for (const f of fs.readdirSync(dir)) {
      const buf = fs.readFileSync(path.join(dir, f));
      if (f === 'bundle.zip') for (const e of listZip(buf)) texts.push([`bundle.zip!${e.name}`, readZipFile(buf, e.name)!.toString('utf8')]);
      else texts.push([f, buf.toString('utf8')]);
    }
    texts.push(['snapshot', fs.readFileSync(path.join(cwd, 'out', 'snapshots', 'argv.json'), 'utf8')]);
    texts.push(['testops.db', fs.readFileSync(path.join(cwd, 'out', 'testops.db')).toString('latin1')]);
    expect(texts.find(([n]) => n === 'report.json')![1]).toMatch(/OPENAI_API_KEY(\\\\)?=\[redacted\]/);
    for (const [name, text] of texts) for (const s of Object.values(S)) expect(text.includes(s), `${s} in ${name}`).toBe(false);
  });

  it('are blanked from the answers of an engine that echoes its command line (a debug block), as an HTTP engine\'s header values are', async () => {
    const engine = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const args = process.argv.slice(2);
  const result = req.method === 'health' ? { status: 'ok', version: '1' } : { final_answer: 'started with ' + args.join(' '), debug: { argv: args, env: process.env.OPENAI_API_KEY } };
  process.stdout.write(JSON.stringify({ id: req.id, result }) + '\\n');
});
`;
    const cwd = makeProject({
      'engine.cjs': engine,
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hi' }, assert: [{ type: 'contains', value: 'nope' }] }] },
    });
    const spec = `cmd:env OPENAI_API_KEY=${S.env} ${process.execPath} engine.cjs --upstream 'https://svc:${S.urlPass}@api.example/v1?access_token=${S.urlQuery}' --bearer ${S.bearer}`;
    const r = await runCli(['run', '--engine', spec, '--stages', 'sim', '--run-id', 'echo', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const snapshot = fs.readFileSync(path.join(cwd, 'out', 'snapshots', 'echo.json'), 'utf8');
    expect(snapshot).toContain('started with --upstream');
    const texts: [string, string][] = [['stdout', r.stdout], ['snapshot', snapshot]];
    const dir = path.join(cwd, 'out', 'reports', 'echo');
    for (const f of fs.readdirSync(dir)) if (f !== 'bundle.zip') texts.push([f, fs.readFileSync(path.join(dir, f), 'utf8')]);
    for (const [name, text] of texts) for (const s of [S.env, S.urlPass, S.urlQuery, S.bearer]) expect(text.includes(s), `${s} in ${name}`).toBe(false);
  });
});
