import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, type Repository } from 'typeorm';
import { StoredFile } from './stored-file.entity.js';

@Injectable()
export class StoredFilesRepository {
  constructor(@InjectRepository(StoredFile) private readonly files: Repository<StoredFile>) {}

  /** Rows for files the intake has just moved into place, in one INSERT. */
  async recordUploads(files: readonly StoredFile[]): Promise<void> {
    if (files.length > 0) await this.files.insert([...files]);
  }

  findById(id: string): Promise<StoredFile | null> {
    return this.files.findOneBy({ id });
  }

  findExpired(now: Date, limit: number): Promise<StoredFile[]> {
    return this.files.find({
      where: { expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  /** Which of these storage paths have a row (the rest are files nothing records). */
  async knownStoragePaths(paths: readonly string[]): Promise<Set<string>> {
    if (paths.length === 0) return new Set();
    const rows = await this.files.find({
      select: { storagePath: true },
      where: { storagePath: In([...paths]) },
    });
    return new Set(rows.map((row) => row.storagePath));
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.files.delete({ id: In([...ids]) });
  }
}
