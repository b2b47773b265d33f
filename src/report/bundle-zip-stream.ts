import type { Readable } from 'node:stream';
import ZipStream, { type ZipArchiveEntry } from 'zip-stream';
import { deflatedTotals } from './deflate-blocks.js';

/** "Version needed to extract" of an entry with a data descriptor (APPNOTE 4.4.3: 2.0). */
const VERSION_DATA_DESCRIPTOR = 20;

/**
 * archiver's zip engine, taking entries whose bytes are deflated already (deflatedFile): their
 * deflate stream goes into the archive as it is, with the CRC and sizes the deflater measured, written
 * in a data descriptor after the data as for any streamed entry. Other sources take zip-stream's own
 * path (its one zlib stream per entry).
 */
export class BundleZipStream extends ZipStream {
  protected override _appendStream(entry: ZipArchiveEntry, source: Readable, callback: (err: Error | null, entry?: ZipArchiveEntry) => void): void {
    const totals = deflatedTotals(source);
    if (!totals) return super._appendStream(entry, source, callback);
    entry.getGeneralPurposeBit().useDataDescriptor(true);
    entry.setVersionNeededToExtract(VERSION_DATA_DESCRIPTOR);
    this._writeLocalFileHeader(entry);
    let settled = false;
    source.once('error', (err) => {
      if (settled) return;
      settled = true;
      source.unpipe(this);
      callback(err);
    });
    source.once('end', () => {
      if (settled) return;
      settled = true;
      entry.setCrc(totals.crc32 >>> 0);
      entry.setSize(totals.size);
      entry.setCompressedSize(totals.compressedSize);
      this._afterAppend(entry);
      callback(null, entry);
    });
    source.pipe(this, { end: false });
  }
}
