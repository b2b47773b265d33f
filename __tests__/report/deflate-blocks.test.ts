import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildBundle } from '../../src/report/bundle.js';
import { deflatedFile, deflatedTotals, DEFLATE_BLOCK_BYTES } from '../../src/report/deflate-blocks.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'toron-deflate-'));

/** Text like a snapshot's (repeats within and across blocks) with bytes no block boundary lines up with. */
function snapshotLike(bytes: number): Buffer {
  const parts: string[] = [];
  let n = 0;
  for (let i = 0; n < bytes; i++) {
    const line = `{"id":"case-${i}","seed":${(i * 2654435761) >>> 0},"answer":{"text":"${'answer ' + (i % 97)} \u00e9\u65e5","n":${i / 7}}},\n`;
    parts.push(line);
    n += Buffer.byteLength(line);
  }
  return Buffer.from(parts.join('')).subarray(0, bytes);
}

async function deflated(file: string, options: Parameters<typeof deflatedFile>[1]) {
  const stream = deflatedFile(file, options);
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return { bytes: Buffer.concat(chunks), totals: deflatedTotals(stream)! };
}

describe('deflatedFile (a file deflated in blocks on several threads)', () => {
  it('joins its blocks into one deflate stream of the whole file, with the CRC-32 and sizes of the file', async () => {
    const dir = tmp();
    const content = snapshotLike(1_000_003);
    const file = path.join(dir, 'snapshot.json');
    fs.writeFileSync(file, content);
    const { bytes, totals } = await deflated(file, { level: 3, blockBytes: 64 << 10 });
    expect(zlib.inflateRawSync(bytes).equals(content)).toBe(true);
    expect(totals).toEqual({ crc32: zlib.crc32(content), size: content.length, compressedSize: bytes.length });
    // Primed with the window before each block, the blocks pack about as well as one stream.
    expect(bytes.length).toBeLessThan(zlib.deflateRawSync(content, { level: 3 }).length * 1.1);
  });

  it('gives the same bytes however many blocks are in flight; other block sizes give other bytes', async () => {
    const dir = tmp();
    const file = path.join(dir, 'f.json');
    fs.writeFileSync(file, snapshotLike(700_000));
    const one = await deflated(file, { level: 3, blockBytes: 50_000, parallel: 1 });
    const four = await deflated(file, { level: 3, blockBytes: 50_000, parallel: 4 });
    const nine = await deflated(file, { level: 3, blockBytes: 50_000, parallel: 9 });
    expect(four.bytes.equals(one.bytes)).toBe(true);
    expect(nine.bytes.equals(one.bytes)).toBe(true);
    const other = await deflated(file, { level: 3, blockBytes: 60_000, parallel: 4 });
    expect(other.bytes.equals(one.bytes)).toBe(false);
    expect(zlib.inflateRawSync(other.bytes).equals(fs.readFileSync(file))).toBe(true);
  });

  it('shares input buffers between files through `spare`: reused, bounded, the same bytes', async () => {
    const dir = tmp();
    const [a, small, b] = ['a.json', 'small.json', 'b.json'].map((n) => path.join(dir, n));
    fs.writeFileSync(a, snapshotLike(500_000));
    fs.writeFileSync(small, snapshotLike(1_000));
    fs.writeFileSync(b, snapshotLike(300_001).reverse());
    const o = { level: 3, blockBytes: 64 << 10, parallel: 3 };
    const spare: Buffer[] = [];
    await deflated(a, { ...o, spare });
    const kept = [...spare];
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThanOrEqual(4);
    await deflated(small, { ...o, spare });
    const shared = await deflated(b, { ...o, spare });
    const fresh = await deflated(b, o);
    expect(shared.bytes.equals(fresh.bytes)).toBe(true);
    expect(shared.totals).toEqual(fresh.totals);
    expect(spare.some((x) => kept.includes(x))).toBe(true);
    expect(spare.every((x) => x.length === (64 << 10) + 32768)).toBe(true);
  });

  it('an empty file, and one that is a whole number of blocks', async () => {
    const dir = tmp();
    const empty = path.join(dir, 'empty');
    fs.writeFileSync(empty, '');
    const e = await deflated(empty, { level: 3 });
    expect(zlib.inflateRawSync(e.bytes).length).toBe(0);
    expect(e.totals).toEqual({ crc32: 0, size: 0, compressedSize: e.bytes.length });
    const exact = path.join(dir, 'exact');
    const content = snapshotLike(3 * 4096);
    fs.writeFileSync(exact, content);
    const x = await deflated(exact, { level: 3, blockBytes: 4096 });
    expect(zlib.inflateRawSync(x.bytes).equals(content)).toBe(true);
  });

  it("takes the writer's CRC-32 while the file has the size it was taken at, and takes its own otherwise", async () => {
    const dir = tmp();
    const content = snapshotLike(300_001);
    const file = path.join(dir, 'snapshot.json');
    fs.writeFileSync(file, content);
    const plain = await deflated(file, { level: 3, blockBytes: 64 << 10 });
    // A stand-in value shows which one was used: the writer's is trusted, not recomputed.
    const trusted = await deflated(file, { level: 3, blockBytes: 64 << 10, known: { bytes: content.length, crc32: 0x12345678 } });
    expect(trusted.bytes.equals(plain.bytes)).toBe(true);
    expect(trusted.totals).toEqual({ ...plain.totals, crc32: 0x12345678 });
    // A negative (signed) CRC comes out unsigned, as zip wants it.
    const signed = await deflated(file, { level: 3, known: { bytes: content.length, crc32: zlib.crc32(content) | 0 } });
    expect(signed.totals.crc32).toBe(zlib.crc32(content));
    // The file changed size since: the CRC is the file's own.
    const stale = await deflated(file, { level: 3, blockBytes: 64 << 10, known: { bytes: content.length - 1, crc32: 0x12345678 } });
    expect(stale.totals.crc32).toBe(zlib.crc32(content));
  });

  it('a file that cannot be read makes the stream error, not the process', async () => {
    const dir = tmp();
    await expect(deflated(path.join(dir, 'missing.json'), { level: 3 })).rejects.toThrow(/ENOENT/);
    await expect(deflated(dir, { level: 3 })).rejects.toThrow(/EISDIR/);
  });
});

