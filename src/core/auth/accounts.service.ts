import { ConflictException, ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { ApiKeysRepository } from './api-keys.repository.js';
import type { AuthUser } from './auth-user.js';
import type { CredentialChanges } from './credentials.service.js';
import type { ApiKeyCreatedResponseDto, ApiKeyResponseDto } from './dto/api-key.dto.js';
import type { UserCreatedResponseDto, UserResponseDto } from './dto/user.dto.js';
import type { ApiKey } from './entities/api-key.entity.js';
import type { User } from './entities/user.entity.js';
import { notFound } from './owner-scope.js';
import { generateApiKey } from './secrets.js';
import { UsersRepository } from './users.repository.js';

export const CREDENTIAL_CHANGES = Symbol('CREDENTIAL_CHANGES');

/**
 * Users and their keys, for the API, the pages and the CLI. Access follows DESIGN.md 6: an
 * administrator sees every user and key; anyone else sees only their own, and another user's id
 * answers the same 404 as an id that does not exist.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly users: UsersRepository,
    private readonly keys: ApiKeysRepository,
    @Inject(CREDENTIAL_CHANGES) private readonly changes: CredentialChanges,
  ) {}

  async createUser(
    actor: AuthUser | 'cli',
    input: { email: string; admin?: boolean; keyName?: string },
  ): Promise<UserCreatedResponseDto> {
    requireAdmin(actor, 'create users');
    const email = input.email.trim().toLowerCase();
    // Checked first so the usual case is not a failed INSERT in the database log; the unique
    // index still decides a race.
    if (await this.users.findByEmail(email)) throw emailTaken(email);
    const key = generateApiKey();
    try {
      const created = await this.users.insertWithKey(email, input.admin ?? false, {
        name: input.keyName?.trim() || 'first key',
        prefix: key.prefix,
        hash: key.hash,
      });
      return {
        user: toUserDto(created.user, 1),
        key: { ...toKeyDto(created.key), key: key.secret },
      };
    } catch (error) {
      if (isUniqueViolation(error)) throw emailTaken(email);
      throw error;
    }
  }

  async listUsers(actor: AuthUser | 'cli'): Promise<UserResponseDto[]> {
    requireAdmin(actor, 'list users');
    const users = await this.users.listWithKeyCounts();
    return users.map((user) => toUserDto(user, user.activeKeys));
  }

  /** Administrators see anyone; others only themselves. */
  async getUser(id: string, actor: AuthUser): Promise<UserResponseDto> {
    if (!actor.isAdmin && id !== actor.id) throw notFound('User');
    const user = await this.users.findById(id);
    if (!user) throw notFound('User');
    return toUserDto(user, await this.users.countActiveKeys(user.id));
  }

  async createKey(
    actor: AuthUser,
    input: { name: string; userId?: string },
  ): Promise<ApiKeyCreatedResponseDto> {
    const ownerId = input.userId ?? actor.id;
    if (ownerId !== actor.id && !actor.isAdmin) throw notFound('User');
    const owner = ownerId === actor.id ? actor : await this.users.findById(ownerId);
    if (!owner) throw notFound('User');
    return this.issueKey(owner, input.name);
  }

  /** The CLI's way in: a new key for the user with this email. */
  async createKeyForEmail(email: string, name: string): Promise<ApiKeyCreatedResponseDto> {
    const owner = await this.users.findByEmail(email);
    if (!owner) throw notFound(`User ${email}`);
    return this.issueKey(owner, name);
  }

  async listKeys(actor: AuthUser, userId?: string): Promise<ApiKeyResponseDto[]> {
    const ownerId = userId ?? actor.id;
    if (ownerId !== actor.id) {
      if (!actor.isAdmin || !(await this.users.findById(ownerId))) throw notFound('User');
    }
    const keys = await this.keys.listForOwner({ id: ownerId });
    return keys.map(toKeyDto);
  }

  async listKeysForEmail(email: string): Promise<{ user: User; keys: ApiKeyResponseDto[] }> {
    const user = await this.users.findByEmail(email);
    if (!user) throw notFound(`User ${email}`);
    return { user, keys: (await this.keys.listForOwner(user)).map(toKeyDto) };
  }

  async getKey(id: string, actor: AuthUser): Promise<ApiKeyResponseDto> {
    return toKeyDto(await this.visibleKey(id, actor));
  }

  /**
   * Revokes at once: the database change commits, then every instance's credential cache is told,
   * before this returns. Revoking a revoked key changes nothing and answers the same.
   */
  async revokeKey(id: string, actor: AuthUser | 'cli'): Promise<ApiKeyResponseDto> {
    const key = actor === 'cli' ? await this.keys.findById(id) : await this.visibleKey(id, actor);
    if (!key) throw notFound('API key');
    const revoked = await this.keys.revoke(key.id);
    await this.changes.credentialsChanged();
    return toKeyDto(revoked ?? key);
  }

  /** The CLI accepts a key's id or its visible prefix (refusing a prefix two keys share). */
  async revokeKeyByIdOrPrefix(idOrPrefix: string): Promise<ApiKeyResponseDto> {
    const matches = await this.keys.findByIdOrPrefix(idOrPrefix.trim());
    if (matches.length === 0) throw notFound(`API key ${idOrPrefix}`);
    if (matches.length > 1)
      throw new ConflictException(
        `${matches.length} keys start with ${idOrPrefix}; revoke by id instead (keys:list shows ids).`,
      );
    return this.revokeKey(matches[0].id, 'cli');
  }

  /**
   * Creates the first admin when there are no users yet (first boot). `storeKey` receives the key
   * inside the transaction: if it cannot be stored, no admin is created.
   */
  async createFirstAdmin(
    email: string,
    storeKey: (secret: string) => Promise<void>,
  ): Promise<User | null> {
    const key = generateApiKey();
    return this.users.insertFirstAdmin(
      email,
      { name: 'first admin key', prefix: key.prefix, hash: key.hash },
      () => storeKey(key.secret),
    );
  }

  private async visibleKey(id: string, actor: AuthUser): Promise<ApiKey> {
    const key = actor.isAdmin ? await this.keys.findById(id) : await this.keys.findOwned(id, actor);
    if (!key) throw notFound('API key');
    return key;
  }

  private async issueKey(owner: { id: string }, name: string): Promise<ApiKeyCreatedResponseDto> {
    const key = generateApiKey();
    const saved = await this.keys.insertKey(owner, {
      name: name.trim(),
      prefix: key.prefix,
      hash: key.hash,
    });
    return { ...toKeyDto(saved), key: key.secret };
  }
}

function requireAdmin(actor: AuthUser | 'cli', action: string): void {
  if (actor !== 'cli' && !actor.isAdmin)
    throw new ForbiddenException(`Only administrators can ${action}.`);
}

function emailTaken(email: string): ConflictException {
  return new ConflictException(`A user with the email ${email} already exists.`);
}

function isUniqueViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23505'
  );
}

export function toUserDto(user: User, activeKeys: number): UserResponseDto {
  return {
    id: user.id,
    email: user.email,
    isAdmin: user.isAdmin,
    activeKeys,
    createdAt: user.createdAt,
  };
}

export function toKeyDto(key: ApiKey): ApiKeyResponseDto {
  return {
    id: key.id,
    userId: key.ownerId,
    name: key.name,
    prefix: key.prefix,
    status: key.revokedAt ? 'revoked' : 'active',
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
    revokedAt: key.revokedAt,
  };
}
