// zip-stream (archiver's zip engine) ships no types: the part of it and of compress-commons' zip
// output stream that the bundle uses.
declare module 'zip-stream' {
  import { Transform, type Readable } from 'node:stream';
  import type { ZlibOptions } from 'node:zlib';

  export interface ZipStreamOptions {
    zlib?: ZlibOptions;
    forceLocalTime?: boolean;
    forceZip64?: boolean;
    namePrependSlash?: boolean;
    store?: boolean;
    comment?: string;
  }

  export interface ZipEntryData {
    name: string;
    date?: Date;
    mode?: number;
    store?: boolean;
  }

  /** compress-commons' ZipArchiveEntry, as far as a subclass of the stream sets it. */
  export interface ZipArchiveEntry {
    getGeneralPurposeBit(): { useDataDescriptor(on: boolean): void };
    setVersionNeededToExtract(version: number): void;
    setCrc(crc: number): void;
    setSize(size: number): void;
    setCompressedSize(size: number): void;
  }

  export default class ZipStream extends Transform {
    constructor(options?: ZipStreamOptions);
    entry(source: Buffer | Readable, data: ZipEntryData, callback: (err: Error | null) => void): this;
    finalize(): void;
    protected _appendStream(entry: ZipArchiveEntry, source: Readable, callback: (err: Error | null, entry?: ZipArchiveEntry) => void): void;
    protected _writeLocalFileHeader(entry: ZipArchiveEntry): void;
    protected _afterAppend(entry: ZipArchiveEntry): void;
  }
}
