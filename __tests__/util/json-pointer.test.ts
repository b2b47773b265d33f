import { describe, expect, it } from 'vitest';
import { getAtPointer, isJsonPointer, removeAtPointer, removeAtPointers } from '../../src/util/json-pointer.js';

const doc = {
  foo: ['bar', 'baz'],
  '': 0,
  'a/b': 1,
  'c%d': 2,
  'e^f': 3,
  'g|h': 4,
  'i\\j': 5,
  'k"l': 6,
  ' ': 7,
  'm~n': 8,
  '0': 'zero-key',
  nested: { list: [{ x: 1 }, { x: 2, y: null }] },
};

describe('getAtPointer (RFC 6901 section 5 examples and more)', () => {
  it.each([
    ['', doc],
    ['/foo', ['bar', 'baz']],
    ['/foo/0', 'bar'],
    ['/', 0],
    ['/a~1b', 1],
    ['/c%d', 2],
    ['/e^f', 3],
    ['/g|h', 4],
    ['/i\\j', 5],
    ['/k"l', 6],
    ['/ ', 7],
    ['/m~0n', 8],
    ['/0', 'zero-key'],
    ['/nested/list/1/x', 2],
    ['/nested/list/1/y', null],
  ])('%s', (pointer, expected) => {
    expect(getAtPointer(doc, pointer)).toEqual({ found: true, value: expected });
  });

  it('~01 decodes to ~1, not to /', () => {
    expect(getAtPointer({ '~1': 'tilde-one', '/': 'slash' }, '/~01')).toEqual({ found: true, value: 'tilde-one' });
  });

  it.each([
    ['/missing'],
    ['/foo/2'], // past the end
    ['/foo/-'], // "-" names the element after the last: never present
    ['/foo/01'], // leading zero is not an index
    ['/foo/bar'],
    ['/nested/list/0/x/deeper'], // through a number
    ['/nested/list/1/y/z'], // through null
    ['/constructor'], // prototype members are not members
    ['/__proto__'],
    ['/toString'],
  ])('%s is not found', (pointer) => {
    expect(getAtPointer(doc, pointer)).toEqual({ found: false });
  });

  it('finds a value that is itself undefined-free falsy', () => {
    expect(getAtPointer({ a: false }, '/a')).toEqual({ found: true, value: false });
    expect(getAtPointer({ a: '' }, '/a')).toEqual({ found: true, value: '' });
  });

  it('throws on a string that is not a pointer', () => {
    expect(() => getAtPointer(doc, 'foo')).toThrow(/not a JSON Pointer/);
  });

  it('isJsonPointer follows the grammar', () => {
    expect(isJsonPointer('')).toBe(true);
    expect(isJsonPointer('/a~0~1b')).toBe(true);
    expect(isJsonPointer('/')).toBe(true);
    expect(isJsonPointer('a')).toBe(false);
    expect(isJsonPointer('/a~2')).toBe(false);
    expect(isJsonPointer('/a~')).toBe(false);
  });
});

describe('removeAtPointer', () => {
  const response = { answer: 'x', random_witness: 'r', snap: { list: [{ t: 1, k: 'a' }, { t: 2, k: 'b' }] } };

  it('removes an object member without touching the input', () => {
    const before = JSON.stringify(response);
    const out = removeAtPointer(response, '/random_witness');
    expect(out).toEqual({ answer: 'x', snap: response.snap });
    expect(JSON.stringify(response)).toBe(before);
    expect((out as typeof response).snap).toBe(response.snap); // untouched branches are shared
  });

  it('removes a nested member and copies only the path to it', () => {
    const out = removeAtPointer(response, '/snap/list/1/t') as typeof response;
    expect(out.snap.list).toEqual([{ t: 1, k: 'a' }, { k: 'b' }]);
    expect(out.snap.list[0]).toBe(response.snap.list[0]);
    expect(response.snap.list[1]).toEqual({ t: 2, k: 'b' });
  });

  it('splices array elements', () => {
    expect(removeAtPointer([1, 2, 3], '/1')).toEqual([1, 3]);
  });

  it('tolerates absent paths and returns the same value', () => {
    for (const p of ['/nope', '/snap/nope/deeper', '/snap/list/9', '/answer/0', '/snap/list/-']) {
      expect(removeAtPointer(response, p)).toBe(response);
    }
  });

  it('handles escaped keys and a key named __proto__ as data', () => {
    const parsed = JSON.parse('{"a/b": 1, "__proto__": {"x": 1}, "keep": 2}');
    expect(removeAtPointer(parsed, '/a~1b')).toEqual(JSON.parse('{"__proto__": {"x": 1}, "keep": 2}'));
    const out = removeAtPointer(parsed, '/keep') as Record<string, unknown>;
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(out)).toBe(Object.prototype);
  });

  it('the root pointer removes everything', () => {
    expect(removeAtPointer({ a: 1 }, '')).toBeUndefined();
  });

  it('removeAtPointers applies each in turn', () => {
    expect(removeAtPointers(response, ['/random_witness', '/snap', '/absent'])).toEqual({ answer: 'x' });
  });
});
