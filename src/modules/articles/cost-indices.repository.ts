import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { CostIndex } from './entities/cost-index.entity.js';

export interface CostIndexInput {
  code: string;
  name: string;
  description?: string | null;
  active?: boolean;
}

/** Active indices are read by every analysis; a short cache spares the database that read. */
const ACTIVE_CACHE_MS = 5_000;

@Injectable()
export class CostIndicesRepository {
  private active?: { at: number; list: Promise<CostIndex[]> };

  constructor(@InjectRepository(CostIndex) private readonly indices: Repository<CostIndex>) {}

  listAll(): Promise<CostIndex[]> {
    return this.indices.find({ order: { id: 'ASC' } });
  }

  /** The indices offered to the model (at most ACTIVE_CACHE_MS old). */
  listActive(): Promise<CostIndex[]> {
    const now = Date.now();
    if (!this.active || now - this.active.at > ACTIVE_CACHE_MS) {
      const list = this.indices.find({ where: { active: true }, order: { id: 'ASC' } });
      this.active = { at: now, list };
      list.catch(() => (this.active = undefined));
    }
    return this.active.list;
  }

  findByCode(code: string): Promise<CostIndex | null> {
    return this.indices.findOneBy({ code });
  }

  /** Creates or updates by code, in one transaction (all of them or none). */
  async upsert(inputs: readonly CostIndexInput[]): Promise<CostIndex[]> {
    const saved = await this.indices.manager.transaction(async (manager) => {
      const out: CostIndex[] = [];
      for (const input of inputs) {
        const existing = await manager.findOneBy(CostIndex, { code: input.code });
        const entity = manager.create(CostIndex, {
          ...existing,
          code: input.code,
          name: input.name,
          description:
            input.description === undefined ? (existing?.description ?? null) : input.description,
          active: input.active ?? existing?.active ?? true,
        });
        out.push(await manager.save(CostIndex, entity));
      }
      return out;
    });
    this.active = undefined;
    return saved;
  }
}
