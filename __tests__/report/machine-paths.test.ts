import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from '../helpers/cli.js';
import { ROOT } from '../helpers/cli.js';

/**
 * DESIGN §3.3: no report, snapshot or bundle contains a path of the machine that made it. These runs
 * put the output folder outside the working folder, or make the history database unopenable, so the
 * store's messages (which name the database by its absolute path) reach run.log and the WAR ROOM.
 */
function project(): string {
  return makeProject({
    'sim/sim_dataset.json': { datasets: [{ name: 'tiny', path: 'tiny.json', enabled: true }] },
    'sim/tiny.json': { name: 'tiny', cases: [{ id: 'one', input: { prompt: 'hello' }, assert: [{ type: 'contains', value: 'hello' }] }] },
  });
}

/** Every file of the report folder, the snapshot, and every entry of bundle.zip, as text. */
function runTexts(out: string, runId: string): Record<string, string> {
  const dir = path.join(out, 'reports', runId);
  const texts: Record<string, string> = {};
  for (const f of fs.readdirSync(dir)) {
    if (f !== 'bundle.zip') texts[f] = fs.readFileSync(path.join(dir, f), 'utf8');
  }
  const zip = path.join(dir, 'bundle.zip');
  const names = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n');
  for (const n of names) texts[`bundle.zip!${n}`] = execFileSync('unzip', ['-p', zip, n], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return texts;
}

function leaks(texts: Record<string, string>, paths: string[]): string[] {
  return Object.entries(texts).flatMap(([name, text]) => paths.filter((p) => text.includes(p)).map((p) => `${name} names ${p}`));
}

describe('no path of the machine in the files of a run', () => {
  it('an output folder outside the working folder: run.log and the bundle name it relatively', async () => {
    const cwd = project();
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-out-elsewhere-'));
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'elsewhere', '--out', out], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const texts = runTexts(out, 'elsewhere');
    expect(leaks(texts, [out, cwd, os.tmpdir() + path.sep, ROOT])).toEqual([]);
    // The store's line is still there, with the database named relative to the working folder.
    expect(texts['run.log']).toContain(`history database ${path.relative(cwd, out)}/testops.db`);
    // Log lines are scrubbed once for every sink: the console (and serve's SSE, fed the same events) too.
    expect(r.stdout).toContain(`history database ${path.relative(cwd, out)}/testops.db`);
    expect(r.stdout.includes(out) || r.stdout.includes(cwd)).toBe(false);
  });

  it('a SIM registry given by its absolute path outside the working folder: sim_summary.json names it relatively', async () => {
    const datasets = project();
    const registry = path.join(datasets, 'sim', 'sim_dataset.json');
    const cwd = makeProject({ 'testops.config.json': { sim: { registry } } });
    const r = await runCli(['run', '--engine', 'reference', '--config', 'testops.config.json', '--stages', 'sim', '--run-id', 'reg', '--out', 'out'], { cwd });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const texts = runTexts(path.join(cwd, 'out'), 'reg');
    expect(JSON.parse(texts['sim_summary.json']).registry).toBe(path.relative(cwd, registry));
    expect(leaks(texts, [cwd, datasets, os.tmpdir() + path.sep])).toEqual([]);
  });

  it('merge into an output folder outside the working folder: its run.log names it relatively', async () => {
    const cwd = project();
    for (const i of [1, 2]) {
      const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'legs', '--shard', `${i}/2`, '--out', `shards/${i}`], { cwd });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'toron-merged-elsewhere-'));
    const m = await runCli(['merge', 'shards/1', 'shards/2', '--out', out], { cwd });
    expect(m.code, m.stdout + m.stderr).toBe(0);
    const texts = runTexts(out, 'legs');
    expect(leaks(texts, [out, cwd, os.tmpdir() + path.sep])).toEqual([]);
    expect(texts['run.log']).toContain(`history database ${path.relative(cwd, out)}/testops.db`);
  });

  it('a cmd: engine named by absolute paths (inside and outside the working folder) that dies mid-run: no path in the stage results, the snapshot or the bundle', async () => {
    const cwd = project();
    // Two more cases, so that the engine dies with cases still to answer; it quotes its own path on the way out.
    const ds = JSON.parse(fs.readFileSync(path.join(cwd, 'sim/tiny.json'), 'utf8'));
    ds.cases.push({ id: 'two', input: { prompt: 'two' } }, { id: 'three', input: { prompt: 'three' } });
    fs.writeFileSync(path.join(cwd, 'sim/tiny.json'), JSON.stringify(ds));
    fs.writeFileSync(
      path.join(cwd, 'engine.mjs'),
      [
        "import { createInterface } from 'node:readline';",
        'let n = 0;',
        "createInterface({ input: process.stdin }).on('line', (line) => {",
        '  const req = JSON.parse(line);',
        "  if (req.method === 'health') return process.stdout.write(JSON.stringify({ id: req.id, result: { version: '1' } }) + '\\n');",
        "  if (++n > 1) { process.stderr.write('boom in ' + process.argv[1] + ' at file://' + process.env.ELSEWHERE + '/lib.mjs:3:9 (cwd ' + process.cwd() + ')\\n'); process.exit(3); }",
        "  process.stdout.write(JSON.stringify({ id: req.id, result: { final_answer: 'hello' } }) + '\\n');",
        '});',
      ].join('\n'),
    );
    // The interpreter outside the working folder, the script inside it, both absolute; a --flag=/path too.
    const envFile = path.join(ROOT, 'no-such.env');
    const engine = `cmd:${process.execPath} --no-warnings --env-file-if-exists=${envFile} ${path.join(cwd, 'engine.mjs')}`;
    // The engine's stack names a file of its own elsewhere, and the working folder without a trailing /.
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'engine-lib-elsewhere-'));
    const r = await runCli(['run', '--engine', engine, '--stages', 'sim,replay', '--concurrency', '1', '--run-id', 'abs', '--out', 'out'], { cwd, env: { ELSEWHERE: elsewhere } });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const texts = runTexts(path.join(cwd, 'out'), 'abs');
    texts['snapshot'] = fs.readFileSync(path.join(cwd, 'out/snapshots/abs.json'), 'utf8');
    const report = JSON.parse(texts['report.json']);
    const failure = report.stages.sim.cases.find((c: { id: string }) => c.id === 'two').engineErrors[0].message;
    // (shell-quote writes `=` as `\=` in the command line it prints)
    expect(failure).toContain(`cmd:…/${path.basename(process.execPath)} --no-warnings --env-file-if-exists\\=…/no-such.env ./engine.mjs`);
    expect(failure).toContain('boom in engine.mjs at …/lib.mjs:3:9 (cwd .)');
    expect(leaks(texts, [cwd, ROOT, path.dirname(process.execPath), elsewhere])).toEqual([]);
  });

  it('a history database that cannot be opened: the HIGH finding names it relatively', async () => {
    const cwd = project();
    // A folder where the database file should be: SQLite cannot open it, and it cannot be moved aside.
    fs.mkdirSync(path.join(cwd, 'out', 'testops.db'), { recursive: true });
    const r = await runCli(['run', '--engine', 'reference', '--stages', 'sim', '--run-id', 'nodb', '--out', 'out'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const out = path.join(cwd, 'out');
    const texts = runTexts(out, 'nodb');
    const report = JSON.parse(texts['report.json']);
    const finding = report.warroom.find((f: { type: string }) => f.type === 'store-unavailable');
    expect(finding.message).toContain('./out/testops.db');
    expect(leaks(texts, [cwd, os.tmpdir() + path.sep])).toEqual([]);
    // The appended WAR ROOM log outside the report folder too.
    expect(fs.readFileSync(path.join(out, 'warroom', 'warroom.log'), 'utf8')).not.toContain(cwd);
  });
});
