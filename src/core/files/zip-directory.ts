import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw, crc32 } from 'node:zlib';

/** A file that is not a readable ZIP archive (truncated, corrupt, encrypted, unsupported). */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
}

/** An entry that unpacks to more bytes than its directory record declared (a lying zip bomb). */
export class ZipEntryOverrunError extends Error {
  override name = 'ZipEntryOverrunError';
  constructor(
    readonly entry: string,
    readonly declaredBytes: number,
  ) {
    super(`${entry} unpacks to more than the ${declaredBytes} bytes its directory declares`);
  }
}

export interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_ENTRIES = 10_000;
const MAX_U32 = 0xffffffff;

/**
 * Reads a ZIP archive's central directory by random access, without unpacking anything, so the
 * sizes an archive declares can be checked before any parser touches it; then unpacks single
 * entries through a guard that stops the moment an entry outgrows its declared size.
 */
export class ZipDirectory {
  private constructor(
    readonly path: string,
    readonly fileSize: number,
    readonly entries: readonly ZipEntry[],
  ) {}

  static async open(path: string): Promise<ZipDirectory> {
    const file = await open(path, 'r');
    try {
      const { size } = await file.stat();
      const entries = await readCentralDirectory(file, size);
      return new ZipDirectory(path, size, entries);
    } finally {
      await file.close();
    }
  }

  has(name: string): boolean {
    return this.entries.some((entry) => entry.name === name);
  }

  get(name: string): ZipEntry | undefined {
    return this.entries.find((entry) => entry.name === name);
  }

  get totalUncompressed(): number {
    return this.entries.reduce((sum, entry) => sum + entry.uncompressedSize, 0);
  }

  /**
   * The entry's bytes, unpacked. The stream fails with ZipEntryOverrunError as soon as more bytes
   * come out than the directory declared (so the declared sizes, once checked, bound memory and
   * CPU), and with ZipFormatError on a CRC mismatch or a short entry.
   */
  async openEntry(entry: ZipEntry): Promise<Readable> {
    if (entry.flags & 0x1) throw new ZipFormatError(`${entry.name} is encrypted`);
    if (entry.method !== 0 && entry.method !== 8) {
      throw new ZipFormatError(`${entry.name} uses an unsupported compression method`);
    }
    const file = await open(this.path, 'r');
    let header: Buffer;
    try {
      header = await readAt(file, entry.localHeaderOffset, 30);
    } finally {
      await file.close();
    }
    if (header.readUInt32LE(0) !== LOCAL) {
      throw new ZipFormatError(`${entry.name} has no local header where the directory says`);
    }
    const dataStart =
      entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
    if (dataStart + entry.compressedSize > this.fileSize) {
      throw new ZipFormatError(`${entry.name} runs past the end of the archive`);
    }
    const raw =
      entry.compressedSize > 0
        ? createReadStream(this.path, {
            start: dataStart,
            end: dataStart + entry.compressedSize - 1,
            highWaterMark: 64 * 1024,
          })
        : Readable.from([]);
    const guard = new EntryGuard(entry);
    const stages: Readable[] = [raw];
    if (entry.method === 8) stages.push(createInflateRaw({ chunkSize: 64 * 1024 }));
    // Whatever fails first (the file, the inflater, the guard) fails the guard, which is what
    // the caller reads; closing the guard early (a caller that stops reading) stops the rest.
    for (const stage of stages) {
      stage.on('error', (error) => {
        if (!guard.destroyed) guard.destroy(asZipError(entry, error));
      });
    }
    guard.on('close', () => stages.forEach((stage) => stage.destroy()));
    let tail: Readable = raw;
    for (const stage of stages.slice(1)) tail = tail.pipe(stage as Transform);
    return tail.pipe(guard);
  }
}

function asZipError(entry: ZipEntry, error: Error): Error {
  if (error instanceof ZipEntryOverrunError || error instanceof ZipFormatError) return error;
  return new ZipFormatError(`${entry.name} is corrupt: ${error.message}`);
}

