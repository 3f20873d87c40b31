import { NotFoundException } from '@nestjs/common';
import type {
  DeepPartial,
  FindManyOptions,
  FindOneOptions,
  FindOptionsWhere,
  Repository,
  SelectQueryBuilder,
} from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { AuthUser } from './auth-user.js';

/** Anything that names a user: the AuthUser of a request, or a job payload's owner id as `{ id }`. */
export type Owner = Pick<AuthUser, 'id'>;

/** What every user-created entity has: its id and the id of the user who owns it (`owner_id`). */
export interface OwnedEntity {
  id: string;
  ownerId: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids come from URLs: a malformed one is simply not found (Postgres would reject the cast). */
export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && UUID.test(value);
}

/** A where-clause scoped to the owner: `find({ where: ownedBy(user, { status: 'pending' }) })`. */
export function ownedBy<T extends OwnedEntity>(
  owner: Owner,
  where: FindOptionsWhere<T> = {},
): FindOptionsWhere<T> {
  return { ...where, ownerId: owner.id } as FindOptionsWhere<T>;
}

/**
 * The one 404 for "missing" and "someone else's": the message never says which, and never echoes
 * the id, so both bodies are identical (DESIGN.md 6).
 */
export function notFound(label: string): NotFoundException {
  return new NotFoundException(`${label} not found`);
}

/**
 * Base for every repository of user-owned rows: each read and write is scoped to the owner, so
 * another user's id behaves exactly like an id that does not exist (null, false, or the same 404).
 *
 * ```ts
 * @Injectable()
 * export class ArticlesRepository extends OwnedRepository<Article> {
 *   constructor(@InjectRepository(Article) articles: Repository<Article>) {
 *     super(articles, 'Article');
 *   }
 * }
 * const article = await articles.getOwned(id, user); // 404 "Article not found" otherwise
 * ```
 */
export abstract class OwnedRepository<T extends OwnedEntity> {
  protected constructor(
    protected readonly repository: Repository<T>,
    /** Names the entity in the 404 message: "<label> not found". */
    readonly label: string,
  ) {}

  /** The owner's row with this id, or null (also for another user's id or a malformed id). */
  findOwned(id: string, owner: Owner, options: Omit<FindOneOptions<T>, 'where'> = {}) {
    if (!isUuid(id)) return Promise.resolve(null);
    return this.repository.findOne({
      ...options,
      where: ownedBy<T>(owner, { id } as FindOptionsWhere<T>),
    });
  }

  /** Like findOwned, but answers the shared 404 instead of null. */
  async getOwned(id: string, owner: Owner, options: Omit<FindOneOptions<T>, 'where'> = {}) {
    const row = await this.findOwned(id, owner, options);
    if (!row) throw notFound(this.label);
    return row;
  }

  /** The owner's rows (an optional where narrows them; it cannot widen them). */
  listOwned(
    owner: Owner,
    options: Omit<FindManyOptions<T>, 'where'> & { where?: FindOptionsWhere<T> } = {},
  ): Promise<T[]> {
    return this.repository.find({ ...options, where: ownedBy<T>(owner, options.where) });
  }

  countOwned(owner: Owner, where: FindOptionsWhere<T> = {}): Promise<number> {
    return this.repository.count({ where: ownedBy<T>(owner, where) });
  }

  /** A new, unsaved entity that belongs to the owner. */
  newOwned(owner: Owner, data: DeepPartial<T>): T {
    const given = (data as Partial<OwnedEntity>).ownerId;
    if (given !== undefined && given !== owner.id)
      throw new Error(`${this.label}: refusing to create a row owned by someone else`);
    return this.repository.create({ ...data, ownerId: owner.id } as DeepPartial<T>);
  }

  /** Inserts a row owned by the owner and returns it (with generated columns). */
  async insertOwned(owner: Owner, data: DeepPartial<T>): Promise<T> {
    return this.repository.save(this.newOwned(owner, data));
  }

  /** Updates the owner's row; false when there is no such row for this owner. */
  async updateOwned(id: string, owner: Owner, patch: QueryDeepPartialEntity<T>): Promise<boolean> {
    if (!isUuid(id)) return false;
    if ('ownerId' in patch) throw new Error(`${this.label}: ownership cannot be changed by update`);
    const result = await this.repository.update(
      ownedBy<T>(owner, { id } as FindOptionsWhere<T>),
      patch,
    );
    return (result.affected ?? 0) > 0;
  }

  /** Deletes the owner's row; false when there is no such row for this owner. */
  async deleteOwned(id: string, owner: Owner): Promise<boolean> {
    if (!isUuid(id)) return false;
    const result = await this.repository.delete(ownedBy<T>(owner, { id } as FindOptionsWhere<T>));
    return (result.affected ?? 0) > 0;
  }

  /** Of these ids, the ones the owner has (bulk actions drop the rest). */
  async ownedIds(ids: readonly string[], owner: Owner): Promise<string[]> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return [];
    const rows = await this.ownedQuery(owner, 'owned')
      .select('owned.id', 'id')
      .andWhere('owned.id IN (:...ids)', { ids: valid })
      .getRawMany<{ id: string }>();
    return rows.map((row) => row.id);
  }

  /**
   * A query builder already limited to the owner's rows, for joins and aggregates. Add conditions
   * with andWhere (a later `.where()` would replace the owner condition).
   */
  ownedQuery(owner: Owner, alias: string): SelectQueryBuilder<T> {
    return this.repository
      .createQueryBuilder(alias)
      .where(`${alias}.ownerId = :ownerScopeId`, { ownerScopeId: owner.id });
  }
}
