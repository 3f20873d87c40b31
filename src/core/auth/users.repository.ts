import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { ApiKey } from './entities/api-key.entity.js';
import { User } from './entities/user.entity.js';
import { isUuid } from './owner-scope.js';

export interface UserWithKeyCount extends User {
  activeKeys: number;
}

export interface NewKeyRow {
  name: string;
  prefix: string;
  hash: string;
}

@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findById(id: string): Promise<User | null> {
    return isUuid(id) ? this.users.findOneBy({ id }) : Promise.resolve(null);
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.findOneBy({ email: email.toLowerCase() });
  }

  /** Every user with the number of keys that still work, oldest first. */
  async listWithKeyCounts(): Promise<UserWithKeyCount[]> {
    const { entities, raw } = await this.users
      .createQueryBuilder('user')
      .addSelect(
        (sub) =>
          sub
            .select('count(*)::int')
            .from(ApiKey, 'key')
            .where('key.owner_id = user.id AND key.revoked_at IS NULL'),
        'active_keys',
      )
      .orderBy('user.createdAt', 'ASC')
      .getRawAndEntities<{ active_keys: number }>();
    return entities.map((user, index) =>
      Object.assign(user, { activeKeys: Number(raw[index].active_keys) }),
    );
  }

  countActiveKeys(userId: string): Promise<number> {
    return this.users.manager.count(ApiKey, { where: { ownerId: userId, revokedAt: IsNull() } });
  }

  /**
   * Creates a user and their first key in one transaction (a user never exists without a way in).
   * A duplicate email surfaces as Postgres error 23505 on users_email_key.
   */
  async insertWithKey(
    email: string,
    isAdmin: boolean,
    key: NewKeyRow,
  ): Promise<{ user: User; key: ApiKey }> {
    return this.users.manager.transaction(async (manager) => {
      const user = await manager.save(
        manager.create(User, { email: email.toLowerCase(), isAdmin }),
      );
      const saved = await manager.save(
        manager.create(ApiKey, {
          ownerId: user.id,
          name: key.name,
          prefix: key.prefix,
          keyHash: key.hash,
        }),
      );
      return { user, key: saved };
    });
  }

  /**
   * The first-boot admin: created only while the table is empty. Two instances booting at once
   * both try; the unique email lets exactly one win. `beforeCommit` runs inside the transaction (it
   * writes the key file), so a failure there leaves no admin without a known key.
   */
  async insertFirstAdmin(
    email: string,
    key: NewKeyRow,
    beforeCommit: (user: User) => Promise<void>,
  ): Promise<User | null> {
    return this.users.manager.transaction(async (manager) => {
      const inserted: { id: string }[] = await manager.query(
        `INSERT INTO users (email, is_admin)
         SELECT $1, true WHERE NOT EXISTS (SELECT 1 FROM users)
         ON CONFLICT (email) DO NOTHING
         RETURNING id`,
        [email.toLowerCase()],
      );
      if (inserted.length === 0) return null;
      await manager.query(
        `INSERT INTO api_keys (owner_id, name, prefix, key_hash) VALUES ($1, $2, $3, $4)`,
        [inserted[0].id, key.name, key.prefix, key.hash],
      );
      const user = await manager.findOneByOrFail(User, { id: inserted[0].id });
      await beforeCommit(user);
      return user;
    });
  }
}
