import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { dataset, project, run } from '../replay/helpers.js';

describe('`toron-testops bundle --out` replaces a previous bundle, never another file', () => {
  it('an --out that is the history database or the WAR ROOM log is refused (exit 2), the file untouched', async () => {
    const dir = project({ d: dataset('d', 3) });
    const r = await run(dir, { engine: 'reference', runId: 'b1', stages: 'sim', out: 'out' });
    expect(r.verdict).toBe('PASS');
    const rel = path.relative(dir, r.paths.reportDir);
    for (const given of ['out/testops.db', 'out/warroom/warroom.log']) {
      const before = fs.readFileSync(path.join(dir, given));
      const b = await runCli(['bundle', rel, '--out', given], { cwd: dir });
      expect(b.code, b.stdout).toBe(2);
      expect(b.stderr).toContain(`--out ${given} is an existing file that is not a zip archive`);
      expect(fs.readFileSync(path.join(dir, given)).equals(before), given).toBe(true);
    }
    // Someone's own zip archive (a .docx is one too) is not a bundle: refused, kept.
    const docx = zipOf({ 'word/document.xml': '<w:document/>', '[Content_Types].xml': '<Types/>' });
    fs.writeFileSync(path.join(dir, 'thesis.docx'), docx);
    const d = await runCli(['bundle', rel, '--out', 'thesis.docx'], { cwd: dir });
    expect(d.code, d.stdout).toBe(2);
    expect(d.stderr).toContain('--out thesis.docx is a zip archive but not a toron-testops bundle');
    expect(fs.readFileSync(path.join(dir, 'thesis.docx')).equals(docx)).toBe(true);
    // A previous bundle is replaced, and a new file written.
    fs.copyFileSync(path.join(r.paths.reportDir, 'bundle.zip'), path.join(dir, 'old.zip'));
    for (const given of ['old.zip', 'new.zip']) {
      const b = await runCli(['bundle', rel, '--out', given], { cwd: dir });
      expect(b.code, b.stderr).toBe(0);
      expect(fs.readFileSync(path.join(dir, given)).equals(fs.readFileSync(path.join(r.paths.reportDir, 'bundle.zip')))).toBe(true);
    }
  }, 60_000);
});

/** A small zip archive of stored (uncompressed) entries, written by hand: someone's own archive. */
function zipOf(files: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text);
    const nameBuf = Buffer.from(name);
    const crc = zlib.crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBuf.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBuf, data);
    centrals.push(central, nameBuf);
    offset += 30 + nameBuf.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(files).length, 8);
  end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

