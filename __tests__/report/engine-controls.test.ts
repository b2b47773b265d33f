import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, readJson, runCli } from '../helpers/cli.js';

/**
 * An engine's version string (from its health answer) is the engine's own text. One holding a
 * terminal escape (ESC [31m, BEL) and a right-to-left override must reach no console, log or report
 * as it is: on the console it would be obeyed, in summary.md and report.html it reorders the line
 * ("1.0<RLO>LIAF" reads as "1.0FAIL"). Every sink shows it escaped (\x1b, \u202e), as engine
 * messages already are.
 */
const VERSION = '1.0\u202eLIAF\u001b[31m\u0007';
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

// A command engine (JSON lines on stdin/stdout) that answers every case and reports VERSION.
const ENGINE = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const result = req.method === 'health' ? { status: 'ok', version: ${JSON.stringify(VERSION)} } : { final_answer: 'hello there' };
  process.stdout.write(JSON.stringify({ id: req.id, result }) + '\\n');
});
`;

describe('an engine version with control and bidi characters', () => {
  it('is escaped on the console, in run.log, report.json, summary.md and report.html', async () => {
    const cwd = makeProject({
      'engine.cjs': ENGINE,
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hi' }, assert: [{ type: 'contains', value: 'hello' }] }] },
    });
    const r = await runCli(['run', '--engine', `cmd:${process.execPath} engine.cjs`, '--stages', 'sim', '--run-id', 'ctl', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const dir = path.join(cwd, 'out', 'reports', 'ctl');
    const report = readJson(path.join(dir, 'report.json'));
    expect(report.engine.version).toBe('1.0\\u202eLIAF\\x1b[31m\\x07');
    const texts: Record<string, string> = {
      stdout: r.stdout,
      'run.log': fs.readFileSync(path.join(dir, 'run.log'), 'utf8'),
      'summary.md': fs.readFileSync(path.join(dir, 'summary.md'), 'utf8'),
      'report.html': fs.readFileSync(path.join(dir, 'report.html'), 'utf8'),
    };
    for (const [name, t] of Object.entries(texts)) {
      expect(t.match(UNSAFE), name).toBeNull();
      expect(t, name).toContain('LIAF');
    }
  });
});