describe('bundle.zip with a snapshot of several deflate blocks', () => {
  it('unzip -t and Python zipfile read back the snapshot byte for byte; a rebuild gives the same bytes', async () => {
    const out = tmp();
    const dir = path.join(out, 'reports', 'big');
    fs.mkdirSync(dir, { recursive: true });
    fs.mkdirSync(path.join(out, 'snapshots'));
    const report = { schemaVersion: 1, runId: 'big', stages: {}, artifacts: { report: 'report.json', log: 'run.log', snapshot: '../../snapshots/big.json' } };
    fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(report) + '\n');
    fs.writeFileSync(path.join(dir, 'run.log'), 'line\n');
    fs.writeFileSync(path.join(dir, 'result.json'), JSON.stringify({ runId: 'big', bundle: null }) + '\n');
    const snapshot = snapshotLike(2 * DEFLATE_BLOCK_BYTES + 12_345);
    fs.writeFileSync(path.join(out, 'snapshots', 'big.json'), snapshot);
    const a = await buildBundle(dir, { env: {}, out: path.join(out, 'a.zip') });
    expect(execFileSync('unzip', ['-t', a.file], { encoding: 'utf8' })).toContain('No errors detected in compressed data');
    const py = execFileSync('python3', ['-c', 'import sys, zipfile, hashlib; z = zipfile.ZipFile(sys.argv[1]); i = z.getinfo("snapshot.json"); print(i.compress_type, i.file_size, hashlib.sha256(z.read("snapshot.json")).hexdigest())', a.file], { encoding: 'utf8' }).trim();
    const expected = `8 ${snapshot.length} ${(await import('node:crypto')).createHash('sha256').update(snapshot).digest('hex')}`;
    expect(py).toBe(expected);
    const b = await buildBundle(dir, { env: {}, out: path.join(out, 'b.zip') });
    expect(b.sha256).toBe(a.sha256);
    // The snapshot's CRC as its writer took it (a run's): the same archive.
    const checksums = [{ file: path.join(out, 'snapshots', 'big.json'), bytes: snapshot.length, crc32: zlib.crc32(snapshot) }];
    const c = await buildBundle(dir, { env: {}, out: path.join(out, 'c.zip'), checksums });
    expect(c.sha256).toBe(a.sha256);
  });
});
