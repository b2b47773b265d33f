import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ReferenceKnobs } from '../../src/settings/types.js';
import { DEFAULT_KNOBS } from '../../src/engine/reference/main.js';
import { ReferenceEngine } from '../../src/engine/reference/engine.js';
import { EXIT_CODE_CRASHED, EngineCrashedError, runReferenceStdio } from '../../src/engine/reference/stdio.js';

const knobs = (over: Partial<ReferenceKnobs> = {}): ReferenceKnobs => ({ ...DEFAULT_KNOBS, ...over });
const MAIN = fileURLToPath(new URL('../../src/engine/reference/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const run = (id: string, prompt: string, seed: number) =>
  JSON.stringify({ id, method: 'run', params: { runId: 'r', caseId: id, seed, input: { prompt } } });

/** Feeds lines to an in-process stdio engine and collects what it writes until it ends. */
async function converse(k: ReferenceKnobs, lines: string[]): Promise<{ out: any[]; error?: unknown }> {
  const input = new PassThrough();
  const output = new PassThrough();
  const chunks: string[] = [];
  output.on('data', (d: Buffer) => chunks.push(d.toString()));
  const done = runReferenceStdio(k, input, output).then(
    () => undefined,
    (err: unknown) => err,
  );
  for (const l of lines) input.write(l + '\n');
  input.end();
  const error = await done;
  const out = chunks
    .join('')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
  return { out, error };
}

describe('reference stdio protocol (in process)', () => {
  it('answers run and health by id; every answer is one JSON line', async () => {
    const { out, error } = await converse(knobs(), [
      JSON.stringify({ id: 'h', method: 'health' }),
      run('a', 'What is the capital of France?', 3),
    ]);
    expect(error).toBeUndefined();
    const byId = new Map(out.map((o) => [o.id, o]));
    expect(byId.get('h')).toEqual({ id: 'h', result: { status: 'ok', version: 'reference-2.5h/2.0.0', generation: '2.5h' } });
    const expected = await new ReferenceEngine(knobs()).answer({ runId: 'r', caseId: 'a', seed: 3, input: { prompt: 'What is the capital of France?' } });
    expect(expected.ok).toBe(true);
    if (expected.ok) expect(byId.get('a')).toEqual({ id: 'a', result: expected.body });
  });

  it('answers out of order under latency, and ids still match their answers', async () => {
    const ids = Array.from({ length: 20 }, (_, i) => `req-${i}`);
    const { out } = await converse(
      knobs({ latencyMs: 30, seed: 4 }),
      ids.map((id, i) => run(id, `Question number ${i}?`, i)),
    );
    expect(out.map((o) => o.id).sort()).toEqual([...ids].sort());
    expect(out.map((o) => o.id)).not.toEqual(ids);
    for (const o of out) {
      const i = Number(o.id.slice(4));
      expect(o.result.state_snapshot.CLEAN_PROMPT).toBe(`Question number ${i}?`);
    }
  });

  it('answers malformed lines with id null and keeps going', async () => {
    const { out, error } = await converse(knobs(), [
      'not json',
      '[1,2,3]',
      '{"method":"run"}',
      '',
      JSON.stringify({ id: 'x', method: 'fly' }),
      JSON.stringify({ id: 'y', method: 'run', params: { input: { text: 'no prompt' } } }),
      JSON.stringify({ id: 'z', method: 'run', params: { seed: 'abc', input: { prompt: 'hi' } } }),
      run('ok', 'Still alive?', 1),
    ]);
    expect(error).toBeUndefined();
    const nulls = out.filter((o) => o.id === null);
    expect(nulls).toHaveLength(3);
    for (const n of nulls) expect(n.error.code).toBe('bad_request');
    expect(out.find((o) => o.id === 'x').error.code).toBe('unknown_method');
    expect(out.find((o) => o.id === 'y').error).toMatchObject({ code: 'bad_request' });
    expect(out.find((o) => o.id === 'z').error.message).toContain('seed');
    expect(out.find((o) => o.id === 'ok').result.final_answer).toContain('Still alive?');
  });

  it('reports engine errors per request', async () => {
    const { out } = await converse(knobs({ generation: '3' }), [run('e', '', 1)]);
    expect(out).toEqual([{ id: 'e', error: { message: 'Query failed: Invalid prompt length: 0', code: 'engine_error' } }]);
  });

  it('rejects with EngineCrashedError after the crash-after-th answer', async () => {
    const { out, error } = await converse(knobs({ crashAfter: 2 }), [run('a', 'a', 1), run('b', 'b', 1), run('c', 'c', 1)]);
    expect(error).toBeInstanceOf(EngineCrashedError);
    expect(out.map((o) => o.id).sort()).toEqual(['a', 'b']);
  });
});

describe('reference stdio as a child process', () => {
  function startChild(args: string[]) {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'stdio', ...args], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // Writes racing a deliberate exit may hit a closed pipe.
    child.stdin.on('error', () => undefined);
    const lines: any[] = [];
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(buf.slice(0, nl)));
        buf = buf.slice(nl + 1);
      }
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, lines, exited };
  }

  it('serves requests, survives malformed lines, and exits 0 when stdin ends', async () => {
    const { child, lines, exited } = startChild(['--generation', '2.5h-stability', '--latency-ms', '20']);
    child.stdin.write('garbage\n');
    child.stdin.write(JSON.stringify({ id: 'h', method: 'health' }) + '\n');
    for (let i = 0; i < 5; i++) child.stdin.write(run(`r${i}`, `Prompt ${i}`, i) + '\n');
    child.stdin.end();
    expect(await exited).toBe(0);
    expect(lines.find((l) => l.id === null).error.code).toBe('bad_request');
    expect(lines.find((l) => l.id === 'h').result.version).toBe('reference-2.5h-stability/2.0.0');
    for (let i = 0; i < 5; i++) {
      const l = lines.find((x) => x.id === `r${i}`);
      expect(l.result.state_snapshot.CLEAN_PROMPT).toBe(`Prompt ${i}`);
      expect(l.result.tier_path).toEqual(['T1', 'T2', 'T3']);
    }
  });

  it('exits non-zero (70) after crash-after requests, answering exactly those', async () => {
    const { child, lines, exited } = startChild(['--crash-after', '2']);
    for (const id of ['a', 'b', 'c', 'd']) child.stdin.write(run(id, `Prompt ${id}`, 1) + '\n');
    const code = await exited;
    expect(code).toBe(EXIT_CODE_CRASHED);
    expect(lines.map((l) => l.id).sort()).toEqual(['a', 'b']);
    child.stdin.destroy();
  });
});
