import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/settings/defaults.js';
import { resolveSettings, type SettingsFlags } from '../../src/settings/resolve.js';
import { InputError } from '../../src/util/errors.js';

const FIX = path.resolve(import.meta.dirname, '../fixtures/settings');
const EMPTY = path.join(FIX, 'empty-dir');
const NOW = new Date('2024-05-01T02:03:04Z');

function resolve(flags: SettingsFlags = {}, configPath?: string, cwd = FIX) {
  return resolveSettings({ cwd, configPath, flags, env: {}, now: NOW });
}

function caught(fn: () => unknown): InputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('resolveSettings: sources and precedence', () => {
  it('gives the defaults when there is no config file', () => {
    const s = resolve({}, undefined, EMPTY);
    expect(s.configFile).toBeNull();
    expect(s.cwd).toBe(EMPTY);
    expect(s.runId).toMatch(/^20240501T020304Z-[0-9a-f]{6}$/);
    expect(s.shard).toBeNull();
    const { configFile, cwd, runId, shard, engineDefaulted, runIdGenerated, ...rest } = s;
    expect(rest).toEqual(DEFAULTS);
    expect(engineDefaulted).toBe(true); // no engine named: the built-in test engine, said so
    expect(runIdGenerated).toBe(true); // no run id given: a shard leg would warn
    expect(s.engine).toEqual({
      target: 'reference',
      profile: 'auto',
      headers: {},
      timeoutMs: 30000,
      maxResponseBytes: 10 * 1024 * 1024,
      proxy: 'env',
      body: {},
      rateLimit: { retries: 3, maxWaitMs: 30000 },
    });
    expect(s.stages).toEqual(['sim', 'load', 'replay', 'pipeline']);
    expect(s.load.thresholds).toEqual({ http_req_duration: ['p(95)<450'], http_req_failed: ['rate<0.01'] });
    expect(s.reference).toEqual({
      latencyMs: 0,
      errorRate: 0,
      nondeterminism: 0,
      crashAfter: 0,
      stallMs: 0,
      generation: '2.5h',
      seed: 1,
    });
  });

  it('does not let a run mutate the defaults', () => {
    const s = resolve({}, undefined, EMPTY);
    s.sim.passRate.fail = 0;
    s.stages.pop();
    expect(DEFAULTS.sim.passRate.fail).toBe(0.95);
    expect(resolve({}, undefined, EMPTY).stages).toHaveLength(4);
  });

  it('overrides defaults from a JSON config, keeping unset siblings', () => {
    const s = resolve({}, 'override.json');
    expect(s.configFile).toBe('override.json');
    expect(s.engine.target).toBe('http://127.0.0.1:8000/run');
    expect(s.engine.timeoutMs).toBe(30000);
    expect(s.sim).toEqual({
      registry: 'sim/sim_dataset.json',
      concurrency: 4,
      timeoutMs: 30000,
      passRate: { warn: 1, fail: 0.9 },
      datasets: [],
      tags: ['opus'],
    });
    expect(s.load.rate).toBe(20);
    expect(s.load.duration).toBe('1m30s');
    // Thresholds are replaced, not merged: the listed set is the whole set.
    expect(s.load.thresholds).toEqual({ http_req_duration: [{ threshold: 'p(99)<900', level: 'warn' }] });
    expect(s.replay).toEqual({
      rounds: 5,
      ignorePaths: ['/random_witness'],
      ignoreVolatile: true,
      freshProcess: false,
      thresholds: { pass: 90, warn: 70 },
      drift: { warnRate: 0, failRate: 0.05 },
    });
    // Stages always run in pipeline order.
    expect(s.stages).toEqual(['sim', 'replay']);
    expect(s.failOn).toBe('warn');
    expect(s.baseline).toBe('baselines/last.json');
    expect(s.out).toBe('out/testops');
    expect(s.runId).toBe('nightly-42');
  });

  it('overrides defaults from a YAML config', () => {
    const s = resolve({}, 'override.yaml');
    expect(s.configFile).toBe('override.yaml');
    expect(s.engine).toEqual({
      target: 'cmd:python3 engine.py --stdio',
      profile: 'toron-2.5h-stability',
      headers: { Authorization: 'Bearer ${TORON_TOKEN}' },
      timeoutMs: 30000,
      maxResponseBytes: 10 * 1024 * 1024,
      proxy: 'env',
      body: {},
      rateLimit: { retries: 3, maxWaitMs: 30000 },
    });
    expect(s.sim.concurrency).toBe(16);
    expect(s.sim.datasets).toEqual(['opus-escalation']);
    expect(s.reference.generation).toBe('3');
    expect(s.reference.seed).toBe(7);
    expect(s.reference.latencyMs).toBe(0);
    expect(s.pipeline).toEqual({ ...DEFAULTS.pipeline, profile: 'toron-3', latencyP95Ms: 800 });
  });

  it('finds testops.config.* in cwd when no path is given', () => {
    const y = resolve({}, undefined, path.join(FIX, 'discover-yaml'));
    expect(y.configFile).toBe('testops.config.yaml');
    expect(y.sim.concurrency).toBe(3);
    const both = resolve({}, undefined, path.join(FIX, 'discover-both'));
    expect(both.configFile).toBe('testops.config.json');
    expect(both.sim.concurrency).toBe(2);
  });

  it('puts flags over the config file', () => {
    const s = resolve(
      {
        engine: 'http://127.0.0.1:9000/run',
        runId: 'pr-7',
        out: 'elsewhere',
        baseline: null,
        stages: 'pipeline, load',
        failOn: 'never',
        shard: '2/4',
        concurrency: '12',
        timeoutMs: 5000,
        profile: 'toron-3',
        replayRounds: '7',
        generation: '2.5h-stability',
        latencyMs: '25',
        errorRate: '0.1',
        nondeterminism: 0.5,
        crashAfter: '100',
        stallMs: '300',
        seed: '99',
      },
      'override.json',
    );
    expect(s.engine.target).toBe('http://127.0.0.1:9000/run');
    expect(s.engine.profile).toBe('toron-3');
    expect(s.engine.timeoutMs).toBe(5000);
    expect(s.sim.timeoutMs).toBe(5000);
    expect(s.sim.concurrency).toBe(12);
    expect(s.sim.tags).toEqual(['opus']); // from the file, untouched by flags
    expect(s.runId).toBe('pr-7');
    expect(s.out).toBe('elsewhere');
    expect(s.baseline).toBeNull();
    expect(s.stages).toEqual(['load', 'pipeline']);
    expect(s.failOn).toBe('never');
    expect(s.shard).toEqual({ index: 2, total: 4 });
    expect(s.replay.rounds).toBe(7);
    expect(s.reference).toEqual({
      latencyMs: 25,
      errorRate: 0.1,
      nondeterminism: 0.5,
      crashAfter: 100,
      stallMs: 300,
      generation: '2.5h-stability',
      seed: 99,
    });
  });

  it('takes stages as an array too', () => {
    expect(resolve({ stages: ['replay'] }, undefined, EMPTY).stages).toEqual(['replay']);
  });

  it('takes --config over the configPath input', () => {
    expect(resolve({ config: 'override.yaml' }, 'override.json').configFile).toBe('override.yaml');
  });

  it('keeps paths relative to cwd as given', () => {
    const s = resolve({ out: 'a/b', baseline: 'snap/x.json' }, 'override.json');
    expect([s.out, s.baseline, s.sim.registry]).toEqual(['a/b', 'snap/x.json', 'sim/sim_dataset.json']);
    expect(path.isAbsolute(s.cwd)).toBe(true);
  });

  it('prints a config outside cwd relative to cwd', () => {
    const s = resolve({}, path.join(FIX, 'override.json'), EMPTY);
    expect(s.configFile).toBe('../override.json');
  });
});

