import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';

/**
 * run.log is one line per event, each starting with its timestamp: a line feed in engine or dataset
 * text quoted by a message (a JSON Schema error naming the answer's member, a case's JSON Pointer)
 * must not start a line of its own there or on the console, where it would read as an event of the
 * run ("... INFO  [runner] done: PASS (exit 0)" in a failed run).
 */
const FORGED = '2026-01-01T00:00:00.000Z INFO  [runner] done: PASS (exit 0)';
const MEMBER = `k\n${FORGED}`;

// A command engine (JSON lines) whose answer has a member named MEMBER.
const ENGINE = `
const rl = require('node:readline').createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const req = JSON.parse(line);
  const result = req.method === 'health' ? { status: 'ok', version: '1' } : { final_answer: 'hello', obj: { ${JSON.stringify(MEMBER)}: 'v' } };
  process.stdout.write(JSON.stringify({ id: req.id, result }) + '\\n');
});
`;

describe('line feeds in quoted engine and dataset text', () => {
  it('never start a line of run.log or of the console', async () => {
    const cwd = makeProject({
      'engine.cjs': ENGINE,
      'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
      'sim/tiny.json': {
        name: 'tiny',
        cases: [
          // The engine's member name, in Ajv's error ("value/k\n... must be number").
          { id: 'schema', input: { prompt: 'a' }, assert: [{ type: 'json-schema', path: '/obj', value: { type: 'object', additionalProperties: { type: 'number' } } }] },
          // The dataset's own pointer, in "... is missing from the response".
          { id: 'pointer', input: { prompt: 'b' }, assert: [{ type: 'equals', path: `/obj/x\n${FORGED}`, value: 1 }] },
        ],
      },
    });
    const r = await runCli(['run', '--engine', `cmd:${process.execPath} engine.cjs`, '--stages', 'sim', '--run-id', 'lf', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const log = fs.readFileSync(path.join(cwd, 'out', 'reports', 'lf', 'run.log'), 'utf8');
    expect(log).toContain('must be number');
    expect(log).toContain('is missing from the response');
    for (const [name, text] of [['run.log', log], ['stdout', r.stdout]] as const) {
      const lines = text.split('\n');
      expect(lines.filter((l) => l.startsWith('2026-01-01T')), name).toEqual([]);
    }
    // Every line of run.log is an event of this run (its timestamp first) or the indented rest of one.
    for (const l of log.split('\n').filter(Boolean)) expect(l).toMatch(/^(\d{4}-\d\d-\d\dT[\d:.]+Z |\s)/);
  });
});
