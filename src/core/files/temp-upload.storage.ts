import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, pipeline, type TransformCallback } from 'node:stream';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { SNIFF_BYTES } from './file-sniffer.js';

/** A file multer has streamed into STORAGE_DIR/.tmp, with what was learnt on the way. */
export interface ReceivedFile {
  field: string;
  originalName: string;
  tempPath: string;
  size: number;
  sha256: string;
  /** The first min(size, SNIFF_BYTES) bytes, for type sniffing without reading the file again. */
  head: Buffer;
}

/** multer's file object once this engine has stored it. */
export type MulterReceivedFile = Express.Multer.File & Omit<ReceivedFile, 'field' | 'originalName'>;

/**
 * multer storage engine: streams each file to a uniquely named temp file under STORAGE_DIR/.tmp,
 * hashing it and keeping its first 64 KB as it passes, so nothing is buffered whole in memory
 * and nothing is read twice. The file only leaves .tmp once its content has been checked.
 */
export class TempUploadStorage implements StorageEngine {
  /**
   * Writes still running, by temp path. multer may ask to remove a file while its write is still
   * opening it (an aborted body): removing at once would miss a file the write creates a moment
   * later, so removal waits for the write to end.
   */
  private readonly writing = new Map<string, Promise<void>>();

  constructor(private readonly tempDir: string) {}

  _handleFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<MulterReceivedFile>) => void,
  ): void {
    const tempPath = join(this.tempDir, `${randomUUID()}.upload`);
    // multer removes `path` on an abort even while the write is still running.
    file.path = tempPath;
    const tap = new HashingTap();
    const out = createWriteStream(tempPath, { flags: 'wx' });
    let settle!: () => void;
    this.writing.set(tempPath, new Promise<void>((resolve) => (settle = resolve)));
    pipeline(file.stream, tap, out, (error) => {
      if (error) {
        // On an error pipeline answers before the file is closed, maybe before it is even
        // opened (and so created): remove it only once it is closed.
        const closed = out.closed
          ? Promise.resolve()
          : new Promise<void>((resolve) => out.once('close', () => resolve()));
        void closed
          .then(() => rm(tempPath, { force: true }))
          .catch(() => undefined)
          .then(() => {
            this.writing.delete(tempPath);
            settle();
            callback(error);
          });
        return;
      }
      this.writing.delete(tempPath);
      settle();
      callback(null, {
        path: tempPath,
        tempPath,
        size: tap.size,
        sha256: tap.digest(),
        head: tap.head(),
      });
    });
  }

  _removeFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    if (!file.path) {
      callback(null);
      return;
    }
    const path = file.path;
    // A write whose source never ends must not hold the request: wait at most a few seconds.
    const written = this.writing.get(path);
    const waited = written
      ? Promise.race([written, new Promise<void>((resolve) => setTimeout(resolve, 5000).unref())])
      : Promise.resolve();
    waited
      .then(() => rm(path, { force: true }))
      .then(
        () => callback(null),
        (error: Error) => callback(error),
      );
  }
}

class HashingTap extends Transform {
  size = 0;
  private readonly hash = createHash('sha256');
  private readonly headChunks: Buffer[] = [];
  private headLength = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.size += chunk.length;
    this.hash.update(chunk);
    if (this.headLength < SNIFF_BYTES) {
      const part = chunk.subarray(0, SNIFF_BYTES - this.headLength);
      this.headChunks.push(Buffer.from(part));
      this.headLength += part.length;
    }
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }

  head(): Buffer {
    return Buffer.concat(this.headChunks, this.headLength);
  }
}