describe('resolveSettings: errors in the config file', () => {
  it('names file, JSON path and line for a wrong type', () => {
    const e = caught(() => resolve({}, 'wrong-type.json'));
    expect(e.file).toBe('wrong-type.json');
    expect(e.pointer).toBe('/sim/concurrency');
    expect(e.line).toBe(5);
    expect(e.message).toBe('wrong-type.json:5 at /sim/concurrency: sim.concurrency must be integer, got "8"');
  });

  it('does the same for YAML, and reports every problem at once', () => {
    const e = caught(() => resolve({}, 'wrong-type.yaml'));
    expect([e.file, e.line, e.pointer]).toEqual(['wrong-type.yaml', 5, '/sim/concurrency']);
    expect(e.message.split('\n')).toEqual([
      'wrong-type.yaml:5 at /sim/concurrency: sim.concurrency must be integer, got "8"',
      'wrong-type.yaml:7 at /replay/rounds: replay.rounds must be >= 1, got 0',
    ]);
  });

  it('names an unknown key and suggests the closest known one', () => {
    const e = caught(() => resolve({}, 'unknown-key.json'));
    expect(e.message.split('\n')).toEqual([
      'unknown-key.json:3 at /sim/concurency: unknown key "concurency" in sim (did you mean "concurrency"?)',
      'unknown-key.json:5 at /pipline: unknown key "pipline" at the top level (did you mean "pipeline"?)',
      'unknown-key.json:6 at /zzzzzz: unknown key "zzzzzz" at the top level',
    ]);
  });

  it('explains patterns, enums, ranges, duplicates and header names', () => {
    const e = caught(() => resolve({}, 'many-errors.json'));
    const lines = e.message.split('\n');
    expect(lines).toEqual([
      'many-errors.json:2 at /engine/target: engine.target must be "reference", an http:// or https:// URL, or "cmd:<argv>", got "ftp://x"',
      'many-errors.json:2 at /engine/headers/bad header: key "bad header" in engine.headers must be a valid HTTP header name',
      'many-errors.json:4 at /sim/passRate/warn: sim.passRate.warn must be <= 1, got 1.5',
      'many-errors.json:5 at /load/duration: load.duration must be a duration with units like "10s", "1m30s" or "500ms", got "10"',
      'many-errors.json:6 at /load/stages/0: load.stages[0] is missing required key "target"',
      'many-errors.json:7 at /load/thresholds/http_req_duration{status:200}/0: load.thresholds["http_req_duration{status:200}"][0] must be string or object, got 5',
      'many-errors.json:8 at /replay/ignorePaths/0: replay.ignorePaths[0] must be a JSON Pointer like "/random_witness", got "random_witness"',
      'many-errors.json:9 at /stages/1: stages[1] must be one of "sim", "load", "replay", "pipeline", got "lod" (did you mean "load"?)',
      'many-errors.json:9 at /stages: stages lists "sim" more than once',
      'many-errors.json:10 at /runId: runId must be 1-128 letters, digits, \'.\', \'_\' or \'-\', starting with a letter or digit, not ending with \'.\', not a Windows device name (CON, NUL, COM1, ...), got "../x"',
      'many-errors.json:11 at /baseline: baseline must be string or null, got false',
    ]);
  });

  it('tells YAML users to quote numbers meant as text, once per field', () => {
    const e = caught(() => resolve({}, 'yaml-quoting.yaml'));
    expect(e.message.split('\n')).toEqual([
      'yaml-quoting.yaml:1 at /engineVersion: engineVersion must be string or null, got 3 (quote it: "3")',
      'yaml-quoting.yaml:5 at /reference/generation: reference.generation must be string, got 3 (quote it: "3")',
    ]);
  });

  it('rejects numbers that overflow to Infinity', () => {
    const e = caught(() => resolve({}, 'overflow.json'));
    expect(e.message).toBe('overflow.json:1 at /load/rate: Infinity is not a finite number');
  });

  it('rejects a config that is not an object', () => {
    const e = caught(() => resolve({}, 'not-object.json'));
    expect(e.message).toBe('not-object.json:1 at (root): the config must be object, got an array');
  });

  it('checks rules across fields, at the line of the field the file set', () => {
    const e = caught(() => resolve({}, 'cross-field.json'));
    expect(e.message.split('\n')).toEqual([
      'cross-field.json:2 at /sim/passRate/warn: sim.passRate.warn (0.8) must be >= sim.passRate.fail (0.95)',
      'cross-field.json:3 at /replay/thresholds/pass: replay.thresholds.pass (60) must be >= replay.thresholds.warn (70)',
    ]);
  });

  it('names a missing config file', () => {
    const e = caught(() => resolve({ config: 'missing.json' }));
    expect(e.message).toBe('missing.json: config file not found');
  });

  it('passes syntax errors through with line and column', () => {
    const e = caught(() => resolve({}, 'bad-syntax.json'));
    expect([e.file, e.line, e.column]).toEqual(['bad-syntax.json', 4, 3]);
    const y = caught(() => resolve({}, 'bad-syntax.yaml'));
    expect([y.file, y.line, y.column]).toEqual(['bad-syntax.yaml', 4, 1]);
  });
});

