import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { entryTarget, extractZip, listZip, readZipFile, ZipError } from '../../src/github/zip.js';
import { makeZip } from '../helpers/zip-writer.js';
import { ROOT } from '../helpers/cli.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'zip-'));

describe('safe zip extraction', () => {
  it('extracts stored and deflated entries, folders included, byte for byte', () => {
    const dir = tmp();
    const big = Buffer.from('x'.repeat(100_000));
    const zip = makeZip([
      { name: 'report.json', data: '{"a":1}' },
      { name: 'logs/run.log', data: big, deflate: true },
      { name: 'logs/', data: '' },
    ]);
    expect(extractZip(zip, path.join(dir, 'out')).sort()).toEqual(['logs/run.log', 'report.json']);
    expect(fs.readFileSync(path.join(dir, 'out/logs/run.log')).equals(big)).toBe(true);
    expect(readZipFile(zip, 'report.json')!.toString()).toBe('{"a":1}');
    expect(readZipFile(zip, 'nope')).toBeNull();
  });

  it.each([
    ['../evil.txt', '".." segment'],
    ['a/../../evil.txt', '".." segment'],
    ['..\\evil.txt', '".." segment'],
    ['/etc/evil.txt', 'absolute path'],
    ['\\\\server\\share\\x', 'absolute path'],
    ['C:/evil.txt', 'absolute path'],
    ['nul\0byte', 'empty name or NUL byte'],
  ])('refuses the whole archive when an entry is %j (%s), writing nothing', (name, reason) => {
    const dir = tmp();
    const target = path.join(dir, 'inner', 'target');
    const zip = makeZip([{ name: 'ok.txt', data: 'fine' }, { name, data: 'pwned' }]);
    expect(() => extractZip(zip, target)).toThrow(ZipError);
    expect(() => extractZip(zip, target)).toThrow(reason);
    expect(fs.existsSync(path.join(target, 'ok.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'inner', 'evil.txt'))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'evil.txt'))).toBe(false);
  });

  it('refuses symbolic links', () => {
    const zip = makeZip([{ name: 'link', data: '/etc/passwd', mode: 0o120777 }]);
    expect(() => extractZip(zip, path.join(tmp(), 't'))).toThrow(/symbolic link/);
  });

  it('every name resolves inside the target or is refused (including tricky but safe names)', () => {
    const t = path.join(tmp(), 't');
    expect(entryTarget(t, './a/./b.json')).toEqual({ path: path.join(t, 'a', 'b.json') });
    expect(entryTarget(t, 'a..b/c..')).toEqual({ path: path.join(t, 'a..b', 'c..') });
    expect(entryTarget(t, '.')).toEqual({ reason: 'names the target folder itself' });
  });

  it('damaged archives are a ZipError, never a crash: not a zip, truncated, CRC mismatch, forged size', () => {
    const good = makeZip([{ name: 'a.txt', data: 'hello world', deflate: true }]);
    expect(() => listZip(Buffer.from('not a zip at all, just text'))).toThrow(/not a ZIP archive/);
    expect(() => listZip(good.subarray(0, good.length - 30))).toThrow(ZipError);
    const crc = Buffer.from(good);
    const cdAt = crc.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    crc.writeUInt32LE(0xdeadbeef, cdAt + 16);
    expect(() => readZipFile(crc, 'a.txt')).toThrow(/CRC mismatch/);
    const forged = Buffer.from(good);
    forged.writeUInt32LE(3, cdAt + 24); // says 3 bytes, inflates to 11
    expect(() => readZipFile(forged, 'a.txt')).toThrow(ZipError);
    expect(() => listZip(good, { maxEntries: 10, maxTotalBytes: 5 })).toThrow(/exceed/);
  });

  it('reads the zips archiver writes (the bundle of a real run has this shape)', async () => {
    const { ZipArchive } = await import('archiver');
    const dir = tmp();
    const file = path.join(dir, 'b.zip');
    await new Promise<void>((resolve, reject) => {
      const out = fs.createWriteStream(file);
      const a = new ZipArchive({ zlib: { level: 9 } });
      out.on('close', () => resolve());
      a.on('error', reject);
      a.pipe(out);
      a.append('{"snapshot":true}', { name: 'snapshot.json' });
      a.file(path.join(ROOT, 'package.json'), { name: 'logs/package.json' });
      void a.finalize();
    });
    const zip = fs.readFileSync(file);
    expect(readZipFile(zip, 'snapshot.json')!.toString()).toBe('{"snapshot":true}');
    expect(readZipFile(zip, 'logs/package.json')!.equals(fs.readFileSync(path.join(ROOT, 'package.json')))).toBe(true);
  });
});
