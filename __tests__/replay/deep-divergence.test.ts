import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diffValues, firstDivergence } from '../../src/replay/divergence.js';
import { compileIgnorePaths } from '../../src/replay/ignore-paths.js';
import { makeProject, readJson, reportDir, runCli } from '../helpers/cli.js';

// Answers nested a few thousand levels deep (a recursive trace) still have a canonical form, so a
// replay that answers them differently must say where: the comparison used to recurse once per level
// and ran out of stack (at ~3,300 levels) before the canonical form did (~4,400), and the whole replay
// stage ended in ERROR "internal error: RangeError: Maximum call stack size exceeded".

const deepArray = (n: number, leaf: string) => JSON.parse('['.repeat(n) + leaf + ']'.repeat(n)) as unknown;
const deepObject = (n: number, leaf: string) => JSON.parse('{"a":'.repeat(n) + leaf + '}'.repeat(n)) as unknown;

describe('divergence on deeply nested answers', () => {
  it('firstDivergence and diffValues walk any depth JSON.parse reads', () => {
    const n = 100_000;
    const pointer = '/0'.repeat(n);
    expect(firstDivergence(deepArray(n, '1'), deepArray(n, '2'))).toEqual({ pointer });
    expect(firstDivergence(deepArray(n, '1'), deepArray(n, '1'))).toBeNull();
    expect(diffValues(deepArray(n, '1'), deepArray(n, '2'))).toEqual({ diffs: [{ pointer, kind: 'changed', left: 1, right: 2 }], total: 1 });
    expect(diffValues(deepArray(n, '1'), deepArray(n, '1'))).toEqual({ diffs: [], total: 0 });
    // Objects, a string leaf (char index, similarity), a length difference deep down.
    const objPointer = '/a'.repeat(n);
    expect(firstDivergence(deepObject(n, '"abc"'), deepObject(n, '"abd"'))).toEqual({ pointer: objPointer, charIndex: 2 });
    const d = diffValues(deepObject(n, '"abc"'), deepObject(n, '"abd"'));
    expect(d.total).toBe(1);
    expect(d.diffs[0]).toMatchObject({ pointer: objPointer, kind: 'changed', left: 'abc', right: 'abd', charIndex: 2 });
    expect(firstDivergence(deepArray(n, '1,2'), deepArray(n, '1'))).toEqual({ pointer: `${'/0'.repeat(n - 1)}/1` });
    expect(diffValues(deepArray(n, '1,2'), deepArray(n, '1'))).toEqual({ diffs: [{ pointer: `${'/0'.repeat(n - 1)}/1`, kind: 'removed', left: 2 }], total: 1 });
  });

  it('keep canonical order, ignorePaths and the first-divergence-only rule of the walk', () => {
    const a = { b: [1, { x: 1, y: 2 }, 3], a: 'same', c: 1 };
    const b = { c: 2, b: [1, { x: 9, z: 2 }], a: 'same' };
    expect(firstDivergence(a, b)).toEqual({ pointer: '/b/1/x' });
    expect(diffValues(a, b)).toEqual({
      diffs: [
        { pointer: '/b/1/x', kind: 'changed', left: 1, right: 9 },
        { pointer: '/b/1/y', kind: 'removed', left: 2 },
        { pointer: '/b/1/z', kind: 'added', right: 2 },
        { pointer: '/b/2', kind: 'removed', left: 3 },
        { pointer: '/c', kind: 'changed', left: 1, right: 2 },
      ],
      total: 5,
    });
    expect(diffValues(a, b, { limit: 2 }).diffs).toHaveLength(2);
    expect(diffValues(a, b, { limit: 2 }).total).toBe(5);
    // With /b/0 left out of both, item 0 of the compared lists is item 1 as sent.
    const ig = compileIgnorePaths(['/b/0']);
    expect(firstDivergence({ b: [{ x: 1 }] }, { b: [{ x: 2 }] }, ig)).toEqual({ pointer: '/b/1/x' });
    expect(diffValues({ b: [{ x: 1 }] }, { b: [{ x: 2 }] }, { ignore: ig }).diffs).toEqual([{ pointer: '/b/1/x', kind: 'changed', left: 1, right: 2 }]);
    // Different kinds at the root, and a member only one side has.
    expect(firstDivergence([], {})).toEqual({ pointer: '' });
    expect(firstDivergence({ a: 1 }, { a: 1, __proto__x: 1 })).toEqual({ pointer: '/__proto__x' });
  });
});

describe('replay of an engine whose deep answers change between rounds (CLI, HTTP engine)', () => {
  let server: http.Server;
  let port = 0;
  let calls = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') return res.end('{"status":"ok"}');
        calls++;
        // 3,800 levels: within what the canonical form can write, past what the old comparison could walk.
        res.end(`{"final_answer":"ok","trace":${'['.repeat(3800)}${calls}${']'.repeat(3800)}}`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('is a replay FAIL that names the divergence, not an ERROR', async () => {
    const dir = makeProject({
      'sim/sim_dataset.json': { datasets: [{ name: 'd', path: 'd.json', enabled: true }] },
      'sim/d.json': { name: 'd', cases: [{ id: 'deep', input: { prompt: 'trace' }, assert: [] }] },
    });
    const r = await runCli(['run', '--engine', `http://127.0.0.1:${port}/run`, '--stages', 'sim,replay', '--run-id', 'deep-div'], { cwd: dir });
    const report = readJson(path.join(reportDir(dir, 'deep-div'), 'report.json'));
    const snapshot = readJson(path.join(dir, '.toron-testops/snapshots/deep-div.json'));
    // The answer had a canonical form (else this test would not reach the comparison).
    expect(snapshot.cases[0].status).toBe('ok');
    expect(report.stages.replay.verdict, r.stdout + r.stderr).toBe('FAIL');
    expect(r.code).toBe(1);
    const c = report.stages.replay.cases[0];
    expect(c.firstDivergence.pointer).toBe(`/trace${'/0'.repeat(3800)}`);
    expect(c.diffs[0]).toMatchObject({ kind: 'changed', snapshot: 1 });
  });
});
