import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectShardSources, readBundleBuffer } from '../../src/merge/inputs.js';
import { makeZip, type ZipInput } from '../helpers/zip-writer.js';

const report = JSON.stringify({ schemaVersion: 1, runId: 'r1' });
const ok: ZipInput[] = [
  { name: 'report.json', data: report },
  { name: 'sim_summary.json', data: '{}', deflate: true },
];

/** A zip whose directory claims `size` bytes for an entry (a bomb as the reader sees it before inflating). */
function forgedSize(size: number): Buffer {
  const zip = makeZip([{ name: 'report.json', data: report }]);
  const cd = zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
  zip.writeUInt32LE(size, cd + 24);
  return zip;
}

describe('reading shard bundles safely', () => {
  it('reads the files of a good bundle without writing anything', () => {
    const src = readBundleBuffer(makeZip(ok), 'b.zip');
    expect(src.files.get('report.json')!.toString()).toBe(report);
    expect(src.files.get('sim_summary.json')!.toString()).toBe('{}');
  });

  const hostile: [string, ZipInput, RegExp][] = [
    ['a ".." segment (zip slip)', { name: '../../evil.json', data: 'x' }, /"\.\.\/\.\.\/evil\.json".*"\.\." segment/],
    ['an absolute path', { name: '/etc/evil.json', data: 'x' }, /"\/etc\/evil\.json".*absolute path/],
    ['a backslash', { name: 'reports\\evil.json', data: 'x' }, /"reports\\\\evil\.json".*backslash/],
    ['a drive letter', { name: 'C:/evil.json', data: 'x' }, /"C:\/evil\.json".*absolute path/],
    ['a symbolic link', { name: 'link.json', data: '/etc/passwd', mode: 0o120777 }, /"link\.json".*symbolic link/],
  ];
  for (const [what, entry, message] of hostile) {
    it(`refuses the whole bundle for ${what}, naming the entry`, () => {
      expect(() => readBundleBuffer(makeZip([...ok, entry]), 'bad.zip')).toThrow(message);
    });
  }

  it('caps the total uncompressed size before inflating (declared sizes)', () => {
    expect(() => readBundleBuffer(forgedSize(0xfffffff0), 'bomb.zip')).toThrow(/refused bundle: uncompressed contents exceed 2147483648 bytes/);
  });

  it('caps a real zip bomb: 64 MiB of zeros in a few KiB, over a 16 MiB cap', () => {
    const zeros = Buffer.alloc(64 * 1024 * 1024);
    const zip = makeZip([{ name: 'report.json', data: report }, { name: 'sim_summary.json', data: zeros, deflate: true }]);
    expect(zip.length).toBeLessThan(200 * 1024);
    expect(() => readBundleBuffer(zip, 'bomb.zip', { maxEntries: 100, maxTotalBytes: 16 * 1024 * 1024 })).toThrow(/exceed 16777216 bytes/);
  });

  it('caps the number of entries', () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ name: `f${i}.txt`, data: '' }));
    expect(() => readBundleBuffer(makeZip([...ok, ...many]), 'many.zip')).toThrow(/too many entries \(1003 > 1000\)/);
  });

  it('refuses a zip that is not a bundle, and reads a bundle inside an artifact zip', () => {
    expect(() => readBundleBuffer(makeZip([{ name: 'notes.txt', data: 'hi' }]), 'x.zip')).toThrow(/not a toron-testops bundle/);
    const outer = makeZip([{ name: 'bundle.zip', data: makeZip(ok) }]);
    const src = readBundleBuffer(outer, 'artifact.zip');
    expect(src.source).toBe('artifact.zip!bundle.zip');
    expect(src.files.get('report.json')!.toString()).toBe(report);
  });

  it('finds bundles and report folders at any depth, and names inputs that hold none', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'merge-inputs-'));
    fs.mkdirSync(path.join(dir, 'artifacts/run-shard-1-of-2'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'artifacts/run-shard-1-of-2/bundle.zip'), makeZip(ok));
    fs.mkdirSync(path.join(dir, 'artifacts/deeper/run-shard-2-of-2/reports/r1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'artifacts/deeper/run-shard-2-of-2/reports/r1/report.json'), report);
    fs.writeFileSync(path.join(dir, 'artifacts/deeper/run-shard-2-of-2/reports/r1/bundle.zip'), 'not read: the folder is');
    fs.mkdirSync(path.join(dir, 'empty'));
    const { sources, problems } = collectShardSources(['artifacts', 'empty', 'nowhere'], { cwd: dir });
    expect(sources.map((s) => [s.source, s.kind])).toEqual([
      ['artifacts/deeper/run-shard-2-of-2/reports/r1', 'folder'],
      ['artifacts/run-shard-1-of-2/bundle.zip', 'bundle'],
    ]);
    expect(problems).toEqual([
      { source: 'empty', message: 'holds no shard report (no report.json and no bundle.zip at any depth)' },
      { source: 'nowhere', message: 'no such file or folder' },
    ]);
  });
});
