import { describe, expect, it } from 'vitest';
import { loadSuite } from '../../src/stages/sim/dataset.js';
import { InputError } from '../../src/util/errors.js';
import { makeProject, runCli } from '../helpers/cli.js';

// A case id (or dataset name) holding an unpaired UTF-16 surrogate ("case-\ud800" in the JSON file)
// is a JavaScript string but no Unicode text: every UTF-8 output (SQLite, logs, summary.md, the
// hash behind its seed, the x-case-id header) turns it into U+FFFD. Two such ids that differ only
// there ("case-\ud800", "case-\udc00") got one seed and one sim_results row (the second replaced the
// first), and both showed as "case-�"; the HTTP adapter's header encoding threw "URI malformed",
// reported as the engine's error. They are refused when the dataset is read, naming file, line, case.

const registry = { datasets: [{ name: 'd', path: 'd.json', enabled: true }] };

function loadError(datasetText: string, registryText = JSON.stringify(registry)): InputError {
  const dir = makeProject({ 'sim/sim_dataset.json': registryText, 'sim/d.json': datasetText });
  try {
    loadSuite('sim/sim_dataset.json', { cwd: dir });
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('the dataset loaded');
}

describe('unpaired surrogates in case ids and dataset names', () => {
  it('are refused with the file, line and case', () => {
    const e = loadError('{"name":"d","cases":[\n{"id":"ok","input":{"prompt":"p"}},\n{"id":"case-\\ud800","input":{"prompt":"p"}}]}');
    expect(e.message).toMatch(/^sim\/d\.json:3 at \/cases\/1\/id case "case-.*": "id" must be text without .*unpaired surrogates/);
    expect(e.line).toBe(3);
    expect(loadError('{"name":"d","cases":[{"id":"a\\udc00b","input":{"prompt":"p"}}]}').message).toContain('unpaired surrogates');
    expect(loadError('{"name":"d\\ud800","cases":[]}', JSON.stringify({ datasets: [{ name: 'd\ud800', path: 'd.json' }] })).message).toContain('unpaired surrogates');
  });

  it('a surrogate pair (an emoji) is one character and stays allowed', () => {
    const dir = makeProject({ 'sim/sim_dataset.json': registry, 'sim/d.json': '{"name":"d","cases":[{"id":"smile-\\ud83d\\ude00","input":{"prompt":"p"}}]}' });
    const suite = loadSuite('sim/sim_dataset.json', { cwd: dir });
    expect(suite.cases.map((c) => c.id)).toEqual(['smile-\u{1F600}']);
  });

  it('end to end: exit 2 before any engine call, the error names the line', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': registry,
      'sim/d.json': '{"name":"d","cases":[\n{"id":"case-\\ud800","input":{"prompt":"p"}},\n{"id":"case-\\udc00","input":{"prompt":"p"}}]}',
    });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'surr'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stdout + r.stderr).toMatch(/sim\/d\.json:2 .*unpaired surrogates/);
  });
});