describe('resolveSettings: flag errors', () => {
  it('says "flag --x" and validates with the schema rules', () => {
    const e = caught(() => resolve({ concurrency: 'abc', stages: 'sim,lod', failOn: 'warning', shard: '0/3' }, undefined, EMPTY));
    expect(e.file).toBeUndefined();
    expect(e.message.split('\n')).toEqual([
      'flag --stages: item 2 must be one of "sim", "load", "replay", "pipeline", got "lod" (did you mean "load"?)',
      'flag --fail-on must be one of "fail", "warn", "never", got "warning"',
      'flag --concurrency must be integer, got "abc"',
      'flag --shard: expected i/n with 1 <= i <= n (like "2/4"), got "0/3"',
    ]);
  });

  it.each([
    [{ concurrency: 0 }, 'flag --concurrency must be >= 1, got 0'],
    [{ concurrency: '1025' }, 'flag --concurrency must be <= 1024, got 1025'],
    [{ concurrency: '2.5' }, 'flag --concurrency must be integer, got 2.5'],
    [{ errorRate: '1.5' }, 'flag --error-rate must be <= 1, got 1.5'],
    [{ latencyMs: '1e999' }, 'flag --latency-ms must be number, got "1e999"'],
    [{ replayRounds: '101' }, 'flag --replay-rounds must be <= 100, got 101'],
    // Past Node's longest timer a timeout would fire after 1 ms and blame the engine.
    [{ timeoutMs: '3000000000' }, 'flag --timeout-ms must be <= 2147483647, got 3000000000'],
    [{ stallMs: '2147483648' }, 'flag --stall-ms must be <= 2147483647, got 2147483648'],
    [{ generation: '4' }, 'flag --generation must be one of "2.5h", "2.5h-stability", "3", got "4"'],
    [{ engine: 'toron' }, 'flag --engine must be "reference", an http:// or https:// URL, or "cmd:<argv>", got "toron"'],
    [{ stages: '' }, 'flag --stages must list at least 1 item'],
    [{ out: '' }, 'flag --out must not be empty'],
    // A NUL would reach the file system, whose error names the absolute path.
    [{ out: 'out\u0000x' }, 'flag --out must be a path without NUL bytes, got "out\\u0000x"'],
    [{ config: '' }, 'flag --config: must not be empty'],
  ] as [SettingsFlags, string][])('%j -> %s', (flags, message) => {
    expect(caught(() => resolve(flags, undefined, EMPTY)).message).toBe(message);
  });

  it.each(['1', '0/1', '3/2', '1/0', 'a/b', '1/2/3', '-1/2', '1/', ''])('rejects shard %j', (shard) => {
    expect(caught(() => resolve({ shard }, undefined, EMPTY)).message).toMatch(/^flag --shard: expected i\/n/);
  });

  it.each([
    ['1/1', { index: 1, total: 1 }],
    ['3/3', { index: 3, total: 3 }],
    ['1/10', { index: 1, total: 10 }],
  ])('parses shard %j', (shard, want) => {
    expect(resolve({ shard }, undefined, EMPTY).shard).toEqual(want);
  });
});

