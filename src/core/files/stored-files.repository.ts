import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, LessThan, type Repository } from 'typeorm';
import { StoredFile } from './stored-file.entity.js';

@Injectable()
export class StoredFilesRepository {
  constructor(@InjectRepository(StoredFile) private readonly files: Repository<StoredFile>) {}

  findExpired(now: Date, limit: number): Promise<StoredFile[]> {
    return this.files.find({
      where: { expiresAt: LessThan(now) },
      order: { expiresAt: 'ASC' },
      take: limit,
    });
  }

  async deleteByIds(ids: readonly string[]): Promise<void> {
    if (ids.length > 0) await this.files.delete({ id: In([...ids]) });
  }
}