/** Counts and checksums unpacked bytes; fails on the first byte past the declared size. */
class EntryGuard extends Transform {
  private seen = 0;
  private crc = 0;

  constructor(private readonly entry: ZipEntry) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.entry.uncompressedSize) {
      done(new ZipEntryOverrunError(this.entry.name, this.entry.uncompressedSize));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    if (this.seen !== this.entry.uncompressedSize) {
      done(
        new ZipFormatError(
          `${this.entry.name} unpacks to ${this.seen} bytes, not the declared ${this.entry.uncompressedSize}`,
        ),
      );
    } else if (this.crc >>> 0 !== this.entry.crc32 >>> 0) {
      done(new ZipFormatError(`${this.entry.name} fails its CRC check`));
    } else {
      done();
    }
  }
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  if (bytesRead !== length) throw new ZipFormatError('the archive is truncated');
  return buffer;
}

async function readCentralDirectory(file: FileHandle, size: number): Promise<ZipEntry[]> {
  if (size < 22) throw new ZipFormatError('the archive is too short to be a ZIP file');
  const tailLength = Math.min(size, 22 + 0xffff);
  const tail = await readAt(file, size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ZipFormatError('no end-of-central-directory record (not a ZIP file?)');
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (tail.readUInt16LE(eocd + 4) !== 0 || tail.readUInt16LE(eocd + 6) !== 0) {
    throw new ZipFormatError('multi-part ZIP archives are not supported');
  }
  if (count === 0xffff || directorySize === MAX_U32 || directoryOffset === MAX_U32) {
    // ZIP64: the real figures live in the ZIP64 end record the locator points at.
    if (eocd < 20 || tail.readUInt32LE(eocd - 20) !== ZIP64_LOCATOR) {
      throw new ZipFormatError('ZIP64 archive without its locator');
    }
    const recordOffset = Number(tail.readBigUInt64LE(eocd - 20 + 8));
    if (recordOffset + 56 > size) throw new ZipFormatError('ZIP64 end record out of range');
    const record = await readAt(file, recordOffset, 56);
    if (record.readUInt32LE(0) !== ZIP64_EOCD) throw new ZipFormatError('bad ZIP64 end record');
    count = safeNumber(record.readBigUInt64LE(32));
    directorySize = safeNumber(record.readBigUInt64LE(40));
    directoryOffset = safeNumber(record.readBigUInt64LE(48));
  }
  if (count > MAX_ENTRIES)
    throw new ZipFormatError(`the archive has more than ${MAX_ENTRIES} entries`);
  if (directoryOffset + directorySize > size) {
    throw new ZipFormatError('the central directory lies outside the file');
  }
  const directory = await readAt(file, directoryOffset, directorySize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let index = 0; index < count; index++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) {
      throw new ZipFormatError('the central directory is corrupt');
    }
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ZipFormatError('the central directory is corrupt');
    const entry: ZipEntry = {
      name: directory.toString('utf8', at + 46, at + 46 + nameLength),
      flags: directory.readUInt16LE(at + 8),
      method: directory.readUInt16LE(at + 10),
      crc32: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    applyZip64Extra(
      entry,
      directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength),
    );
    if (entry.localHeaderOffset + 30 > size) {
      throw new ZipFormatError(`${entry.name} points outside the archive`);
    }
    entries.push(entry);
    at = end;
  }
  return entries;
}

/** Sizes and offsets of 0xFFFFFFFF are in the ZIP64 extra field (id 1), in this order. */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  let at = 0;
  while (at + 4 <= extra.length) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const next = (): number => {
        if (field + 8 > at + 4 + length) throw new ZipFormatError('short ZIP64 extra field');
        const value = safeNumber(extra.readBigUInt64LE(field));
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === MAX_U32) entry.uncompressedSize = next();
      if (entry.compressedSize === MAX_U32) entry.compressedSize = next();
      if (entry.localHeaderOffset === MAX_U32) entry.localHeaderOffset = next();
      return;
    }
    at += 4 + length;
  }
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('ZIP64 size out of range');
  return Number(value);
}