describe('resolveSettings: run id', () => {
  it.each(['../x', '', 'has space', '.hidden', 'a/b'])('rejects --run-id %j', (runId) => {
    expect(caught(() => resolve({ runId }, undefined, EMPTY)).message).toMatch(/^flag --run-id (must be 1-128 letters|must not be empty)/);
  });

  it('keeps a valid run id and generates one when absent', () => {
    expect(resolve({ runId: 'a.b_c-1' }, undefined, EMPTY).runId).toBe('a.b_c-1');
    const id = resolveSettings({ cwd: EMPTY, flags: {}, env: {} }).runId;
    expect(id).toMatch(/^[0-9]{8}T[0-9]{6}Z-[0-9a-f]{6}$/);
  });
});

describe('resolveSettings: engine map', () => {
  it('uses the map entry of engineVersion, keeping the rest of engine', () => {
    const s = resolve({}, 'engines.json');
    expect(s.engineVersion).toBe('3');
    expect(s.engine).toMatchObject({ target: 'cmd:python3 toron3.py --stdio', profile: 'toron-3', headers: { 'X-Team': 'gate' } });
    expect(s.engines.staging).toEqual({ target: 'https://staging.example/run', profile: 'auto' });
  });

  it('marks the engine as defaulted only when none was named by flag, config engine or engineVersion', () => {
    expect(resolve({}, undefined, EMPTY).engineDefaulted).toBe(true);
    expect(resolve({ runId: 'given' }, undefined, EMPTY).runIdGenerated).toBeUndefined();
    expect(resolve({ engine: 'reference' }, undefined, EMPTY).engineDefaulted).toBeUndefined();
    expect(resolve({}, 'engines.json').engineDefaulted).toBeUndefined();
    expect(resolve({ engineVersion: '2.5h' }, 'engines.json').engineDefaulted).toBeUndefined();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-engine-named-'));
    try {
      const write = (name: string, config: unknown) => fs.writeFileSync(path.join(dir, name), JSON.stringify(config));
      write('version-only.json', { engines: { v1: { target: 'http://127.0.0.1:9/run' } }, engineVersion: 'v1' });
      write('target.json', { engine: { target: 'reference' } });
      write('bare.json', { engine: 'reference' });
      expect(resolve({}, 'version-only.json', dir).engineDefaulted).toBeUndefined();
      expect(resolve({}, 'target.json', dir).engineDefaulted).toBeUndefined();
      expect(resolve({}, 'bare.json', dir).engineDefaulted).toBeUndefined();
      // An engine object of request options only names no engine: the flag (or action input) does.
      write('options-only.json', { engine: { headers: { 'x-api-key': 'k' }, timeoutMs: 1234 } });
      expect(resolve({}, 'options-only.json', dir).engineDefaulted).toBe(true);
      const flagged = resolve({ engine: 'http://127.0.0.1:9/run' }, 'options-only.json', dir);
      expect(flagged.engineDefaulted).toBeUndefined();
      expect(flagged.engine).toMatchObject({ target: 'http://127.0.0.1:9/run', headers: { 'x-api-key': 'k' }, timeoutMs: 1234 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a sim.datasets name the registry lacks is the config file\'s error, at its line, with a guess', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-named-datasets-'));
    try {
      fs.mkdirSync(path.join(dir, 'sim'));
      fs.writeFileSync(path.join(dir, 'sim/sim_dataset.json'), JSON.stringify({ datasets: [{ name: 'mini', path: 'mini.json', enabled: true }] }));
      fs.writeFileSync(path.join(dir, 'cfg.json'), '{\n  "sim": {\n    "datasets": ["mini", "minii"]\n  }\n}\n');
      const e = caught(() => resolve({}, 'cfg.json', dir));
      expect(e.message).toBe('cfg.json:3 at /sim/datasets/1: sim.datasets: no dataset named "minii" is registered in sim/sim_dataset.json (did you mean "mini"?); registered: mini');
      // Named right, it resolves; an unreadable registry is left to SIM, which reports it in full.
      fs.writeFileSync(path.join(dir, 'ok.json'), JSON.stringify({ sim: { datasets: ['mini'] } }));
      expect(resolve({}, 'ok.json', dir).sim.datasets).toEqual(['mini']);
      fs.writeFileSync(path.join(dir, 'sim/sim_dataset.json'), '{ not json');
      expect(resolve({}, 'cfg.json', dir).sim.datasets).toEqual(['mini', 'minii']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lets --engine-version pick another entry', () => {
    const s = resolve({ engineVersion: '2.5h' }, 'engines.json');
    expect(s.engine.target).toBe('http://127.0.0.1:8001/run');
    expect(s.engine.profile).toBe('toron-2.5h');
  });

  it('lets an explicit --engine (and --profile) win over the map entry', () => {
    const s = resolve({ engine: 'reference' }, 'engines.json');
    expect(s.engine.target).toBe('reference');
    expect(s.engine.profile).toBe('toron-3');
    const p = resolve({ engine: 'reference', profile: 'auto' }, 'engines.json');
    expect(p.engine).toMatchObject({ target: 'reference', profile: 'auto' });
  });

  it('lists the known versions for an unknown one', () => {
    const f = caught(() => resolve({}, 'unknown-version.json'));
    expect(f.message).toBe('unknown-version.json:5 at /engineVersion: engineVersion: unknown engine version "4" (known versions: "2.5h")');
    const g = caught(() => resolve({ engineVersion: 'nightly' }, 'engines.json'));
    expect(g.message).toBe('flag --engine-version: unknown engine version "nightly" (known versions: "2.5h", "3", "staging")');
    const h = caught(() => resolve({ engineVersion: '3' }, undefined, EMPTY));
    expect(h.message).toMatch(/unknown engine version "3" \(the config has no `engines` map\)/);
  });

  it('checks every spec with the engine parser, at the line that set it', () => {
    const e = caught(() => resolve({}, 'bad-spec.json'));
    const lines = e.message.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^bad-spec\.json:2 at \/engine\/target: engine: cmd: engine contains the shell operator "\|"/);
    expect(lines[1]).toMatch(/^bad-spec\.json:4 at \/engines\/staging\/target: engines\["staging"\]: the engine URL "http:\/\/:80\/run" is not a valid URL/);
    // The entry chosen by engineVersion is reported once, and the replaced `engine` is not checked.
    const g = caught(() => resolve({ engineVersion: 'staging' }, 'bad-spec.json'));
    expect(g.message.split('\n')).toHaveLength(1);
    expect(g.line).toBe(4);
    const f = caught(() => resolve({ engine: 'cmd:run $TOKEN' }, undefined, EMPTY));
    expect(f.message).toMatch(/^flag --engine: cmd: engine uses the variable \$TOKEN/);
  });

  it('accepts an upper-case URL scheme, as the engine parser does', () => {
    expect(resolve({ engine: 'HTTPS://engine.example/run' }, undefined, EMPTY).engine.target).toBe('HTTPS://engine.example/run');
  });

  it('does not treat inherited object keys as versions', () => {
    expect(caught(() => resolve({ engineVersion: 'constructor' }, 'engines.json')).message).toMatch(/unknown engine version/);
  });
});
