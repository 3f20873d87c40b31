import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiKey } from './entities/api-key.entity.js';
import { isUuid, OwnedRepository, type Owner } from './owner-scope.js';
import type { NewKeyRow } from './users.repository.js';

/** A key found by its hash, with what the guard needs about its owner. */
export interface KeyLookup {
  keyId: string;
  revoked: boolean;
  userId: string;
  email: string;
  isAdmin: boolean;
}

/** API keys are owned by their user: the same owner scope every module uses applies to them. */
@Injectable()
export class ApiKeysRepository extends OwnedRepository<ApiKey> {
  constructor(@InjectRepository(ApiKey) keys: Repository<ApiKey>) {
    super(keys, 'API key');
  }

  /** Unscoped: for administrators only (the service decides). */
  findById(id: string): Promise<ApiKey | null> {
    return isUuid(id) ? this.repository.findOneBy({ id }) : Promise.resolve(null);
  }

  /** Keys whose id or visible prefix is this (the CLI accepts either). */
  findByIdOrPrefix(idOrPrefix: string): Promise<ApiKey[]> {
    if (isUuid(idOrPrefix)) return this.repository.findBy({ id: idOrPrefix });
    return this.repository.findBy({ prefix: idOrPrefix });
  }

  listForOwner(owner: Owner): Promise<ApiKey[]> {
    return this.listOwned(owner, {
      order: { revokedAt: { direction: 'DESC', nulls: 'FIRST' }, createdAt: 'DESC' },
    });
  }

  async insertKey(owner: Owner, key: NewKeyRow): Promise<ApiKey> {
    return this.insertOwned(owner, { name: key.name, prefix: key.prefix, keyHash: key.hash });
  }

  /** One indexed lookup by hash, joined with the owner. Revoked keys are returned (to say so). */
  async findByHash(hash: string): Promise<KeyLookup | null> {
    const rows: {
      key_id: string;
      revoked: boolean;
      user_id: string;
      email: string;
      is_admin: boolean;
    }[] = await this.repository.query(
      `SELECT k.id AS key_id, k.revoked_at IS NOT NULL AS revoked,
              u.id AS user_id, u.email, u.is_admin
         FROM api_keys k JOIN users u ON u.id = k.owner_id
        WHERE k.key_hash = $1`,
      [hash],
    );
    const row = rows[0];
    return row
      ? {
          keyId: row.key_id,
          revoked: row.revoked,
          userId: row.user_id,
          email: row.email,
          isAdmin: row.is_admin,
        }
      : null;
  }

  /**
   * Revokes the key and ends the page sessions opened with it, in one statement (a session never
   * outlives its key). Returns the key as it is now; null when there is no such key.
   */
  async revoke(id: string): Promise<ApiKey | null> {
    if (!isUuid(id)) return null;
    await this.repository.query(
      `WITH revoked AS (
         UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING id
       )
       DELETE FROM page_sessions WHERE api_key_id IN (SELECT id FROM revoked)`,
      [id],
    );
    return this.findById(id);
  }

  /** Records use at most once a minute per key (a write per request would cost more than the read). */
  async touch(id: string): Promise<void> {
    await this.repository.query(
      `UPDATE api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }
}
