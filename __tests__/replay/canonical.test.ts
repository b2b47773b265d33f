import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { canonicalHash, canonicalJson, canonicalJsonByWalk, sha256Hex } from '../../src/replay/canonical.js';
import { seededRandom } from '../../src/util/seed.js';
import { compileIgnorePaths, unionPaths } from '../../src/replay/ignore-paths.js';

const SAMPLES = path.resolve(import.meta.dirname, '../fixtures/reference');

describe('canonicalJson (RFC 8785 style)', () => {
  it('matches the RFC 8785 §3.2.2 example byte for byte', () => {
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        '"string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts member names by UTF-16 code units (RFC 8785 §3.2.3 order)', () => {
    const input = JSON.parse(
      '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Dalet","1":"One","\\ud83d\\ude00":"Emoji","\\u0080":"Control","\\u00f6":"o"}',
    );
    const keys = Object.keys(JSON.parse(canonicalJson(input)));
    // JSON.parse puts the integer-like "1" first again; the text order is what matters:
    const order = [...canonicalJson(input).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map((m) => JSON.parse(`"${m[1]}"`));
    expect(order).toEqual(['\r', '1', '\u0080', '\u00f6', '\u20ac', '\ud83d\ude00', '\ufb33']);
    expect(keys).toHaveLength(7);
  });

  it('is independent of member order and whitespace, and sensitive to array order and values', () => {
    const a = canonicalJson(JSON.parse('{"b": [1, 2, {"y": 1, "x": 2}], "a": "t"}'));
    const b = canonicalJson(JSON.parse('{ "a":"t","b":[1,2,{"x":2,"y":1}] }'));
    expect(a).toBe(b);
    expect(a).toBe('{"a":"t","b":[1,2,{"x":2,"y":1}]}');
    expect(canonicalJson({ a: 't', b: [2, 1, { x: 2, y: 1 }] })).not.toBe(a);
    expect(canonicalJson({ a: 't', b: [1, 2, { x: 2, y: 1.5 }] })).not.toBe(a);
  });

  it('gives an in-process value the canonical form of its serialised-then-parsed bytes', () => {
    const value = { z: undefined, a: [undefined, () => 1, NaN, -0, 1e21], d: new Date(0), n: null };
    expect(canonicalJson(value)).toBe(canonicalJson(JSON.parse(JSON.stringify(value))));
    expect(canonicalJson(value)).toBe('{"a":[null,null,null,0,1e+21],"d":"1970-01-01T00:00:00.000Z","n":null}');
  });

  it('keeps every real Toron answer intact: parsing the canonical text gives the same value', () => {
    for (const f of ['toron-2.5h.jsonl', 'toron-2.5h-stability.jsonl']) {
      const lines = fs.readFileSync(path.join(SAMPLES, f), 'utf8').trim().split('\n');
      for (const line of lines) {
        const response = JSON.parse(line).response;
        expect(JSON.parse(canonicalJson(response))).toEqual(response);
        expect(canonicalJson(JSON.parse(canonicalJson(response)))).toBe(canonicalJson(response));
      }
    }
  });

  it('hashes with sha256 (a known vector)', () => {
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const { canonical, hash } = canonicalHash({ b: 1, a: 2 });
    expect(canonical).toBe('{"a":2,"b":1}');
    expect(hash).toBe(sha256Hex('{"a":2,"b":1}'));
  });
});

describe('ignorePaths in the canonical form', () => {
  const answer = {
    consensus: { output: 'x', timestamp: 1 },
    metrics: { request_id: 'abc', latency_ms: 5, timestamp: 2 },
    list: [{ id: 1, at: 't1' }, { id: 2, at: 't2' }, { id: 3, at: 't3' }],
    'a/b': { '~x': 1, keep: 2 },
  };

  it('removes the named members and nothing else', () => {
    const t = compileIgnorePaths(['/metrics/request_id', '/metrics/timestamp', '/consensus/timestamp']);
    expect(JSON.parse(canonicalJson(answer, t))).toEqual({
      consensus: { output: 'x' },
      metrics: { latency_ms: 5 },
      list: answer.list,
      'a/b': answer['a/b'],
    });
  });

  it('two answers that differ only in ignored fields have one canonical form', () => {
    const t = compileIgnorePaths(['/metrics/request_id', '/metrics/timestamp', '/consensus/timestamp']);
    const other = structuredClone(answer);
    other.metrics.request_id = 'zzz';
    other.metrics.timestamp = 99;
    other.consensus.timestamp = 98;
    expect(canonicalJson(other, t)).toBe(canonicalJson(answer, t));
    expect(canonicalJson(other)).not.toBe(canonicalJson(answer));
  });

  it('escapes (~0 ~1), array items by their original index, and the * wildcard', () => {
    expect(JSON.parse(canonicalJson(answer, compileIgnorePaths(['/a~1b/~0x'])))['a/b']).toEqual({ keep: 2 });
    // Items 0 and 2 of the list as it came (not 0, then 2 of what is left).
    expect(JSON.parse(canonicalJson(answer, compileIgnorePaths(['/list/0', '/list/2']))).list).toEqual([{ id: 2, at: 't2' }]);
    expect(JSON.parse(canonicalJson(answer, compileIgnorePaths(['/list/*/at']))).list).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    // A named path and a wildcard under one parent both apply.
    expect(JSON.parse(canonicalJson(answer, compileIgnorePaths(['/*/timestamp', '/metrics/latency_ms']))).metrics).toEqual({ request_id: 'abc' });
    // Absent paths are fine (fields only some answers have).
    expect(canonicalJson(answer, compileIgnorePaths(['/nope/deeper', '/list/9']))).toBe(canonicalJson(answer));
  });

  it('refuses what is not a pointer to a member', () => {
    expect(() => compileIgnorePaths(['metrics/request_id'])).toThrow(/not a JSON Pointer/);
    expect(() => compileIgnorePaths([''])).toThrow(/not a JSON Pointer/);
    expect(() => compileIgnorePaths(['/a~2'])).toThrow(/not a JSON Pointer/);
    expect(compileIgnorePaths([])).toBeNull();
  });

  it('unionPaths sorts and de-duplicates', () => {
    expect(unionPaths(['/b', '/a'], undefined, ['/a', '/c'])).toEqual(['/a', '/b', '/c']);
  });
});

describe('the two ways canonicalJson writes its text', () => {
  // canonicalJson serialises a sorted copy natively and falls back to a member-by-member walk for
  // values a copy cannot stand for; both must give the text the walk gives.
  const NAMES = ['a', 'b', 'B', 'é', '\u20ac', '\ud83d\ude00', '10', '9', '0', '01', '4294967296', '__proto__', 'x y', '', '\n'];

  function randomValue(next: () => number, depth: number): unknown {
    const r = next();
    if (depth > 3 || r < 0.35) {
      const k = Math.floor(next() * 7);
      return [null, true, false, Math.floor(next() * 1e6) / 7, -0, 1e21, `s${NAMES[Math.floor(next() * NAMES.length)]}"\\`][k];
    }
    if (r < 0.55) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
    const out: string[] = [];
    for (const name of NAMES) if (next() < 0.3) out.push(`${JSON.stringify(name)}:${JSON.stringify(randomValue(next, depth + 1))}`);
    return JSON.parse(`{${out.join(',')}}`); // JSON.parse: "__proto__" stays an own member
  }

  it('agree on random values, with and without ignorePaths (index-like names and __proto__ included)', () => {
    const random = seededRandom(20261125);
    const next = () => random.next();
    const ignores = [null, compileIgnorePaths(['/a', '/*/b', '/0', '/9/a', '/__proto__/x'])];
    let fellBack = 0;
    for (let i = 0; i < 3000; i++) {
      const v = randomValue(next, 0);
      for (const ig of ignores) {
        expect(canonicalJson(v, ig)).toBe(canonicalJsonByWalk(v, ig));
      }
      if (JSON.stringify(v).match(/"(?:10|9|0|__proto__)":/)) fellBack++;
    }
    expect(fellBack).toBeGreaterThan(100); // the fallback path was exercised, not only the copy
  });

  it('orders index-like member names by code units however deep they are', () => {
    const v = JSON.parse('{"b":{"10":1,"9":2,"a":3},"__proto__":{"z":1,"y":2},"a":[{"2":0,"1":0}]}');
    expect(canonicalJson(v)).toBe('{"__proto__":{"y":2,"z":1},"a":[{"1":0,"2":0}],"b":{"10":1,"9":2,"a":3}}');
  });

  it('agree on every real Toron answer, with the profile ignorePaths a user would set', () => {
    const ig = compileIgnorePaths(['/random_witness', '/metrics/request_id', '/state_snapshot/T1_RAW/*/latency_ms']);
    for (const f of ['toron-2.5h.jsonl', 'toron-2.5h-stability.jsonl']) {
      for (const line of fs.readFileSync(path.join(SAMPLES, f), 'utf8').trim().split('\n')) {
        const response = JSON.parse(line).response;
        expect(canonicalJson(response)).toBe(canonicalJsonByWalk(response));
        expect(canonicalJson(response, ig)).toBe(canonicalJsonByWalk(response, ig));
      }
    }
  });
});
